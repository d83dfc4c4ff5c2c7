"""The HistoryRepository contract, run against every store (JSON folder and MongoDB)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pymongo
import pytest

from interview_desktop.domain import SessionStatus
from interview_desktop.storage.base import (
    HistoryRepository,
    SessionQuery,
    SessionSummary,
    SortKey,
    StorageError,
)
from interview_desktop.storage.codec import encode_session
from interview_desktop.storage.json_store import JsonHistoryRepository
from interview_desktop.storage.mongo_store import MongoHistoryRepository
from tests.storage.factories import BASE_TIME, make_session, make_sessions

ALL = 10_000  # a limit larger than any test dataset


@pytest.fixture(params=["json", "mongo"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HistoryRepository]:
    data_dir = tmp_path / "data"
    if request.param == "json":
        store: Any = JsonHistoryRepository(data_dir)
    else:
        uri = request.getfixturevalue("mongo_uri")
        database = request.getfixturevalue("mongo_db_name")
        store = MongoHistoryRepository(uri, database=database, data_dir=data_dir)
    yield store
    store.close()


def put_raw(repo: HistoryRepository, doc: dict[str, Any], admin: pymongo.MongoClient | None = None) -> None:
    """Store a document behind the repository's back, as another program (or version) would."""
    if isinstance(repo, JsonHistoryRepository):
        repo.sessions_dir.mkdir(parents=True, exist_ok=True)
        (repo.sessions_dir / f"{doc['id']}.json").write_text(json.dumps(doc), encoding="utf-8")
    else:
        assert isinstance(repo, MongoHistoryRepository)
        repo._collection.replace_one({"_id": doc["id"]}, {**doc, "_id": doc["id"]}, upsert=True)


def ids(rows: list[SessionSummary]) -> list[str]:
    return [r.id for r in rows]


def save_all(repo: HistoryRepository, sessions: list[Any]) -> None:
    for s in sessions:
        repo.save(s)


# ------------------------------------------------------------------ round trip, upsert, revisions


def test_round_trip_is_equal_with_answers_words_and_report(repo: HistoryRepository) -> None:
    session = make_session(answer_count=4)
    assert any(a.transcript_words for a in session.answers) and session.report
    repo.save(session)
    back = repo.get(session.id)
    assert back == session
    assert back is not None and back.answers == session.answers
    assert encode_session(back) == encode_session(session)


def test_round_trip_of_edge_values(repo: HistoryRepository) -> None:
    session = make_session(
        candidate="Zoë O'Brien — “quoted” \\ back\\slash",
        role="",
        status=SessionStatus.IN_PROGRESS,
        answer_count=0,
        overall_score=None,
        revision=0,
        job_description="",
        extra={"future_field": {"nested": [1, 2.5, None, "x"]}},  # written by a newer app version
    )
    session = replace(session, updated_at=None, ended_at=None)
    repo.save(session)
    assert repo.get(session.id) == session


def test_get_missing_returns_none(repo: HistoryRepository) -> None:
    assert repo.get("0" * 32) is None
    assert repo.get("no-such-session") is None


def test_save_is_an_idempotent_upsert(repo: HistoryRepository) -> None:
    session = make_session()
    for _ in range(3):
        repo.save(session)
    assert repo.count() == 1
    assert ids(repo.list()) == [session.id]
    assert repo.get(session.id) == session


def test_save_with_a_new_revision_updates(repo: HistoryRepository) -> None:
    session = make_session(revision=1)
    repo.save(session)
    newer = replace(session.touched(), candidate="Ada King", status=SessionStatus.ABANDONED)
    newer = replace(newer, updated_at=session.updated_at + timedelta(minutes=1))
    repo.save(newer)
    assert repo.get(session.id) == newer
    assert [(r.candidate, r.status, r.revision) for r in repo.list()] == [
        ("Ada King", SessionStatus.ABANDONED, 2)
    ]


def test_older_revision_is_ignored(repo: HistoryRepository) -> None:
    current = make_session(revision=5, candidate="Current")
    repo.save(current)
    repo.save(replace(current, revision=4, candidate="Stale"))
    repo.save(replace(current, revision=0, candidate="Very stale"))
    assert repo.get(current.id) == current
    assert [r.candidate for r in repo.list()] == ["Current"]
    assert repo.count(SessionQuery(text="stale")) == 0


def test_equal_revision_is_the_same_write(repo: HistoryRepository) -> None:
    first = make_session(revision=3)
    repo.save(first)
    again = replace(first, candidate="Same revision, last writer")
    repo.save(again)
    assert repo.get(first.id) == again


def test_document_from_a_newer_version_is_read_and_not_overwritten(repo: HistoryRepository) -> None:
    doc = encode_session(make_session(revision=2))
    doc.update(schema_version=99, new_top_level={"a": 1})
    put_raw(repo, doc)
    got = repo.get(doc["id"])
    assert got is not None and got.extra == {"new_top_level": {"a": 1}} and got.revision == 2
    with pytest.raises(StorageError, match="newer version"):
        repo.save(got.touched())


# ------------------------------------------------------------------ listing and sorting


