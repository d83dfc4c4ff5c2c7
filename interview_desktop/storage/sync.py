"""Lossless sync between this computer's JSON store and the team's MongoDB (docs/sync.md).

A save writes the local store and an outbox marker and wakes the sync thread; ``flush`` (sync thread)
pushes the markers, ``pull`` copies the team's changes here; reads are always local. Conflicts keep
the higher revision, then the later ``updated_at``.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from interview_desktop.domain import Session, to_iso, utc_now
from interview_desktop.storage.base import (
    SessionQuery,
    SessionSummary,
    SortKey,
    StorageError,
    StorageUnreachable,
)
from interview_desktop.storage.json_store import JsonHistoryRepository
from interview_desktop.storage.mongo_store import ChangedSession, MongoHistoryRepository, Tombstone
from interview_desktop.storage.outbox import DELETE, SAVE, Outbox, OutboxEntry, is_queueable
from interview_desktop.storage.pull_state import PullState

log = logging.getLogger("interview_desktop.storage.sync")

class SyncState(str, enum.Enum):
    CONNECTED = "connected"
    OFFLINE = "offline"
    ERROR = "error"  # the server answers but refuses a session (newer version, …)
    LOCAL_ONLY = "local-only"  # no shared history configured



DEFAULT_BACKOFF = (1.0, 2.0, 5.0, 15.0, 30.0, 60.0)
PULL_BATCH = 500  # the pull saves its position (and reports progress) every this many sessions
_DEFAULT_QUERY = SessionQuery()
_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows. ``message`` is plain words, the address password-masked."""

    state: SyncState
    waiting: int  # sessions (saves or deletes) not yet in the shared history
    message: str


class _LocalStoreError(StorageError):
    """This computer's store failed while taking the team's changes (disk full, …)."""


@dataclass(frozen=True)
class PullResult:
    pulled: int  # sessions written to this computer (new here, or newer than the copy here)
    deleted: int  # copies here removed because the team deleted them
    seen: int  # change-feed entries read
    complete: bool  # reached the end of the feed (False: stopped, or a failure; see the status)


@dataclass(frozen=True)
class FlushResult:
    sent: int  # markers done (pushed, or resolved by pulling a newer server copy)
    failed: int  # markers tried that failed (a connection failure stops the flush after one)
    waiting: int  # markers left after this flush
    pulled: int = 0  # of ``sent``: newer server copies written to the local store


def is_newer(a: Session | SessionSummary, b: Session | SessionSummary) -> bool:
    """The conflict rule: ``a`` beats ``b`` (higher revision; then later updated_at)."""
    return (a.revision, a.updated_at or _OLDEST) > (b.revision, b.updated_at or _OLDEST)


def is_unreachable(exc: StorageError) -> bool:
    """True for "server down / not answering", False for refusals (password, newer version, damage)."""
    return isinstance(exc, StorageUnreachable)


def _plural(n: int) -> str:
    return f"{n} session{'s' if n != 1 else ''}"


