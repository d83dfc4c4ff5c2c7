"""``--selftest``: the window is up, the engine thread answers a ping, the storage answers a query,
and the health checks pass (speech model, voice activity detector, offline voice: ``health.py``);
prints what it checked and the verdict, and quits with 0 (passed) or 1 (with the reason)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from interview_desktop.health import Check, HealthError
from interview_desktop.storage.base import SessionQuery
from interview_desktop.tasks import BackgroundTasks

log = logging.getLogger("interview_desktop.app")

SELFTEST_TIMEOUT_MS = 60_000  # the speech model and the voice load on a cold disk


class Selftest(QObject):
    """Lives on the GUI thread, so replies from the worker threads arrive queued here (a lambda
    would run on the emitting thread). ``done(ok, why)`` is called once."""

    _ping_requested = Signal(int)
    _list_requested = Signal(int, object)

    def __init__(self, engine, history, done: Callable[[bool, str], None], checks: list[Check] = ()):
        super().__init__()
        self._checks = list(checks)
        self._pending = {"engine", "storage"} | {name for name, _ in self._checks}
        self._tasks = BackgroundTasks("selftest", workers=1, parent=self)
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
        for name, check in self._checks:  # one after the other on a worker (they load models)
            self._tasks.submit(check, lambda found, name=name: self._passed(name, found),
                               lambda error, name=name: self._failed(name, error))

    def _passed(self, name: str, found: str) -> None:
        print(f"selftest: ok — {found}", flush=True)
        log.info("selftest %s: %s", name, found)
        self._check(name)

    def _failed(self, name: str, error: BaseException) -> None:
        if not isinstance(error, (HealthError, OSError)):
            raise error
        self._finish(False, f"{name}: {error}")

    def _finish(self, ok: bool, why: str) -> None:
        if self._over:
            return
        self._over = True
        log.info("selftest %s: %s", "passed" if ok else "FAILED", why)
        print(f"selftest {'passed' if ok else 'FAILED'}: {why}", flush=True)
        self._tasks.shutdown()
        self._done(ok, why)

    def _check(self, name: str) -> None:
        if name in self._pending:
            self._pending.discard(name)
            if not self._pending:
                checked = ", ".join(name for name, _ in self._checks)
                self._finish(True, "window shown, engine thread answered, storage answered"
                             + (f", {checked} work" if checked else ""))

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
