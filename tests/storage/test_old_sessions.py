"""Session files written by the version before the typed domain (tests/storage/fixtures/v1/, copied
from real runs: a spoken offline interview, typed ones, Groq-scored, an LLM fallback, a re-evaluated
session, a reviewed one with a skip and a field from a later version) load and save unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from interview_desktop.domain import AnswerInput, DeliveryMetrics, Evaluation, Provenance
from interview_desktop.storage.codec import encode_session
from interview_desktop.storage.json_store import JsonHistoryRepository
from interview_desktop.storage.mongo_store import MongoHistoryRepository
from interview_desktop.storage.schema import session_from_document

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "v1").glob("*.json"))


def test_there_are_fixtures_of_every_kind():
    names = {p.stem for p in FIXTURES}
    assert {"voice_offline_completed", "typed_completed", "cloud_llm_completed", "reevaluated",
            "reviewed_with_skip", "typed_abandoned", "cloud_fallback_offline"} <= names


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_decode_then_encode_gives_the_same_document(path: Path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    session = session_from_document(doc)
    assert encode_session(session) == doc
    for answer in session.answers:  # typed objects, not dicts
        assert isinstance(answer.provenance, Provenance)
        if answer.input is not AnswerInput.SKIPPED:
            assert isinstance(answer.evaluation, Evaluation) and isinstance(answer.metrics, DeliveryMetrics)
            assert 0 <= answer.evaluation.overall <= 100


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_the_json_store_reads_and_rewrites_the_file_unchanged(path: Path, tmp_path: Path):
    old = tmp_path / "old"
    (old / "sessions").mkdir(parents=True)
    doc = json.loads(path.read_text(encoding="utf-8"))
    shutil.copy(path, old / "sessions" / f"{doc['id']}.json")
    with JsonHistoryRepository(old) as store:
        session = store.get(doc["id"])
    assert session is not None
    with JsonHistoryRepository(tmp_path / "new") as store:
        store.save(session)
    written = tmp_path / "new" / "sessions" / f"{doc['id']}.json"
    assert json.loads(written.read_text(encoding="utf-8")) == doc


@pytest.mark.mongo
def test_mongodb_holds_the_same_document(mongo_uri: str, mongo_db_name: str, mongo_admin):
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as store:
        for path in FIXTURES:
            doc = json.loads(path.read_text(encoding="utf-8"))
            store.save(session_from_document(doc))
            assert encode_session(store.get(doc["id"])) == doc
