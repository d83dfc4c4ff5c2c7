"""History store benchmark: how fast is the History tab with N sessions?

Generates N synthetic sessions (tests/storage/factories.py) into a temporary JSON store and, when a
MongoDB URI is given (``--mongo-uri`` or INTERVIEW_TEST_MONGODB_URI), into a fresh database; then
measures the median of: first page (100, newest first), text search first page (common, rare and
no-match terms), page at offset N/2, count, count with a search, get, and save latency (the real
``save``, fsync / j=True included). For MongoDB also the sync pull: a new desktop's first pull of
the whole shared history into an empty local store, then one change (what the History tab reads
with a MongoDB address configured: the local store, kept current by the pull).
Setup is bulk (files written without fsync, ``insert_many``),
not timed as saves. Writes bench/results/history.json and prints a summary.

    .venv/bin/python bench/history_bench.py --n 100000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pymongo  # noqa: E402

from interview_desktop.domain import utc_now  # noqa: E402
from interview_desktop.storage.base import SessionQuery  # noqa: E402
from interview_desktop.storage.codec import encode_session  # noqa: E402
from interview_desktop.storage.json_store import JsonHistoryRepository  # noqa: E402
from interview_desktop.storage.mongo_store import MongoHistoryRepository, mask_uri, to_mongo_document  # noqa: E402
from interview_desktop.storage.sync import SyncingRepository  # noqa: E402
from tests.storage.factories import iter_sessions, make_session  # noqa: E402

SEARCHES = {"search_common": "mentored", "search_rare": "zahra", "search_none": "xyzzy"}


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    return round(statistics.median(timed(fn) for _ in range(repeat)) * 1000, 2)


def cold(repo: Any, fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` as a new search runs it: the JSON store's remembered match counts forgotten first."""

    def run() -> Any:
        getattr(repo, "_match_counts", {}).clear()
        return fn()

    return run


def tab_search(repo: Any, text: str) -> int:
    """What the History tab asks for a search (HistoryService): the first page, then a count up to
    1,000 when the page is full."""
    query = SessionQuery(text=text, limit=100)
    rows = repo.list(query)
    return len(rows) if len(rows) < query.limit else repo.count(query, limit=1000)


