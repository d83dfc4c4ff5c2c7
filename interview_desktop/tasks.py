"""Run blocking work (model load, transcription, synthesis, HTTP, disk, keyring) off the calling thread.

Results come back to the owner's thread through a queued Qt signal, so callbacks run on the
thread the owner lives on and the owner's event loop never blocks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger("interview_desktop.tasks")


def reraise(error: BaseException) -> None:
    """The default error handler: a bug raised by a job is raised again on the owner's thread."""
    raise error


class BackgroundTasks(QObject):
    """A small worker pool whose completions are delivered on this object's thread.

    Signals: ``_completed(object)`` (internal).
    """

    _completed = Signal(object)

    def __init__(self, name: str, workers: int = 1, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        # always queued: a job that is already done when submitted has its callback run at once on
        # the submitting thread, and a direct call would then re-enter the owner under ``_lock``
        self._completed.connect(self._on_completed, Qt.ConnectionType.QueuedConnection)
        self._closed = False
        self._lock = threading.Lock()

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] = reraise,
    ) -> Future:
        """Run ``fn`` on a worker; ``on_done(result)`` (if given) or ``on_error(exception)`` then runs
        on this object's thread."""
        future = self._pool.submit(fn)
        future.add_done_callback(lambda f: self._deliver((f, on_done, on_error)))
        return future

    def _deliver(self, payload: tuple[Future, Callable, Callable]) -> None:
        # runs on the worker thread; after shutdown() the owner may be gone: deliver nothing
        with self._lock:
            if not self._closed:
                self._completed.emit(payload)

    @Slot(object)
    def _on_completed(self, payload: tuple[Future, Callable, Callable]) -> None:
        future, on_done, on_error = payload
        if self._closed or future.cancelled():
            return
        error = future.exception()
        if error is None:
            if on_done is not None:
                on_done(future.result())
        else:
            on_error(error)

    def shutdown(self) -> None:
        """Stop: pending work is cancelled, running work finishes, and no result is delivered."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
