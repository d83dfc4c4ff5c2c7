"""``interview-desktop evaluate`` as a subprocess: the same scoring path as the app."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from interview_desktop.audio.wav import write_wav
from interview_desktop.providers.brains.question_bank import QuestionBank
from tests.speech import espeak_clip

STRONG = (
    "When I was the lead developer at a logistics startup, our checkout service kept timing out before "
    "the holiday peak. I was responsible for fixing it. I profiled the service, found a missing index, "
    "added it and a circuit breaker, and wrote a load test. As a result p95 latency dropped from 2.4 "
    "seconds to 300 milliseconds and we handled three times the traffic with zero outages."
)


def evaluate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "interview_desktop", "evaluate", *args],
        capture_output=True, text=True, timeout=120, check=False, env=dict(os.environ),
    )


def test_text_answer_to_a_custom_question(tmp_path):
    strong, weak = tmp_path / "strong.txt", tmp_path / "weak.txt"
    strong.write_text(STRONG)
    weak.write_text("I usually just try things until it works.")
    question = "Tell me about a time you fixed a slow service."
    good = evaluate("--question", question, "--answer-file", str(strong))
    bad = evaluate("--question", question, "--answer-file", str(weak))
    assert good.returncode == 0, good.stderr
    doc, poor = json.loads(good.stdout), json.loads(bad.stdout)
    assert doc["question"]["source"] == "custom" and doc["question"]["kind"] == "behavioural"
    assert doc["scorer"] == "offline" and doc["evaluation"]["scorer"] == "offline"
    assert set(doc["evaluation"]["parts"]) >= {"relevance", "specificity", "structure", "concision"}
    assert doc["metrics"]["word_count"] == len(STRONG.split())
    assert doc["overall_score"] >= poor["overall_score"] + 15


def test_bank_question_brings_its_covers_points(tmp_path):
    question = QuestionBank.load().role("software_engineer").questions[0]
    answer = tmp_path / "a.txt"
    answer.write_text(STRONG)
    result = evaluate(
        "--question", question.text, "--answer-file", str(answer), "--role", "Software Engineer"
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["question"]["id"] == question.id and doc["question"]["covers"] == list(question.covers)
    assert "coverage" in doc["evaluation"]["parts"]


@pytest.mark.slow
def test_audio_answer_is_transcribed_and_timed(tmp_path):
    wav = write_wav(tmp_path / "answer.wav", espeak_clip(
        "In my last role I led a team of four engineers and we shipped the billing system on time.",
        wpm=150, lead_s=0.5, tail_s=0.5,
    ))
    result = evaluate("--question", "Tell me about a project you led.", "--audio", str(wav))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["transcribed_by"] == "local-whisper"
    assert "four engineers" in doc["answer_text"].lower()
    assert 100 < doc["metrics"]["words_per_minute"] < 220


def test_missing_file_is_a_clear_error(tmp_path):
    result = evaluate("--question", "Why this job?", "--answer-file", str(tmp_path / "nope.txt"))
    assert result.returncode == 1
    assert "nope.txt" in result.stderr and "Traceback" not in result.stderr


def test_unknown_role_exits_2():
    result = evaluate("--question", "Why?", "--answer-file", "x", "--role", "Astronaut")
    assert result.returncode == 2 and "unknown role" in result.stderr


def test_the_command_line_gives_the_numbers_the_app_gives(tmp_path):
    """`evaluate` and the app score through the same scorer: same overall, parts and evidence, for a
    bank question (matched by its text) and for the restating answer the issue quoted."""
    from interview_desktop.providers.brains.question_bank import QuestionBank
    from interview_desktop.scoring.rubric import score_answer
    from tests.scoring_set import load_cases

    cases = {c.id: c for c in load_cases()}
    for case_id in ("general-03/strong", "general-03/echo"):
        case = cases[case_id]
        answer = tmp_path / "answer.txt"
        answer.write_text(case.text)
        run = evaluate("--question", case.question.text, "--answer-file", str(answer))
        assert run.returncode == 0, run.stderr
        doc = json.loads(run.stdout)
        question = QuestionBank.load().question(case.question.id)
        app = score_answer(question, case.text)
        assert doc["question"]["id"] == case.question.id
        assert doc["evaluation"]["overall"] == app.overall and doc["evaluation"]["parts"] == dict(app.parts)
        assert doc["evaluation"]["evidence"] == app.extra["evidence"]
