"""End of speech → transcript shown, measured on the real app through the virtual microphone.

Runs ``interview-desktop --auto-start --quit-when-done --questions N`` as a subprocess, plays an
espeak-ng answer into the virtual microphone at each ``state=listening`` line, and times, from
the app's own log timestamps:
  - end of speech → ``answer ended`` (the silence hangover, default 1.5 s);
  - end of speech → ``state=evaluating`` (the transcript is in the window);
  - ``answer ended`` → ``state=evaluating`` (saving the WAV + Whisper).
The end of speech is when paplay returned minus the silence at the end of the WAV.

Needs the virtual microphone: eval "$(scripts/test-services.sh start)" first.
Writes bench/results/voice_latency.json and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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

ANSWERS = [
    "In my last role I led a team of four engineers and we shipped the new billing system on time.",
    "I want to work here because I care about building reliable software for customers.",
    "When two colleagues disagreed about the design, I asked each of them to write down the trade-offs.",
    "I would start by asking the customer what they expected and then explain what we can do today.",
    "We reduced the average response time by thirty percent after moving the reports to a cache.",
    "My biggest mistake was promising a release date before the testing plan was agreed with the team.",
]
TAIL_S = 0.3


def log_time(line: str) -> float:
    stamp = line[:23]  # "2026-11-28 17:38:02,104"
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=6)
    args = parser.parse_args()
    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        sys.exit('virtual microphone not running: eval "$(scripts/test-services.sh start)" first')
    tmp = Path(tempfile.mkdtemp(prefix="voice-bench-"))
    wavs = [write_wav(tmp / f"a{i}.wav", espeak_clip(ANSWERS[i % len(ANSWERS)], wpm=150, lead_s=0.3,
                                                     tail_s=TAIL_S)) for i in range(args.answers)]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, "-m", "interview_desktop", "--data-dir", str(tmp / "data"), "--auto-start",
           "--quit-when-done", "--questions", str(args.answers), "--role", "general"]
    speech_end: list[float] = []
    ended: list[float] = []
    shown: list[float] = []
    started = time.time()
    with subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env) as app:
        for line in app.stderr:
            if "state=listening" in line:
                subprocess.run(["paplay", "--device=vspk", str(wavs[len(speech_end)])], check=True)
                speech_end.append(time.time() - TAIL_S)
            elif "answer ended" in line:
                ended.append(log_time(line))
            elif "state=evaluating" in line:
                shown.append(log_time(line))
        code = app.wait()
    if code != 0 or not (len(speech_end) == len(ended) == len(shown) == args.answers):
        sys.exit(f"app exited {code}; answers {len(speech_end)}/{len(ended)}/{len(shown)}")
    hang = [e - s for s, e in zip(speech_end, ended, strict=True)]
    total = [v - s for s, v in zip(speech_end, shown, strict=True)]
    stt = [v - e for e, v in zip(ended, shown, strict=True)]
    result = {
        "answers": args.answers,
        "wall_s": round(time.time() - started, 1),
        "end_of_speech_to_answer_ended_s": {"median": round(statistics.median(hang), 3),
                                             "all": [round(x, 3) for x in hang]},
        "answer_ended_to_transcript_shown_s": {"median": round(statistics.median(stt), 3),
                                               "all": [round(x, 3) for x in stt]},
        "end_of_speech_to_transcript_shown_s": {"median": round(statistics.median(total), 3),
                                                "all": [round(x, 3) for x in total]},
        "note": "hangover setting 1.5 s; tiny.en int8 on CPU; log timestamps have 1 ms resolution",
    }
    out = ROOT / "bench" / "results" / "voice_latency.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"answers: {args.answers}")
    for key in ("end_of_speech_to_answer_ended_s", "answer_ended_to_transcript_shown_s",
                "end_of_speech_to_transcript_shown_s"):
        print(f"{key:40s} median {result[key]['median']:.3f} s   all {result[key]['all']}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
