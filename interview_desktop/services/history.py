"""HistoryService: repository access for the History tab, on its own thread.

The History tab never calls a repository; it emits requests that reach this object through
queued connections and gets results back as signals (frozen dataclasses or sessions).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from interview_desktop.domain import Notice, NoticeLevel, Session, to_iso, utc_now
from interview_desktop.reports import FORMATS, ReportError, write_report
from interview_desktop.storage.base import (
    HistoryRepository,
    SessionQuery,
    SessionSummary,
    SortKey,
    StorageError,
)
from interview_desktop.tasks import BackgroundTasks

log = logging.getLogger("interview_desktop.history")

RETENTION_BATCH = 200
SEARCH_COUNT_LIMIT = 1000  # a search counts matches up to here ("1,000+ sessions")
NOTE_MAX_CHARS = 10_000


@dataclass(frozen=True)
class SessionPage:
    """Payload of ``sessions_listed``: one page of rows for ``query``."""

    request_id: int
    query: SessionQuery
    rows: tuple[SessionSummary, ...]
    total: int  # matching sessions (-1 for a later page); at least this many when not total_exact
    total_exact: bool = True


@dataclass(frozen=True)
class LoadedSessions:
    """Payload of ``sessions_loaded``: the sessions asked for, in the order asked; ``missing`` ids
    no longer exist."""

    request_id: int
    sessions: tuple[Session, ...]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportResult:
    """Payload of ``sessions_exported``: ``error`` is None when the file was written."""

    path: str
    format: str
    count: int
    error: str | None = None


def make_review(rating: int | None, note: str, by: str) -> dict[str, Any] | None:
    """The review document ``{"rating", "note", "by", "at"}``; None when there is nothing to keep."""
    valid = isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5
    if rating is not None and not valid:
        raise ValueError(f"a rating is a whole number from 1 to 5, not {rating!r}")
    note = (note or "").strip()[:NOTE_MAX_CHARS]
    if rating is None and not note:
        return None
    return {"rating": rating, "note": note, "by": by, "at": to_iso(utc_now())}


class HistoryService(QObject):
    """Signals:
        sessions_listed(SessionPage)
        session_loaded(Session)             one session, for the detail pane
        sessions_loaded(LoadedSessions)     several sessions, for Compare
        session_saved(Session)              a review or a re-evaluation was saved (the new revision)
        session_deleted(str)
        retention_applied(int)              how many sessions the retention rule deleted
        export_progress(int, int)           sessions done, total
        sessions_exported(ExportResult)     an export finished (or failed: ``error`` set)
        failed(Notice)
        reevaluation_progress(int, int)     answers re-evaluated, total
    """

    sessions_listed = Signal(object)
    session_loaded = Signal(object)
    sessions_loaded = Signal(object)
    session_saved = Signal(object)
    session_deleted = Signal(str)
    retention_applied = Signal(int)
    export_progress = Signal(int, int)
    sessions_exported = Signal(object)
    failed = Signal(object)
    reevaluation_progress = Signal(int, int)

    def __init__(
        self, repository: HistoryRepository, reevaluator=None, parent: QObject | None = None
    ):
        super().__init__(parent)
        self._repository = repository
        self._reevaluator = reevaluator  # services.reevaluation.Reevaluator, set by the composition root
        # re-evaluation runs Whisper for minutes: on its own worker, so searches never queue behind it
        self._reevaluations = BackgroundTasks("reevaluation", workers=1, parent=self)

    @Slot(int, object)
    def list_sessions(self, request_id: int, query: SessionQuery) -> None:
        try:
            rows = self._repository.list(query)
            total, exact = self._total(query, len(rows))
        except StorageError as err:
            log.error("could not list sessions: %s", err)
            self.failed.emit(Notice(f"Could not load the history: {err}", NoticeLevel.ERROR))
            return
        self.sessions_listed.emit(SessionPage(request_id, query, tuple(rows), total, exact))

    def _total(self, query: SessionQuery, found: int) -> tuple[int, bool]:
        """How many sessions match, for the first page: a short page is the whole answer; a text
        search is counted only up to SEARCH_COUNT_LIMIT (a full count scans every transcript)."""
        if query.offset != 0:
            return -1, True
        if found < query.limit:
            return found, True
        if query.text.strip():
            total = self._repository.count(query, limit=SEARCH_COUNT_LIMIT)
            return total, total < SEARCH_COUNT_LIMIT
        return self._repository.count(query), True

    @Slot(str)
    def load_session(self, session_id: str) -> None:
        try:
            session: Session | None = self._repository.get(session_id)
        except StorageError as err:
            self.failed.emit(Notice(f"Could not open the session: {err}", NoticeLevel.ERROR))
            return
        if session is None:
            self.failed.emit(Notice("That session no longer exists.", NoticeLevel.WARNING))
            return
        self.session_loaded.emit(session)

    @Slot(int, object)
    def load_sessions(self, request_id: int, session_ids: Sequence[str]) -> None:
        try:
            found, missing = self._get_many(session_ids)
        except StorageError as err:
            self.failed.emit(Notice(f"Could not open the sessions: {err}", NoticeLevel.ERROR))
            return
        self.sessions_loaded.emit(LoadedSessions(request_id, tuple(found), tuple(missing)))

    @Slot(str)
    def delete_session(self, session_id: str) -> None:
        try:
            self._repository.delete(session_id)
        except StorageError as err:
            self.failed.emit(Notice(f"Could not delete the session: {err}", NoticeLevel.ERROR))
            return
        log.info("session deleted session=%s", session_id)
        self.session_deleted.emit(session_id)

    @Slot(str, int, object)
    def save_review(self, session_id: str, answer_index: int, review: Mapping[str, Any] | None) -> None:
        """Set the recruiter review of answer ``answer_index`` (-1: of the whole session).

        ``review`` is ``{"rating": 1-5 | None, "note": str, "by": name}`` (``"at"`` is set here) or
        None / empty rating and note to remove it. Saves the next revision; emits ``session_saved``.
        """
        try:
            session = self._repository.get(session_id)
            if session is None:
                self.failed.emit(Notice("That session no longer exists.", NoticeLevel.WARNING))
                return
            value = make_review(
                (review or {}).get("rating"), str((review or {}).get("note") or ""),
                str((review or {}).get("by") or ""),
            )
            if answer_index < 0:
                session = replace(session, review=value)
            else:
                answers = list(session.answers)
                position = next((i for i, a in enumerate(answers) if a.index == answer_index), None)
                if position is None:
                    missing = f"That session has no answer {answer_index + 1}."
                    self.failed.emit(Notice(missing, NoticeLevel.WARNING))
                    return
                answers[position] = replace(answers[position], review=value)
                session = replace(session, answers=tuple(answers))
            session = session.touched()
            self._repository.save(session)
        except StorageError as err:
            self.failed.emit(Notice(f"Could not save the review: {err}", NoticeLevel.ERROR))
            return
        log.info("review saved session=%s answer=%d revision=%d", session_id, answer_index, session.revision)
        self.session_saved.emit(session)

    @Slot(object)
    def set_reevaluator(self, reevaluator) -> None:
        self._reevaluator = reevaluator

    @Slot(str)
    def reevaluate_session(self, session_id: str) -> None:
        """Re-transcribe the saved audio and re-score; the old results are kept as previous versions."""
        reevaluator, repository = self._reevaluator, self._repository
        if reevaluator is None:
            self.failed.emit(Notice("Re-evaluation is not available.", NoticeLevel.WARNING))
            return

        def job() -> Session | None:  # on the re-evaluation worker
            session = repository.get(session_id)
            if session is not None:
                session = reevaluator(session, self.reevaluation_progress.emit)
                repository.save(session)
            return session

        def done(session: Session | None) -> None:
            if session is None:
                self.failed.emit(Notice("That session no longer exists.", NoticeLevel.WARNING))
                return
            log.info("session re-evaluated session=%s revision=%d", session_id, session.revision)
            self.session_saved.emit(session)

        def failed(error: BaseException) -> None:
            if not isinstance(error, StorageError):
                raise error
            self.failed.emit(Notice(f"Could not re-evaluate the session: {error}", NoticeLevel.ERROR))

        self._reevaluations.submit(job, done, failed)

    @Slot()
    def shutdown(self) -> None:
        """Before the thread quits: a running re-evaluation finishes, queued ones are dropped."""
        self._reevaluations.shutdown()

    @Slot(int)
    def apply_retention(self, days: int) -> None:
        """Delete the sessions started more than ``days`` days ago (0 or less: keep everything)."""
        deleted = 0
        if days > 0:
            cutoff = utc_now() - timedelta(days=days)
            query = SessionQuery(started_to=cutoff, sort_key=SortKey.STARTED_AT, descending=False,
                                 limit=RETENTION_BATCH)
            tried: set[str] = set()
            try:
                while True:
                    rows = [r for r in self._repository.list(query) if r.id not in tried]
                    if not rows:
                        break
                    for row in rows:
                        tried.add(row.id)
                        if self._repository.delete(row.id):
                            deleted += 1
                            self.session_deleted.emit(row.id)
            except StorageError as err:
                self.failed.emit(Notice(f"Could not remove old sessions: {err}", NoticeLevel.ERROR))
            log.info("retention days=%d deleted=%d", days, deleted)
        self.retention_applied.emit(deleted)

    @Slot(object, str, str)
    def export_sessions(self, session_ids: Sequence[str], fmt: str, path: str) -> None:
        """Load ``session_ids`` and write them to ``path`` as ``fmt`` (csv, json, markdown, pdf)."""
        ids = list(dict.fromkeys(session_ids))
        total = len(ids)
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}")
        self.export_progress.emit(0, total)
        try:
            step = max(1, total // 100)  # at most ~100 progress signals

            def progress(done: int) -> None:
                if done % step == 0 or done == total:
                    self.export_progress.emit(done, total)

            sessions, _missing = self._get_many(ids, progress)
            write_report(fmt, sessions, Path(path))
        except (StorageError, ReportError) as err:
            log.error("export to %s failed: %s", path, err)
            self.failed.emit(Notice(f"Could not export: {err}", NoticeLevel.ERROR))
            self.sessions_exported.emit(ExportResult(path, fmt, 0, str(err)))
            return
        log.info("exported sessions=%d format=%s", len(sessions), fmt)
        self.export_progress.emit(total, total)
        self.sessions_exported.emit(ExportResult(path, fmt, len(sessions)))

    def _get_many(
        self, session_ids: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> tuple[list[Session], list[str]]:
        found: list[Session] = []
        missing: list[str] = []
        for done, session_id in enumerate(session_ids, start=1):
            session = self._repository.get(session_id)
            if session is None:
                missing.append(session_id)
            else:
                found.append(session)
            if progress is not None:
                progress(done)
        return found, missing
