"""The sync promise against a real MongoDB-wire server that goes away and comes back.

A server of the test's own (test_sync_server.WireServer) is stopped (SIGTERM) mid-stream and
restarted on the same port and storage folder. Proven: no session lost, none duplicated, the outbox
drains, and the local store holds every save the moment it returns.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pymongo
import pytest

from interview_desktop.domain import Session
from interview_desktop.storage.json_store import JsonHistoryRepository
from interview_desktop.storage.mongo_store import MongoHistoryRepository
from interview_desktop.storage.sync import FlushResult, SyncingRepository
from tests.storage.factories import make_sessions
from tests.storage.test_sync_server import WireServer, wire_server  # noqa: F401 - fixture

DB = "interview_desktop"
TIMEOUT_MS = 300  # server-selection timeout: saves during an outage fail fast
# pymongo re-checks a server it lost at most every 500 ms (minHeartbeatFrequencyMS): a flush that must
# succeed right after a restart needs a selection timeout above that
AFTER_RESTART_TIMEOUT_MS = 1500


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def desktop(
    tmp_path: Path, name: str, uri: str, clock: Any = time.monotonic, timeout_ms: int = TIMEOUT_MS
) -> SyncingRepository:
    return SyncingRepository(
        JsonHistoryRepository(tmp_path / name / "data"),
        MongoHistoryRepository(uri, database=DB, server_selection_timeout_ms=timeout_ms),
        tmp_path / name / "outbox",
        clock=clock,
    )


@pytest.fixture
def raw(wire_server: WireServer) -> Iterator[Any]:  # noqa: F811 - the fixture imported above
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        wire_server.uri, serverSelectionTimeoutMS=5000
    )
    yield client[DB]["sessions"]
    client.close()


def save_stream(n_sessions: int, n_saves: int, seed: int) -> list[Session]:
    """``n_saves`` saves over ``n_sessions`` sessions: each created once (revision 1), the rest
    re-saves of random earlier ones with the next revision (``Session.touched()``), interleaved."""
    rng = random.Random(seed)
    new = [replace(s, revision=1) for s in make_sessions(n_sessions, seed=seed)]
    current: dict[str, Session] = {}
    stream: list[Session] = []
    while len(stream) < n_saves:
        if new and (not current or rng.random() < len(new) / (n_saves - len(stream))):
            session = new.pop(0)
        else:
            session = current[rng.choice(sorted(current))].touched()
        current[session.id] = session
        stream.append(session)
    return stream


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_no_session_lost_or_duplicated_across_two_outages(
    wire_server: WireServer,  # noqa: F811
    raw: Any,
    tmp_path: Path,
    how: str,
) -> None:
    """The server is stopped twice mid-stream: cleanly (SIGTERM) or killed (SIGKILL, a crash)."""
    clock = FakeClock()  # backoff windows are skipped by moving the clock, not by waiting
    repo = desktop(tmp_path, "a", wire_server.uri, clock)
    stream = save_stream(30, 60, seed=42)
    assert len(stream) == 60 and len({s.id for s in stream}) == 30
    stop_at = {15: "stop", 30: "start", 38: "stop", 50: "start"}
    latest: dict[str, Session] = {}
    queued_saves = 0
    flush_log = []
    try:
        for i, session in enumerate(stream):
            action = stop_at.get(i)
            if action == "stop":
                wire_server.stop(kill=how == "sigkill")
            elif action == "start":
                wire_server.start()
                if i == 30:  # the sync thread notices: flush when due (later saves push directly)
                    clock.now += 60
                    flush_log.append(repo.flush())
            was_offline = repo.status().state == "offline"
            repo.save(session)  # never raises for the server
            latest[session.id] = session
            if was_offline or repo.status().state == "offline":
                queued_saves += 1
            # the local store is complete at every moment, and the History tab shows every session
            assert repo.local.get(session.id) == session
            assert repo.count() == len(latest)
            if i == 45:  # a retry during the second outage fails fast and backs off
                clock.now += 60
                failed = repo.flush()
                assert failed.sent == 0 and failed.failed == 1 and repo.status().state == "offline"
        assert repo.status().state == "offline" and repo.waiting > 0
        waiting_at_end = repo.waiting

        # drain: flush whenever due, until the outbox is empty (bounded)
        started = time.monotonic()
        rounds = 0
        while repo.waiting and rounds < 20:
            clock.now += 60
            if repo.due():
                flush_log.append(repo.flush())
            rounds += 1
        drain_s = time.monotonic() - started
    finally:
        repo.close()

    docs = list(raw.find({}, {"_id": 1, "id": 1, "revision": 1, "updated_at": 1}))
    ids = [d["id"] for d in docs]
    # documents counted per session ``id`` field (an ``_id`` cannot repeat; a session pushed twice
    # under another ``_id`` could): every session exactly once
    assert len(docs) == 30 and sorted(ids) == sorted(latest), "duplicated or missing sessions"
    assert all(d["_id"] == d["id"] for d in docs)
    assert {d["id"]: d["revision"] for d in docs} == {sid: s.revision for sid, s in latest.items()}, "lost"
    per_id = raw.aggregate([{"$group": {"_id": "$id", "n": {"$sum": 1}}}, {"$match": {"n": {"$ne": 1}}}])
    assert list(per_id) == []
    assert list((tmp_path / "a" / "outbox").glob("*.json")) == []
    assert repo.status().state == "connected" and repo.status().waiting == 0
    with JsonHistoryRepository(tmp_path / "a" / "data") as local:
        assert local.count() == 30
        assert all(local.get(sid) == s for sid, s in latest.items())
    print(
        f"\nSYNC ({how}) saves=60 sessions=30 outages=2 "
        f"queued_saves={queued_saves} waiting_before_drain={waiting_at_end} "
        f"drain_rounds={rounds} drain_s={drain_s:.3f} flushes={flush_log} lost=0 duplicated=0"
    )


def test_two_desktops_keep_the_newer_revision(
    wire_server: WireServer,  # noqa: F811
    raw: Any,
    tmp_path: Path,
) -> None:
    a = desktop(tmp_path, "a", wire_server.uri, timeout_ms=AFTER_RESTART_TIMEOUT_MS)
    b = desktop(tmp_path, "b", wire_server.uri, timeout_ms=AFTER_RESTART_TIMEOUT_MS)
    try:
        [s1, s2, s3] = [replace(s, revision=1) for s in make_sessions(3, seed=8)]
        for s in (s1, s2, s3):
            a.save(s)
        assert a.flush().sent == 3
        assert b.pull().pulled == 3 and b.get(s1.id) == s1  # B copies A's sessions from the team's history

        wire_server.stop()  # both desktops edit while the server is down
        a1 = replace(s1.touched(), candidate="A edit")  # revision 2
        b1 = replace(s1.touched().touched(), candidate="B edits twice")  # revision 3: newest
        a2 = replace(s2.touched().touched(), candidate="A edits twice")  # revision 3: newest
        b2 = replace(s2.touched(), candidate="B edit")  # revision 2
        a3 = replace(s3.touched(), candidate="A edit", updated_at=s3.updated_at + timedelta(minutes=1))
        b3 = replace(s3.touched(), candidate="B later", updated_at=s3.updated_at + timedelta(minutes=2))
        for repo, session in ((a, a1), (b, b1), (a, a2), (b, b2), (a, a3), (b, b3)):
            repo.save(session)
        assert a.waiting == 3 and b.waiting == 3
        wire_server.start()

        # A syncs first: its newer s2 goes up, its s1 and s3 go up too (nothing newer there yet)
        assert a.flush().sent == 3
        # then B: its s1 (rev 3) and s3 (same rev, later edit) win; A's s2 (rev 3) is pulled into B
        result = b.flush()
        assert (result.sent, result.failed, result.waiting, result.pulled) == (3, 0, 0, 1)
        winners = {s1.id: b1, s2.id: a2, s3.id: b3}
        assert a.pull().pulled == 2  # A takes B's winners (s1, s3); s2 was A's own winner
        for sid, winner in winners.items():
            stored = raw.find_one({"_id": sid})
            assert (stored["revision"], stored["candidate"]) == (winner.revision, winner.candidate)
            assert a.get(sid) == winner and b.get(sid) == winner  # what both desktops show
            assert b.local.get(sid) == winner  # B flushed last: its own copies are the winners
        assert raw.count_documents({}) == 3

        # a marker sent again (as after a crash) changes nothing
        for sid in winners:
            a._outbox.put(sid, "save")  # type: ignore[union-attr]
        assert a.flush() == FlushResult(sent=3, failed=0, waiting=0, pulled=0)
        assert all(a.local.get(sid) == w for sid, w in winners.items())

        # online conflict: both edit revision 3 of s1 at once; the later edit wins everywhere
        a4 = replace(b1.touched(), candidate="A online")
        b4 = replace(b1.touched(), candidate="B online", updated_at=a4.updated_at + timedelta(seconds=5))
        b.save(b4)
        b.flush()
        a.save(a4)  # same revision, older edit: A's copy is replaced by B's, the server keeps B's
        a.flush()
        assert raw.find_one({"_id": s1.id})["candidate"] == "B online"
        assert a.local.get(s1.id) == b4 and a.get(s1.id) == b4 and a.waiting == 0
    finally:
        a.close()
        b.close()
