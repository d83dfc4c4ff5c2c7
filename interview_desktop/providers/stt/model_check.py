"""Settings → Speech model → Measure: how fast and how accurate an installed speech model is on this
computer, from short bundled recordings with known words (two voices, ``resources/speech/``). Runs
on a worker (a few seconds: the model is loaded, then each recording transcribed)."""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass

from interview_desktop.audio.wav import read_wav
from interview_desktop.providers.stt.accuracy import word_error_rate
from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT
from interview_desktop.resources import resource_path


@dataclass(frozen=True)
class ModelCheck:
    model_id: str
    load_s: float
    rtf: float  # transcription time / audio length, median over the recordings
    wer: float  # word error rate, mean over the recordings

    def describe(self) -> str:
        return (f"{self.rtf:.2f}× real time (a 10 s answer in {10 * self.rtf:.1f} s), "
                f"{self.wer:.0%} of words wrong on the test recordings; loaded in {self.load_s:.1f} s")


def check_recordings() -> list[tuple[str, str]]:
    """(file, text) of the bundled test recordings."""
    listed = json.loads(resource_path("speech", "check.json").read_text(encoding="utf-8"))
    return [(str(resource_path("speech", item["file"])), item["text"]) for item in listed]


def check_model(model_id: str, stt: LocalWhisperSTT | None = None) -> ModelCheck:
    """Measure ``model_id`` (ProviderUnavailable when it is not installed or cannot load)."""
    stt = stt or LocalWhisperSTT(model_id=model_id)
    started = time.perf_counter()
    stt.load()
    load_s = time.perf_counter() - started
    rtfs, wers = [], []
    for path, text in check_recordings():
        clip = read_wav(path)
        started = time.perf_counter()
        heard = stt.transcribe(clip).text
        rtfs.append((time.perf_counter() - started) / clip.duration_s)
        wers.append(word_error_rate(text, heard))
    return ModelCheck(model_id, round(load_s, 2), round(statistics.median(rtfs), 3),
                      round(statistics.mean(wers), 3))
