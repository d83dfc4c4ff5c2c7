"""JSON store specifics: atomic writes, damaged files, disk errors, the self-healing index."""

from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from interview_desktop.domain import Session
from interview_desktop.storage.base import SessionQuery, StorageError
from interview_desktop.storage.codec import encode_session
from interview_desktop.storage.json_store import INDEX_FILE, JsonHistoryRepository
from tests.storage.factories import make_session, make_sessions

LOGGER = "interview_desktop.storage"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def repo(root: Path) -> Iterator[JsonHistoryRepository]:
    store = JsonHistoryRepository(root)
    yield store
    store.close()


def session_file(root: Path, session: Session) -> Path:
    return root / "sessions" / f"{session.id}.json"


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "sessions").iterdir() if not p.name.endswith(".json"))


def listed(root: Path) -> set[str]:
    with JsonHistoryRepository(root) as fresh:
        return {r.id for r in fresh.list(SessionQuery(limit=1000))}


# ------------------------------------------------------------------ files


def test_one_json_file_per_session_holding_the_document(repo: JsonHistoryRepository, root: Path) -> None:
    session = make_session()
    repo.save(session)
    path = session_file(root, session)
    assert json.loads(path.read_text(encoding="utf-8")) == encode_session(session)
    assert leftovers(root) == []


class Crash(BaseException):
    """Stands for the process dying in the middle of a save."""


