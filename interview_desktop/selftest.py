"""``--selftest``: the window is up, the engine thread answers a ping and the storage answers a
query; prints the verdict and quits with 0 (passed) or 1."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from interview_desktop.storage.base import SessionQuery

log = logging.getLogger("interview_desktop.app")

SELFTEST_TIMEOUT_MS = 15_000


class Selftest(QObject):
    """Lives on the GUI thread, so replies from the worker threads arrive queued here (a lambda
    would run on the emitting thread). ``done(ok, why)`` is called once."""

    _ping_requested = Signal(int)
    _list_requested = Signal(int, object)

    def __init__(self, engine, history, done: Callable[[bool, str], None]):
        super().__init__()
        self._pending = {"engine", "storage"}
        self._over = False
        self._done = done
        engine.pong.connect(self._on_pong)
        history.sessions_listed.connect(self._on_listed)
        history.failed.connect(self._on_failed)
        self._ping_requested.connect(engine.ping)
        self._list_requested.connect(history.list_sessions)

    def run(self) -> None:
        QTimer.singleShot(SELFTEST_TIMEOUT_MS, self._on_timeout)
        self._ping_requested.emit(1)
        self._list_requested.emit(-1, SessionQuery(limit=1))

    def _finish(self, ok: bool, why: str) -> None:
        if self._over:
            return
        self._over = True
        log.info("selftest %s: %s", "passed" if ok else "FAILED", why)
        print(f"selftest {'passed' if ok else 'FAILED'}: {why}", flush=True)
        self._done(ok, why)

    def _check(self, name: str) -> None:
        if name in self._pending:
            self._pending.discard(name)
            if not self._pending:
                self._finish(True, "window shown, engine thread answered, storage answered")

    @Slot(int)
    def _on_pong(self, _token: int) -> None:
        self._check("engine")

    @Slot(object)
    def _on_listed(self, _page: object) -> None:
        self._check("storage")

    @Slot(object)
    def _on_failed(self, notice) -> None:
        self._finish(False, f"storage: {notice.text}")

    @Slot()
    def _on_timeout(self) -> None:
        self._finish(False, f"no answer from {sorted(self._pending)}")
