"""Fixtures for the audio tests: real espeak-ng speech."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from interview_desktop.audio.vad import SAMPLE_RATE
from interview_desktop.audio.wav import read_wav, resample


@pytest.fixture(scope="session")
def speech(tmp_path_factory) -> Callable[[str], np.ndarray]:
    """``speech(text)`` → real espeak-ng speech at 16 kHz with its leading/trailing silence cut."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    folder: Path = tmp_path_factory.mktemp("espeak")
    cache: dict[str, np.ndarray] = {}

    def make(text: str) -> np.ndarray:
        if text not in cache:
            path = folder / f"utt{len(cache)}.wav"
            subprocess.run(["espeak-ng", "-w", str(path), text], check=True, timeout=30)
            samples = resample(read_wav(path), SAMPLE_RATE).samples
            loud = np.flatnonzero(np.abs(samples) > 1e-3)
            cache[text] = samples[loud[0] : loud[-1] + 1].copy()
        return cache[text]

    return make