@pytest.mark.parametrize(
    "failure", [Crash("power cut"), OSError(errno.EIO, "I/O error")], ids=["crash", "eio"]
)
def test_failed_replace_keeps_the_old_file_and_leaves_no_temp(
    repo: JsonHistoryRepository, root: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    old = make_session(revision=1)
    repo.save(old)
    before = session_file(root, old).read_bytes()

    def replace_fails(src: str, dst: str) -> None:
        raise failure

    with monkeypatch.context() as m:
        m.setattr(os, "replace", replace_fails)
        with pytest.raises(StorageError if isinstance(failure, OSError) else Crash):
            repo.save(replace(old, revision=2, candidate="Half written"))
    assert session_file(root, old).read_bytes() == before
    assert leftovers(root) == []
    assert repo.get(old.id) == old
    assert [r.candidate for r in repo.list()] == [old.candidate]


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_disk_full_is_a_plain_storage_error_and_keeps_the_old_file(
    repo: JsonHistoryRepository, root: Path, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    old = make_session(revision=1)
    repo.save(old)
    before = session_file(root, old).read_bytes()

    def full(*args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as m:
        m.setattr(os, call, full)
        with pytest.raises(StorageError, match="^could not save the session: the disk is full$"):
            repo.save(replace(old, revision=2))
    assert session_file(root, old).read_bytes() == before
    assert leftovers(root) == []
    assert repo.get(old.id) == old


def test_permission_denied_is_a_plain_storage_error(
    repo: JsonHistoryRepository, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.save(make_session())  # creates the folders

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(root / "sessions"))

    monkeypatch.setattr("tempfile.mkstemp", denied)
    with pytest.raises(StorageError, match="could not save the session: permission denied .*sessions"):
        repo.save(make_session())


def test_unsafe_ids_are_refused(repo: JsonHistoryRepository) -> None:
    with pytest.raises(ValueError, match="file name"):
        repo.save(make_session(id="../../etc/passwd"))
    assert repo.get("../x") is None
    assert repo.delete("../x") is False


def test_old_temp_files_are_cleaned_up(repo: JsonHistoryRepository, root: Path) -> None:
    repo.save(make_session())
    stale = root / "sessions" / ".abc.123.tmp"
    fresh = root / "sessions" / ".def.456.tmp"
    stale.write_text("half")
    fresh.write_text("being written")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    repo.verify_index()
    assert not stale.exists() and fresh.exists()


# ------------------------------------------------------------------ damaged files


DAMAGES = {
    "bad_json": lambda doc: b'{"id": "x", "candidate": ',
    "not_utf8": lambda doc: b"\xff\xfe\x00garbage",
    "array": lambda doc: b"[1, 2, 3]",
    "missing_started_at": lambda doc: json.dumps(
        {k: v for k, v in doc.items() if k != "started_at"}
    ).encode(),
    "wrong_type_revision": lambda doc: json.dumps({**doc, "revision": "seven"}).encode(),
    "bad_status": lambda doc: json.dumps({**doc, "status": "exploded"}).encode(),
    "answers_not_list": lambda doc: json.dumps({**doc, "answers": {"0": "x"}}).encode(),
    "bad_word": lambda doc: json.dumps(
        {**doc, "answers": [{**doc["answers"][0], "words": [["hi", "soon", 1.0]]}]}
    ).encode(),
    "score_not_number": lambda doc: json.dumps({**doc, "report": {"overall_score": "great"}}).encode(),
    "other_id_inside": lambda doc: json.dumps({**doc, "id": "someone-else"}).encode(),
    "empty": lambda doc: b"",
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_damaged_file_is_quarantined_with_a_warning_and_others_still_list(
    root: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    good = make_sessions(3)
    bad = make_session()
    with JsonHistoryRepository(root) as repo:
        for s in [*good, bad]:
            repo.save(s)
    session_file(root, bad).write_bytes(DAMAGES[damage](encode_session(bad)))

    caplog.set_level(logging.WARNING, logger=LOGGER)
    with JsonHistoryRepository(root) as repo:
        assert {r.id for r in repo.list()} == {s.id for s in good}
        assert repo.count() == 3
        assert repo.get(bad.id) is None
        for s in good:
            assert repo.get(s.id) == s
    assert not session_file(root, bad).exists()
    quarantined = list((root / "quarantine").iterdir())
    assert [p.name.split(".")[0] for p in quarantined] == [bad.id]
    assert quarantined[0].read_bytes() == DAMAGES[damage](encode_session(bad))
    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert any(bad.id in r.getMessage() and "quarantine" in r.getMessage() for r in warnings)


def test_file_damaged_after_indexing_is_quarantined_on_get(
    repo: JsonHistoryRepository, root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = make_session(), make_session()
    repo.save(a)
    repo.save(b)
    assert repo.count() == 2
    session_file(root, b).write_text("{ not json")
    caplog.set_level(logging.WARNING, logger=LOGGER)
    assert repo.get(b.id) is None
    assert {r.id for r in repo.list()} == {a.id}
    assert any("quarantine" in r.getMessage() for r in caplog.records)


def test_saving_over_a_damaged_file_keeps_the_damaged_copy(repo: JsonHistoryRepository, root: Path) -> None:
    s = make_session()
    repo.save(s)
    session_file(root, s).write_text("garbage")
    repo.save(s)
    assert repo.get(s.id) == s
    assert len(list((root / "quarantine").iterdir())) == 1


def test_quarantine_twice_keeps_both_copies(repo: JsonHistoryRepository, root: Path) -> None:
    s = make_session()
    for text in ("first garbage", "second garbage"):
        repo.save(s)
        session_file(root, s).write_text(text)
        assert repo.get(s.id) is None
    contents = sorted(p.read_text() for p in (root / "quarantine").iterdir())
    assert contents == ["first garbage", "second garbage"]


# ------------------------------------------------------------------ the index


def test_index_is_kept_and_reused(repo: JsonHistoryRepository, root: Path) -> None:
    sessions = make_sessions(5)
    for s in sessions:
        repo.save(s)
    assert repo.count() == 5
    assert (root / INDEX_FILE).exists()
    assert listed(root) == {s.id for s in sessions}


def test_missing_index_is_rebuilt(root: Path) -> None:
    sessions = make_sessions(8)
    with JsonHistoryRepository(root) as repo:
        for s in sessions:
            repo.save(s)
        assert repo.count() == 8
    for p in root.glob(f"{INDEX_FILE}*"):
        p.unlink()
    assert listed(root) == {s.id for s in sessions}


def test_corrupt_index_is_rebuilt(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    sessions = make_sessions(8)
    with JsonHistoryRepository(root) as repo:
        for s in sessions:
            repo.save(s)
        assert repo.count() == 8
    for p in root.glob(f"{INDEX_FILE}-*"):
        p.unlink()
    (root / INDEX_FILE).write_bytes(b"this is not an sqlite database" * 100)
    caplog.set_level(logging.WARNING, logger=LOGGER)
    with JsonHistoryRepository(root) as repo:
        assert repo.count() == 8
        assert {r.id for r in repo.list()} == {s.id for s in sessions}
    assert any("index" in r.getMessage() and "damaged" in r.getMessage() for r in caplog.records)


def test_index_missing_rows_is_healed(root: Path) -> None:
    sessions = make_sessions(6)
    with JsonHistoryRepository(root) as repo:
        for s in sessions:
            repo.save(s)
        assert repo.count() == 6
    db = sqlite3.connect(root / INDEX_FILE)
    db.execute("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions LIMIT 3)")
    db.execute("UPDATE sessions SET candidate = 'WRONG'")
    db.commit()
    db.close()
    # rows deleted: healed; a wrong row with the right mtime and size: only a full rebuild fixes it
    with JsonHistoryRepository(root) as repo:
        assert repo.count() == 6
        repo.rebuild_index()
        assert "WRONG" not in {r.candidate for r in repo.list()}


def test_session_file_added_behind_its_back(repo: JsonHistoryRepository, root: Path) -> None:
    first = make_session()
    repo.save(first)
    assert repo.count() == 1
    added = make_session(candidate="Added By Sync Tool")
    session_file(root, added).write_text(json.dumps(encode_session(added)))
    assert {r.id for r in repo.list()} == {first.id, added.id}  # the same instance notices
    assert repo.count(SessionQuery(text="sync tool")) == 1
    assert listed(root) == {first.id, added.id}


def test_session_file_changed_in_place_behind_its_back(root: Path) -> None:
    s = make_session(candidate="Before")
    with JsonHistoryRepository(root) as repo:
        repo.save(s)
        assert repo.count() == 1
    path = session_file(root, s)
    before = path.stat()
    edited = path.read_bytes().replace(b'"Before"', b'"Afterx"')
    with open(path, "r+b") as f:  # in place: the folder's mtime does not change, nor the size
        f.write(edited)
    assert path.stat().st_size == before.st_size
    with JsonHistoryRepository(root) as repo:
        assert [r.candidate for r in repo.list()] == ["Afterx"]


def test_edit_in_the_same_clock_tick_as_the_save_is_still_seen(root: Path) -> None:
    """Coarse file clocks: an edit right after a save may keep the mtime; it is still noticed."""
    s = make_session(candidate="Before")
    with JsonHistoryRepository(root) as repo:
        repo.save(s)
        assert repo.count() == 1
    path = session_file(root, s)
    st = path.stat()
    path.write_bytes(path.read_bytes().replace(b'"Before"', b'"Afterx"'))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime, same size
    with JsonHistoryRepository(root) as repo:
        assert [r.candidate for r in repo.list()] == ["Afterx"]


def test_index_verification_skips_unchanged_files(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sessions = make_sessions(5)
    with JsonHistoryRepository(root) as repo:
        for s in sessions:
            repo.save(s)
    old = time.time_ns() - 10 * 10**9  # files last written 10 s ago: no longer "racy"
    for s in sessions:
        os.utime(session_file(root, s), ns=(old, old))
    listed(root)  # re-reads them once (their mtime changed)
    reads: list[str] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    assert listed(root) == {s.id for s in sessions}
    assert reads == []


def test_session_file_removed_behind_its_back(repo: JsonHistoryRepository, root: Path) -> None:
    a, b = make_session(), make_session()
    repo.save(a)
    repo.save(b)
    assert repo.count() == 2
    session_file(root, b).unlink()
    assert {r.id for r in repo.list()} == {a.id}
    assert repo.get(b.id) is None


def test_unwritable_index_falls_back_to_memory(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    sessions = make_sessions(4)
    with JsonHistoryRepository(root) as repo:
        for s in sessions:
            repo.save(s)
    for p in root.glob(f"{INDEX_FILE}*"):
        p.unlink()
    (root / INDEX_FILE).mkdir()  # a folder where the index file should be: cannot be opened or removed
    caplog.set_level(logging.WARNING, logger=LOGGER)
    with JsonHistoryRepository(root) as repo:
        assert repo.count() == 4
        extra = make_session()
        repo.save(extra)
        assert repo.count() == 5
        assert repo.list()[0].id in {s.id for s in [*sessions, extra]}
    assert any("memory" in r.getMessage() for r in caplog.records)


def test_a_save_does_not_wait_for_a_busy_index(repo: JsonHistoryRepository) -> None:
    """The engine's save never blocks on the index held by a history-loading thread."""
    import threading

    repo.save(make_session())
    assert repo.count() == 1
    holding = threading.Event()
    release = threading.Event()

    def hold_index() -> None:
        with repo._index_lock:
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold_index)
    holder.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        s = make_session()
        repo.save(s)
        assert time.monotonic() - started < 5
        assert repo.get(s.id) == s  # get reads the file, not the index
    finally:
        release.set()
        holder.join(10)
    assert repo.count() == 2  # the queued index update was applied


@pytest.mark.parametrize("plan", ["scan", "set"])
def test_both_search_plans_find_the_same_rows(tmp_path, monkeypatch, plan):
    from interview_desktop.storage.base import SessionQuery
    from interview_desktop.storage.schema import index_fields, search_needle
    from tests.storage.factories import make_sessions

    sessions = make_sessions(60)
    repo = JsonHistoryRepository(tmp_path)
    for s in sessions:
        repo.save(s)
    real_plan = JsonHistoryRepository._search_plan

    def forced(self, db, query, wanted):
        found = real_plan(self, db, query, wanted)
        return plan if found in ("scan", "set") else found  # "" (no text) and "none" stay

    monkeypatch.setattr(JsonHistoryRepository, "_search_plan", forced)
    newest_first = sorted(sessions, key=lambda s: (s.started_at, s.id), reverse=True)
    for text in ("data", "mentored", "ada", "zahra", "xyzzy", "e"):
        needle = search_needle(text)
        expected = [s.id for s in newest_first if needle in index_fields(encode_session(s))["search_text"]]
        assert [r.id for r in repo.list(SessionQuery(text=text, limit=1000))] == expected, text
        assert [r.id for r in repo.list(SessionQuery(text=text, offset=3, limit=4))] == expected[3:7], text
        assert repo.count(SessionQuery(text=text)) == len(expected)
        assert repo.count(SessionQuery(text=text), limit=5) == min(5, len(expected))
    repo.close()


def test_the_search_plan_scans_for_common_words_and_collects_rare_ones(tmp_path):
    from interview_desktop.storage.base import SessionQuery
    from tests.storage.factories import make_sessions

    repo = JsonHistoryRepository(tmp_path)
    for s in make_sessions(60):
        repo.save(s)

    def plan(text: str, wanted: int | None) -> str:
        return repo._with_index(lambda db: repo._search_plan(db, SessionQuery(text=text), wanted))

    assert plan("e", 5) == "scan"  # nearly every session: the first rows in sort order match
    assert plan("zahra", 5) == "set"  # a few: find them all first
    assert plan("xyzzy", 5) == "none" and plan("e", None) == "set"  # no match / a full count
    assert plan("", 5) == ""
    repo.close()
