"""Offline voices side by side: Piper ("joe", the default) and pyttsx3 (espeak-ng).

For each voice, in a process of its own (so the peak memory is that voice's): load time, the time
to the first audio of a two-sentence question spoken sentence by sentence (what the candidate waits
for when a question was not prepared ahead), real-time factor (synthesis time / audio length, median
over the questions), and how well the bundled Whisper tiny.en understands the voice (word error rate
over the interview questions: an intelligibility proxy). Writes bench/results/tts.json and prints a
table.

    .venv/bin/python bench/tts_bench.py [--voices piper pyttsx3] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "Tell me about a time you disagreed with a colleague. How did you handle it, and what was the outcome?",
    "Describe a mistake you made at work. What happened, and what did you do about it?",
    "Suppose a product manager asks for a feature by Friday, but you believe doing it properly will take "
    "two weeks. How would you handle that conversation?",
    "Tell me about a project where you had to learn a new technology quickly. How did you approach it?",
    "Imagine a key team member resigns halfway through your project. What would you do?",
    "Give me an example of a report or dashboard you built that people actually used. What made it "
    "successful?",
    "Why do you want to work here, and what would you change in your first ninety days?",
]


def measure(voice: str, threads: int) -> dict:
    from interview_desktop.engine.speaker import split_first_sentence
    from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT
    from tests.speech import word_error_rate

    if voice == "piper":
        from interview_desktop.providers.tts.piper_voice import PiperTTS

        tts = PiperTTS(threads=threads)
    else:
        from interview_desktop.providers.tts.pyttsx3_voice import Pyttsx3TTS

        tts = Pyttsx3TTS()
    started = time.perf_counter()
    tts.load()
    load_s = time.perf_counter() - started
    rtf, first_audio, wers = [], [], []
    stt = LocalWhisperSTT()
    stt.load()
    for question in QUESTIONS:
        first, _rest = split_first_sentence(question)
        started = time.perf_counter()
        tts.synthesize(first)
        first_audio.append(time.perf_counter() - started)
        started = time.perf_counter()
        clip = tts.synthesize(question)
        rtf.append((time.perf_counter() - started) / clip.duration_s)
        wers.append(word_error_rate(question, stt.transcribe(clip).text))
    return {"voice": voice, "load_s": round(load_s, 3),
            "first_audio_s_p50": round(statistics.median(first_audio), 3),
            "first_audio_s_max": round(max(first_audio), 3), "rtf_p50": round(statistics.median(rtf), 3),
            "wer_mean": round(statistics.mean(wers), 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voices", nargs="+", default=["piper", "pyttsx3"], choices=["piper", "pyttsx3"])
    parser.add_argument("--threads", type=int, default=1, help="Piper's ONNX threads (the app uses 1)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "tts.json")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.threads)))
        return 0
    rows = []
    for voice in args.voices:
        done = subprocess.run([sys.executable, __file__, "--child", voice, "--threads", str(args.threads)],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{'voice':>8}  {'load':>6}  {'first audio p50 / max':>22}  {'RTF':>6}  {'WER (tiny.en)':>13}"
          "  peak RSS")
    for r in rows:
        print(f"{r['voice']:>8}  {r['load_s']:>5.2f}s  {r['first_audio_s_p50']:>9.2f} / "
              f"{r['first_audio_s_max']:.2f} s  {r['rtf_p50']:>6.3f}  {r['wer_mean']:>13.3f}"
              f"  {r['peak_rss_mb']:.0f} MB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "bench": "tts", "when": datetime.now().isoformat(timespec="seconds"), "threads": args.threads,
        "rows": rows, "machine": {"cpus": os.cpu_count(), "load_avg": os.getloadavg()},
    }, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
