"""Soak: many spoken interviews in one process. Does memory grow, do threads pile up, is anything lost?

The real application (window, engine thread, bundled Whisper, Piper, smart turn-taking) runs
``--interviews`` one-question spoken interviews one after the other in this process on the virtual
microphone (each answer played into the sink with ``paplay`` when the app listens). After each one:
the process's resident memory (RSS), its Python threads and the answers saved. Targets: RSS growth
<= 10 % from the end of the warm-up (the first ``--warm-up`` interviews) to the end, thread count
stable, 0 answers lost.

Needs the virtual microphone: eval "$(scripts/test-services.sh start)" first (not in ./test.sh: it
takes about 10 s per interview). Writes bench/results/soak.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from interview_desktop.app import InterviewApplication  # noqa: E402
from interview_desktop.audio.wav import write_wav  # noqa: E402
from interview_desktop.cli import build_parser  # noqa: E402
from interview_desktop.config.settings import SettingsStore  # noqa: E402
from interview_desktop.domain import EngineState, InterviewRequest  # noqa: E402
from interview_desktop.providers.brains.question_bank import QuestionBank  # noqa: E402
from tests.speech import espeak_clip  # noqa: E402

ANSWER = "In my last role I led a team of four engineers and we shipped the new billing system on time."


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interviews", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "soak.json")
    parser.add_argument("--log", action="store_true", help="the app's log lines on stderr")
    args = parser.parse_args()
    if args.log:
        from interview_desktop.logging_setup import configure_logging

        configure_logging(None)
    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        sys.exit('virtual microphone not running: eval "$(scripts/test-services.sh start)" first')
    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    wav = write_wav(tmp / "answer.wav", espeak_clip(ANSWER, wpm=150, lead_s=0.3))
    qt = QApplication.instance() or QApplication([])
    cli = build_parser().parse_args(["--data-dir", str(tmp / "data"), "--role", "general"])
    store = SettingsStore(tmp / "settings.json")
    app = InterviewApplication(cli, store.load(), store, QuestionBank.load())
    app.show()
    players: list[subprocess.Popen] = []

    def on_state(state: EngineState) -> None:
        if state is EngineState.LISTENING:
            players.append(subprocess.Popen(["paplay", "--device=vspk", str(wav)]))

    app.engine.state_changed.connect(on_state)
    rows, finished = [], []
    app.engine.session_finished.connect(finished.append)
    started = time.monotonic()
    for i in range(args.interviews):
        loop = QEventLoop()
        app.engine.session_finished.connect(loop.quit)
        QTimer.singleShot(120_000, loop.quit)  # a stuck interview ends the wait (and counts as lost)
        app.window.interview_tab.start_requested.emit(InterviewRequest(f"Soak {i + 1}", "general", 1))
        loop.exec()
        app.engine.session_finished.disconnect(loop.quit)
        for player in players:
            player.wait(timeout=60)
        players.clear()
        session = finished[-1] if len(finished) == i + 1 else None
        saved = app.repository.get(session.id) if session else None
        ok = saved is not None and len(saved.answers) == 1 and "billing" in saved.answers[0].text
        rows.append({"interview": i + 1, "rss_mb": round(rss_mb(), 1), "threads": threading.active_count(),
                     "ok": ok, "at_s": round(time.monotonic() - started, 1)})
        print(f"{i + 1:>3} rss {rows[-1]['rss_mb']:7.1f} MB  threads {rows[-1]['threads']:3}  "
              f"{'ok' if ok else 'LOST'}", flush=True)
    app.shutdown()
    qt.processEvents()
    base = rows[min(args.warm_up, len(rows)) - 1]
    end = rows[-1]
    growth = (end["rss_mb"] - base["rss_mb"]) / base["rss_mb"]
    result = {
        "bench": "soak", "when": datetime.now().isoformat(timespec="seconds"),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip(),
        "interviews": len(rows), "warm_up": args.warm_up, "rss_after_warm_up_mb": base["rss_mb"],
        "rss_end_mb": end["rss_mb"], "rss_growth": round(growth, 4),
        "threads_after_warm_up": base["threads"], "threads_end": end["threads"],
        "threads_max": max(r["threads"] for r in rows), "answers_lost": sum(not r["ok"] for r in rows),
        "rows": rows, "machine": {"cpus": os.cpu_count()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"{'interviews':>10} {'RSS after warm-up':>18} {'RSS end':>8} {'growth':>7} "
          f"{'threads':>12} {'lost':>5}")
    print(f"{len(rows):>10} {base['rss_mb']:>15.1f} MB {end['rss_mb']:>5.1f} MB {growth:>7.1%} "
          f"{base['threads']:>5} → {end['threads']:<4} {result['answers_lost']:>5}")
    print(f"wrote {args.out}")
    return 0 if result["answers_lost"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
