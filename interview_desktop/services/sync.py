"""SyncService: runs the sync of :class:`~interview_desktop.storage.sync.SyncingRepository` on its
own thread: pushes when a save wakes it, retries with backoff on a timer, pulls the team's changes
every 30 s and on Sync now. Never blocks the GUI or the engine.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from interview_desktop.storage.sync import FlushResult, PullResult, SyncingRepository, SyncState, SyncStatus

DEFAULT_CHECK_INTERVAL_MS = 5000
DEFAULT_PULL_INTERVAL_MS = 30_000


class SyncService(QObject):
    """Signals:
        status_changed(SyncStatus)  whenever the sync status changes (from any thread that changed it:
                                    engine saves, history reads, flushes), and once on ``start``
        flushed(FlushResult)        after every flush this service ran
        pulled(PullResult)          after every pull that changed this computer's copy, and during a
                                    long one every few hundred sessions (``complete`` False)
    """

    status_changed = Signal(object)
    flushed = Signal(object)
    pulled = Signal(object)
    _flush_requested = Signal()  # from the saving thread: queued to this service's thread

    def __init__(
        self,
        repository: SyncingRepository,
        check_interval_ms: int = DEFAULT_CHECK_INTERVAL_MS,
        parent: QObject | None = None,
        pull_interval_ms: int = DEFAULT_PULL_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._repository = repository
        self._pull_interval_s = pull_interval_ms / 1000
        self._last_pull = float("-inf")  # monotonic time of the last pull
        self._interrupted = threading.Event()
        self._timer = QTimer(self)  # a child: moves to the service's thread with it
        self._timer.setInterval(check_interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._listening = False
        self._flush_wanted = threading.Event()  # coalesces the wake-ups of a burst of saves
        self._flush_requested.connect(self._on_flush_requested)

    @Slot()
    def start(self) -> None:
        """Start watching: report the current status, flush what is waiting, then check on a timer."""
        if not self._listening:
            self._repository.add_status_listener(self._on_repository_status_changed)
            self._repository.set_waker(self.wake)
            self._listening = True
        self.status_changed.emit(self._repository.status())
        self._timer.start()
        self._sync()

    @Slot()
    def stop(self) -> None:
        """Stop the timer and the status reports (call on the service's thread before quitting it)."""
        self._timer.stop()
        if self._listening:
            self._repository.remove_status_listener(self._on_repository_status_changed)
            self._repository.set_waker(None)
            self._listening = False

    def interrupt(self) -> None:
        """End a running pull soon and pull no more (callable from any thread: app shutdown)."""
        self._interrupted.set()

    def wake(self) -> None:
        """A session was queued (any thread, returns at once): push it soon on this service's thread."""
        if not self._flush_wanted.is_set():
            self._flush_wanted.set()
            self._flush_requested.emit()

    @Slot()
    def _on_flush_requested(self) -> None:
        self._flush_wanted.clear()
        if self._repository.due():  # not during a backoff window: the timer retries then
            self._flush()

    @Slot()
    def sync_now(self) -> None:
        """The "Sync now" button: flush (or probe the server) and pull now, whatever the backoff says."""
        self._sync()

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self._repository.due():
            self._flush()
        if time.monotonic() - self._last_pull >= self._pull_interval_s:
            self._pull()

    def _sync(self) -> None:
        self._flush()
        self._pull()

    def _flush(self) -> None:
        result: FlushResult = self._repository.flush()  # never raises for the server: see its status
        self.flushed.emit(result)

    def _pull(self) -> None:
        if self._interrupted.is_set() or self._repository.status().state != SyncState.CONNECTED:
            return  # offline: the flush's probe brings the state back first
        self._last_pull = time.monotonic()
        result: PullResult = self._repository.pull(self._interrupted.is_set, self.pulled.emit)
        if result.pulled or result.deleted:
            self.pulled.emit(result)

    def _on_repository_status_changed(self, status: SyncStatus) -> None:
        # called on whichever thread changed the status; emitting from there is safe (receivers in
        # other threads get it queued)
        self.status_changed.emit(status)
