"""The stored session document: version migration, validation and the derived index fields.

Both stores hold exactly the document of :func:`~interview_desktop.storage.codec.encode_session`
(see ``docs/session-schema.md``). This module is the one place that

* upgrades documents written by older versions (:func:`migrate_document`),
* checks that a document read from disk or from the server has the shape the app relies on
  (:func:`validate_document`), so a damaged document is rejected once instead of crashing a view,
* computes the values both stores sort, filter and search on (:func:`index_fields`), so the JSON
  store and the MongoDB store order and match sessions identically,
* guards a write against a stored copy that is newer (:func:`stored_copy_wins`), for both stores.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from interview_desktop.domain import (
    SCHEMA_VERSION,
    AnswerInput,
    QuestionKind,
    Session,
    SessionStatus,
    from_iso,
    to_iso,
)
from interview_desktop.storage.base import StorageError
from interview_desktop.storage.codec import decode_session

log = logging.getLogger("interview_desktop.storage")

NEWER_VERSION_MESSAGE = (
    "could not save the session: it was saved by a newer version of Interview Desktop; update the "
    "app to change it"
)

#: Separates the fields of the search blob so a query never matches across two fields.
SEARCH_SEPARATOR = "\x1f"

_PLAIN_NUMBERS = frozenset({int, float})
_STATUSES = frozenset(s.value for s in SessionStatus)
_INPUTS = frozenset(i.value for i in AnswerInput)
_KINDS = frozenset(k.value for k in QuestionKind)


class InvalidSessionDocument(ValueError):
    """A stored document is not a valid session document (damaged, hand-edited, wrong types)."""


# version n -> function turning a version-n document into a version-(n + 1) document.
# Version 1 is the first released schema, so there is nothing to upgrade yet. When SCHEMA_VERSION
# becomes 2, add ``1: _v1_to_v2`` here (a pure function on plain dicts) and a test with a v1 fixture.
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate_document(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``doc`` upgraded to the current :data:`SCHEMA_VERSION` (a new dict; ``doc`` is untouched).

    A document without ``schema_version`` is treated as version 1. A document written by a *newer*
    app (higher version) is returned unchanged: the fields this version knows are read, the others
    are kept in ``Session.extra`` and written back as they were.
    """
    if not isinstance(doc, Mapping):
        raise InvalidSessionDocument("session: not a JSON object")
    out = dict(doc)
    version = out.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidSessionDocument(f"bad schema_version {version!r}")
    while version < SCHEMA_VERSION:
        out = _MIGRATIONS[version](out)
        version += 1
        out["schema_version"] = version
    return out


def schema_version_of(doc: Mapping[str, Any]) -> int:
    version = doc.get("schema_version", 1)
    return version if isinstance(version, int) and not isinstance(version, bool) else 1


# ----------------------------------------------------------------------------------------------
# Validation


def _fail(where: str, problem: str) -> InvalidSessionDocument:
    return InvalidSessionDocument(f"{where}: {problem}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_str(
    doc: Mapping[str, Any], key: str, where: str, *, required: bool, nullable: bool = False
) -> None:
    if key not in doc:
        if required:
            raise _fail(where, f"missing {key!r}")
        return
    value = doc[key]
    if value is None and nullable:
        return
    if not isinstance(value, str):
        raise _fail(where, f"{key!r} is not a string")


def _check_time(doc: Mapping[str, Any], key: str, where: str, *, required: bool) -> None:
    if key not in doc:
        if required:
            raise _fail(where, f"missing {key!r}")
        return
    value = doc[key]
    if value is None and not required:
        return
    if not isinstance(value, str):
        raise _fail(where, f"{key!r} is not a date-time string")
    try:
        from_iso(value)
    except ValueError:
        raise _fail(where, f"{key!r} is not an ISO 8601 date-time") from None
    if required and not value:
        raise _fail(where, f"{key!r} is empty")


def _check_object(doc: Mapping[str, Any], key: str, where: str) -> None:
    value = doc.get(key)
    if value is not None and not isinstance(value, dict):
        raise _fail(where, f"{key!r} is not an object")


def _check_answer(answer: Any, where: str) -> None:
    if not isinstance(answer, dict):
        raise _fail(where, "not an object")
    if not _is_int(answer.get("index")):
        raise _fail(where, "'index' is not an integer")
    question = answer.get("question")
    if not isinstance(question, dict):
        raise _fail(where, "'question' is not an object")
    _check_str(question, "id", f"{where}.question", required=True)
    _check_str(question, "text", f"{where}.question", required=True)
    _check_str(question, "role", f"{where}.question", required=False)
    _check_str(question, "source", f"{where}.question", required=False)
    if question.get("kind") not in _KINDS:
        raise _fail(f"{where}.question", f"unknown kind {question.get('kind')!r}")
    covers = question.get("covers", [])
    if not isinstance(covers, list) or not all(isinstance(c, str) for c in covers):
        raise _fail(f"{where}.question", "'covers' is not a list of strings")
    _check_str(answer, "text", where, required=False)
    if answer.get("input", "typed") not in _INPUTS:
        raise _fail(where, f"unknown input {answer.get('input')!r}")
    _check_time(answer, "asked_at", where, required=True)
    _check_time(answer, "answered_at", where, required=True)
    duration = answer.get("duration_s")
    if duration is not None and not _is_number(duration):
        raise _fail(where, "'duration_s' is not a number")
    _check_str(answer, "audio_path", where, required=False, nullable=True)
    _check_object(answer, "provenance", where)
    _check_object(answer, "evaluation", where)
    _check_object(answer, "turn", where)
    words = answer.get("words")
    if words is None:
        return
    if not isinstance(words, list):
        raise _fail(where, "'words' is not a list")
    for word in words:
        # [text, start, end] or [text, start, end, probability]; the hot loop of an index rebuild
        if type(word) is not list or not 3 <= len(word) <= 4 or type(word[0]) is not str:
            raise _fail(where, f"bad word entry {word!r:.60}")
        for x in word[1:]:
            if type(x) not in _PLAIN_NUMBERS and not _is_number(x):
                raise _fail(where, f"bad word entry {word!r:.60}")


