"""The labelled scoring set (tests/fixtures/scoring_set.json) resolved into (question, answer) cases:
read by the scorer's tests and by bench/scoring_bench.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interview_desktop.domain import Question
from interview_desktop.providers.brains.question_bank import QuestionBank
from interview_desktop.storage.codec import decode_question

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "tests" / "fixtures" / "scoring_set.json"
_SOURCES = {"pairs": ROOT / "tests" / "fixtures" / "answer_pairs.json",
            "local": ROOT / "tests" / "scoring" / "answer_pairs_local.json"}


@dataclass(frozen=True)
class Case:
    id: str
    question: Question
    kind: str  # strong, adequate, vague, off_topic, echo, template, buzzword, rambling, short, …
    grade: int
    reason: str
    text: str


def _source_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    for name, path in _SOURCES.items():
        for pair in json.loads(path.read_text(encoding="utf-8")):
            qid = pair["question_id"] if "question_id" in pair else pair["question"]["id"]
            for side in ("strong", "weak"):
                texts[f"{name}:{qid}:{side}"] = pair[side]
    return texts


def load_cases() -> list[Case]:
    doc = json.loads(SET.read_text(encoding="utf-8"))
    bank = QuestionBank.load()
    free = {qid: decode_question(q) for qid, q in doc["questions"].items()}
    texts = _source_texts()
    cases = []
    for a in doc["answers"]:
        question = free.get(a["question"]) or bank.question(a["question"])
        if question is None:
            raise ValueError(f"scoring set: unknown question {a['question']!r}")
        text = a["text"] if "text" in a else texts[a["source"]]
        cases.append(Case(a["id"], question, a["kind"], int(a["grade"]), a["reason"], text))
    return cases


def twins(cases: list[Case]) -> list[tuple[Case, Case]]:
    """Every strong answer against each weaker answer to the same question."""
    return [(s, w) for s in cases if s.kind == "strong" for w in cases
            if w.question.id == s.question.id and w.kind != "strong" and w.grade < s.grade]


def _ranks(values: list[float]) -> np.ndarray:
    """Ranks 1..n; ties get the mean of their ranks."""
    vals = np.asarray(values, dtype=float)
    r = np.empty(len(vals))
    r[np.argsort(vals, kind="stable")] = np.arange(1, len(vals) + 1)
    for v in np.unique(vals):
        r[vals == v] = r[vals == v].mean()
    return r


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation (Pearson's on the ranks)."""
    return float(np.corrcoef(_ranks(a), _ranks(b))[0, 1])
