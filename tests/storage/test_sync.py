"""SyncingRepository: outbox persistence, backoff, status messages, the pull (change feed), deletes.

The shared MongoDB-wire test server (INTERVIEW_TEST_MONGODB_URI, a fresh database per test) plays
the team's history; a closed port plays a server that is down. The outage tests that stop and
restart a server are in test_sync_outage.py.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pymongo
import pytest

from interview_desktop.domain import SessionStatus, to_iso, utc_now
from interview_desktop.storage.base import SessionQuery, SortKey, StorageError
from interview_desktop.storage.codec import encode_session
from interview_desktop.storage.json_store import JsonHistoryRepository
from interview_desktop.storage.mongo_store import MongoHistoryRepository, mask_uri
from interview_desktop.storage.sync import FlushResult, PullResult, SyncingRepository, SyncStatus, is_newer
from tests.storage.factories import BASE_TIME, make_session, make_sessions
from tests.storage.test_sync_server import WireServer, free_port, wire_server  # noqa: F401 - fixture

PASSWORD = "s3cr%40t-Pa55"
DECODED = "s3cr@t-Pa55"
TIMEOUT_MS = 300  # server-selection timeout: a down server fails fast
# pymongo re-checks a server it lost at most every 500 ms (minHeartbeatFrequencyMS): a call that must
# succeed right after a restart needs a selection timeout above that
AFTER_RESTART_TIMEOUT_MS = 1500


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


Factory = Callable[..., SyncingRepository]


@pytest.fixture
def make_repo(tmp_path: Path) -> Iterator[Factory]:
    """``make_repo(uri, database, desktop="a", **kwargs)``: a SyncingRepository over
    ``tmp_path/<desktop>/data`` and ``tmp_path/<desktop>/outbox`` (the same folders = a restart)."""
    made: list[SyncingRepository] = []

    def make(
        uri: str | None,
        database: str = "sync",
        desktop: str = "a",
        timeout_ms: int = TIMEOUT_MS,
        **kwargs: Any,
    ) -> SyncingRepository:
        local = JsonHistoryRepository(tmp_path / desktop / "data")
        remote = (
            MongoHistoryRepository(uri, database=database, server_selection_timeout_ms=timeout_ms)
            if uri
            else None
        )
        repo = SyncingRepository(local, remote, tmp_path / desktop / "outbox", **kwargs)
        made.append(repo)
        return repo

    yield make
    for repo in made:
        repo.close()


@pytest.fixture
def down_uri() -> str:
    """A server that is down, with a password that must never be shown."""
    return f"mongodb://recruiter:{PASSWORD}@127.0.0.1:{free_port()}/interview_desktop"


@pytest.fixture
def raw(mongo_admin: pymongo.MongoClient, mongo_db_name: str) -> Any:
    return mongo_admin[mongo_db_name]["sessions"]


def markers(repo: SyncingRepository) -> dict[str, str]:
    """The outbox as it is on disk: {id: op}."""
    assert repo._outbox is not None
    folder = repo._outbox.folder
    if not folder.exists():
        return {}
    return {p.stem: json.loads(p.read_text())["op"] for p in folder.glob("*.json")}


# ------------------------------------------------------------------ local-only


def test_without_a_server_it_is_the_local_store(make_repo: Factory, tmp_path: Path) -> None:
    repo = make_repo(None)
    s = make_session()
    repo.save(s)
    assert repo.name == "local"
    assert repo.get(s.id) == s and repo.count() == 1 and [r.id for r in repo.list()] == [s.id]
    assert repo.status() == SyncStatus("local-only", 0, "History is stored on this computer only")
    assert repo.flush() == FlushResult(0, 0, 0) and not repo.due()
    assert repo.delete(s.id) and repo.get(s.id) is None
    assert not (tmp_path / "a" / "outbox").exists()


# ------------------------------------------------------------------ connected


def test_save_reaches_both_stores_and_leaves_no_marker(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str, raw: Any
) -> None:
    repo = make_repo(mongo_uri, mongo_db_name)
    s = make_session()
    woken = []
    repo.set_waker(lambda: woken.append(1))
    repo.save(s)  # the local store and a marker only: the saving thread never waits on the server
    assert repo.name == "local+mongodb"
    assert repo.local.get(s.id) == s
    assert markers(repo) == {s.id: "save"} and woken == [1] and repo.due()
    assert raw.find_one({"_id": s.id}) is None
    assert repo.flush() == FlushResult(sent=1, failed=0, waiting=0)  # the sync thread's part
    assert raw.find_one({"_id": s.id})["revision"] == s.revision
    assert markers(repo) == {} and repo.waiting == 0
    status = repo.status()
    assert status.state == "connected" and status.waiting == 0
    assert status.message == f"Shared history {mask_uri(mongo_uri)} — all sessions synced"
    assert not repo.due()


# ------------------------------------------------------------------ server down


def test_server_down_save_does_not_raise_queues_and_says_offline_without_the_password(
    make_repo: Factory, down_uri: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    repo = make_repo(down_uri)
    first = make_session()
    started = time.monotonic()
    repo.save(first)  # never waits for the server: a marker for the sync thread
    assert time.monotonic() - started < TIMEOUT_MS / 1000  # one wait for the server would be 0.3 s
    assert repo.local.get(first.id) == first
    assert repo.flush().failed == 1  # the sync thread finds the server down
    port = down_uri.rsplit(":", 1)[1].split("/")[0]
    where = f"mongodb://recruiter:****@127.0.0.1:{port}/interview_desktop"
    assert repo.status() == SyncStatus(
        "offline", 1, f"Offline — 1 session waiting to sync (cannot reach {where})"
    )
    started = time.monotonic()
    for s in make_sessions(2, seed=5):
        repo.save(s)  # known down: straight to the outbox, no waiting for the server
    assert time.monotonic() - started < TIMEOUT_MS / 1000  # one wait for the server would be 0.3 s
    assert repo.status().message == f"Offline — 3 sessions waiting to sync (cannot reach {where})"
    assert len(markers(repo)) == 3 and set(markers(repo).values()) == {"save"}
    # reads come from this computer while offline
    assert repo.count() == 3 and repo.get(first.id) == first
    for text in (caplog.text, repr(repo.status())):
        assert PASSWORD not in text and DECODED not in text


def test_outbox_survives_a_restart_and_drains_when_the_server_is_back(
    make_repo: Factory, down_uri: str, mongo_uri: str, mongo_db_name: str, raw: Any
) -> None:
    online = make_repo(mongo_uri, mongo_db_name)
    gone = make_session(candidate="Deleted Later")
    online.save(gone)  # in the shared history
    online.close()

    offline = make_repo(down_uri)
    sessions = make_sessions(3, seed=9)
    for s in sessions:
        offline.save(s)
    assert offline.delete(gone.id) is True  # existed here; the server part is queued
    offline.close()

    again = make_repo(down_uri)  # the app restarted, server still down
    assert again.status().waiting == 4
    assert markers(again) == {**{s.id: "save" for s in sessions}, gone.id: "delete"}
    assert [e.session_id for e in again._outbox.entries()][:3] == [s.id for s in sessions]  # type: ignore[union-attr]
    again.close()

    back = make_repo(mongo_uri, mongo_db_name)  # restarted with the server up
    assert back.waiting == 4 and back.due()
    assert back.flush() == FlushResult(sent=4, failed=0, waiting=0)
    assert markers(back) == {} and not back.due()
    assert {d["_id"]: d["revision"] for d in raw.find({})} == {s.id: s.revision for s in sessions}
    assert back.status().state == "connected"


def test_damaged_marker_is_synced_as_a_save(
    make_repo: Factory, tmp_path: Path, mongo_uri: str, mongo_db_name: str, raw: Any
) -> None:
    s = make_session()
    JsonHistoryRepository(tmp_path / "a" / "data").save(s)
    folder = tmp_path / "a" / "outbox"
    folder.mkdir(parents=True)
    (folder / f"{s.id}.json").write_bytes(b'{"id": "')  # cut short by a crash
    (folder / ".x.tmp").write_bytes(b"leftover temp file")
    (folder / "notes.txt").write_text("not a marker")
    repo = make_repo(mongo_uri, mongo_db_name)
    assert repo.waiting == 1
    assert repo.flush().sent == 1
    assert raw.find_one({"_id": s.id})["revision"] == s.revision


# ------------------------------------------------------------------ backoff


def test_backoff_schedule_with_an_injected_clock(make_repo: Factory, down_uri: str) -> None:
    clock = FakeClock(1000.0)
    repo = make_repo(down_uri, clock=clock)
    repo.save(make_session())
    repo.flush()  # failure 1 → retry after 1 s
    t = 1000.0
    for delay in (1, 2, 5, 15, 30, 60, 60, 60):
        assert not repo.due()
        assert repo.retry_in() == pytest.approx(t + delay - clock.now)
        clock.now = t + delay - 0.01
        assert not repo.due(), delay
        clock.now = t + delay
        assert repo.due(), delay
        t = clock.now
        repo.save(make_session())  # known down: queued, no new failure, the schedule is unchanged
        assert repo.due()
        result = repo.flush()  # the next failure
        assert result.sent == 0 and result.failed == 1  # a connection failure stops the flush
    assert repo.waiting == 9


def test_backoff_values_are_configurable_and_the_last_repeats(make_repo: Factory, down_uri: str) -> None:
    clock = FakeClock()
    repo = make_repo(down_uri, clock=clock, backoff=(0.5, 3))
    repo.save(make_session())
    repo.flush()
    assert repo.retry_in() == 0.5
    for expected in (3, 3):
        clock.advance(repo.retry_in())
        repo.flush()
        assert repo.retry_in() == expected


def test_a_probe_with_nothing_waiting_reconnects_and_resets_the_backoff(
    make_repo: Factory,
    wire_server: WireServer,  # noqa: F811
) -> None:
    clock = FakeClock()
    repo = make_repo(wire_server.uri, clock=clock, timeout_ms=AFTER_RESTART_TIMEOUT_MS)
    wire_server.stop()
    assert repo.pull() == PullResult(0, 0, 0, False)  # never raises; says offline
    assert repo.status().state == "offline" and repo.status().waiting == 0
    assert not repo.due()
    clock.advance(1)
    assert repo.due()  # nothing to send, but a lost server is worth a probe
    assert repo.flush() == FlushResult(0, 1, 0)  # still down: the next window is longer
    clock.advance(1.99)
    assert not repo.due()
    clock.advance(0.01)
    wire_server.start()
    assert repo.due() and repo.flush() == FlushResult(0, 0, 0)
    assert repo.status().state == "connected" and repo.retry_in() == 0 and not repo.due()


# ------------------------------------------------------------------ errors that are not "offline"


def test_a_refused_session_is_an_error_and_does_not_block_the_others(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str, raw: Any
) -> None:
    newer_app = encode_session(make_session(revision=0))
    newer_app.update(schema_version=99, _id=newer_app["id"])
    raw.insert_one(newer_app)
    repo = make_repo(mongo_uri, mongo_db_name, clock=FakeClock())
    mine = replace(make_session(id=newer_app["id"]), revision=1)
    repo.save(mine)
    assert repo.flush() == FlushResult(sent=0, failed=1, waiting=1)  # refused: kept for later
    status = repo.status()
    assert status.state == "error" and status.waiting == 1
    assert status.message == (
        "Sync problem — 1 session waiting to sync (could not save the session: it was saved by a "
        "newer version of Interview Desktop; update the app to change it)"
    )
    other = make_session()
    repo.save(other)
    assert repo.flush() == FlushResult(sent=1, failed=1, waiting=1)  # the refused one still waits
    assert raw.find_one({"_id": other.id}) is not None
    assert repo.status() == status
    assert repo.count() == 2 and repo.status() == status  # reads do not hide the problem either
    assert repo.flush() == FlushResult(sent=0, failed=1, waiting=1)
    assert repo.status() == status
    assert repo.local.get(mine.id) == mine  # kept on this computer
    assert repo.delete(mine.id)  # once that session is settled, the problem is gone
    repo.flush()
    assert repo.status().state == "connected" and repo.status().waiting == 0


# ------------------------------------------------------------------ pull: the team's history here


def test_pull_then_flush_give_both_places_the_merged_history(
    make_repo: Factory, down_uri: str, mongo_uri: str, mongo_db_name: str, tmp_path: Path
) -> None:
    """Shared history (another desktop's sessions) + this desktop's outbox: after a pull this computer
    answers what a single store holding the merged set would, for every sort, direction, page and
    filter; after the flush the server holds the same set."""
    team = make_sessions(25, seed=3)
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as other_desktop:
        for s in team:
            other_desktop.save(s)
    mine_new = make_sessions(6, seed=11)
    edited_here = [replace(s, candidate=f"Zed {s.candidate}", revision=s.revision + 1) for s in team[:2]]
    stale = next(s for s in team[2:] if s.revision >= 2)
    stale_here = replace(stale, candidate="Aaron Stale", revision=stale.revision - 1)
    tied = team[10]  # same revision, edited later here: the later edit wins
    tied_here = replace(tied, candidate="Tie Later", updated_at=tied.updated_at + timedelta(minutes=1))
    deleted_here = [team[20].id, team[21].id]

    offline = make_repo(down_uri)
    for s in [*mine_new, *edited_here, stale_here, tied_here]:
        offline.save(s)
    for sid in deleted_here:
        offline.delete(sid)
    assert offline.waiting == 12
    offline.close()

    expected = {s.id: s for s in team}
    for s in [*mine_new, *edited_here, tied_here]:
        expected[s.id] = s
    for sid in deleted_here:
        del expected[sid]
    oracle = JsonHistoryRepository(tmp_path / "oracle")
    for s in expected.values():
        oracle.save(s)

    repo = make_repo(mongo_uri, mongo_db_name)  # online now, nothing flushed yet
    assert repo.waiting == 12
    assert repo.count() == 6 + 2 + 2  # before the pull: only what this desktop saved
    result = repo.pull()
    assert result == PullResult(pulled=25 - 2 - 2 - 1, deleted=0, seen=25, complete=True)
    queries = [
        SessionQuery(sort_key=key, descending=desc, offset=offset, limit=7)
        for key in list(SortKey)
        for desc in (True, False)
        for offset in (0, 7, 21, 28)
    ]
    queries += [
        SessionQuery(text="Zed"),
        SessionQuery(text="index", sort_key=SortKey.CANDIDATE, descending=False),
        SessionQuery(role="Data analyst"),
        SessionQuery(status=SessionStatus.COMPLETED, sort_key=SortKey.SCORE, limit=5, offset=3),
        SessionQuery(score_min=40, score_max=80, sort_key=SortKey.SCORE, descending=False),
        SessionQuery(started_from=BASE_TIME - timedelta(hours=8), started_to=BASE_TIME),
        SessionQuery(limit=0),
    ]
    for q in queries:
        assert [(r.id, r.revision, r.candidate) for r in repo.list(q)] == [
            (r.id, r.revision, r.candidate) for r in oracle.list(q)
        ], q
        assert repo.count(q) == oracle.count(q), q
    assert repo.get(edited_here[0].id) == edited_here[0]
    assert repo.get(stale.id) == stale  # the server's copy is newer
    assert repo.get(tied.id) == tied_here
    assert repo.get(deleted_here[0]) is None  # deleted here, the delete waiting: not brought back
    assert repo.get(mine_new[0].id) == mine_new[0]
    assert repo.get(team[5].id) == team[5]  # came from the shared history
    assert repo.status().state == "connected"
    oracle.close()

    # the flush sends this desktop's 12 changes; the server then holds the merged set too
    assert repo.flush() == FlushResult(sent=12, failed=0, waiting=0, pulled=0)
    for q in queries[:4]:
        assert [r.id for r in repo.list(q)] == [r.id for r in repo.remote.list(q)]  # type: ignore[union-attr]
    assert repo.remote.count() == len(expected)  # type: ignore[union-attr]


def test_pull_takes_the_teams_deletions_but_not_over_a_later_save(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str
) -> None:
    a = make_repo(mongo_uri, mongo_db_name, desktop="a")
    b = make_repo(mongo_uri, mongo_db_name, desktop="b")
    gone, back, kept = make_sessions(3, seed=5)
    for s in (gone, back, kept):
        a.save(s)
    a.flush()
    assert b.pull().pulled == 3 and b.count() == 3
    assert a.delete(gone.id) and a.delete(back.id)
    a.flush()
    back_again = replace(back, revision=back.revision + 1, updated_at=utc_now() + timedelta(seconds=5))
    a.save(back_again)  # saved again after the deletion
    a.flush()
    result = b.pull()
    assert (result.deleted, result.complete) == (1, True)
    assert b.get(gone.id) is None and b.get(back.id) == back_again and b.get(kept.id) == kept
    assert b.pull().deleted == 0  # the overlap re-reads the tombstone; nothing left to do


def test_pull_reads_only_what_changed_since_its_watermark_and_survives_a_restart(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str, tmp_path: Path
) -> None:
    team = make_sessions(30, seed=8)  # updated_at spread over days before BASE_TIME
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as other_desktop:
        for s in team:
            other_desktop.save(s)
        repo = make_repo(mongo_uri, mongo_db_name)
        assert repo.pull() == PullResult(30, 0, 30, True)
        state = json.loads((tmp_path / "a" / "sync-state.json").read_text())
        assert state["sessions"] == max(to_iso(s.updated_at) for s in team)
        assert mask_uri(mongo_uri) in state["feed"] and state["deletions"] is None
        repo.close()
        repo = make_repo(mongo_uri, mongo_db_name)  # a restart: the watermark is on disk
        again = repo.pull()
        last = max(s.updated_at for s in team)
        in_overlap = sum(s.updated_at >= last - timedelta(minutes=10) for s in team)
        assert again == PullResult(0, 0, in_overlap, True) and in_overlap < 30
        fresh = make_session(updated_at=utc_now())
        other_desktop.save(fresh)
    assert repo.pull().pulled == 1 and repo.get(fresh.id) == fresh


def test_a_watermark_of_another_shared_history_starts_over(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str, tmp_path: Path
) -> None:
    s = make_session()
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as other_desktop:
        other_desktop.save(s)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "sync-state.json").write_text(
        json.dumps({"feed": "mongodb://elsewhere/x.sessions", "sessions": "2099-01-01T00:00:00.000+00:00"})
    )
    assert make_repo(mongo_uri, mongo_db_name).pull().pulled == 1


def test_an_interrupted_first_pull_copies_only_what_is_missing_next_time(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("interview_desktop.storage.sync.PULL_BATCH", 10)
    team = make_sessions(35, seed=9)
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as other_desktop:
        for s in team:
            other_desktop.save(s)
    repo = make_repo(mongo_uri, mongo_db_name)
    taken = []
    statuses: list[SyncStatus] = []
    repo.add_status_listener(statuses.append)
    progress: list[PullResult] = []
    first = repo.pull(should_stop=lambda: len(taken) >= 22 or taken.append(1) is not None,
                      on_progress=progress.append)
    assert (first.seen, first.complete) == (22, False)
    assert progress == [PullResult(10, 0, 10, False), PullResult(20, 0, 20, False)]
    assert any("copying the team's history to this computer (20 so far)" in st.message for st in statuses)
    assert "copying" not in repo.status().message  # over: the status says so
    second = repo.pull()  # a first pull is unsorted: it reads everything again, copies what is missing
    assert second.complete and (second.seen, second.pulled) == (35, 35 - 22) and repo.count() == 35
    assert all(repo.get(s.id) == s for s in team)
    third = repo.pull()  # now in order, from the newest change taken (minus the overlap)
    assert third.complete and third.pulled == 0 and third.seen < 35


def test_a_failing_local_store_during_a_pull_is_a_sync_problem_not_a_crash(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as other_desktop:
        other_desktop.save(make_session())
    repo = make_repo(mongo_uri, mongo_db_name, clock=FakeClock())

    def disk_full(_session: object, **_options: object) -> None:
        raise StorageError("could not save the session: the disk is full")

    monkeypatch.setattr(repo.local, "save", disk_full)
    result = repo.pull()
    assert result == PullResult(0, 0, 1, False)
    status = repo.status()
    assert status.state == "error"
    assert "this computer's copy" in status.message and "disk is full" in status.message
    monkeypatch.undo()
    assert repo.flush() == FlushResult(0, 0, 0)  # the next probe clears it …
    assert repo.pull().pulled == 1 and repo.status().state == "connected"  # … and the pull catches up


def test_reads_are_this_computers_and_never_wait_for_the_server(make_repo: Factory, down_uri: str) -> None:
    s = make_session()
    make_repo(None).save(s)  # saved earlier without a shared history
    repo = make_repo(down_uri)
    started = time.monotonic()
    assert [r.id for r in repo.list()] == [s.id]
    assert repo.count() == 1 and repo.get(s.id) == s
    assert time.monotonic() - started < TIMEOUT_MS / 1000
    assert repo.status().state == "connected"  # optimistic until the sync thread contacts the server


# ------------------------------------------------------------------ deletes


def test_delete_online_removes_both_copies(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str, raw: Any
) -> None:
    repo = make_repo(mongo_uri, mongo_db_name)
    s = make_session()
    repo.save(s)
    repo.flush()
    assert repo.delete(s.id) is True
    assert markers(repo) == {s.id: "delete"}
    assert repo.flush().sent == 1
    assert repo.local.get(s.id) is None and raw.find_one({"_id": s.id}) is None
    assert markers(repo) == {} and repo.delete(s.id) is False


def test_delete_of_another_desktops_session_while_offline_is_queued_and_hidden(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str, down_uri: str, raw: Any
) -> None:
    theirs = make_session()
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as other_desktop:
        other_desktop.save(theirs)
    offline = make_repo(down_uri)
    assert offline.delete(theirs.id) is False  # not here; queued for the server
    offline.close()
    repo = make_repo(mongo_uri, mongo_db_name)
    assert repo.pull().pulled == 0  # the waiting delete keeps it away
    assert repo.get(theirs.id) is None and repo.count() == 0 and repo.list() == []
    assert raw.find_one({"_id": theirs.id}) is not None
    assert repo.flush().sent == 1
    assert raw.find_one({"_id": theirs.id}) is None


def test_saving_again_after_a_queued_delete_replaces_the_delete(
    make_repo: Factory, down_uri: str, mongo_uri: str, mongo_db_name: str, raw: Any
) -> None:
    s = make_session()
    offline = make_repo(down_uri)
    offline.save(s)
    offline.delete(s.id)
    assert markers(offline) == {s.id: "delete"}
    again = s.touched()
    offline.save(again)
    assert markers(offline) == {s.id: "save"}
    offline.close()
    repo = make_repo(mongo_uri, mongo_db_name)
    repo.flush()
    assert raw.find_one({"_id": s.id})["revision"] == again.revision


# ------------------------------------------------------------------ conflict rule, backfill


def test_conflict_rule_is_revision_then_updated_at() -> None:
    base = make_session(revision=3)
    assert is_newer(replace(base, revision=4), base) and not is_newer(base, replace(base, revision=4))
    later = replace(base, updated_at=base.updated_at + timedelta(seconds=1))
    assert is_newer(later, base) and not is_newer(base, later)
    assert not is_newer(base, base)
    assert is_newer(base, replace(base, updated_at=None))
    assert is_newer(replace(base, revision=4, updated_at=None), later)  # revision first


def test_queue_local_history_uploads_sessions_recorded_before(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str, raw: Any
) -> None:
    before = make_sessions(5, seed=2)
    local_only = make_repo(None)
    for s in before:
        local_only.save(s)
    local_only.close()
    repo = make_repo(mongo_uri, mongo_db_name)
    assert repo.queue_local_history() == 5 and repo.waiting == 5
    assert repo.flush(max_items=2) == FlushResult(sent=2, failed=0, waiting=3)
    assert repo.flush() == FlushResult(sent=3, failed=0, waiting=0)
    assert raw.count_documents({}) == 5


def test_a_first_pull_moves_its_position_no_further_than_its_own_start(
    make_repo: Factory, mongo_uri: str, mongo_db_name: str, tmp_path: Path
) -> None:
    """The first pull reads unsorted: a session changed while it ran may have been read in its old
    form, so the position must not pass the time the pull started (a clock far ahead shows it)."""
    ahead = make_session(updated_at=utc_now() + timedelta(days=1))  # a desktop whose clock is ahead
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as other_desktop:
        other_desktop.save(ahead)
    before = to_iso(utc_now())
    repo = make_repo(mongo_uri, mongo_db_name)
    assert repo.pull().pulled == 1
    mark = json.loads((tmp_path / "a" / "sync-state.json").read_text())["sessions"]
    assert before <= mark <= to_iso(utc_now())
    assert repo.pull().seen == 1  # the next pull (ordered, from the position) reads it again
