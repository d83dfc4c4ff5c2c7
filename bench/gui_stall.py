"""Does the window stay smooth while the answer is transcribed? A 10 ms heartbeat on the GUI thread.

The real application (window, engine thread, bundled Whisper, smart turn-taking) runs a spoken
interview in this process on the virtual microphone: at each new question a 30 s answer is played
into the sink with ``paplay`` (not waited for), while a QTimer on the GUI thread ticks every 10 ms.
A tick's lateness (interval - 10 ms) is what the window loses; reported over the time the app was
listening or transcribing (Whisper busy on a worker): p50, p99, max. Target: p99 <= 16 ms.

Needs the virtual microphone: eval "$(scripts/test-services.sh start)" first.
Writes bench/results/gui_stall.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from interview_desktop.app import InterviewApplication  # noqa: E402
from interview_desktop.audio.wav import write_wav  # noqa: E402
from interview_desktop.cli import build_parser  # noqa: E402
from interview_desktop.config.settings import SettingsStore  # noqa: E402
from interview_desktop.domain import EngineState  # noqa: E402
from interview_desktop.providers.brains.question_bank import QuestionBank  # noqa: E402
from tests.speech import long_answer_clip  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--answer-s", type=float, default=30.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "gui_stall.json")
    args = parser.parse_args()
    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        sys.exit('virtual microphone not running: eval "$(scripts/test-services.sh start)" first')
    tmp = Path(tempfile.mkdtemp(prefix="gui-stall-"))
    wavs = [write_wav(tmp / f"answer{i}.wav", long_answer_clip(args.answer_s, i))
            for i in range(args.questions)]
    qt = QApplication.instance() or QApplication([])
    cli = build_parser().parse_args(["--data-dir", str(tmp / "data"), "--auto-start", "--quit-when-done",
                                     "--questions", str(args.questions), "--role", "general"])
    store = SettingsStore(tmp / "settings.json")
    app = InterviewApplication(cli, store.load(), store, QuestionBank.load())
    state = {"now": EngineState.IDLE, "asked": 0, "players": []}
    ticks: list[tuple[float, str]] = []

    def on_state(new_state) -> None:
        state["now"] = new_state
        if new_state is EngineState.ASKING:
            state["asked"] += 1
        if new_state is EngineState.LISTENING and state["asked"] > len(state["players"]):
            state["players"].append(subprocess.Popen(["paplay", "--device=vspk",
                                                      str(wavs[len(state["players"]) % len(wavs)])]))
        if new_state is EngineState.FINISHED:
            QTimer.singleShot(500, qt.quit)

    app.engine.state_changed.connect(on_state)
    heartbeat = QTimer(interval=10)
    heartbeat.timeout.connect(lambda: ticks.append((time.perf_counter(), state["now"].value)))
    heartbeat.start()
    app.show()
    QTimer.singleShot(600_000, qt.quit)  # a bound on the run
    qt.exec()
    app.shutdown()
    for player in state["players"]:
        player.wait(30)
    late = np.array([(b - a) * 1000 - 10 for (a, _), (b, _) in zip(ticks, ticks[1:], strict=False)])
    busy = np.array([s in ("listening", "transcribing") for _, s in ticks[1:]])
    rows = {"listening or transcribing": late[busy], "all": late}
    print(f"{'while':>26}  {'ticks':>6}  {'late p50':>9}  {'p99':>7}  {'max':>7}  (ms)")
    summary = {}
    for name, values in rows.items():
        summary[name] = {"ticks": int(len(values)), "p50_ms": float(np.percentile(values, 50)),
                         "p99_ms": float(np.percentile(values, 99)), "max_ms": float(values.max())}
        s = summary[name]
        print(f"{name:>26}  {s['ticks']:>6}  {s['p50_ms']:>9.2f}  {s['p99_ms']:>7.2f}  {s['max_ms']:>7.2f}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "bench": "gui_stall", "commit": commit, "when": datetime.now().isoformat(timespec="seconds"),
        "answer_s": args.answer_s, "questions": args.questions, "summary": summary,
        "machine": {"cpus": os.cpu_count(), "load_avg": os.getloadavg()},
    }, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
