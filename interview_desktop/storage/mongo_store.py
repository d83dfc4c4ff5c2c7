"""Shared history in MongoDB: the same session document as the JSON store (plus ``_id`` and the
``_derived`` sort/search fields), tombstones for deletions, journaled majority writes and
revision-guarded upserts. Every method blocks: call them off the GUI thread. Details: docs/storage.md.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, MongoClient, WriteConcern
from pymongo.collection import Collection
from pymongo.errors import (
    ConfigurationError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    InvalidName,
    NetworkTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WTimeoutError,
)

from interview_desktop.domain import SCHEMA_VERSION, Session, SessionStatus, from_iso, to_iso, utc_now
from interview_desktop.storage.base import (
    SessionQuery,
    SessionSummary,
    SortKey,
    StorageError,
    StorageUnreachable,
    delete_recordings,
)
from interview_desktop.storage.codec import encode_session
from interview_desktop.storage.schema import (
    InvalidSessionDocument,
    check_query,
    index_fields,
    iso_bound,
    search_needle,
    session_from_document,
    stored_copy_wins,
    validate_document,
)

log = logging.getLogger("interview_desktop.storage")

DERIVED_KEY = "_derived"
_DEFAULT_QUERY = SessionQuery()
_AUTH_CODES = {18, 13, 11}  # AuthenticationFailed, Unauthorized, UserNotFound
_SECRET_PARAMS = ("password", "secret", "token", "authmechanismproperties")

_SORT_FIELDS = {
    SortKey.STARTED_AT: "started_at",
    SortKey.CANDIDATE: f"{DERIVED_KEY}.candidate_key",
    SortKey.ROLE: f"{DERIVED_KEY}.role_key",
    SortKey.STATUS: "status",
    SortKey.ANSWERS: f"{DERIVED_KEY}.answer_count",
    SortKey.SCORE: f"{DERIVED_KEY}.overall_score",
}

_SUMMARY_PROJECTION = {
    "_id": 0,
    "id": 1,
    "candidate": 1,
    "role": 1,
    "started_at": 1,
    "status": 1,
    "revision": 1,
    "updated_at": 1,
    f"{DERIVED_KEY}.answer_count": 1,
    f"{DERIVED_KEY}.overall_score": 1,
}


def _index_models() -> list[IndexModel]:
    """One index per sort key (with ``_id`` as the tiebreak) and per common filter + default sort."""
    models = [
        IndexModel([(field, ASCENDING), ("_id", ASCENDING)], name=f"sort_{key}")
        for key, field in _SORT_FIELDS.items()
    ]
    models += [
        IndexModel([("role", ASCENDING), ("started_at", ASCENDING), ("_id", ASCENDING)], name="role_started"),
        IndexModel(
            [("status", ASCENDING), ("started_at", ASCENDING), ("_id", ASCENDING)], name="status_started"
        ),
        IndexModel([("candidate", ASCENDING)], name="candidate"),
        IndexModel([("updated_at", ASCENDING)], name="updated_at"),  # for sync: "changed since"
        IndexModel([("report.overall_score", ASCENDING)], name="report_overall_score"),
    ]
    return models


INDEX_NAMES = tuple(m.document["name"] for m in _index_models())
_TOMBSTONE_INDEX = IndexModel([("deleted_at", ASCENDING), ("_id", ASCENDING)], name="deleted_at")


@dataclass(frozen=True)
class ChangedSession:
    """One entry of the change feed: ``session`` is None when the stored document is damaged."""

    id: str
    updated_at: str | None
    session: Session | None


@dataclass(frozen=True)
class Tombstone:
    id: str
    deleted_at: str


def mask_uri(uri: str) -> str:
    """``uri`` with the password (and secret options) replaced by ``****``: safe to show and log.

    ``mongodb://user:pass@host/db`` → ``mongodb://user:****@host/db``. Errs on the side of masking
    too much when the address is malformed (an unescaped ``@`` or ``/`` in the password).
    """
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return "****" if "@" in uri else uri
    question = rest.find("?")
    at = rest.rfind("@", 0, question) if question >= 0 else -1
    if at < 0:
        at = rest.rfind("@")
    if at >= 0:
        userinfo, hosts = rest[:at], rest[at + 1 :]
        user, colon, _password = userinfo.partition(":")
        rest = f"{user}:****@{hosts}" if colon else f"{user}@{hosts}"
    base, qsep, query = rest.partition("?")
    if qsep:
        params = []
        for part in query.split("&"):
            key, eq, _value = part.partition("=")
            secret = any(word in key.lower() for word in _SECRET_PARAMS)
            params.append(f"{key}=****" if eq and secret else part)
        rest = f"{base}?{'&'.join(params)}"
    return f"{scheme}://{rest}"


def _secrets_of(uri: str) -> list[str]:
    """The raw and decoded password of ``uri`` (to scrub them from server error texts)."""
    _scheme, _sep, rest = uri.partition("://")
    userinfo = rest.rpartition("@")[0]
    password = userinfo.partition(":")[2]
    found = {password, urllib.parse.unquote_plus(password)} - {""}
    return sorted(found, key=len, reverse=True)


def _timeouts_not_in(uri: str, selection_ms: int) -> dict[str, int]:
    """Short time limits so a dead server is noticed fast, except those the address sets itself
    (``?connectTimeoutMS=…``: a slow link or a busy server; pymongo lets keyword arguments win)."""
    defaults = {
        "serverSelectionTimeoutMS": selection_ms,
        "connectTimeoutMS": selection_ms,  # also the limit of pymongo's heartbeat
        "socketTimeoutMS": max(30_000, selection_ms),
    }
    _base, _sep, query = uri.partition("?")
    given = {part.partition("=")[0].lower() for part in query.split("&") if part}
    return {key: value for key, value in defaults.items() if key.lower() not in given}


def to_mongo_document(session: Session) -> dict[str, Any]:
    """The stored form of ``session``: its document + ``_id`` + ``_derived`` (also for bulk loads)."""
    doc = encode_session(session)
    validate_document(doc)
    # the same document must be storable by the JSON store: fail here (a bug) on NaN, dates, bytes …
    json.dumps(doc, allow_nan=False)
    fields = index_fields(doc)
    doc["_id"] = session.id
    doc[DERIVED_KEY] = {
        "answer_count": fields["answer_count"],
        "overall_score": fields["overall_score"],
        "candidate_key": fields["candidate_key"],
        "role_key": fields["role_key"],
        "search_text": fields["search_text"],
    }
    return doc


def from_mongo_document(stored: Mapping[str, Any]) -> Session:
    """Strip ``_id`` and ``_derived`` and decode (``InvalidSessionDocument`` if damaged)."""
    doc = {k: v for k, v in stored.items() if k not in ("_id", DERIVED_KEY)}
    return session_from_document(doc)


class MongoHistoryRepository:
    """:class:`~interview_desktop.storage.base.HistoryRepository` over a MongoDB collection."""

    name = "mongodb"

    def __init__(
        self,
        uri: str,
        database: str = "interview_desktop",
        collection: str = "sessions",
        server_selection_timeout_ms: int = 3000,
        client: MongoClient[dict[str, Any]] | None = None,
        *,
        data_dir: Path | None = None,
    ) -> None:
        """Does not contact the server (the first call does). ``data_dir``: the local data folder;
        when given, ``delete`` also removes this machine's recordings ``data_dir/audio/<id>/``."""
        self.address = mask_uri(uri)
        self.feed = f"{self.address}/{database}.{collection}"  # names this history (sync watermarks)
        self._secrets = _secrets_of(uri)
        self._data_dir = data_dir
        self._owns_client = client is None
        if client is None:
            try:
                client = MongoClient(
                    uri,
                    **_timeouts_not_in(uri, server_selection_timeout_ms),
                    appname="interview-desktop",
                    connect=False,
                )
            except (ConfigurationError, ValueError, TypeError) as exc:
                log.warning("invalid MongoDB address %s: %s", self.address, self._scrub(exc))
                raise StorageError(
                    f"the MongoDB address is not valid: {self.address} ({self._scrub(exc)})"
                ) from None
        self._client = client
        try:
            self._collection: Collection[dict[str, Any]] = client[database].get_collection(
                collection, write_concern=WriteConcern(w="majority", j=True)
            )
        except InvalidName as exc:
            if self._owns_client:
                client.close()
            raise StorageError(f"the MongoDB database or collection name is not valid: {exc}") from None
        self._tombstones: Collection[dict[str, Any]] = self._collection.database.get_collection(
            f"{collection}_deleted", write_concern=WriteConcern(w="majority", j=True)
        )
        self._lock = threading.Lock()
        self._indexes_ready = False

    # ------------------------------------------------------------------ protocol

    def save(self, session: Session) -> None:
        """Upsert. A stored copy with a higher ``revision`` is kept (this call then changes nothing);
        an equal revision is overwritten (the same write, repeated)."""
        doc = to_mongo_document(session)
        with self._errors("save the session"):
            col = self._ready()
            for _attempt in (1, 2):
                guard = {
                    "_id": session.id,
                    "revision": {"$not": {"$gt": session.revision}},
                    "schema_version": {"$not": {"$gt": SCHEMA_VERSION}},
                }
                try:
                    col.replace_one(guard, doc, upsert=True)
                    return
                except DuplicateKeyError:
                    # the id exists but the guard did not match: newer revision or newer schema
                    stored = col.find_one({"_id": session.id}, {"revision": 1, "schema_version": 1})
                if stored is None:
                    continue  # deleted in between: insert again
                if stored_copy_wins(stored, session):
                    return
                # equal or lower and yet no match: a concurrent insert of the same id; try once more
        raise StorageError("could not save the session: it kept changing on the server; try again")

    def get(self, session_id: str) -> Session | None:
        with self._errors("load the session"):
            stored = self._ready().find_one({"_id": session_id}, {DERIVED_KEY: 0})
        if stored is None:
            return None
        try:
            return from_mongo_document(stored)
        except InvalidSessionDocument as exc:
            log.warning("session %s in %s is damaged: %s", session_id, self.address, exc)
            raise StorageError(
                "could not open the session: its record in the shared history is damaged"
            ) from exc

    def list(self, query: SessionQuery = _DEFAULT_QUERY) -> list[SessionSummary]:
        check_query(query)
        if query.limit == 0:
            return []
        direction = DESCENDING if query.descending else ASCENDING
        sort = [(_SORT_FIELDS[query.sort_key], direction), ("_id", direction)]
        with self._errors("load the history"):
            cursor = (
                self._ready()
                .find(self._filter(query), _SUMMARY_PROJECTION)
                .sort(sort)
                .skip(query.offset)
                .limit(query.limit)
            )
            rows = list(cursor)
        out = []
        for row in rows:
            try:
                out.append(self._summary(row))
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("skipping damaged session %r in %s: %s", row.get("id"), self.address, exc)
        return out

    def count(self, query: SessionQuery = _DEFAULT_QUERY, limit: int | None = None) -> int:
        check_query(query)
        if limit is not None and limit <= 0:
            return 0
        options = {"limit": int(limit)} if limit is not None else {}
        with self._errors("count the sessions"):
            return int(self._ready().count_documents(self._filter(query), **options))

    def delete(self, session_id: str) -> bool:
        """Delete the session (and this machine's recordings of it); the tombstone is written first,
        so a failure half-way is repeated whole by the next try."""
        with self._errors("delete the session"):
            col = self._ready()
            tombstone = {"_id": session_id, "deleted_at": to_iso(utc_now())}
            self._tombstones.replace_one({"_id": session_id}, tombstone, upsert=True)
            deleted = col.delete_one({"_id": session_id}).deleted_count == 1
        if self._data_dir is not None and Session.is_valid_id(session_id):
            delete_recordings(self._data_dir, session_id)
        return deleted

    # ------------------------------------------------------------------ change feed

    def changed_since(self, since: str | None, batch_size: int = 500) -> Iterator[ChangedSession]:
        """Sessions whose ``updated_at`` is ``since`` or later, oldest change first (then by id),
        streamed in batches. ``since=None``: every session, in no particular order (no sort, so the
        first ones arrive at once however large the history). Raises StorageError while iterating."""
        with self._errors("read the team's changes"):
            cursor = self._ready().find(
                {} if since is None else {"updated_at": {"$gte": since}}, {DERIVED_KEY: 0}
            )
            if since is not None:
                cursor = cursor.sort([("updated_at", ASCENDING), ("_id", ASCENDING)])
            cursor = cursor.batch_size(batch_size)
            try:
                for stored in cursor:
                    sid = str(stored.get("_id"))
                    updated = stored.get("updated_at")
                    try:
                        session: Session | None = from_mongo_document(stored)
                    except InvalidSessionDocument as exc:
                        log.warning("session %s in %s is damaged: %s", sid, self.address, exc)
                        session = None
                    yield ChangedSession(sid, updated if isinstance(updated, str) else None, session)
            finally:
                cursor.close()

    def deletions_since(self, since: str | None, batch_size: int = 1000) -> Iterator[Tombstone]:
        """Tombstones of sessions deleted at ``since`` or later (all for None), oldest first."""
        query: dict[str, Any] = {} if since is None else {"deleted_at": {"$gte": since}}
        with self._errors("read the team's deletions"):
            self._ready()
            cursor = self._tombstones.find(query).sort([("deleted_at", ASCENDING), ("_id", ASCENDING)])
            try:
                for stored in cursor.batch_size(batch_size):
                    deleted_at = stored.get("deleted_at")
                    if isinstance(deleted_at, str):
                        yield Tombstone(str(stored["_id"]), deleted_at)
            finally:
                cursor.close()

    # ------------------------------------------------------------------ extras

    def ensure_indexes(self) -> None:
        """Create the indexes every sort and filter uses (idempotent; the first call does it)."""
        with self._errors("prepare the history database"):
            self._create_indexes()
        self._indexes_ready = True

    def probe(self) -> None:
        """Raise StorageError unless the server answers and lets us read the history: one lookup by
        ``_id`` (cheap on any server and any collection size; a sorted query is not)."""
        with self._errors("reach the history server"):
            self._ready().find_one({"_id": ""}, {"_id": 1})

    def ping(self) -> None:
        """Raise StorageError unless the server answers (for a "Test connection" button)."""
        with self._errors("reach the history server"):
            self._client.admin.command("ping")

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> MongoHistoryRepository:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers

    def _ready(self) -> Collection[dict[str, Any]]:
        if not self._indexes_ready:
            with self._lock:
                if not self._indexes_ready:
                    self._create_indexes()
                    self._indexes_ready = True
        return self._collection

    def _create_indexes(self) -> None:
        self._collection.create_indexes(_index_models())
        self._tombstones.create_indexes([_TOMBSTONE_INDEX])

    @staticmethod
    def _filter(query: SessionQuery) -> dict[str, Any]:
        f: dict[str, Any] = {}
        needle = search_needle(query.text)
        if needle:
            f[f"{DERIVED_KEY}.search_text"] = {"$regex": re.escape(needle)}
        if query.role is not None:
            f["role"] = query.role
        if query.status is not None:
            f["status"] = SessionStatus(query.status).value
        started: dict[str, str] = {}
        if query.started_from is not None:
            started["$gte"] = iso_bound(query.started_from)
        if query.started_to is not None:
            started["$lte"] = iso_bound(query.started_to)
        if started:
            f["started_at"] = started
        score: dict[str, float] = {}
        if query.score_min is not None:
            score["$gte"] = float(query.score_min)
        if query.score_max is not None:
            score["$lte"] = float(query.score_max)
        if score:
            f[f"{DERIVED_KEY}.overall_score"] = score
        return f

    @staticmethod
    def _summary(row: Mapping[str, Any]) -> SessionSummary:
        derived = row.get(DERIVED_KEY) or {}
        score = derived.get("overall_score")
        return SessionSummary(
            id=str(row["id"]),
            candidate=str(row.get("candidate", "")),
            role=str(row.get("role", "")),
            started_at=from_iso(row["started_at"]),  # type: ignore[arg-type]
            status=SessionStatus(row.get("status", "in_progress")),
            answer_count=int(derived.get("answer_count", 0)),
            overall_score=float(score) if score is not None else None,
            revision=int(row.get("revision", 0)),
            updated_at=from_iso(row.get("updated_at")),
        )

    def _scrub(self, exc: BaseException | str) -> str:
        text = str(exc)
        for secret in self._secrets:
            text = text.replace(secret, "****")
        return text

    @contextlib.contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn the driver's known failures into StorageError, in plain words, password masked."""
        try:
            yield
        except StorageError:
            raise
        except (ServerSelectionTimeoutError, ConnectionFailure) as exc:
            timed_out = isinstance(exc, NetworkTimeout) and not isinstance(exc, ServerSelectionTimeoutError)
            log.warning("MongoDB: could not %s at %s: %s", action, self.address, self._scrub(exc))
            problem = "did not answer in time" if timed_out else "is not reachable (is it running?)"
            message = f"could not {action}: the history server {self.address} {problem}"
            raise StorageUnreachable(message) from None
        except OperationFailure as exc:
            log.warning("MongoDB: could not %s at %s: %s", action, self.address, self._scrub(exc))
            if exc.code in _AUTH_CODES:
                message = (
                    f"could not {action}: the history server {self.address} refused the user name "
                    "or password (or the user may not use this database)"
                )
            elif isinstance(exc, (ExecutionTimeout, WTimeoutError)):
                raise StorageUnreachable(
                    f"could not {action}: the history server {self.address} did not answer in time"
                ) from None
            else:
                reason = (exc.details or {}).get("errmsg") or str(exc)
                message = f"could not {action}: the history server reported: {self._scrub(reason)}"
        except PyMongoError as exc:
            log.warning("MongoDB: could not %s at %s: %s", action, self.address, self._scrub(exc))
            message = f"could not {action}: {self._scrub(exc)}"
        else:
            return
        raise StorageError(message) from None
