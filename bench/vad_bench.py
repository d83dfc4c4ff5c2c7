"""VAD benchmark: what does end-of-answer detection cost per 32 ms window?

Builds ~60 s of 16 kHz audio (espeak-ng speech with pauses, silence, quiet and loud noise; noise
and tones only when espeak-ng is missing) and measures, per 512-sample window: SileroVad
``probability`` (onnxruntime, one thread, carried state), ``rms_dbfs``, and ``Endpointer.feed``
(both fed one window at a time and in 480-sample chunks as a 30 ms drain timer would); plus the
model load, and ``Endpointer.clip()`` on a 60 s answer. Writes bench/results/vad.json and prints
a summary.

    .venv/bin/python bench/vad_bench.py [--seconds 60] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interview_desktop.audio.meter import rms_dbfs  # noqa: E402
from interview_desktop.audio.vad import (  # noqa: E402
    SAMPLE_RATE,
    WINDOW,
    EndpointConfig,
    Endpointer,
    SileroVad,
    _load_session,
)
from interview_desktop.audio.wav import read_wav, resample  # noqa: E402

SENTENCES = [
    "I led the migration of our billing system to a new database last spring.",
    "It took three months, and we had no downtime at all.",
    "The hardest part was convincing the finance team to freeze changes for a weekend.",
]


def espeak(text: str, folder: Path) -> np.ndarray | None:
    if shutil.which("espeak-ng") is None:
        return None
    path = folder / "utt.wav"
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True, timeout=30)
    return resample(read_wav(path), SAMPLE_RATE).samples


def build_signal(seconds: float) -> tuple[np.ndarray, str]:
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        speech = [espeak(t, Path(tmp)) for t in SENTENCES]
    if any(s is None for s in speech):
        t = np.arange(SAMPLE_RATE * 3) / SAMPLE_RATE
        speech = [(0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)]
        kind = "tones (espeak-ng missing)"
    else:
        kind = "espeak-ng speech"
    parts: list[np.ndarray] = []
    total = 0
    i = 0
    while total < seconds * SAMPLE_RATE:
        pause = np.zeros(int(SAMPLE_RATE * rng.uniform(0.3, 2.0)), dtype=np.float32)
        level = [-70, -55, -20][i % 3]  # near-silence, quiet room, loud noise
        pause += (rng.standard_normal(pause.size) * 10 ** (level / 20)).astype(np.float32)
        for part in (speech[i % len(speech)], pause):  # type: ignore[index]
            parts.append(part.astype(np.float32))
            total += part.size
        i += 1
    signal = np.concatenate(parts)[: int(seconds * SAMPLE_RATE)]
    return signal[: signal.size // WINDOW * WINDOW], kind


def per_call_us(fn: Any, items: list[Any]) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1e6)
    return out


def stats(samples_us: list[float]) -> dict[str, float]:
    ordered = sorted(samples_us)
    return {
        "median_us": round(statistics.median(ordered), 1),
        "mean_us": round(statistics.fmean(ordered), 1),
        "p95_us": round(ordered[int(len(ordered) * 0.95) - 1], 1),
        "max_us": round(ordered[-1], 1),
        "calls": len(ordered),
    }


def no_end_config() -> EndpointConfig:
    """Never ends: every window of the signal is processed."""
    return EndpointConfig(hangover_s=1e6, no_speech_timeout_s=None, max_answer_s=1e6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="audio length (default 60)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the audio (best median kept)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "vad.json")
    args = parser.parse_args(argv)

    signal, kind = build_signal(args.seconds)
    windows = list(signal.reshape(-1, WINDOW))
    chunks_480 = [signal[i : i + 480] for i in range(0, signal.size, 480)]

    started = time.perf_counter()
    vad = SileroVad()
    load_ms = (time.perf_counter() - started) * 1000
    _load_session.cache_clear()
    started = time.perf_counter()
    vad = SileroVad()
    load_again_ms = (time.perf_counter() - started) * 1000

    def best(run: Any) -> dict[str, float]:
        results = [run() for _ in range(args.repeat)]
        return min(results, key=lambda r: r["median_us"])

    def run_vad() -> dict[str, float]:
        vad.reset()
        return stats(per_call_us(vad.probability, windows))

    def run_rms() -> dict[str, float]:
        return stats(per_call_us(rms_dbfs, windows))

    def run_feed(items: list[np.ndarray]) -> dict[str, float]:
        ep = Endpointer(no_end_config(), vad=vad)
        return stats(per_call_us(ep.feed, items))

    vad_stats = best(run_vad)
    rms_stats = best(run_rms)
    feed_window = best(lambda: run_feed(windows))
    feed_480 = best(lambda: run_feed(chunks_480))

    ep = Endpointer(no_end_config(), vad=vad)
    ep.feed(signal)
    started = time.perf_counter()
    clip = ep.clip()
    clip_ms = (time.perf_counter() - started) * 1000

    window_us = WINDOW / SAMPLE_RATE * 1e6
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "system": platform.platform(),
        },
        "audio": {"seconds": round(signal.size / SAMPLE_RATE, 2), "windows": len(windows), "content": kind},
        "model_load_ms": round(load_ms, 1),
        "model_load_uncached_ms": round(load_again_ms, 1),
        "silero_probability_per_window": vad_stats,
        "rms_dbfs_per_window": rms_stats,
        "endpointer_feed_per_512_window": feed_window,
        "endpointer_feed_per_480_chunk": feed_480,
        "endpointer_clip_ms": {"audio_s": round(clip.duration_s, 1), "ms": round(clip_ms, 2)},
        "cpu_share_of_realtime": round(feed_window["mean_us"] / window_us, 4),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    print(f"audio: {results['audio']['seconds']} s of {kind}, {len(windows)} windows of 512 (32 ms)")
    print(f"model load: {load_ms:.0f} ms (first), {load_again_ms:.0f} ms (uncached again)")
    for label, s in (
        ("SileroVad.probability / window", vad_stats),
        ("rms_dbfs / window", rms_stats),
        ("Endpointer.feed / 512 window", feed_window),
        ("Endpointer.feed / 480 chunk", feed_480),
    ):
        print(
            f"{label:32s} median {s['median_us']:7.1f} µs  p95 {s['p95_us']:7.1f} µs"
            f"  max {s['max_us']:8.1f} µs"
        )
    print(f"Endpointer.clip() on {clip.duration_s:.0f} s: {clip_ms:.1f} ms")
    print(f"CPU use while listening: {results['cpu_share_of_realtime'] * 100:.2f} % of one core")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