def validate_document(doc: Any) -> None:
    """Raise :class:`InvalidSessionDocument` unless ``doc`` (already migrated) is a session document
    that :func:`~interview_desktop.storage.codec.decode_session` and :meth:`SessionSummary.of` accept.

    Checks types, not meaning: free-form objects (``provenance``, ``evaluation``, ``report``) only
    have to be objects; ``report.overall_score``, when present, has to be a number or null.
    """
    if not isinstance(doc, dict):
        raise _fail("session", "not a JSON object")
    _check_str(doc, "id", "session", required=True)
    if not doc["id"]:
        raise _fail("session", "empty 'id'")
    where = f"session {doc['id']!r:.80}"
    for key in ("candidate", "role", "app_version"):
        _check_str(doc, key, where, required=False)
    _check_str(doc, "job_description", where, required=False, nullable=True)
    _check_time(doc, "started_at", where, required=True)
    _check_time(doc, "ended_at", where, required=False)
    _check_time(doc, "updated_at", where, required=False)
    if doc.get("status", "in_progress") not in _STATUSES:
        raise _fail(where, f"unknown status {doc.get('status')!r}")
    for key in ("question_count", "revision"):
        if key in doc and not _is_int(doc[key]):
            raise _fail(where, f"{key!r} is not an integer")
    answers = doc.get("answers")
    if answers is not None:
        if not isinstance(answers, list):
            raise _fail(where, "'answers' is not a list")
        for i, answer in enumerate(answers):
            _check_answer(answer, f"{where} answers[{i}]")
    _check_object(doc, "report", where)
    score = (doc.get("report") or {}).get("overall_score")
    if score is not None and not _is_number(score):
        raise _fail(where, "'report.overall_score' is not a number")


def session_from_document(doc: Any) -> Session:
    """Migrate, validate and decode a stored document; :class:`InvalidSessionDocument` if damaged."""
    migrated = migrate_document(doc)
    validate_document(migrated)
    try:
        return decode_session(migrated)
    except (KeyError, TypeError, ValueError) as exc:  # a gap in validate_document: still data, not code
        raise _fail(f"session {migrated.get('id')!r:.80}", f"cannot be decoded ({exc})") from exc


def stored_copy_wins(stored: Mapping[str, Any], session: Session) -> bool:
    """The revision guard of both stores, applied to the stored copy before ``session`` replaces it.

    Raises :class:`StorageError` when the stored copy was written by a newer app (it is never
    overwritten); True (and the write is skipped) when it has a higher revision; an equal revision is
    the same write repeated and is overwritten.
    """
    if schema_version_of(stored) > SCHEMA_VERSION:
        raise StorageError(NEWER_VERSION_MESSAGE)
    stored_revision = stored.get("revision", 0)
    if stored_revision > session.revision:
        log.info("not saving session %s revision %d: revision %d is already stored",
                 session.id, session.revision, stored_revision)
        return True
    return False


# ----------------------------------------------------------------------------------------------
# Derived fields (sort / filter / search), identical in both stores


def overall_score(doc: Mapping[str, Any]) -> float | None:
    report = doc.get("report")
    score = report.get("overall_score") if isinstance(report, dict) else None
    return float(score) if _is_number(score) else None


def search_text(doc: Mapping[str, Any]) -> str:
    """Lower-case search blob: candidate, role and every answer text, separated by US (0x1f)."""
    parts = [str(doc.get("candidate") or ""), str(doc.get("role") or "")]
    parts.extend(str(a.get("text") or "") for a in doc.get("answers") or () if isinstance(a, dict))
    return SEARCH_SEPARATOR.join(p.replace(SEARCH_SEPARATOR, " ") for p in parts).lower()


def search_needle(text: str) -> str:
    """The query text as matched against :func:`search_text` ("" = no text filter)."""
    return text.strip().replace(SEARCH_SEPARATOR, " ").lower()


def sort_text(value: str) -> str:
    """Sort key of candidate and role: case-insensitive, so "alice" and "Bob" sort as a person expects."""
    return value.lower()


def index_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The values the stores keep next to a (validated) document for sorting, filtering and search."""
    candidate = str(doc.get("candidate") or "")
    role = str(doc.get("role") or "")
    return {
        "answer_count": len(doc.get("answers") or ()),
        "overall_score": overall_score(doc),
        "candidate_key": sort_text(candidate),
        "role_key": sort_text(role),
        "search_text": search_text(doc),
    }


def iso_bound(value: datetime) -> str:
    """A query date bound in the stored ``started_at`` form (UTC, millisecond precision)."""
    text = to_iso(value)
    assert text is not None
    return text


def check_query(query: Any) -> None:
    """Reject a query no store can answer (a bug in the caller, hence ValueError)."""
    from interview_desktop.storage.base import SortKey

    if query.sort_key not in set(SortKey):
        raise ValueError(f"unknown sort key {query.sort_key!r}; expected one of {[k.value for k in SortKey]}")
    if query.offset < 0 or query.limit < 0:
        raise ValueError("offset and limit must not be negative")
