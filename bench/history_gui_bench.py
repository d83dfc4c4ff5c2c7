"""The History tab itself with many sessions: time to first rows, search, paging, GUI stalls.

Builds the real window (offscreen) on a JSON store of N synthetic sessions, then measures, median
of --repeat runs:
  - first rows: History tab shown → first rows in the table;
  - search: query sent (after the 250 ms typing debounce) → table refreshed (common, rare and
    no-match words);
  - paging: scroll to the bottom → the next page appended;
  - stalls: the longest gap between ticks of a 5 ms GUI timer during all of the above.
With --mongo-uri, the same N sessions go into a fresh MongoDB database and a *new desktop* (empty
data folder, MONGODB_URI set) opens the History tab: time until its first rows appear while the
first pull copies the team's history, how long that copy takes, the longest GUI stall meanwhile,
then the same measurements as above (with a MongoDB address the tab reads the local copy).
Writes bench/results/history_gui.json and prints a summary.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/history_gui_bench.py --n 100000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pymongo  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from interview_desktop.app import InterviewApplication  # noqa: E402
from interview_desktop.cli import build_parser  # noqa: E402
from interview_desktop.config.settings import SettingsStore  # noqa: E402
from interview_desktop.providers.brains.question_bank import QuestionBank  # noqa: E402
from interview_desktop.storage.codec import encode_session  # noqa: E402
from interview_desktop.storage.mongo_store import MongoHistoryRepository, mask_uri, to_mongo_document  # noqa: E402
from tests.storage.factories import iter_sessions  # noqa: E402


class StallMeter:
    """The longest time the GUI thread did not get back to its event loop."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)
        self.last = 0
        self.worst = 0

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.worst = max(self.worst, now - self.last)
        self.last = now


def wait_until(condition, timeout_s: float = 120.0) -> float:
    """Spin the event loop until ``condition()``; return the seconds it took."""
    started = time.perf_counter()
    loop = QEventLoop()
    while not condition():
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError("condition not met")
        QTimer.singleShot(1, loop.quit)
        loop.exec()
    return time.perf_counter() - started


def seed_json(folder: Path, n: int) -> None:
    sessions = folder / "sessions"
    sessions.mkdir(parents=True)
    for s in iter_sessions(n):
        (sessions / f"{s.id}.json").write_text(json.dumps(encode_session(s), separators=(",", ":")))
    old = time.time_ns() - 10 * 10**9
    for entry in os.scandir(sessions):
        os.utime(entry.path, ns=(old, old))


def measure(app: InterviewApplication, repeat: int) -> dict:
    history = app.window.history_tab
    arrived: list[tuple[int, int]] = []  # (request id, offset) of every page the tab received
    app.history.sessions_listed.connect(lambda page: arrived.append((page.request_id, page.query.offset)))

    def page_arrived(request_id: int, offset: int = 0) -> bool:
        return (request_id, offset) in arrived

    def search(text: str) -> float:
        local = getattr(app.repository, "local", app.repository)
        local._match_counts.clear()  # a new search: nothing remembered from the last run
        before = history._request_id
        history.search_edit.setText(text)
        wait_until(lambda: history._request_id > before)  # the typing debounce is over: asked now
        started = time.perf_counter()
        wait_until(lambda: page_arrived(history._request_id))
        return time.perf_counter() - started

    stalls = StallMeter()
    stalls.start()
    first, searches, pages = [], [], []
    for _ in range(repeat):
        app.window.tabs.setCurrentWidget(app.window.interview_tab)
        before = history._request_id
        started = time.perf_counter()
        app.window.tabs.setCurrentWidget(history)
        wait_until(lambda b=before: history._request_id > b and page_arrived(history._request_id))
        first.append(time.perf_counter() - started)
        searches += [search(word) for word in ("ada", "zahra", "mentored", "zzz-no-such-text")]
        search("")
        rows = history.model.rowCount()
        started = time.perf_counter()
        history.table.scrollToBottom()
        history.model.fetchMore()
        wait_until(lambda r=rows: history.model.rowCount() > r)
        pages.append(time.perf_counter() - started)
    stalls.timer.stop()
    med = lambda xs: round(statistics.median(xs) * 1000, 1)  # noqa: E731
    return {"first_rows_ms": med(first), "search_ms": med(searches),
            "search_slowest_ms": round(max(searches) * 1000, 1), "next_page_ms": med(pages),
            "longest_gui_stall_ms": stalls.worst, "runs": repeat}


URI_OPTIONS = "connectTimeoutMS=120000&socketTimeoutMS=600000"


