"""SyncService: drives :class:`~interview_desktop.storage.sync.SyncingRepository` retries on its own thread.

Wiring (composition root)::

    service = SyncService(repository)
    service.moveToThread(sync_thread)
    sync_thread.started.connect(service.start)      # first status + flush on start
    service.status_changed.connect(window.show_sync_status)
    window.sync_now_requested.connect(service.sync_now)   # queued: runs on the sync thread
    # shutdown: invoke service.stop on its thread (or connect aboutToQuit), then quit() + wait()

No sleeps: a QTimer checks every ``check_interval_ms`` whether a flush is due (the repository's
backoff decides: 1, 2, 5, 15, 30, 60 s after consecutive failures) and runs it. A flush blocks this
thread for at most one server-selection timeout per failed attempt, never the GUI or the engine.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from interview_desktop.storage.sync import FlushResult, SyncingRepository, SyncStatus

DEFAULT_CHECK_INTERVAL_MS = 5000


class SyncService(QObject):
    """Signals:
        status_changed(SyncStatus)  whenever the sync status changes (from any thread that changed it:
                                    engine saves, history reads, flushes), and once on ``start``
        flushed(FlushResult)        after every flush this service ran
    """

    status_changed = Signal(object)
    flushed = Signal(object)

    def __init__(
        self,
        repository: SyncingRepository,
        check_interval_ms: int = DEFAULT_CHECK_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._repository = repository
        self._timer = QTimer(self)  # a child: moves to the service's thread with it
        self._timer.setInterval(check_interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._listening = False

    @Slot()
    def start(self) -> None:
        """Start watching: report the current status, flush what is waiting, then check on a timer."""
        if not self._listening:
            self._repository.add_status_listener(self._on_repository_status_changed)
            self._listening = True
        self.status_changed.emit(self._repository.status())
        self._timer.start()
        self._flush()

    @Slot()
    def stop(self) -> None:
        """Stop the timer and the status reports (call on the service's thread before quitting it)."""
        self._timer.stop()
        if self._listening:
            self._repository.remove_status_listener(self._on_repository_status_changed)
            self._listening = False

    @Slot()
    def sync_now(self) -> None:
        """The "Sync now" button: flush (or probe the server) now, whatever the backoff says."""
        self._flush()

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self._repository.due():
            self._flush()

    def _flush(self) -> None:
        result: FlushResult = self._repository.flush()  # never raises for the server: see its status
        self.flushed.emit(result)

    def _on_repository_status_changed(self, status: SyncStatus) -> None:
        # called on whichever thread changed the status; emitting from there is safe (receivers in
        # other threads get it queued)
        self.status_changed.emit(status)