def measure_queries(repo: Any, n: int, repeat: int) -> dict[str, float]:
    out = {
        "first_page_ms": median_ms(lambda: repo.list(SessionQuery(limit=100)), repeat),
        "first_page_by_score_ms": median_ms(
            lambda: repo.list(SessionQuery(sort_key="overall_score", limit=100)), repeat
        ),
        "page_at_half_ms": median_ms(lambda: repo.list(SessionQuery(offset=n // 2, limit=100)), repeat),
        "count_ms": median_ms(repo.count, repeat),
        "count_search_common_ms": median_ms(
            cold(repo, lambda: repo.count(SessionQuery(text="mentored"))), repeat
        ),
        "filter_status_role_first_page_ms": median_ms(
            lambda: repo.list(SessionQuery(status="completed", role="Data analyst", limit=100)), repeat
        ),
    }
    for name, text in SEARCHES.items():
        out[f"{name}_first_page_ms"] = median_ms(
            cold(repo, lambda t=text: repo.list(SessionQuery(text=t, limit=100))), repeat
        )
        out[f"{name}_tab_ms"] = median_ms(cold(repo, lambda t=text: tab_search(repo, t)), repeat)
    ids = [r.id for r in repo.list(SessionQuery(limit=repeat))]
    out["get_ms"] = round(statistics.median(timed(lambda i=i: repo.get(i)) for i in ids) * 1000, 2)
    return out


def measure_saves(repo: Any, count: int) -> dict[str, float]:
    times = sorted(timed(lambda: repo.save(make_session())) for _ in range(count))
    return {
        "save_median_ms": round(statistics.median(times) * 1000, 2),
        "save_p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 2),
    }


def measure_pull(remote: MongoHistoryRepository, args: argparse.Namespace) -> dict[str, Any]:
    """A new desktop joins: its first pull copies the whole shared history into an empty local
    store; then another desktop saves one session and the next pull brings it (median)."""
    base = Path(tempfile.mkdtemp(prefix="history-pull-", dir=args.tmp_dir))
    try:
        repo = SyncingRepository(JsonHistoryRepository(base / "data"), remote, base / "outbox")
        started = time.perf_counter()
        first = repo.pull()
        full_s = time.perf_counter() - started
        assert first.complete, first
        out: dict[str, Any] = {
            "pull_first_s": round(full_s, 1),
            "pull_first_sessions": first.pulled,
            "pull_first_per_s": round(first.pulled / full_s),
        }
        times = []
        for _ in range(max(args.repeat, 5)):
            remote.save(make_session(updated_at=utc_now()))
            started = time.perf_counter()
            result = repo.pull()
            times.append(time.perf_counter() - started)
            assert result.pulled == 1, result
        out["pull_one_change_ms"] = round(statistics.median(times) * 1000, 1)
        out["local_first_page_after_pull_ms"] = median_ms(lambda: repo.list(SessionQuery(limit=100)), 5)
        repo.local.close()
        return out
    finally:
        shutil.rmtree(base, ignore_errors=True)


def folder_size(path: Path) -> int:
    return sum(e.stat().st_size for e in os.scandir(path) if e.is_file())


def bench_json(args: argparse.Namespace) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="history-bench-", dir=args.tmp_dir))
    try:
        sessions_dir = base / "sessions"
        sessions_dir.mkdir()
        started = time.perf_counter()
        for s in iter_sessions(args.n, long_answers=args.long_answers):
            doc = json.dumps(encode_session(s), ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            (sessions_dir / f"{s.id}.json").write_bytes(doc)
        generate_s = time.perf_counter() - started
        os.sync()
        # files written seconds ago, as in real life (not "racily" recent: see json_store._RACY_NS)
        old = time.time_ns() - 10 * 10**9
        for e in os.scandir(sessions_dir):
            os.utime(e.path, ns=(old, old))
        result: dict[str, Any] = {
            "n": args.n,
            "generate_files_s": round(generate_s, 1),
            "sessions_folder_mb": round(folder_size(sessions_dir) / 2**20, 1),
        }
        repo = JsonHistoryRepository(base)
        result["first_list_building_index_s"] = round(timed(lambda: repo.list(SessionQuery(limit=100))), 2)
        repo.close()
        result["index_mb"] = round(sum(p.stat().st_size for p in base.glob("index.sqlite3*")) / 2**20, 1)
        opens = []
        for _ in range(3):
            repo = JsonHistoryRepository(base)
            opens.append(timed(lambda r=repo: r.list(SessionQuery(limit=100))))
            repo.close()
        result["first_list_after_restart_s"] = round(statistics.median(opens), 3)
        repo = JsonHistoryRepository(base)
        repo.list()
        result.update(measure_queries(repo, args.n, args.repeat))
        result.update(measure_saves(repo, args.saves))
        result["list_after_saves_ms"] = round(timed(lambda: repo.list(SessionQuery(limit=100))) * 1000, 2)
        repo.close()
        return result
    finally:
        if args.keep:
            print(f"kept JSON store in {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


def bench_mongo(args: argparse.Namespace, uri: str) -> dict[str, Any]:
    database = f"history_bench_{uuid.uuid4().hex[:12]}"
    # a long socket timeout: a slow test server (secantusdb scans every document) must not time out
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        uri, serverSelectionTimeoutMS=5000, socketTimeoutMS=600_000
    )
    repo = MongoHistoryRepository(uri, database=database, client=client)
    try:
        col = repo._collection
        batch: list[dict[str, Any]] = []
        started = time.perf_counter()
        for s in iter_sessions(args.n, long_answers=args.long_answers):
            batch.append(to_mongo_document(s))
            if len(batch) == 1000:
                col.insert_many(batch, ordered=False)
                batch = []
        if batch:
            col.insert_many(batch, ordered=False)
        result: dict[str, Any] = {"n": args.n, "bulk_insert_s": round(time.perf_counter() - started, 1)}
        result["create_indexes_s"] = round(timed(repo.ensure_indexes), 1)
        if not args.no_queries:
            result.update(measure_queries(repo, args.n, args.repeat))
        result.update(measure_saves(repo, args.saves))
        result.update(measure_pull(repo, args))
        return result
    finally:
        if args.keep:
            print(f"kept MongoDB database {database}", file=sys.stderr)
        else:
            client.drop_database(database)
        client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="sessions to generate (default 100000)")
    parser.add_argument("--mongo-uri", default=os.environ.get("INTERVIEW_TEST_MONGODB_URI", ""))
    parser.add_argument("--no-mongo", action="store_true", help="JSON store only")
    parser.add_argument("--no-json", action="store_true", help="MongoDB only")
    parser.add_argument(
        "--long-answers", action="store_true", help="~150-word answers instead of 1-2 sentences"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median)")
    parser.add_argument(
        "--no-queries", action="store_true", help="MongoDB: skip the direct queries (slow on secantusdb)"
    )
    parser.add_argument("--saves", type=int, default=50, help="timed saves per store")
    parser.add_argument("--tmp-dir", default=None, help="where the temporary JSON store goes")
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "history.json")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "system": platform.platform(),
        },
        "dataset": {"n": args.n, "long_answers": args.long_answers, "factory": "tests/storage/factories.py"},
    }
    if not args.no_json:
        print(f"JSON store: {args.n} sessions …", file=sys.stderr)
        results["json"] = bench_json(args)
    if args.mongo_uri and not args.no_mongo:
        print(f"MongoDB {mask_uri(args.mongo_uri)}: {args.n} sessions …", file=sys.stderr)
        results["mongodb"] = {"server": mask_uri(args.mongo_uri), **bench_mongo(args, args.mongo_uri)}
    else:
        results["mongodb"] = {"skipped": "no --mongo-uri and INTERVIEW_TEST_MONGODB_URI unset"}
    results["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for store in ("json", "mongodb"):
        print(f"\n[{store}]")
        for key, value in results.get(store, {}).items():
            print(f"  {key:38} {value}")
    print(f"\nmax RSS {results['max_rss_mb']} MB; written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