def seed_mongo(uri: str, database: str, n: int) -> float:
    started = time.perf_counter()
    # a long socket timeout: building the indexes over n documents takes a minute on the test server
    client: pymongo.MongoClient = pymongo.MongoClient(uri, socketTimeoutMS=600_000)
    with client, MongoHistoryRepository(uri, database=database, client=client) as repo:
        batch = []
        for s in iter_sessions(n):
            batch.append(to_mongo_document(s))
            if len(batch) == 1000:
                repo._collection.insert_many(batch, ordered=False)
                batch = []
        if batch:
            repo._collection.insert_many(batch, ordered=False)
        repo.ensure_indexes()
    return time.perf_counter() - started


def new_desktop(base: Path, uri: str, database: str, n: int, repeat: int) -> dict:
    """A desktop with an empty data folder joins a team whose shared history holds ``n`` sessions."""
    # secantusdb answers one request at a time: while it reads 100k documents it cannot answer
    # pymongo's heartbeat, which then gives up on the server after connectTimeoutMS (3 s by
    # default). A real MongoDB answers heartbeats meanwhile; here the address allows for it.
    os.environ["MONGODB_URI"] = f"{uri.rstrip('/')}/{database}?{URI_OPTIONS}"
    try:
        data = base / "data-new-desktop"
        cli = build_parser().parse_args(["--data-dir", str(data), "--typed"])
        store = SettingsStore(base / "settings-mongo.json")
        app = InterviewApplication(cli, store.load(), store, QuestionBank.load())
        done: list[object] = []
        app.sync.pulled.connect(lambda result: done.append(result) if result.complete else None)
        history = app.window.history_tab
        app.window.tabs.setCurrentWidget(history)
        started = time.perf_counter()
        app.window.show()  # the first layout and paint of the window are not the pull's doing:
        shown = time.perf_counter()
        wait_until(lambda: time.perf_counter() - shown > 0.3)  # let them pass before measuring
        stalls = StallMeter()
        stalls.start()
        first_rows = wait_until(lambda: history.model.rowCount() > 0, timeout_s=3600)
        first_rows += shown - started + 0.3
        wait_until(lambda: bool(done), timeout_s=7200)
        copied = time.perf_counter() - started
        stalls.timer.stop()
        out = {
            "first_rows_while_copying_s": round(first_rows, 2),
            "first_pull_s": round(copied, 1),
            "first_pull_sessions": app.repository.local.count(),
            "longest_gui_stall_during_first_pull_ms": stalls.worst,
        }
        out.update(measure(app, repeat))
        app.shutdown()
        return out
    finally:
        del os.environ["MONGODB_URI"]


def measure_json(args: argparse.Namespace, base: Path, data: Path, results: dict) -> None:
    """The window on a JSON store of n sessions: first open (index built once), then measure()."""
    started = time.perf_counter()
    seed_json(data, args.n)
    results["seed_s"] = round(time.perf_counter() - started, 1)
    cli = build_parser().parse_args(["--data-dir", str(data), "--typed"])
    store = SettingsStore(base / "settings.json")
    app = InterviewApplication(cli, store.load(), store, QuestionBank.load())
    app.window.show()
    started = time.perf_counter()
    app.window.tabs.setCurrentWidget(app.window.history_tab)
    wait_until(lambda: app.window.history_tab.model.rowCount() > 0, timeout_s=600)
    results["json_first_open_s (builds the index once)"] = round(time.perf_counter() - started, 2)
    results["json"] = measure(app, args.repeat)
    app.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mongo-uri", default="", help="also measure a new desktop joining a MongoDB team")
    parser.add_argument("--no-json", action="store_true", help="only the MongoDB part")
    args = parser.parse_args()
    qt = QApplication.instance() or QApplication([])
    base = Path(tempfile.mkdtemp(prefix="history-gui-"))
    results = {"n": args.n}
    try:
        data = base / "data"
        if not args.no_json:
            measure_json(args, base, data, results)
        if args.mongo_uri:
            database = f"history_gui_{uuid.uuid4().hex[:12]}"
            try:
                seconds = seed_mongo(args.mongo_uri, database, args.n)
                results["mongodb"] = {"server": mask_uri(args.mongo_uri), "seed_s": round(seconds, 1)}
                results["mongodb"].update(new_desktop(base, args.mongo_uri, database, args.n, args.repeat))
            finally:
                with pymongo.MongoClient(args.mongo_uri, serverSelectionTimeoutMS=5000) as client:
                    client.drop_database(database)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    qt.quit()
    out = ROOT / "bench" / "results" / "history_gui.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
