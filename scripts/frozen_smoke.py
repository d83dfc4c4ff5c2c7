"""The frozen smoke test: the built executable passes --selftest, then answers a spoken one-question
interview through the virtual microphone (--auto-start --quit-when-done) and saves the session.
Also measures its start-up: process start → window shown, → voice ready (the Piper voice loaded).
Called by scripts/build-executable.sh; writes bench/results/executable.json and prints a table."""

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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interview_desktop.audio.wav import write_wav  # noqa: E402
from tests.speech import espeak_clip  # noqa: E402

ANSWER = "In my last role I led a team of four engineers and we shipped the new billing system on time."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("executable", type=Path)
    parser.add_argument("--build-s", type=float, default=None)
    parser.add_argument("--size-mb", type=float, default=None)
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="frozen-smoke-"))

    started = time.monotonic()
    selftest = subprocess.run([str(args.executable), "--selftest", "--data-dir", str(tmp / "selftest")],
                              capture_output=True, text=True, timeout=180, env=env)
    selftest_s = time.monotonic() - started
    print(selftest.stdout, end="")
    if selftest.returncode != 0:
        print(f"FROZEN SMOKE FAILED: --selftest exited {selftest.returncode}\n{selftest.stderr[-3000:]}")
        return 1

    wav = write_wav(tmp / "answer.wav", espeak_clip(ANSWER, wpm=150, lead_s=0.3))
    data = tmp / "data"
    log, marks = [], {}
    started = time.monotonic()
    with subprocess.Popen([str(args.executable), "--data-dir", str(data), "--candidate", "Frozen",
                           "--questions", "1", "--auto-start", "--quit-when-done"],
                          stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env) as app:
        for line in app.stderr:
            log.append(line)
            now = time.monotonic() - started
            if "history store=" in line:
                marks.setdefault("window_s", now)  # the window is built right after the store
            if "Piper voice" in line and "loaded" in line:
                marks.setdefault("voice_ready_s", now)
            if "state=listening question=1/1" in line:
                subprocess.run(["paplay", "--device=vspk", str(wav)], check=True, timeout=60)
        code = app.wait(timeout=120)
    sessions = list((data / "sessions").glob("*.json"))
    doc = json.loads(sessions[0].read_text()) if len(sessions) == 1 else {}
    answers = doc.get("answers", [])
    heard = answers[0]["text"] if len(answers) == 1 else ""
    ok = code == 0 and doc.get("status") == "completed" and "billing" in heard
    if not ok:
        print("FROZEN SMOKE FAILED: the spoken interview\n" + "".join(log[-40:]))
        return 1
    result = {"bench": "executable", "when": datetime.now().isoformat(timespec="seconds"),
              "build_s": args.build_s, "bundle_mb": args.size_mb, "selftest_s": round(selftest_s, 2),
              "start_to_window_s": round(marks.get("window_s", -1), 2),
              "start_to_voice_ready_s": round(marks.get("voice_ready_s", -1), 2),
              "answer": answers[0]["text"], "machine": {"cpus": os.cpu_count()}}
    out = ROOT / "bench" / "results" / "executable.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"{'build':>8} {'bundle':>8} {'selftest':>9} {'start → window':>15} {'start → voice ready':>20}")
    print(f"{args.build_s or 0:>7.0f}s {args.size_mb or 0:>5.0f} MB {selftest_s:>8.1f}s "
          f"{result['start_to_window_s']:>14.2f}s {result['start_to_voice_ready_s']:>19.2f}s")
    print(f"frozen smoke test passed: the answer was heard as {answers[0]['text']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
