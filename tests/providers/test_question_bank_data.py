"""Data checks for the built-in question bank (resources/questions/*.json) and the answer-pair fixtures."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from interview_desktop.domain import QuestionKind
from interview_desktop.storage.codec import decode_question

REPO_ROOT = Path(__file__).resolve().parents[2]
QUESTIONS_DIR = REPO_ROOT / "resources" / "questions"
ANSWER_PAIRS = Path(__file__).resolve().parents[1] / "fixtures" / "answer_pairs.json"

REQUIRED_ROLES = {
    "general": "General / Behavioural (HR)",
    "software_engineer": "Software Engineer",
    "data_analyst": "Data Analyst",
    "product_manager": "Product Manager",
    "sales": "Sales",
    "customer_support": "Customer Support",
    "project_manager": "Project Manager",
}
MIN_QUESTIONS = 14
MIN_PER_KIND = 3
MIN_TECHNICAL_GENERAL = 2  # the HR role asks about tools and organisation instead
MAX_WORDS = 40
# Characters that a text-to-speech voice reads badly, or that betray list/markdown formatting.
UNSPEAKABLE = re.compile(r"[()\[\]{}/\\*#_<>|~`;]|\be\.g\.|\bi\.e\.|\betc\b|\bvs\b|^\s*[-•]")

FILES = sorted(QUESTIONS_DIR.glob("*.json"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _words(text: str) -> int:
    return len(text.split())


def _all_questions() -> list[dict]:
    return [q for path in FILES for q in _load(path)["questions"]]


def test_every_required_role_has_a_file():
    found = {path.stem: _load(path)["role"] for path in FILES}
    for role_id, title in REQUIRED_ROLES.items():
        assert role_id in found, f"missing resources/questions/{role_id}.json"
        assert found[role_id] == title


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_role_file_schema(path: Path):
    doc = _load(path)
    assert set(doc) == {"role", "id", "description", "questions"}
    assert doc["id"] == path.stem
    assert isinstance(doc["role"], str) and doc["role"].strip()
    assert isinstance(doc["description"], str) and doc["description"].strip().endswith(".")
    assert isinstance(doc["questions"], list)
    id_pattern = re.compile(rf"^{re.escape(doc['id'])}-\d{{2}}$")
    for q in doc["questions"]:
        assert set(q) == {"id", "kind", "text", "covers"}, q
        assert id_pattern.match(q["id"]), q["id"]
        assert q["kind"] in {k.value for k in QuestionKind}, q["id"]
        assert isinstance(q["text"], str) and isinstance(q["covers"], list), q["id"]
        # the app's own conversion must accept every entry
        question = decode_question({**q, "role": doc["role"]})
        assert question.kind == QuestionKind(q["kind"])


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_question_counts_per_kind(path: Path):
    doc = _load(path)
    questions = doc["questions"]
    assert len(questions) >= MIN_QUESTIONS
    kinds = Counter(q["kind"] for q in questions)
    for kind in QuestionKind:
        minimum = MIN_PER_KIND
        if doc["id"] == "general" and kind is QuestionKind.TECHNICAL:
            minimum = MIN_TECHNICAL_GENERAL
        assert kinds[kind.value] >= minimum, f"{doc['id']}: only {kinds[kind.value]} {kind.value} questions"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_question_text_is_speakable(path: Path):
    for q in _load(path)["questions"]:
        text = q["text"]
        assert text == text.strip() and "  " not in text, q["id"]
        assert _words(text) <= MAX_WORDS, f"{q['id']} has {_words(text)} words"
        assert text.endswith(("?", ".")), q["id"]
        assert not UNSPEAKABLE.search(text), f"{q['id']} contains text a voice reads badly: {text!r}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_covers(path: Path):
    for q in _load(path)["questions"]:
        covers = q["covers"]
        assert 3 <= len(covers) <= 5, q["id"]
        assert all(isinstance(c, str) and c.strip() for c in covers), q["id"]
        assert len({c.lower() for c in covers}) == len(covers), f"{q['id']} repeats a cover"
        assert all(_words(c) <= 12 for c in covers), f"{q['id']} has a cover that is not a short phrase"


def test_question_ids_unique_across_files():
    ids = Counter(q["id"] for q in _all_questions())
    assert not [i for i, n in ids.items() if n > 1]


def test_no_duplicate_question_text():
    texts = Counter(" ".join(q["text"].lower().split()) for q in _all_questions())
    assert not [t for t, n in texts.items() if n > 1]


# --- strong vs weak answer fixtures ---------------------------------------------------------------

_STOPWORD_TEXT = (
    "a an and are as at be by for from how in is it not of on or such than that the their them they "
    "this to what when with"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _stems(text: str) -> set[str]:
    """Very rough stems: enough to see whether an answer talks about a cover's content words."""
    return {w[:5] for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in STOPWORDS}


@pytest.fixture(scope="module")
def pairs() -> list[dict]:
    return json.loads(ANSWER_PAIRS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bank() -> dict[str, dict]:
    return {q["id"]: q for q in _all_questions()}


def test_answer_pairs_shape(pairs):
    assert len(pairs) >= 14
    roles = {p["question_id"].rsplit("-", 1)[0] for p in pairs}
    assert len(roles) >= 5, roles
    for p in pairs:
        assert set(p) == {"question_id", "strong", "weak", "note"}, p
        assert all(isinstance(p[k], str) and p[k].strip() for k in p), p["question_id"]
        for key in ("strong", "weak"):
            assert not re.search(r"[*#`\n]|^\s*-", p[key]), f"{p['question_id']} {key} looks like markdown"


def test_answer_pairs_reference_bank_questions(pairs, bank):
    missing = [p["question_id"] for p in pairs if p["question_id"] not in bank]
    assert not missing


def test_strong_answers_are_longer_than_weak(pairs):
    for p in pairs:
        strong, weak = _words(p["strong"]), _words(p["weak"])
        assert 90 <= strong <= 220, f"{p['question_id']}: strong answer has {strong} words"
        assert strong > weak, p["question_id"]


def test_strong_answers_mention_more_cover_content_than_weak(pairs, bank):
    for p in pairs:
        covers = bank[p["question_id"]]["covers"]
        strong, weak = _stems(p["strong"]), _stems(p["weak"])
        strong_hits = sum(len(_stems(c) & strong) * 2 >= len(_stems(c)) for c in covers)
        weak_hits = sum(len(_stems(c) & weak) * 2 >= len(_stems(c)) for c in covers)
        assert strong_hits > weak_hits, p["question_id"]
        assert strong_hits * 2 > len(covers), f"{p['question_id']}: strong answer misses most covers"
