"""MongoDB store specifics: masked addresses, server down, indexes, the stored document."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymongo
import pytest

from interview_desktop.storage.base import SessionQuery, SortKey, StorageError
from interview_desktop.storage.codec import encode_session
from interview_desktop.storage.json_store import JsonHistoryRepository
from interview_desktop.storage.mongo_store import (
    DERIVED_KEY,
    INDEX_NAMES,
    MongoHistoryRepository,
    mask_uri,
)
from tests.storage.factories import make_session, make_sessions

PASSWORD = "s3cr%40t-Pa55"  # URL-encoded "s3cr@t-Pa55"
DECODED = "s3cr@t-Pa55"


@pytest.mark.parametrize(
    ("uri", "masked"),
    [
        ("mongodb://localhost:27017", "mongodb://localhost:27017"),
        ("mongodb://bob:pw@db.example.com/team", "mongodb://bob:****@db.example.com/team"),
        ("mongodb://bob@db.example.com/team", "mongodb://bob@db.example.com/team"),
        (
            f"mongodb://bob:{PASSWORD}@h1:27017,h2:27018/x?replicaSet=rs0",
            "mongodb://bob:****@h1:27017,h2:27018/x?replicaSet=rs0",
        ),
        (
            "mongodb+srv://team:pw@cluster0.ab1cd.mongodb.net/?retryWrites=true",
            "mongodb+srv://team:****@cluster0.ab1cd.mongodb.net/?retryWrites=true",
        ),
        ("mongodb://u:p@h/db?appName=me@laptop", "mongodb://u:****@h/db?appName=me@laptop"),
        # malformed (unescaped) passwords are still hidden
        ("mongodb://u:p@ss@h:1/db", "mongodb://u:****@h:1/db"),
        ("mongodb://u:pa/ss@h", "mongodb://u:****@h"),
        ("mongodb://u:pa?ss@h", "mongodb://u:****@h"),
        ("mongodb://:onlypw@h", "mongodb://:****@h"),
        (
            "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=kp&authMechanismProperties=AWS_SESSION_TOKEN:tk",
            "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=****&authMechanismProperties=****",
        ),
    ],
)
def test_mask_uri(uri: str, masked: str) -> None:
    assert mask_uri(uri) == masked


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "call", ["save", "get", "list", "count", "delete", "ensure_indexes", "ping", "probe"]
)
def test_server_down_is_a_fast_storage_error_without_the_password(
    call: str, caplog: pytest.LogCaptureFixture
) -> None:
    uri = f"mongodb://recruiter:{PASSWORD}@127.0.0.1:{closed_port()}/interview_desktop"
    repo = MongoHistoryRepository(uri, server_selection_timeout_ms=400)
    caplog.set_level(logging.DEBUG)
    args: dict[str, tuple[Any, ...]] = {"save": (make_session(),), "get": ("x",), "delete": ("x",)}
    started = time.monotonic()
    try:
        with pytest.raises(StorageError) as caught:
            getattr(repo, call)(*args.get(call, ()))
    finally:
        repo.close()
    assert time.monotonic() - started < 3
    message = str(caught.value)
    assert "not reachable" in message
    assert "recruiter:****@127.0.0.1" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    for text in (message, caplog.text):
        assert PASSWORD not in text and DECODED not in text


def test_invalid_address_is_a_storage_error_without_the_password() -> None:
    with pytest.raises(StorageError, match="not valid") as caught:
        MongoHistoryRepository("mongodb://bob:my@secret@/")
    assert "my@secret" not in str(caught.value) and "secret" not in str(caught.value)
    with pytest.raises(StorageError, match="not valid"):
        MongoHistoryRepository("http://example.com")
    with pytest.raises(StorageError, match="name is not valid"):
        MongoHistoryRepository("mongodb://127.0.0.1:1", database="bad name.with dot")


@pytest.fixture
def repo(mongo_uri: str, mongo_db_name: str) -> Iterator[MongoHistoryRepository]:
    store = MongoHistoryRepository(mongo_uri, database=mongo_db_name)
    yield store
    store.close()


@pytest.fixture
def raw(mongo_admin: pymongo.MongoClient, mongo_db_name: str) -> pymongo.collection.Collection:
    return mongo_admin[mongo_db_name]["sessions"]


def test_indexes_exist_after_first_use(repo: MongoHistoryRepository, raw: Any) -> None:
    repo.count()
    info = raw.index_information()
    assert set(INDEX_NAMES) <= set(info)
    keys = {tuple(k for k, _ in spec["key"]) for spec in info.values()}
    for field in ("started_at", "status", "role", "updated_at", "report.overall_score", "candidate"):
        assert any(field in k for k in keys), field
    for derived in ("answer_count", "overall_score", "candidate_key", "role_key"):
        assert (f"{DERIVED_KEY}.{derived}", "_id") in keys
    assert ("status", "started_at", "_id") in keys and ("role", "started_at", "_id") in keys
    repo.ensure_indexes()  # idempotent


@pytest.mark.parametrize("key", list(SortKey))
def test_every_sort_uses_an_index(repo: MongoHistoryRepository, raw: Any, key: str) -> None:
    for s in make_sessions(5):
        repo.save(s)
    from interview_desktop.storage.mongo_store import _SORT_FIELDS

    plan = raw.find({}).sort([(_SORT_FIELDS[key], -1), ("_id", -1)]).limit(100).explain()
    assert "IXSCAN" in json.dumps(plan.get("queryPlanner", plan), default=str)


def test_stored_document_is_the_json_document_plus_id_and_derived(
    repo: MongoHistoryRepository, raw: Any, tmp_path: Path
) -> None:
    session = make_session(candidate="Ada LOVELACE", answer_texts=["Queues, mostly.", "And Caches."])
    repo.save(session)
    stored = raw.find_one({"_id": session.id})
    derived = stored.pop(DERIVED_KEY)
    assert stored.pop("_id") == session.id
    with JsonHistoryRepository(tmp_path / "data") as local:
        local.save(session)
        on_disk = json.loads((local.sessions_dir / f"{session.id}.json").read_text(encoding="utf-8"))
    assert stored == on_disk == encode_session(session)  # the same document in both stores
    assert derived == {
        "answer_count": 2,
        "overall_score": 72.5,
        "candidate_key": "ada lovelace",
        "role_key": "backend engineer",
        "search_text": "ada lovelace\x1fbackend engineer\x1fqueues, mostly.\x1fand caches.",
    }
    got = repo.get(session.id)
    assert got is not None and DERIVED_KEY not in got.extra and got.extra == {}


def test_damaged_document_get_is_a_storage_error_and_list_skips_it(
    repo: MongoHistoryRepository, raw: Any, caplog: pytest.LogCaptureFixture
) -> None:
    good = make_session()
    repo.save(good)
    raw.insert_one({"_id": "broken", "id": "broken", "status": "completed", "started_at": "not a date"})
    caplog.set_level(logging.WARNING, logger="interview_desktop.storage")
    with pytest.raises(StorageError, match="damaged"):
        repo.get("broken")
    assert [r.id for r in repo.list(SessionQuery(sort_key=SortKey.STATUS))] == [good.id]
    assert any("broken" in r.getMessage() for r in caplog.records)


def test_writes_are_journaled(repo: MongoHistoryRepository) -> None:
    wc = repo._collection.write_concern
    assert wc.document == {"w": "majority", "j": True}


def test_client_can_be_injected(mongo_uri: str, mongo_db_name: str) -> None:
    client: pymongo.MongoClient = pymongo.MongoClient(mongo_uri)
    try:
        repo = MongoHistoryRepository(mongo_uri, database=mongo_db_name, client=client)
        repo.save(make_session())
        repo.close()  # does not close a client it did not create
        assert client[mongo_db_name]["sessions"].count_documents({}) == 1
    finally:
        client.close()


def test_probe_answers_on_a_live_server_and_creates_the_indexes(mongo_uri: str, mongo_db_name: str) -> None:
    with MongoHistoryRepository(mongo_uri, database=mongo_db_name) as repo:
        assert repo.probe() is None
        with pymongo.MongoClient(mongo_uri) as client:
            names = {ix["name"] for ix in client[mongo_db_name]["sessions"].list_indexes()}
            tombstone_names = {ix["name"] for ix in client[mongo_db_name]["sessions_deleted"].list_indexes()}
        assert set(INDEX_NAMES) <= names and "deleted_at" in tombstone_names


def test_time_limits_in_the_address_are_kept() -> None:
    plain = MongoHistoryRepository("mongodb://127.0.0.1:1/", server_selection_timeout_ms=400)
    tuned = MongoHistoryRepository(
        "mongodb://127.0.0.1:1/?connectTimeoutMS=90000&socketTimeoutMS=600000",
        server_selection_timeout_ms=400,
    )
    try:
        assert plain._client.options.pool_options.connect_timeout == 0.4
        assert plain._client.options.server_selection_timeout == 0.4
        assert tuned._client.options.pool_options.connect_timeout == 90.0
        assert tuned._client.options.pool_options.socket_timeout == 600.0
        assert tuned._client.options.server_selection_timeout == 0.4  # not in the address: ours
    finally:
        plain.close()
        tuned.close()