def test_default_list_is_newest_first(repo: HistoryRepository) -> None:
    sessions = make_sessions(12)
    save_all(repo, list(reversed(sessions)))
    expected = sorted(sessions, key=lambda s: s.started_at, reverse=True)
    assert ids(repo.list()) == [s.id for s in expected]


def test_list_returns_summaries(repo: HistoryRepository) -> None:
    sessions = make_sessions(6)
    save_all(repo, sessions)
    rows = repo.list()
    assert rows == [SessionSummary.of(s) for s in sorted(sessions, key=lambda s: s.started_at, reverse=True)]


def _sort_value(key: str, s: Any) -> Any:
    return {
        SortKey.STARTED_AT: lambda: s.started_at,
        SortKey.CANDIDATE: lambda: s.candidate.lower(),
        SortKey.ROLE: lambda: s.role.lower(),
        SortKey.STATUS: lambda: s.status.value,
        SortKey.ANSWERS: lambda: len(s.answers),
        SortKey.SCORE: lambda: (s.report or {}).get("overall_score"),
    }[key]()


def expected_order(sessions: list[Any], key: str, descending: bool) -> list[str]:
    """Documented order: by the key (None lowest; candidate/role case-insensitive), ties by id,
    both in the requested direction."""

    def sort_key(s: Any) -> tuple[Any, ...]:
        value = _sort_value(key, s)
        return (value is not None, value if value is not None else 0, s.id)

    return [s.id for s in sorted(sessions, key=sort_key, reverse=descending)]


@pytest.fixture
def dataset(repo: HistoryRepository) -> list[Any]:
    """40 varied sessions with ties in every sort key (and sessions without a score)."""
    sessions = make_sessions(36)
    # exact ties: same candidate / role / score / answers / started_at
    twin = sessions[0]
    sessions += [
        replace(twin, id=f"{'0' * 31}{i}", candidate=twin.candidate.upper() if i % 2 else twin.candidate)
        for i in range(4)
    ]
    save_all(repo, sessions)
    assert any(s.report is None for s in sessions)
    return sessions


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SortKey))
def test_every_sort_key_both_directions(
    repo: HistoryRepository, dataset: list[Any], key: str, descending: bool
) -> None:
    rows = repo.list(SessionQuery(sort_key=key, descending=descending, limit=ALL))
    assert ids(rows) == expected_order(dataset, key, descending)


@pytest.mark.parametrize("key", [SortKey.STARTED_AT, SortKey.SCORE, SortKey.CANDIDATE])
def test_paging_has_no_overlap_and_no_gap(repo: HistoryRepository, dataset: list[Any], key: str) -> None:
    pages: list[str] = []
    offset = 0
    while True:
        page = repo.list(SessionQuery(sort_key=key, offset=offset, limit=7))
        assert len(page) <= 7
        if not page:
            break
        pages += ids(page)
        offset += 7
    assert pages == expected_order(dataset, key, True)
    assert len(set(pages)) == len(dataset)
    assert repo.list(SessionQuery(offset=len(dataset))) == []
    assert repo.list(SessionQuery(limit=0)) == []


def test_bad_queries_are_refused(repo: HistoryRepository) -> None:
    with pytest.raises(ValueError, match="sort key"):
        repo.list(SessionQuery(sort_key="nonsense"))
    with pytest.raises(ValueError):
        repo.list(SessionQuery(offset=-1))
    with pytest.raises(ValueError):
        repo.count(SessionQuery(limit=-5))


# ------------------------------------------------------------------ search and filters


def test_text_search_in_candidate_role_and_answers(repo: HistoryRepository) -> None:
    a = make_session(candidate="Ada Lovelace", role="Backend engineer", answer_texts=["I love queues."])
    b = make_session(candidate="Grace Hopper", role="Compiler WRITER", answer_texts=["Nanoseconds matter."])
    c = make_session(
        candidate="Chloé Dubois", role="QA", answer_texts=["First answer.", "I used C++ (a lot) [really]?"]
    )
    d = make_session(candidate="Dee", role="Sales", answer_texts=["Sales grew 50% in Q3_2024 (C:\\temp)."])
    save_all(repo, [a, b, c, d])

    def found(text: str) -> set[str]:
        rows = repo.list(SessionQuery(text=text))
        assert repo.count(SessionQuery(text=text)) == len(rows)
        return set(ids(rows))

    assert found("lovelace") == {a.id}  # candidate, case-insensitive
    assert found("  HOPPER ") == {b.id}  # surrounding spaces ignored
    assert found("writer") == {b.id}  # role
    assert found("NANOSECONDS") == {b.id}  # answer text
    assert found("chloé") == found("CHLOÉ") == {c.id}  # non-ASCII case folding
    assert found("c++ (a lot) [really]?") == {c.id}  # regex characters are literal
    assert found(".*") == set()
    assert found("queues") == {a.id}
    assert found("50%") == found("q3_2024") == found("c:\\temp") == {d.id}  # LIKE/regex wildcards
    assert found("%") == found("_") == found("\\") == {d.id}  # are literal characters
    assert found("5_%") == found("g%w") == found("q3.2024") == set()
    assert found("e") == {a.id, b.id, c.id, d.id}
    assert found("") == {a.id, b.id, c.id, d.id}
    assert found("lovelace backend") == set()  # never matches across two fields
    assert found("tell me about") == set()  # question texts are not searched


