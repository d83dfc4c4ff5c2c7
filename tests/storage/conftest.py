"""Storage fixtures: the MongoDB-wire test server (one fresh database per test) and raw access."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest

MONGO_ENV = "INTERVIEW_TEST_MONGODB_URI"


@pytest.fixture(scope="session")
def mongo_uri() -> str:
    uri = os.environ.get(MONGO_ENV)
    if not uri:
        pytest.skip(
            f"{MONGO_ENV} is not set: start the test server with "
            '`eval "$(./scripts/test-services.sh start)"` (test.sh does it)'
        )
    return uri


@pytest.fixture(scope="session")
def mongo_admin(mongo_uri: str) -> Iterator[pymongo.MongoClient[dict[str, Any]]]:
    """A client of our own for raw reads/writes and dropping test databases."""
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        mongo_uri, serverSelectionTimeoutMS=5000
    )
    yield client
    client.close()


@pytest.fixture
def mongo_db_name(mongo_admin: pymongo.MongoClient[dict[str, Any]]) -> Iterator[str]:
    """A fresh database name, dropped after the test."""
    name = f"test_{uuid.uuid4().hex}"
    yield name
    mongo_admin.drop_database(name)
