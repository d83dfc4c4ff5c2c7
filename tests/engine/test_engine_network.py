"""The engine thread never waits on the network: with the team's MongoDB server hanging (it accepts
connections and never answers), answers are saved locally and queued, and the next question is
asked at once. Only the sync thread talks to the server."""

from __future__ import annotations

import random
import socket
import threading

import pytest

from interview_desktop.domain import EngineState, InterviewRequest
from interview_desktop.engine.interview_engine import InterviewEngine
from interview_desktop.providers.brains.question_bank import QuestionBank
from interview_desktop.storage.json_store import JsonHistoryRepository
from interview_desktop.storage.mongo_store import MongoHistoryRepository
from interview_desktop.storage.sync import SyncingRepository


class HangingServer:
    """Accepts TCP connections on loopback, reads what comes, never answers."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.connections = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            self._held.append(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in self._held:
            conn.close()
        self._sock.close()


@pytest.fixture
def hanging():
    server = HangingServer()
    yield server
    server.close()


def test_saves_with_the_server_hanging_do_not_wait_for_it(tmp_path, hanging):
    remote = MongoHistoryRepository(f"mongodb://127.0.0.1:{hanging.port}", server_selection_timeout_ms=30_000)
    repo = SyncingRepository(JsonHistoryRepository(tmp_path / "data"), remote, tmp_path / "outbox")
    engine = InterviewEngine(QuestionBank.load(), repo, rng=random.Random(3))
    prompts, saved = [], []
    engine.question_asked.connect(prompts.append)
    engine.session_saved.connect(saved.append)

    engine.start_interview(InterviewRequest("Ada", "Software Engineer", 2))
    engine.submit_answer("I moved our billing jobs to a queue and cut failures by half in a month.")
    assert engine.state is EngineState.LISTENING and [p.index for p in prompts] == [0, 1]
    engine.submit_answer("Because I like reliable systems.")

    assert engine.state is EngineState.FINISHED
    session = saved[-1]
    assert repo.local.get(session.id) == session  # on this computer
    assert [e.session_id for e in repo._outbox.entries()] == [session.id]  # type: ignore[union-attr]
    assert hanging.connections == 0  # no save ever contacted the server
    repo.close()
