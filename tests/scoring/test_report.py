"""The session report aggregates evaluations and delivery metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interview_desktop.domain import Word
from interview_desktop.scoring.delivery import delivery_metrics
from interview_desktop.scoring.report import IMPROVE_COVERAGE_GENERIC, session_report
from interview_desktop.scoring.rubric import IMPROVE_BUZZWORDS, IMPROVE_RAMBLING, Evaluation, score_answer
from interview_desktop.storage.codec import decode_question

LOCAL = json.loads((Path(__file__).resolve().parent / "answer_pairs_local.json").read_text(encoding="utf-8"))


def _evaluation(overall: int, strengths=(), improvements=(), answered=True, qid="q") -> Evaluation:
    return Evaluation(overall=overall, parts={"relevance": overall}, weights={"relevance": 100},
                      strengths=tuple(strengths), improvements=tuple(improvements), answered=answered,
                      question_id=qid)


def _timed(text: str, seconds: float) -> list[Word]:
    tokens = text.split()
    step = seconds / len(tokens)
    return [Word(f" {t}", i * step, (i + 1) * step) for i, t in enumerate(tokens)]


def test_overall_is_the_mean_of_answered_questions():
    evals = [_evaluation(80), _evaluation(61), _evaluation(0, answered=False)]
    report = session_report(evals, [None, None, None])
    assert report["overall_score"] == 71  # (80 + 61) / 2 = 70.5 → 71
    assert report["answered_count"] == 2
    assert report["question_count"] == 3
    assert [q["score"] for q in report["questions"]] == [80, 61, 0]
    assert [q["answered"] for q in report["questions"]] == [True, True, False]


def test_top_three_by_frequency_then_rank():
    evals = [
        _evaluation(50, strengths=["S1", "S2"], improvements=["A", "B"]),
        _evaluation(50, strengths=["S2"], improvements=["B", "C"]),
        _evaluation(50, strengths=["S3", "S2", "S1"], improvements=["B", "A", "Also cover: the outcome"]),
    ]
    report = session_report(evals, [])
    assert report["strengths"] == ["S2", "S1", "S3"]
    assert report["improvements"] == ["B", "A", "C"]  # C (rank 1) before the coverage item (rank 2)


def test_question_specific_coverage_items_are_counted_together():
    evals = [
        _evaluation(50, improvements=["Also cover: x", "A"]),
        _evaluation(50, improvements=["Also cover: y", "B"]),
    ]
    report = session_report(evals, [])
    assert report["improvements"][0] == IMPROVE_COVERAGE_GENERIC


def test_lines_that_quote_the_answer_are_counted_together():
    evals = [
        _evaluation(30, improvements=[IMPROVE_RAMBLING + "“lots of”", "A"]),
        _evaluation(30, improvements=[IMPROVE_RAMBLING + "“stuff”", "B"]),
        _evaluation(30, improvements=[IMPROVE_BUZZWORDS + "“synergies”", "C"]),
    ]
    report = session_report(evals, [])
    assert report["improvements"][0].startswith("Cut the background")
    assert not any("“" in item for item in report["improvements"][:1])


def test_delivery_aggregates():
    m1 = delivery_metrics(_timed("um " + " ".join(["word"] * 149), 60.0))  # 150 words, 60 s, 1 filler
    m2 = delivery_metrics(_timed("like, " + " ".join(["word"] * 89), 30.0))  # 90 words, 30 s, 1 filler
    m3 = delivery_metrics([], text="Basically typed, you know.")  # untimed, 2 fillers
    report = session_report([_evaluation(70), _evaluation(70), _evaluation(70)], [m1, m2, m3])
    assert report["average_wpm"] == pytest.approx(160.0)  # 240 words over 90 s
    assert report["pace_verdict"] == "comfortable"
    assert report["total_fillers"] == 4
    assert report["fillers"] == {"um": 1, "like": 1, "you know": 1, "basically": 1}
    assert report["fillers_per_100_words"] == pytest.approx(round(4 * 100 / 244, 2))
    assert report["total_pauses"] == 0


def test_report_from_real_evaluations_is_json_able():
    evals, metrics = [], []
    for pair in LOCAL[:4]:
        question = decode_question(pair["question"])
        evals.append(score_answer(question, pair["strong"]))
        metrics.append(delivery_metrics([], text=pair["strong"]))
    evals.append(score_answer(decode_question(LOCAL[4]["question"]), ""))
    metrics.append(None)
    report = session_report(evals, metrics)
    assert json.loads(json.dumps(report)) == report
    assert report["overall_score"] == int(sum(e.overall for e in evals[:4]) / 4 + 0.5)
    assert len(report["strengths"]) == 3
    assert len(report["improvements"]) <= 3
    assert report["average_wpm"] is None  # typed answers only
    assert report["scorers"] == ["offline"]
    assert set(report["part_averages"]) == {"relevance", "coverage", "specificity", "structure", "concision"}


def test_empty_session():
    report = session_report([], [])
    assert report["overall_score"] == 0
    assert report["questions"] == []
    assert report["average_wpm"] is None
    assert report["total_fillers"] == 0


def test_metrics_must_match_evaluations():
    with pytest.raises(ValueError, match="2 evaluations but 1 metrics"):
        session_report([_evaluation(1), _evaluation(2)], [None])
