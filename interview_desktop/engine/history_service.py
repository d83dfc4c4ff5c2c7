"""HistoryService: repository access for the History tab, on its own thread.

The History tab never calls a repository; it emits requests that reach this object through
queued connections and gets results back as signals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from interview_desktop.domain import Notice, Session
from interview_desktop.storage.base import HistoryRepository, SessionQuery, SessionSummary, StorageError

log = logging.getLogger("interview_desktop.history")


@dataclass(frozen=True)
class SessionPage:
    """Payload of ``sessions_listed``: one page of rows for ``query``."""

    request_id: int
    query: SessionQuery
    rows: tuple[SessionSummary, ...]
    total: int


class HistoryService(QObject):
    """Signals:
        sessions_listed(SessionPage)
        session_loaded(Session)
        session_deleted(str)
        failed(Notice)
    """

    sessions_listed = Signal(object)
    session_loaded = Signal(object)
    session_deleted = Signal(str)
    failed = Signal(object)

    def __init__(self, repository: HistoryRepository, parent: QObject | None = None):
        super().__init__(parent)
        self._repository = repository

    @Slot(int, object)
    def list_sessions(self, request_id: int, query: SessionQuery) -> None:
        try:
            rows = self._repository.list(query)
            total = self._repository.count(query) if query.offset == 0 else -1
        except StorageError as err:
            log.error("could not list sessions: %s", err)
            self.failed.emit(Notice(f"Could not load the history: {err}", "error"))
            return
        self.sessions_listed.emit(SessionPage(request_id, query, tuple(rows), total))

    @Slot(str)
    def load_session(self, session_id: str) -> None:
        try:
            session: Session | None = self._repository.get(session_id)
        except StorageError as err:
            self.failed.emit(Notice(f"Could not open the session: {err}", "error"))
            return
        if session is None:
            self.failed.emit(Notice("That session no longer exists.", "warning"))
            return
        self.session_loaded.emit(session)

    @Slot(str)
    def delete_session(self, session_id: str) -> None:
        try:
            self._repository.delete(session_id)
        except StorageError as err:
            self.failed.emit(Notice(f"Could not delete the session: {err}", "error"))
            return
        self.session_deleted.emit(session_id)
