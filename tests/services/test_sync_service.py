"""SyncService on its own QThread: status signals, timer-driven retries, "Sync now", and a save stream
from another thread while the sync thread flushes and the server goes away and comes back."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymongo
import pytest
from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from interview_desktop.services.sync import SyncService
from interview_desktop.storage.json_store import JsonHistoryRepository
from interview_desktop.storage.mongo_store import MongoHistoryRepository
from interview_desktop.storage.sync import SyncingRepository, SyncStatus
from tests.storage.factories import make_session
from tests.storage.test_sync_outage import save_stream
from tests.storage.test_sync_server import WireServer, wire_server  # noqa: F401 - fixture

DB = "interview_desktop"
FAST_BACKOFF = (0.05, 0.1, 0.2, 0.4)


class Relay(QObject):
    """Lives on the GUI thread, as the main window does: the service's signals reach it queued.
    (pytest-qt's waitSignal must not be fed straight from another thread: its blocker would stop its
    timer from that thread.)"""

    status_changed = Signal(object)
    flushed = Signal(object)
    pulled = Signal(object)

    @Slot(object)
    def on_pulled(self, result: object) -> None:
        self.pulled.emit(result)

    @Slot(object)
    def on_status_changed(self, status: SyncStatus) -> None:
        self.status_changed.emit(status)

    @Slot(object)
    def on_flushed(self, result: object) -> None:
        self.flushed.emit(result)


class Harness:
    """A repository + SyncService on a QThread, as app.py wires them; records every status emitted."""

    def __init__(
        self,
        tmp_path: Path,
        uri: str,
        interval_ms: int,
        backoff: tuple[float, ...],
        timeout_ms: int,
        pull_interval_ms: int = 30_000,
        database: str = DB,
    ) -> None:
        self.repo = SyncingRepository(
            JsonHistoryRepository(tmp_path / "data"),
            MongoHistoryRepository(uri, database=database, server_selection_timeout_ms=timeout_ms),
            tmp_path / "outbox",
            backoff=backoff,
        )
        self.service = SyncService(
            self.repo, check_interval_ms=interval_ms, pull_interval_ms=pull_interval_ms
        )
        self.statuses: list[SyncStatus] = []
        self._statuses_lock = threading.Lock()
        self.service.status_changed.connect(self._record, Qt.ConnectionType.DirectConnection)
        self.gui = Relay()
        self.service.status_changed.connect(self.gui.on_status_changed)
        self.service.flushed.connect(self.gui.on_flushed)
        self.service.pulled.connect(self.gui.on_pulled)
        self.thread = QThread()
        self.service.moveToThread(self.thread)
        self.thread.started.connect(self.service.start)

    def _record(self, status: SyncStatus) -> None:
        with self._statuses_lock:
            self.statuses.append(status)

    def states(self) -> list[str]:
        with self._statuses_lock:
            out = [s.state for s in self.statuses]
        return [s for i, s in enumerate(out) if i == 0 or out[i - 1] != s]  # collapse repeats

    def close(self) -> None:
        if self.thread.isRunning():
            QMetaObject.invokeMethod(self.service, "stop", Qt.ConnectionType.BlockingQueuedConnection)
            self.thread.quit()
            assert self.thread.wait(10_000)
        self.repo.close()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Any]:
    made: list[Harness] = []

    def make(
        uri: str,
        interval_ms: int = 20,
        backoff: tuple[float, ...] = FAST_BACKOFF,
        timeout_ms: int = 300,
        pull_interval_ms: int = 30_000,
        database: str = DB,
    ) -> Harness:
        h = Harness(tmp_path, uri, interval_ms, backoff, timeout_ms, pull_interval_ms, database)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


def is_state(state: str, waiting: int | None = None):  # noqa: ANN201 - a check_params_cb
    def check(status: SyncStatus) -> bool:
        return status.state == state and (waiting is None or status.waiting == waiting)

    return check


def test_status_goes_offline_then_connected_when_the_server_comes_back(
    qtbot: Any,
    harness: Any,
    wire_server: WireServer,  # noqa: F811
) -> None:
    h = harness(wire_server.uri)
    with qtbot.waitSignal(h.gui.status_changed, timeout=10_000, check_params_cb=is_state("connected", 0)):
        h.thread.start()

    wire_server.stop()
    with qtbot.waitSignal(h.gui.status_changed, timeout=10_000, check_params_cb=is_state("offline", 1)):
        h.repo.save(make_session())  # on this thread, as the engine would: does not raise
    offline = h.repo.status()
    assert offline.message.startswith("Offline — 1 session waiting to sync (cannot reach mongodb://127.0.0.1:")
    h.repo.save(make_session())  # queued without waiting for the server
    qtbot.waitUntil(lambda: h.repo.waiting == 2, timeout=5_000)

    # the timer keeps retrying (backoff) without anyone asking; when the server is back it drains
    with qtbot.waitSignal(h.gui.status_changed, timeout=15_000, check_params_cb=is_state("connected", 0)):
        wire_server.start()
    assert h.states() == ["connected", "offline", "connected"]
    assert h.repo.remote.count() == 2  # type: ignore[union-attr]


class _Button(QObject):
    clicked = Signal()


def test_sync_now_retries_at_once_whatever_the_backoff(
    qtbot: Any,
    harness: Any,
    wire_server: WireServer,  # noqa: F811
) -> None:
    # pymongo looks at a server it lost at most every 500 ms (minHeartbeatFrequencyMS): one try right
    # after the server is back needs a server-selection timeout above that to be sure to find it
    h = harness(wire_server.uri, interval_ms=50, backoff=(3600.0,), timeout_ms=1500)
    button = _Button()
    button.clicked.connect(h.service.sync_now)  # queued to the sync thread, as from the GUI
    with qtbot.waitSignal(h.gui.status_changed, timeout=10_000, check_params_cb=is_state("connected")):
        h.thread.start()
    wire_server.stop()
    with qtbot.waitSignal(h.gui.status_changed, timeout=10_000, check_params_cb=is_state("offline", 1)):
        h.repo.save(make_session())
    wire_server.start()
    assert not h.repo.due() and h.repo.retry_in() > 3000  # the timer alone would wait an hour
    with qtbot.waitSignal(h.gui.status_changed, timeout=10_000, check_params_cb=is_state("connected", 0)):
        button.clicked.emit()  # only this can reconnect now: the backoff window is an hour
    assert h.repo.remote.count() == 1  # type: ignore[union-attr]


def test_save_stream_while_the_sync_thread_flushes_across_outages(
    qtbot: Any,
    harness: Any,
    wire_server: WireServer,  # noqa: F811
) -> None:
    """60 saves of 30 sessions from this thread (the engine's part) while the sync thread flushes on
    its timer (every 20 ms when due) and the server is stopped twice mid-stream: nothing lost or doubled."""
    h = harness(wire_server.uri)
    with qtbot.waitSignal(h.gui.status_changed, timeout=10_000, check_params_cb=is_state("connected")):
        h.thread.start()
    stream = save_stream(30, 60, seed=7)
    latest: dict[str, Any] = {}
    events = {12: wire_server.stop, 27: wire_server.start, 36: wire_server.stop, 48: wire_server.start}
    restarted = 0.0
    for i, session in enumerate(stream):
        if i in events:
            events[i]()
            restarted = time.monotonic()
        h.repo.save(session)
        latest[session.id] = session
        assert h.repo.local.get(session.id) == session  # local store complete at every moment
        if events.get(i) == wire_server.stop:  # the sync thread meets the outage (not a timing race)
            qtbot.waitUntil(lambda: h.states()[-1:] == ["offline"], timeout=10_000)
    qtbot.waitUntil(
        lambda: h.repo.waiting == 0 and h.repo.status().state == "connected", timeout=30_000
    )
    drain_s = time.monotonic() - restarted

    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(wire_server.uri)
    try:
        docs = list(client[DB]["sessions"].find({}, {"id": 1, "revision": 1}))
    finally:
        client.close()
    assert len(docs) == 30 and len({d["id"] for d in docs}) == 30
    assert {d["id"]: d["revision"] for d in docs} == {sid: s.revision for sid, s in latest.items()}
    assert list((h.repo._outbox.folder).glob("*.json")) == []  # type: ignore[union-attr]
    assert "offline" in h.states() and h.states()[-1] == "connected"
    print(
        "\nSYNC-THREADED saves=60 sessions=30 outages=2 lost=0 duplicated=0 "
        f"drain_after_restart_s={drain_s:.2f}"
    )


def test_the_service_pulls_the_teams_sessions_at_start_and_on_its_timer(
    qtbot: Any, harness: Any, mongo_uri: str, mongo_db_name: str
) -> None:
    first, later = make_session(), make_session()
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as other_desktop:
        other_desktop.save(first)
        h = harness(mongo_uri, pull_interval_ms=100, database=mongo_db_name)
        with qtbot.waitSignal(h.gui.pulled, timeout=10_000) as at_start:
            h.thread.start()
        assert (at_start.args[0].pulled, at_start.args[0].complete) == (1, True)
        assert h.repo.get(first.id) == first
        with qtbot.waitSignal(h.gui.pulled, timeout=10_000) as on_timer:
            other_desktop.save(later)  # another desktop saves; nobody here asks
        assert on_timer.args[0].pulled == 1 and h.repo.get(later.id) == later


def test_interrupt_ends_a_pull_and_stops_pulling(
    qtbot: Any, harness: Any, mongo_uri: str, mongo_db_name: str
) -> None:
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as other_desktop:
        other_desktop.save(make_session())
    h = harness(mongo_uri, pull_interval_ms=10, database=mongo_db_name)
    h.service.interrupt()  # as app shutdown does, before the thread even started
    with qtbot.waitSignal(h.gui.flushed, timeout=10_000):
        h.thread.start()
    with qtbot.assertNotEmitted(h.gui.pulled, wait=300):
        pass
    assert h.repo.count() == 0
