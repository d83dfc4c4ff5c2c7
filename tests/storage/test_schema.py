"""Migration, validation and derived fields of the stored session document."""

from __future__ import annotations

import pytest

from interview_desktop.domain import SCHEMA_VERSION
from interview_desktop.storage.codec import encode_session
from interview_desktop.storage.schema import (
    InvalidSessionDocument,
    index_fields,
    migrate_document,
    search_needle,
    session_from_document,
    validate_document,
)
from tests.storage.factories import make_session


def test_current_version_is_unchanged_by_migration() -> None:
    doc = encode_session(make_session())
    migrated = migrate_document(doc)
    assert migrated == doc and migrated is not doc
    assert doc["schema_version"] == SCHEMA_VERSION == 1


def test_missing_version_is_version_1() -> None:
    doc = encode_session(make_session())
    del doc["schema_version"]
    assert session_from_document(doc) == make_session(id=doc["id"])


def test_newer_version_is_read_as_is() -> None:
    doc = {**encode_session(make_session()), "schema_version": 7, "later": [1]}
    assert migrate_document(doc) == doc
    assert session_from_document(doc).extra == {"later": [1]}


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, True, None])
def test_bad_version_is_invalid(version: object) -> None:
    with pytest.raises(InvalidSessionDocument, match="schema_version"):
        migrate_document({**encode_session(make_session()), "schema_version": version})


def test_valid_documents_pass() -> None:
    for session in (make_session(), make_session(answer_count=0, overall_score=None, voice=False)):
        validate_document(encode_session(session))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"id": ""}, "empty 'id'"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"started_at": None}, "started_at"),
        ({"revision": True}, "revision"),
        ({"question_count": 2.5}, "question_count"),
        ({"report": [1]}, "report"),
        ({"report": {"overall_score": "80"}}, "overall_score"),
        ({"answers": "none"}, "answers"),
    ],
)
def test_invalid_documents_are_named(change: dict[str, object], problem: str) -> None:
    with pytest.raises(InvalidSessionDocument, match=problem):
        validate_document({**encode_session(make_session()), **change})


def test_derived_fields() -> None:
    doc = encode_session(make_session(
        candidate="Ada LOVELACE", role="Backend", answer_texts=["One.", "Two\x1fthree"], overall_score=80
    ))
    assert index_fields(doc) == {
        "answer_count": 2,
        "overall_score": 80.0,
        "candidate_key": "ada lovelace",
        "role_key": "backend",
        "search_text": "ada lovelace\x1fbackend\x1fone.\x1ftwo three",
    }
    assert search_needle("  Two\x1fThree ") == "two three"


def test_turn_timings_round_trip_and_keep_unknown_keys() -> None:
    from dataclasses import replace

    from interview_desktop.domain import TurnTiming
    from interview_desktop.storage.codec import decode_session
    from interview_desktop.storage.schema import InvalidSessionDocument
    from interview_desktop.storage.schema import validate_document as validate

    session = make_session()
    turn = TurnTiming(speech_start_s=3.02, speech_end_s=13.553, decided_s=14.2, end_reason="finished",
                      transcript_final_s=14.24, next_question_s=None, mode="smart", resumed=1)
    answers = (replace(session.answers[0], turn=turn), *session.answers[1:])
    doc = encode_session(replace(session, answers=answers))
    validate(doc)
    assert doc["answers"][0]["turn"] == {"speech_start_s": 3.02, "speech_end_s": 13.553, "decided_s": 14.2,
                                         "end_reason": "finished", "transcript_final_s": 14.24,
                                         "mode": "smart", "resumed": 1}
    assert all("turn" not in a for a in doc["answers"][1:])  # absent stays absent (older files unchanged)
    doc["answers"][0]["turn"]["from_a_later_version"] = 7
    back = decode_session(doc)
    assert back.answers[0].turn == replace(turn, extra={"from_a_later_version": 7})
    assert encode_session(back)["answers"][0]["turn"]["from_a_later_version"] == 7
    doc["answers"][0]["turn"] = "soon"
    with pytest.raises(InvalidSessionDocument, match="turn"):
        validate(doc)
