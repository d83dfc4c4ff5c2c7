"""The :class:`HistoryRepository` protocol shared by every store, and its query types."""

from __future__ import annotations

import enum
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from interview_desktop.audio.recordings import session_audio_dir
from interview_desktop.domain import Session, SessionStatus
from interview_desktop.errors import InterviewDesktopError, describe_os_error


class StorageError(InterviewDesktopError):
    """The history store could not read or write (disk full, permission, server down …)."""


class StorageUnreachable(StorageError):
    """The history server is down or did not answer in time (worth retrying later), as opposed to a
    refusal (bad password, newer schema, damaged document) that a retry will not fix."""


def delete_recordings(data_dir: Path, session_id: str) -> None:
    """Remove a deleted session's recordings (both stores delete them with the session)."""
    folder = session_audio_dir(data_dir, session_id)
    if not folder.exists():
        return
    try:
        shutil.rmtree(folder)
    except OSError as exc:
        raise StorageError(
            f"the session was deleted, but its recordings could not be removed: {describe_os_error(exc)}"
        ) from exc


class SortKey(str, enum.Enum):
    """What the History list is sorted by (the values are the stored field names)."""

    STARTED_AT = "started_at"
    CANDIDATE = "candidate"
    ROLE = "role"
    STATUS = "status"
    ANSWERS = "answer_count"
    SCORE = "overall_score"


@dataclass(frozen=True)
class SessionQuery:
    text: str = ""  # case-insensitive search in candidate, role and answer text
    role: str | None = None
    status: SessionStatus | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None
    score_min: float | None = None
    score_max: float | None = None
    sort_key: SortKey = SortKey.STARTED_AT
    descending: bool = True
    offset: int = 0
    limit: int = 100


@dataclass(frozen=True)
class SessionSummary:
    """One row of the History table: enough to list a session without loading its answers."""

    id: str
    candidate: str
    role: str
    started_at: datetime
    status: SessionStatus
    answer_count: int
    overall_score: float | None = None
    revision: int = 0  # lets a sync layer compare copies without loading them
    updated_at: datetime | None = None

    @classmethod
    def of(cls, session: Session) -> SessionSummary:
        score = (session.report or {}).get("overall_score")
        return cls(
            id=session.id,
            candidate=session.candidate,
            role=session.role,
            started_at=session.started_at,
            status=session.status,
            answer_count=len(session.answers),
            overall_score=float(score) if score is not None else None,
            revision=session.revision,
            updated_at=session.updated_at,
        )


class HistoryRepository(Protocol):
    """Stores sessions by id. ``save`` is an idempotent upsert."""

    name: str

    def save(self, session: Session) -> None: ...

    def get(self, session_id: str) -> Session | None: ...

    def list(self, query: SessionQuery = SessionQuery()) -> list[SessionSummary]: ...

    def count(self, query: SessionQuery = SessionQuery(), limit: int | None = None) -> int:
        """Sessions matching ``query`` (its sort and paging ignored); with ``limit``, counting stops
        there (``min(true count, limit)``): a search need not scan everything to say "1,000+"."""
        ...

    def delete(self, session_id: str) -> bool: ...