class SyncingRepository:
    """HistoryRepository over a local JSON store and an optional MongoDB store (see module doc).

    ``remote=None`` is plain local storage (state ``local-only``, no outbox). ``clock`` (seconds,
    monotonic) and ``backoff`` (seconds to wait after the 1st, 2nd, … consecutive failure; the last
    value repeats) are injectable for tests. ``pull_state_path``: where the pull watermarks are kept
    (default ``<outbox_dir>/../sync-state.json``). Closing it closes both stores.
    """

    def __init__(
        self,
        local: JsonHistoryRepository,
        remote: MongoHistoryRepository | None,
        outbox_dir: Path,
        clock: Callable[[], float] = time.monotonic,
        backoff: Iterable[float] = DEFAULT_BACKOFF,
        pull_state_path: Path | None = None,
    ) -> None:
        self.local = local
        self.remote = remote
        self.name = "local+mongodb" if remote is not None else "local"
        self._clock = clock
        self._backoff = tuple(float(s) for s in backoff) or DEFAULT_BACKOFF
        self._outbox = Outbox(Path(outbox_dir)) if remote is not None else None
        self._lock = threading.RLock()  # status fields and listeners
        self._flush_lock = threading.Lock()  # one flush at a time
        self._pull_lock = threading.Lock()  # one pull at a time
        self._pull_progress: int | None = None  # sessions read by a first (full) pull, for the status
        state_path = pull_state_path or Path(outbox_dir).parent / "sync-state.json"
        self._pull_state = PullState(state_path, remote.feed if remote is not None else "")
        # optimistic until contacted
        self._state = SyncState.CONNECTED if remote is not None else SyncState.LOCAL_ONLY
        self._last_error = ""
        self._failures = 0
        self._retry_at = 0.0
        self._listeners: list[Callable[[SyncStatus], None]] = []
        self._wake: Callable[[], None] | None = None
        self._refused: dict[str, str] = {}  # ids the server answered but refused → why (status "error")
        self._last_status = self._status_locked()  # listeners hear of changes from here on

    # ------------------------------------------------------------------ status

    def status(self) -> SyncStatus:
        with self._lock:
            return self._status_locked()

    def due(self) -> bool:
        """True when a flush should run now: something to send (or a lost server to probe), and no
        backoff window running."""
        if self.remote is None or self._outbox is None:
            return False
        with self._lock:
            if self._clock() < self._retry_at:
                return False
            if self._state != SyncState.CONNECTED:
                return True
            return bool(self._outbox.snapshot())

    def retry_in(self) -> float:
        """Seconds until the backoff window ends (0 when a retry may run now)."""
        with self._lock:
            return max(0.0, self._retry_at - self._clock())

    def add_status_listener(self, listener: Callable[[SyncStatus], None]) -> None:
        """``listener(status)`` is called whenever the status changes, on the thread that changed
        it, with the status lock held: keep it short (emit a signal) and do not wait on other threads."""
        with self._lock:
            self._listeners.append(listener)

    def remove_status_listener(self, listener: Callable[[SyncStatus], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    @property
    def waiting(self) -> int:
        return len(self._outbox) if self._outbox is not None else 0

    # ------------------------------------------------------------------ writes

    def save(self, session: Session) -> None:
        """Local first (raises on failure), then a marker in the outbox and a wake-up for the sync
        thread, which pushes. Never waits on the network."""
        self.local.save(session)
        if self.remote is None or self._outbox is None:
            return
        self._outbox.put(session.id, SAVE)
        self._queued()

    def delete(self, session_id: str) -> bool:
        """Delete here, and queue the deletion for the shared history (the sync thread pushes it).
        True if it existed here. An id that cannot be a local file name can only be on the server:
        it is deleted there directly."""
        if self.remote is None or self._outbox is None:
            return self.local.delete(session_id)
        if not is_queueable(session_id):
            try:
                removed = self.remote.delete(session_id)
            except StorageError as exc:
                self._record_failure(exc, f"delete {session_id!r:.40}")
                raise
            self._record_success()
            return removed
        self._outbox.put(session_id, DELETE)
        existed = self.local.delete(session_id)
        self._queued()
        return existed

    def set_waker(self, wake: Callable[[], None] | None) -> None:
        """``wake()`` is called (on the saving thread; it must return at once) whenever a marker was
        queued, so the sync thread can push it now instead of at its next timer check."""
        self._wake = wake

    def _queued(self) -> None:
        self._notify()  # "n waiting" changed
        wake = self._wake
        if wake is not None:
            wake()

    # ------------------------------------------------------------------ flush

    def flush(self, max_items: int | None = None) -> FlushResult:
        """Push waiting markers (oldest first, at most ``max_items``); see module doc. Never raises
        for the server; a failing local store (while pulling a newer copy) counts as a failed item."""
        if self.remote is None or self._outbox is None:
            return FlushResult(0, 0, 0)
        with self._flush_lock:
            entries = list(self._outbox.entries())
            if max_items is not None:
                entries = entries[: max(0, max_items)]
            sent = failed = pulled = 0
            refused = False
            if not entries:
                try:
                    self.remote.probe()  # reachable, and we may read
                except StorageError as exc:
                    self._record_failure(exc, "probe")
                    return FlushResult(0, 1, len(self._outbox))
            for entry in entries:
                try:
                    outcome = self._push(entry)
                except StorageError as exc:
                    failed += 1
                    if is_unreachable(exc):
                        self._record_failure(exc, f"session {entry.session_id}")
                        return FlushResult(sent, failed, len(self._outbox), pulled)
                    self._record_failure(exc, f"session {entry.session_id}", entry.session_id)
                    refused = True
                    continue
                self._outbox_done(entry)
                self._record_success(entry.session_id, reset_backoff=False)
                sent += 1
                pulled += outcome == "pulled"
            if not refused:
                self._record_success()
            result = FlushResult(sent, failed, len(self._outbox), pulled)
        if sent or failed:
            log.info("sync flush: %s", result)
        return result

    def queue_local_history(self) -> int:
        """Queue every session of the local store (e.g. when a shared history is first configured, so
        sessions recorded before appear for the team). Idempotent; returns the number queued."""
        if self._outbox is None:
            return 0
        queued = 0
        offset = 0
        page = 1000
        while True:
            rows = self.local.list(SessionQuery(sort_key=SortKey.STARTED_AT, offset=offset, limit=page))
            for row in rows:
                if self._outbox.get(row.id) is None:
                    self._outbox.put(row.id, SAVE, durable=False)
                    queued += 1
            if len(rows) < page:
                break
            offset += page
        self._outbox.sync_folder()
        self._notify()
        return queued

    def _push(self, entry: OutboxEntry) -> str:
        """Bring the server up to date for one marker. Raises StorageError (server or local store).

        Returns what happened: "deleted" / "absent" (delete: the server held it / did not), "pushed",
        "pulled" (the server's copy was newer and is now the local one), "same" (nothing to do)."""
        assert self.remote is not None
        sid = entry.session_id
        if entry.op == DELETE:
            return "deleted" if self.remote.delete(sid) else "absent"
        mine = self.local.get(sid)
        if mine is None:
            log.info("session %s is no longer stored here; nothing to sync", sid)
            return "same"
        try:
            theirs = self.remote.get(sid)
        except StorageError as exc:
            if is_unreachable(exc):
                raise
            theirs = None  # damaged on the server: our valid copy replaces it (if its revision allows)
        if theirs is not None and is_newer(theirs, mine):
            log.info(
                "session %s: the shared history holds a newer revision (%d, here %d); keeping it",
                sid,
                theirs.revision,
                mine.revision,
            )
            try:
                self.local.save(theirs)
            except StorageError as exc:
                raise StorageError(f"could not update this computer's copy of a session: {exc}") from exc
            return "pulled"
        if theirs is None or is_newer(mine, theirs):
            self.remote.save(mine)
            return "pushed"
        return "same"

    def _outbox_done(self, entry: OutboxEntry) -> None:
        assert self._outbox is not None
        self._outbox.remove_if_unchanged(entry)

    # ------------------------------------------------------------------ pull

    def pull(
        self,
        should_stop: Callable[[], bool] = lambda: False,
        on_progress: Callable[[PullResult], None] | None = None,
    ) -> PullResult:
        """Bring this computer's copy of the team's history up to date (see module doc, *Pull*).

        Reads the server's change feed from the saved watermark (minus ``PULL_OVERLAP``): newer
        sessions are written to the local store, the team's deletions remove local copies. Never
        raises for the server (its failure is recorded in the status, the watermark keeps what was
        done); ``should_stop()`` is checked between sessions (app shutdown); ``on_progress(partial
        result)`` is called every ``PULL_BATCH`` sessions that changed something here (a long first
        pull shows rows as they arrive)."""
        if self.remote is None or self._outbox is None:
            return PullResult(0, 0, 0, True)
        with self._pull_lock:
            return self._pull(should_stop, on_progress)

    def _pull(
        self, should_stop: Callable[[], bool], on_progress: Callable[[PullResult], None] | None
    ) -> PullResult:
        assert self.remote is not None and self._outbox is not None
        state = self._pull_state
        pulled = deleted = seen = 0
        # the position: in order (later pulls), the updated_at of the last session taken; the first
        # pull comes unsorted and moves the position only once it has read everything, and then no
        # further than its own start (a session changed while it ran may have been read before)
        started = to_iso(utc_now()) or ""
        last: str | None = None
        newest: str | None = None
        stopped = complete = False
        try:
            since = state.read_from("sessions")
            ordered = since is not None
            pending = self._outbox.snapshot()
            for change in self.remote.changed_since(since):
                if should_stop():
                    stopped = True
                    break
                seen += 1
                pulled += self._take(change, pending)
                if ordered:
                    last = change.updated_at or last
                elif change.updated_at is not None and (newest is None or change.updated_at > newest):
                    newest = change.updated_at
                if seen % PULL_BATCH == 0:
                    self.local.sync_to_disk()  # the copies first, then the position that skips them
                    state.advance("sessions", last)
                    self._set_pull_progress(None if ordered else seen)
                    if on_progress is not None and pulled:
                        on_progress(PullResult(pulled, deleted, seen, False))
            if not stopped and not ordered and newest is not None:
                last = min(newest, started)
            state.advance("sessions", last, save=False)
            if not stopped:
                for tombstone in self.remote.deletions_since(state.read_from("deletions")):
                    if should_stop():
                        stopped = True
                        break
                    deleted += self._bury(tombstone, pending)
                    state.advance("deletions", tombstone.deleted_at, save=False)
                complete = not stopped
        except StorageError as exc:  # the server, or this computer's store (_LocalStoreError)
            state.advance("sessions", last, save=False)
            self._record_failure(exc, "pull")
        finally:
            if pulled:
                self.local.sync_to_disk()
            state.save()
            self._set_pull_progress(None)
        result = PullResult(pulled, deleted, seen, complete)
        if pulled or deleted:
            log.info("sync pull: %s", result)
        return result

    def _take(self, change: ChangedSession, pending: dict[str, str]) -> bool:
        """One session of the feed: store it here unless this computer's copy is as new."""
        theirs = change.session
        if theirs is None or pending.get(change.id) == DELETE:
            return False  # damaged on the server (logged) / deleted here, the delete is on its way
        mine = self.local.get(change.id)
        if mine is not None and not is_newer(theirs, mine):
            return False
        self._save_locally(theirs, durable=False)  # made durable per batch (sync_to_disk)
        return True

    def _bury(self, tombstone: Tombstone, pending: dict[str, str]) -> bool:
        """One deletion of the feed: remove this computer's copy unless it changed after it."""
        if pending.get(tombstone.id) == SAVE:
            return False  # saved here meanwhile: the push recreates it for the team
        mine = self.local.get(tombstone.id)
        if mine is None:
            return False
        changed = to_iso(mine.updated_at)
        if changed is not None and changed > tombstone.deleted_at:
            return False  # re-saved after the deletion (the server has it again)
        try:
            return self.local.delete(tombstone.id)
        except StorageError as exc:
            raise _LocalStoreError(f"could not remove a session the team deleted: {exc}") from exc

    def _save_locally(self, session: Session, durable: bool = True) -> None:
        try:
            self.local.save(session, durable=durable)
        except StorageError as exc:
            raise _LocalStoreError(f"could not update this computer's copy of a session: {exc}") from exc

    def _set_pull_progress(self, copied: int | None) -> None:
        with self._lock:
            self._pull_progress = copied
        self._notify()

    # ------------------------------------------------------------------ reads (this computer)

    def get(self, session_id: str) -> Session | None:
        return self.local.get(session_id)

    def list(self, query: SessionQuery = _DEFAULT_QUERY) -> list[SessionSummary]:
        return self.local.list(query)

    def count(self, query: SessionQuery = _DEFAULT_QUERY, limit: int | None = None) -> int:
        return self.local.count(query, limit)

    # ------------------------------------------------------------------ state

    def _record_success(self, session_id: str | None = None, *, reset_backoff: bool = True) -> None:
        """The server took a write (of ``session_id``, or a probe / a whole flush): connected again.
        Reads do not count: a read that works says nothing about a session the server refused."""
        with self._lock:
            if session_id is not None:
                self._refused.pop(session_id, None)
            self._state = SyncState.CONNECTED
            self._last_error = next(reversed(self._refused.values()), "")
            if reset_backoff:
                self._failures = 0
                self._retry_at = 0.0
        self._notify()

    def _record_failure(self, exc: StorageError, what: str, session_id: str | None = None) -> None:
        """Unreachable → offline. Otherwise the server answered and refused: that one session (kept
        in ``_refused`` until it goes through) or everything (password, damaged read) → error."""
        with self._lock:
            self._failures += 1
            delay = self._backoff[min(self._failures, len(self._backoff)) - 1]
            self._retry_at = self._clock() + delay
            self._last_error = str(exc)
            if is_unreachable(exc):
                self._state = SyncState.OFFLINE
            elif session_id is not None:
                self._refused[session_id] = str(exc)
                self._state = SyncState.CONNECTED
            else:
                self._state = SyncState.ERROR
        log.warning("sync (%s) failed; next try in %.0f s: %s", what, delay, exc)
        self._notify()

    def _status_locked(self) -> SyncStatus:
        if self.remote is None or self._outbox is None:
            return SyncStatus(SyncState.LOCAL_ONLY, 0, "History is stored on this computer only")
        n = len(self._outbox)
        where = self.remote.address  # password-masked
        if self._state == SyncState.CONNECTED and not self._refused:
            tail = f"{_plural(n)} waiting to sync" if n else "all sessions synced"
            if self._pull_progress is not None:
                tail += f"; copying the team's history to this computer ({self._pull_progress:,} so far)"
            return SyncStatus(SyncState.CONNECTED, n, f"Shared history {where} — {tail}")
        waiting = f"{_plural(n)} waiting to sync" if n else "all sessions are also saved on this computer"
        if self._state == SyncState.OFFLINE:
            return SyncStatus(SyncState.OFFLINE, n, f"Offline — {waiting} (cannot reach {where})")
        return SyncStatus(SyncState.ERROR, n, f"Sync problem — {waiting} ({self._last_error})")

    def _notify(self) -> None:
        with self._lock:
            status = self._status_locked()
            if status == self._last_status:
                return
            self._last_status = status
            for listener in list(self._listeners):
                listener(status)

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        self.local.close()
        if self.remote is not None:
            self.remote.close()

    def __enter__(self) -> SyncingRepository:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