def test_filters(repo: HistoryRepository, dataset: list[Any]) -> None:
    def check(query: SessionQuery, predicate: Callable[[Any], bool], *, empty: bool = False) -> None:
        newest_first = sorted(dataset, key=lambda s: (s.started_at, s.id), reverse=True)
        expected = [s.id for s in newest_first if predicate(s)]
        assert bool(expected) is not empty, "the dataset should exercise this filter"
        assert ids(repo.list(replace(query, limit=ALL))) == expected
        assert repo.count(query) == len(expected)

    role = dataset[3].role
    check(SessionQuery(role=role), lambda s: s.role == role)
    check(SessionQuery(role="Astronaut"), lambda s: False, empty=True)
    for status in SessionStatus:
        check(SessionQuery(status=status), lambda s, st=status: s.status is st)
    lo, hi = dataset[20].started_at, dataset[5].started_at  # bounds are inclusive
    check(SessionQuery(started_from=lo), lambda s: s.started_at >= lo)
    check(SessionQuery(started_to=hi), lambda s: s.started_at <= hi)
    check(SessionQuery(started_from=lo, started_to=hi), lambda s: lo <= s.started_at <= hi)

    def score(s: Any) -> float | None:
        return (s.report or {}).get("overall_score")

    mid = sorted(v for s in dataset if (v := score(s)) is not None)[len(dataset) // 4]
    check(SessionQuery(score_min=mid), lambda s: score(s) is not None and score(s) >= mid)
    check(SessionQuery(score_max=mid), lambda s: score(s) is not None and score(s) <= mid)
    check(
        SessionQuery(score_min=40, score_max=70.5), lambda s: score(s) is not None and 40 <= score(s) <= 70.5
    )
    check(
        SessionQuery(status=SessionStatus.COMPLETED, role=role, score_min=30, text="MENTORED"),
        lambda s: (
            s.status is SessionStatus.COMPLETED
            and s.role == role
            and (score(s) or 0) >= 30
            and any("mentored" in a.text.lower() for a in s.answers)
        ),
    )


def test_date_bounds_in_other_time_zones(repo: HistoryRepository) -> None:
    from datetime import timezone

    s = make_session(started_at=BASE_TIME)
    repo.save(s)
    plus_two = timezone(timedelta(hours=2))
    assert repo.count(SessionQuery(started_from=BASE_TIME.astimezone(plus_two))) == 1
    assert (
        repo.count(SessionQuery(started_from=(BASE_TIME + timedelta(milliseconds=1)).astimezone(plus_two)))
        == 0
    )
    assert repo.count(SessionQuery(started_to=BASE_TIME.astimezone(plus_two))) == 1


def test_count(repo: HistoryRepository) -> None:
    assert repo.count() == 0
    save_all(repo, make_sessions(9))
    assert repo.count() == 9
    assert repo.count(SessionQuery(limit=2, offset=3)) == 9  # paging does not change the count


def test_count_up_to_a_limit(repo: HistoryRepository, dataset: list[Any]) -> None:
    everything = repo.count()
    assert everything > 5
    assert repo.count(limit=5) == 5 and repo.count(limit=everything + 10) == everything
    assert repo.count(limit=0) == 0
    text = "mentored"
    matching = sum(text in " ".join(a.text for a in s.answers).lower() for s in dataset)
    assert 2 < matching < everything
    assert repo.count(SessionQuery(text=text), limit=2) == 2
    assert repo.count(SessionQuery(text=text), limit=1000) == matching == repo.count(SessionQuery(text=text))


# ------------------------------------------------------------------ delete


def test_delete(repo: HistoryRepository, tmp_path: Path) -> None:
    keep, gone = make_session(), make_session()
    save_all(repo, [keep, gone])
    audio = tmp_path / "data" / "audio" / gone.id
    audio.mkdir(parents=True)
    (audio / "0.wav").write_bytes(b"RIFF....WAVE")
    assert repo.delete(gone.id) is True
    assert repo.get(gone.id) is None
    assert not audio.exists()
    assert ids(repo.list()) == [keep.id]
    assert repo.count() == 1
    assert repo.delete(gone.id) is False
    assert repo.delete("no-such-session") is False
    repo.save(gone)  # saving again after a delete brings it back
    assert repo.count() == 2


# ------------------------------------------------------------------ threads


def test_saving_while_another_thread_lists(repo: HistoryRepository) -> None:
    sessions = make_sessions(40)
    errors: list[BaseException] = []
    done = threading.Event()

    def lister() -> None:
        try:
            while not done.is_set():
                repo.list(SessionQuery(text="a", limit=20))
                repo.count()
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    thread = threading.Thread(target=lister)
    thread.start()
    try:
        save_all(repo, sessions)
    finally:
        done.set()
        thread.join(timeout=60)
    assert not errors
    assert repo.count() == 40
    assert set(ids(repo.list(SessionQuery(limit=ALL)))) == {s.id for s in sessions}
