"""A MongoDB-wire server of the test's own (secantusd-py subprocess) that the test can stop and restart.

Used by the sync tests to cut the connection mid-stream. Stopping is SIGTERM (a clean shutdown that
keeps every acknowledged journaled write; RECIPES: SIGKILL may lose unjournaled ones); restarting
reuses the same port and storage folder. The test below checks exactly that precondition.

secantusd-py 0.7.0b3 sometimes does not act on a SIGTERM: its main thread sleeps in an untimed
``Event.wait()`` and, when the kernel hands the signal to another thread, the Python handler never
runs (seen with a faulthandler dump: main thread still in ``server.wait``). :meth:`WireServer.stop`
therefore sends SIGTERM again while the server still accepts connections 1.5 s later (it has not
started to stop); that is still a clean shutdown.

``--standalone``: by default secantusd-py advertises a one-node replica set, but while it shuts down
it answers ``hello`` without the replica-set fields; pymongo then sees a Standalone in a replica-set
topology, removes the only server from it and that client never reconnects (seen as "No replica set
members available … servers: []" in a flaky run). A standalone topology has no such trap.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymongo
import pytest
from pymongo.errors import PyMongoError

SERVER = Path(sys.executable).with_name("secantusd-py")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 20.0
SIGTERM_AGAIN_S = 1.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WireServer:
    """``start()`` / ``stop()`` / ``restart()`` one secantusd-py process on a fixed port and folder."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.storage = folder / "data"
        self.log_path = folder / "server.log"
        self.storage.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.stops = 0
        self.sigterm_repeats = 0

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> float:
        """Start and wait (bounded) until it answers ping. Returns the seconds it took."""
        assert not self.running
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(SERVER),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--storage-path",
                    str(self.storage),
                    "--cache-size",
                    "128M",
                    "--log-level",
                    "WARNING",
                    "--standalone",
                ],
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONFAULTHANDLER": "1"} if os.environ.get("DEBUG_WIRE") else None,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            self.uri, serverSelectionTimeoutMS=500
        )
        try:
            while True:  # each ping waits up to 500 ms for the server: a bounded wait, no sleep
                try:
                    client.admin.command("ping")
                    break
                except PyMongoError:
                    if self.process.poll() is not None or time.monotonic() - started > START_TIMEOUT_S:
                        self.stop()
                        pytest.fail(f"secantusd-py did not start; see {self.log_path}")
        finally:
            client.close()
        self.starts += 1
        return time.monotonic() - started

    def stop(self, kill: bool = False) -> None:
        """SIGTERM and wait for a clean exit; SIGTERM again if it did not take (see module doc);
        SIGKILL only if it hangs, and then the test fails (acknowledged writes might be lost).
        ``kill``: SIGKILL at once, as a crash or a power cut would (journaled writes must survive)."""
        process, self.process = self.process, None
        if process is None:
            return
        if kill:
            process.kill()
            process.wait(STOP_TIMEOUT_S)
            self.stops += 1
            return
        deadline = time.monotonic() + STOP_TIMEOUT_S
        process.send_signal(signal.SIGTERM)
        while time.monotonic() < deadline:
            try:
                process.wait(SIGTERM_AGAIN_S)
                break
            except subprocess.TimeoutExpired:
                # still accepting connections = the handler has not started (it closes the listening
                # socket first); a shutdown in progress is left alone (a nested handler is not clean)
                if self._accepting():
                    process.send_signal(signal.SIGTERM)
                    self.sigterm_repeats += 1
        if process.poll() is None:
            if os.environ.get("DEBUG_WIRE"):
                process.send_signal(signal.SIGABRT)  # with PYTHONFAULTHANDLER: dumps every thread
                process.wait(STOP_TIMEOUT_S)
            process.kill()
            process.wait(STOP_TIMEOUT_S)
            tail = self.log_path.read_text(errors="replace")[-3000:]
            pytest.fail(f"secantusd-py ignored SIGTERM for {STOP_TIMEOUT_S} s; its log ends:\n{tail}")
        self.stops += 1

    def _accepting(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0):
                return True
        except OSError:
            return False

    def restart(self) -> float:
        self.stop()
        return self.start()


@pytest.fixture
def wire_server(tmp_path: Path) -> Iterator[WireServer]:
    """A running server of this test's own, stopped at the end."""
    if not SERVER.exists():
        pytest.skip(f"{SERVER} is not installed (pip install secantusdb, a test-only dependency)")
    server = WireServer(tmp_path / "wire")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if server.sigterm_repeats:
            print(f"\n(secantusd-py needed {server.sigterm_repeats} extra SIGTERM)")


def test_acknowledged_journaled_writes_survive_a_sigterm_restart(wire_server: WireServer) -> None:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        wire_server.uri, serverSelectionTimeoutMS=300
    )
    try:
        col = client["t"].get_collection("c", write_concern=pymongo.WriteConcern(w="majority", j=True))
        for i in range(20):
            col.replace_one({"_id": i}, {"_id": i, "v": i}, upsert=True)
        wire_server.stop()
        with pytest.raises(PyMongoError):
            col.find_one({})
        wire_server.start()
        assert sorted(d["_id"] for d in col.find({})) == list(range(20))
    finally:
        client.close()
