"""Local history store: one JSON file per session (the source of truth) plus a rebuildable SQLite
summary index, so listing, sorting and searching stay fast at 100,000 sessions. Layout,
self-healing, search plans, threads and measured figures: docs/storage.md.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from interview_desktop.atomic import atomic_write_bytes, fsync_dir
from interview_desktop.domain import Session, SessionStatus, from_iso
from interview_desktop.errors import describe_os_error
from interview_desktop.storage.base import (
    SessionQuery,
    SessionSummary,
    SortKey,
    StorageError,
    delete_recordings,
)
from interview_desktop.storage.codec import encode_session
from interview_desktop.storage.schema import (
    InvalidSessionDocument,
    check_query,
    index_fields,
    iso_bound,
    migrate_document,
    search_needle,
    session_from_document,
    stored_copy_wins,
    validate_document,
)

log = logging.getLogger("interview_desktop.storage")

INDEX_FILE = "index.sqlite3"
INDEX_FORMAT = "1"  # bump to make every existing index rebuild itself
_STALE_TEMP_S = 3600.0  # leftover temp files older than this are removed during verification
_BATCH = 5000
_RACY_NS = 2_000_000_000  # file times closer than this to "now" may not show a change (coarse clocks, FAT)

_SORT_COLUMNS = {
    SortKey.STARTED_AT: "started_at",
    SortKey.CANDIDATE: "candidate_key",
    SortKey.ROLE: "role_key",
    SortKey.STATUS: "status",
    SortKey.ANSWERS: "answer_count",
    SortKey.SCORE: "overall_score",
}

_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    candidate TEXT NOT NULL,
    role TEXT NOT NULL,
    started_at TEXT NOT NULL,
    status TEXT NOT NULL,
    answer_count INTEGER NOT NULL,
    overall_score REAL,
    revision INTEGER NOT NULL,
    updated_at TEXT,
    candidate_key TEXT NOT NULL,
    role_key TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS search (id TEXT PRIMARY KEY, blob TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_started ON sessions (started_at, id);
CREATE INDEX IF NOT EXISTS sessions_candidate ON sessions (candidate_key, id);
CREATE INDEX IF NOT EXISTS sessions_role_key ON sessions (role_key, id);
CREATE INDEX IF NOT EXISTS sessions_status ON sessions (status, id);
CREATE INDEX IF NOT EXISTS sessions_answers ON sessions (answer_count, id);
CREATE INDEX IF NOT EXISTS sessions_score ON sessions (overall_score, id);
CREATE INDEX IF NOT EXISTS sessions_role_started ON sessions (role, started_at, id);
CREATE INDEX IF NOT EXISTS sessions_status_started ON sessions (status, started_at, id);
"""

_COLUMNS = (
    "id, candidate, role, started_at, status, answer_count, overall_score, revision, updated_at, "
    "candidate_key, role_key, mtime_ns, size"
)
_UPSERT_SQL = f"INSERT OR REPLACE INTO sessions ({_COLUMNS}) VALUES ({', '.join('?' * 13)})"
_SUMMARY_COLUMNS = (
    "s.id, s.candidate, s.role, s.started_at, s.status, s.answer_count, s.overall_score, "
    "s.revision, s.updated_at"
)

_T = TypeVar("_T")
_DEFAULT_QUERY = SessionQuery()
_Row = tuple[Any, ...]  # (_COLUMNS..., ) as in _UPSERT_SQL
_Update = tuple[_Row, str] | None  # (row, search blob) or None = removed


_BUSY_MESSAGE = "the history index is in use by another program; close other copies of Interview Desktop"


_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_UNWRITABLE = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PERM")
_UNWRITABLE_WORDS = ("disk is full", "readonly", "disk i/o", "unable to open")


def _sqlite_problem(exc: sqlite3.Error) -> str:
    """ "busy" (another process holds it), "unwritable" (disk full, read-only, I/O) or "damaged"."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in text:
        return "busy"
    if name.startswith(_DAMAGED) or any(word in text for word in ("malformed", "not a database")):
        return "damaged"
    if name.startswith(_UNWRITABLE) or any(word in text for word in _UNWRITABLE_WORDS):
        return "unwritable"
    return "damaged"


def _now_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


# Text search plans (JsonHistoryRepository._search_plan); costs in µs, measured at 100k sessions.
_SCAN, _SET, _NO_MATCH = "scan", "set", "none"
_SCAN_US_PER_ROW = 2.6  # one session looked up in the search table
_SET_US_PER_ROW = 0.3  # one row of the search table tested
_SET_US_PER_MATCH = 5.0  # one match joined to its session (and sorted)


def _text_only(query: SessionQuery) -> bool:
    return query == SessionQuery(
        text=query.text, sort_key=query.sort_key, descending=query.descending, offset=query.offset,
        limit=query.limit,
    )


def _like_pattern(needle: str) -> str:
    """A LIKE pattern matching ``needle`` anywhere. The search text and the needle are both lower
    case, so LIKE's ASCII case folding changes nothing: it is the same substring test as ``in``."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class JsonHistoryRepository:
    """:class:`~interview_desktop.storage.base.HistoryRepository` over a local folder (see module doc).

    Blocking; call it off the GUI thread. Safe to share between threads.
    """

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.sessions_dir = self.root / "sessions"
        self.quarantine_dir = self.root / "quarantine"
        self.index_path = self.root / INDEX_FILE
        self._file_lock = threading.RLock()  # session files (write, delete, quarantine)
        self._index_lock = threading.RLock()  # the SQLite connection
        self._match_counts: dict[tuple[str, int, int], int] = {}  # text search pre-counts (index lock)
        self._pending_lock = threading.Lock()  # _pending and _dir_mtime
        self._pending: dict[str, _Update] = {}
        self._dir_mtime: int | None = None  # sessions/ mtime the index is known to match
        self._db: sqlite3.Connection | None = None
        self._in_memory = False

    # ------------------------------------------------------------------ protocol

    def save(self, session: Session, *, durable: bool = True) -> None:
        """Write the session (idempotent upsert). A stored copy with a higher ``revision`` wins: the
        call then changes nothing. ``StorageError`` on disk full / permission problems; the previous
        file is then left as it was. ``durable=False`` skips the fsyncs (4x faster; for copies that
        can be fetched again, such as a pull): call :meth:`sync_to_disk` before relying on them."""
        sid = self._checked_id(session.id)
        doc = encode_session(session)
        validate_document(doc)  # never write what we would quarantine on reading
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode() + b"\n"
        path = self.sessions_dir / f"{sid}.json"
        with self._file_lock:
            stored = self._read_stored(path)
            if stored is not None and stored_copy_wins(stored, session):
                return
            try:
                self.sessions_dir.mkdir(parents=True, exist_ok=True)
                before = self._sessions_mtime()
                atomic_write_bytes(path, data, durable=durable)
                st = os.stat(path)
                after = self._sessions_mtime()
            except OSError as exc:
                raise StorageError(f"could not save the session: {describe_os_error(exc)}") from exc
            self._queue(sid, (self._row(doc, st), index_fields(doc)["search_text"]), before, after)
        self._apply_pending_if_free()

    def get(self, session_id: str) -> Session | None:
        if not self._is_safe_id(session_id):
            return None

        def decode(raw: Any) -> Session:
            session = session_from_document(raw)
            if session.id != session_id:
                raise InvalidSessionDocument(f"holds session {session.id!r}, not {session_id!r}")
            return session

        return self._load(self.sessions_dir / f"{session_id}.json", decode)

    def list(self, query: SessionQuery = _DEFAULT_QUERY) -> list[SessionSummary]:
        check_query(query)
        if query.limit == 0:
            return []
        column = _SORT_COLUMNS[query.sort_key]
        direction = "DESC" if query.descending else "ASC"

        def work(db: sqlite3.Connection) -> list[Any]:
            plan = self._search_plan(db, query, query.offset + query.limit)
            if plan == _NO_MATCH:
                return []
            source, where, params = self._where(query, plan)
            sql = (
                f"SELECT {_SUMMARY_COLUMNS} FROM {source} {where} "
                f"ORDER BY s.{column} {direction}, s.id {direction} LIMIT ? OFFSET ?"
            )
            return db.execute(sql, [*params, query.limit, query.offset]).fetchall()

        return [self._summary(row) for row in self._with_index(work)]

    def count(self, query: SessionQuery = _DEFAULT_QUERY, limit: int | None = None) -> int:
        check_query(query)
        cap = None if limit is None else max(0, int(limit))

        def work(db: sqlite3.Connection) -> int:
            plan = self._search_plan(db, query, cap)
            if plan == _NO_MATCH:
                return 0
            if plan == _SET and _text_only(query):  # the pre-count is the answer
                matches = self._text_matches(db, search_needle(query.text))
                return matches if cap is None else min(matches, cap)
            source, where, params = self._where(query, plan)
            if cap is None:
                sql = f"SELECT count(*) FROM {source} {where}"
            else:
                sql = f"SELECT count(*) FROM (SELECT 1 FROM {source} {where} LIMIT ?)"
                params = [*params, cap]
            return int(db.execute(sql, params).fetchone()[0])

        return self._with_index(work)

    def delete(self, session_id: str) -> bool:
        """Remove the session file and its recordings (``audio/<id>/``). True if the session existed."""
        if not self._is_safe_id(session_id):
            return False
        path = self.sessions_dir / f"{session_id}.json"
        with self._file_lock:
            try:
                before = self._sessions_mtime()
                os.unlink(path)
                existed = True
            except FileNotFoundError:
                existed = False
            except OSError as exc:
                raise StorageError(f"could not delete the session: {describe_os_error(exc)}") from exc
            if existed:
                fsync_dir(self.sessions_dir)
            self._queue(session_id, None, before, self._sessions_mtime())
            delete_recordings(self.root, session_id)
        self._apply_pending_if_free()
        return existed

    # ------------------------------------------------------------------ extras

    @staticmethod
    def sync_to_disk() -> None:
        """Make every ``durable=False`` save so far durable (``os.sync``: once per batch, not per file)."""
        os.sync()

    def rebuild_index(self) -> None:
        """Re-read every session file into the index (what a damaged index triggers on its own)."""

        def rebuild(db: sqlite3.Connection) -> None:
            with self._transaction(db):
                db.execute("DELETE FROM sessions")
                db.execute("DELETE FROM search")
            self._heal(db)

        self._with_index(rebuild)

    def verify_index(self) -> None:
        """Compare every session file's mtime and size with the index and re-read what differs."""
        self._with_index(self._heal)

    def close(self) -> None:
        with self._index_lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> JsonHistoryRepository:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ files

    @staticmethod
    def _is_safe_id(session_id: object) -> bool:
        return Session.is_valid_id(session_id)

    def _checked_id(self, session_id: str) -> str:
        if not self._is_safe_id(session_id):
            raise ValueError(f"session id {session_id!r:.80} is not a file name ([A-Za-z0-9_-]{{1,128}})")
        return session_id

    def _sessions_mtime(self) -> int | None:
        try:
            return os.stat(self.sessions_dir).st_mtime_ns
        except FileNotFoundError:
            return None

    def _read_stored(self, path: Path) -> dict[str, Any] | None:
        """The stored document at ``path`` (migrated, validated), None if absent or quarantined."""

        def decode(raw: Any) -> dict[str, Any]:
            doc = migrate_document(raw)
            validate_document(doc)
            return doc

        return self._load(path, decode)

    def _load(self, path: Path, decode: Callable[[Any], _T]) -> _T | None:
        """Read and decode a session file; a damaged one is quarantined and reads as absent."""
        try:
            st = os.stat(path)
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._quarantine(path, f"unreadable: {describe_os_error(exc)}", None)
            return None
        try:
            return decode(json.loads(data))
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, InvalidSessionDocument
            self._quarantine(path, str(exc), st)
            return None

    def _quarantine(self, path: Path, reason: str, seen: os.stat_result | None) -> None:
        """Move a damaged session file to quarantine/ (unless it was replaced since it was read)."""
        with self._file_lock:
            try:
                st = os.stat(path)
            except FileNotFoundError:
                return
            except OSError:
                st = None
            if (
                seen is not None
                and st is not None
                and (st.st_mtime_ns, st.st_size)
                != (
                    seen.st_mtime_ns,
                    seen.st_size,
                )
            ):
                return  # rewritten meanwhile (e.g. by save): not the file we judged
            target = self.quarantine_dir / f"{path.stem}.{_now_stamp()}{path.suffix}"
            try:
                self.quarantine_dir.mkdir(parents=True, exist_ok=True)
                before = self._sessions_mtime()
                os.replace(path, target)
            except OSError as exc:
                log.warning("damaged session file %s (%s) could not be moved aside: %s", path, reason, exc)
                return
            log.warning("moved damaged session file %s to %s: %s", path.name, target, reason)
            if Session.is_valid_id(path.stem):
                self._queue(path.stem, None, before, self._sessions_mtime())

    # ------------------------------------------------------------------ index

    def _queue(self, sid: str, update: _Update, before: int | None, after: int | None) -> None:
        """Record an index change made by this instance; the index applies it when next held."""
        with self._pending_lock:
            self._pending[sid] = update
            if self._dir_mtime is not None and self._dir_mtime == before:
                self._dir_mtime = after  # our own change; a foreign one in between keeps them unequal

    def _apply_pending_if_free(self) -> None:
        if not self._index_lock.acquire(blocking=False):
            return  # a list/rebuild holds the index; it applies our update when it is done
        try:
            if self._db is not None:
                self._apply_pending(self._db)
        except sqlite3.Error as exc:
            if _sqlite_problem(exc) == "busy":
                log.debug("history index busy; update kept for later: %s", exc)
            else:
                self._recover(exc)
        finally:
            self._index_lock.release()

    def _apply_pending(self, db: sqlite3.Connection) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return
        try:
            with self._transaction(db):
                for sid, update in pending.items():
                    if update is None:
                        db.execute("DELETE FROM sessions WHERE id = ?", (sid,))
                        db.execute("DELETE FROM search WHERE id = ?", (sid,))
                    else:
                        row, blob = update
                        db.execute(_UPSERT_SQL, row)
                        db.execute("INSERT OR REPLACE INTO search (id, blob) VALUES (?, ?)", (sid, blob))
        except BaseException:
            with self._pending_lock:  # put them back unless newer ones arrived
                for sid, update in pending.items():
                    self._pending.setdefault(sid, update)
            raise

    @staticmethod
    @contextlib.contextmanager
    def _transaction(db: sqlite3.Connection) -> Iterator[None]:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @staticmethod
    def _row(doc: Mapping[str, Any], st: os.stat_result) -> _Row:
        fields = index_fields(doc)
        return (
            doc["id"],
            str(doc.get("candidate") or ""),
            str(doc.get("role") or ""),
            iso_bound(from_iso(doc["started_at"])),  # type: ignore[arg-type]
            str(doc.get("status") or SessionStatus.IN_PROGRESS.value),
            fields["answer_count"],
            fields["overall_score"],
            int(doc.get("revision", 0)),
            doc.get("updated_at"),
            fields["candidate_key"],
            fields["role_key"],
            st.st_mtime_ns,
            # "racily clean" (as git calls it): a file changed again within the timestamp
            # granularity would keep this mtime; an impossible size makes the next check re-read it
            st.st_size if time.time_ns() - st.st_mtime_ns > _RACY_NS else -1,
        )

    @staticmethod
    def _summary(row: tuple[Any, ...]) -> SessionSummary:
        sid, candidate, role, started_at, status, answers, score, revision, updated_at = row
        return SessionSummary(
            id=sid,
            candidate=candidate,
            role=role,
            started_at=from_iso(started_at),  # type: ignore[arg-type]
            status=SessionStatus(status),
            answer_count=answers,
            overall_score=score,
            revision=revision,
            updated_at=from_iso(updated_at),
        )

    def _search_plan(self, db: sqlite3.Connection, query: SessionQuery, wanted: int | None) -> str:
        """How to apply a text search (see *Search* in the module doc): "" (no text), _NO_MATCH,
        _SCAN (walk the rows in sort order, look each one's text up: stops early, best when
        matches are common) or _SET (one pass over the search table, then join: best when rare)."""
        needle = search_needle(query.text)
        if not needle:
            return ""
        matches = self._text_matches(db, needle)
        if matches == 0:
            return _NO_MATCH
        if wanted is None:
            return _SET
        rows = db.execute("SELECT count(*) FROM sessions").fetchone()[0]
        scan_cost = _SCAN_US_PER_ROW * wanted * rows / matches
        set_cost = _SET_US_PER_ROW * rows + _SET_US_PER_MATCH * matches
        return _SCAN if scan_cost < set_cost else _SET

    def _text_matches(self, db: sqlite3.Connection, needle: str) -> int:
        """How many sessions' text contains ``needle``: one pass over the search table, remembered
        until the index changes (a search asks for a page and a count, then more pages)."""
        key = (needle, db.total_changes, id(db))
        cached = self._match_counts.get(key)
        if cached is None:
            cached = int(
                db.execute(
                    "SELECT count(*) FROM search WHERE blob LIKE ? ESCAPE '\\'", [_like_pattern(needle)]
                ).fetchone()[0]
            )
            if len(self._match_counts) >= 32:
                self._match_counts.clear()
            self._match_counts[key] = cached
        return cached

    @staticmethod
    def _where(query: SessionQuery, search_plan: str = _SCAN) -> tuple[str, str, list[Any]]:
        """FROM source, WHERE clause and parameters for ``query`` (rows are ``s``)."""
        source = "sessions s"
        clauses: list[str] = []
        params: list[Any] = []
        needle = search_needle(query.text)
        if needle and search_plan == _SET:
            source = "search t CROSS JOIN sessions s ON s.id = t.id"  # CROSS JOIN: search first
            clauses.append("t.blob LIKE ? ESCAPE '\\'")
            params.append(_like_pattern(needle))
        elif needle:
            clauses.append("EXISTS (SELECT 1 FROM search t WHERE t.id = s.id AND t.blob LIKE ? ESCAPE '\\')")
            params.append(_like_pattern(needle))
        if query.role is not None:
            clauses.append("s.role = ?")
            params.append(query.role)
        if query.status is not None:
            clauses.append("s.status = ?")
            params.append(SessionStatus(query.status).value)
        if query.started_from is not None:
            clauses.append("s.started_at >= ?")
            params.append(iso_bound(query.started_from))
        if query.started_to is not None:
            clauses.append("s.started_at <= ?")
            params.append(iso_bound(query.started_to))
        if query.score_min is not None:
            clauses.append("s.overall_score >= ?")
            params.append(float(query.score_min))
        if query.score_max is not None:
            clauses.append("s.overall_score <= ?")
            params.append(float(query.score_max))
        return source, ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    def _with_index(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work`` on the up-to-date index; a failing index is rebuilt once, then it is an error."""
        with self._index_lock:
            try:
                return work(self._ensure_index())
            except sqlite3.Error as exc:
                self._recover(exc)
            try:
                return work(self._ensure_index())
            except sqlite3.Error as exc:
                raise StorageError(f"could not read the history index: {exc}") from exc

    def _ensure_index(self) -> sqlite3.Connection:
        """The index, opened and verified on first use, with queued and foreign changes applied."""
        if self._db is None:
            self._db = self._open_index()
            self._heal(self._db)
        db = self._db
        self._apply_pending(db)
        current = self._sessions_mtime()
        with self._pending_lock:
            stale = current != self._dir_mtime
        if not stale and current is not None and time.time_ns() - current < _RACY_NS:
            # folder changed within the timestamp granularity: a foreign add/remove may hide behind
            # an unchanged mtime, so compare the number of files too (a name scan, no stat). Under
            # the file lock: a save of ours between its file and its queued row is not "foreign"
            # (during a pull that race made every list re-read the whole folder)
            with self._file_lock:
                self._apply_pending(db)
                indexed = db.execute("SELECT count(*) FROM sessions").fetchone()[0]
                stale = self._count_session_files() != indexed
        if stale:
            self._heal(db)
        return db

    def _count_session_files(self) -> int:
        try:
            with os.scandir(self.sessions_dir) as entries:
                return sum(1 for e in entries if e.name.endswith(".json"))
        except FileNotFoundError:
            return 0

    def _connect(self, target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=10.0)
        try:
            if target != ":memory:":
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # a cache: a lost last write is healed
                db.execute("PRAGMA cache_size=-32768")  # 32 MiB: rebuilds touch 8 indexes at once
            row = None
            with contextlib.suppress(sqlite3.OperationalError):  # no such table: a new index
                row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is not None and row[0] != INDEX_FORMAT:
                db.executescript("DROP TABLE IF EXISTS sessions; DROP TABLE IF EXISTS search;")
            db.executescript(_SCHEMA_SQL)
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?)", (INDEX_FORMAT,))
        except BaseException:
            db.close()
            raise
        return db

    def _open_index(self) -> sqlite3.Connection:
        if not self._in_memory:
            for attempt in (1, 2):
                try:
                    self.root.mkdir(parents=True, exist_ok=True)
                    return self._connect(str(self.index_path))
                except OSError as exc:
                    log.warning("cannot create history index %s (%s); using memory", self.index_path, exc)
                    break
                except sqlite3.Error as exc:
                    problem = _sqlite_problem(exc)
                    if problem == "busy":
                        raise StorageError(_BUSY_MESSAGE) from exc
                    if problem == "damaged" and attempt == 1 and self._remove_index_files():
                        log.warning("history index %s is damaged (%s); rebuilding it", self.index_path, exc)
                        continue
                    log.warning("cannot use history index %s (%s); using memory", self.index_path, exc)
                    break
            self._in_memory = True
        return self._connect(":memory:")

    def _remove_index_files(self) -> bool:
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self.index_path}{suffix}")
        except OSError as exc:
            log.warning("cannot remove history index %s: %s", self.index_path, exc)
            return False
        return True

    def _recover(self, exc: sqlite3.Error) -> None:
        """The index failed: drop the connection; the next use rebuilds it from the session files."""
        problem = _sqlite_problem(exc)
        if problem == "busy":
            raise StorageError(_BUSY_MESSAGE) from exc
        log.warning("history index failed (%s); rebuilding it from the session files", exc)
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        if self._in_memory:
            pass
        elif problem == "damaged":
            self._in_memory = not self._remove_index_files()
        else:  # disk full, read-only, I/O error: a file index cannot be kept up to date
            self._remove_index_files()
            self._in_memory = True
        with self._pending_lock:
            self._pending.clear()  # the rebuild compares every file with the (new) index anyway
            self._dir_mtime = None

    def _heal(self, db: sqlite3.Connection) -> None:
        """Make the index match sessions/: re-read new and changed files, drop vanished ones."""
        started = time.monotonic()
        dir_mtime = self._sessions_mtime()  # taken first: a change during the scan shows up next time
        rows = db.execute("SELECT id, mtime_ns, size FROM sessions")
        known = {sid: (mtime, size) for sid, mtime, size in rows}
        seen: set[str] = set()
        changed: list[tuple[str, Path, os.stat_result]] = []
        try:
            entries = list(os.scandir(self.sessions_dir))
        except FileNotFoundError:
            entries = []
        except OSError as exc:
            raise StorageError(f"could not read the history: {describe_os_error(exc)}") from exc
        for entry in entries:
            name = entry.name
            if name.endswith(".tmp") and name.startswith("."):
                self._remove_stale_temp(entry)
                continue
            if not name.endswith(".json") or not entry.is_file():
                continue
            sid = name[:-5]
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue
            except OSError as exc:
                log.warning("cannot stat session file %s: %s", entry.path, exc)
                continue
            if not Session.is_valid_id(sid):
                self._quarantine(Path(entry.path), "file name is not a session id", st)
                continue
            seen.add(sid)
            if known.get(sid) != (st.st_mtime_ns, st.st_size):
                changed.append((sid, Path(entry.path), st))
        vanished = known.keys() - seen
        if len(changed) > 1000:
            log.info("indexing %d session files in %s", len(changed), self.sessions_dir)
        with self._transaction(db):
            db.executemany("DELETE FROM sessions WHERE id = ?", ((sid,) for sid in vanished))
            db.executemany("DELETE FROM search WHERE id = ?", ((sid,) for sid in vanished))
        for start in range(0, len(changed), _BATCH):
            rows: list[_Row] = []
            blobs: list[tuple[str, str]] = []
            dropped: list[tuple[str]] = []
            for sid, path, st in changed[start : start + _BATCH]:
                doc = self._read_for_index(sid, path, st)
                if doc is None:
                    dropped.append((sid,))
                    continue
                rows.append(self._row(doc, st))
                blobs.append((sid, index_fields(doc)["search_text"]))
            with self._transaction(db):
                db.executemany(_UPSERT_SQL, rows)
                db.executemany("INSERT OR REPLACE INTO search (id, blob) VALUES (?, ?)", blobs)
                db.executemany("DELETE FROM sessions WHERE id = ?", dropped)
                db.executemany("DELETE FROM search WHERE id = ?", dropped)
        with self._pending_lock:
            self._dir_mtime = dir_mtime
        self._apply_pending(db)  # saves made during the scan win over what the scan read
        if changed or vanished:
            log.info(
                "history index updated: %d files read, %d removed, %d sessions, %.2f s",
                len(changed),
                len(vanished),
                len(seen),
                time.monotonic() - started,
            )

    def _read_for_index(self, sid: str, path: Path, st: os.stat_result) -> dict[str, Any] | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._quarantine(path, f"unreadable: {describe_os_error(exc)}", st)
            return None
        try:
            doc = migrate_document(json.loads(data))
            validate_document(doc)
            if doc["id"] != sid:
                raise InvalidSessionDocument(f"holds session {doc['id']!r:.80}, not {sid!r}")
        except ValueError as exc:
            self._quarantine(path, str(exc), st)
            return None
        return doc

    @staticmethod
    def _remove_stale_temp(entry: os.DirEntry[str]) -> None:
        try:
            if time.time() - entry.stat().st_mtime > _STALE_TEMP_S:
                os.unlink(entry.path)
        except OSError as exc:
            log.debug("cannot remove leftover temp file %s: %s", entry.path, exc)
