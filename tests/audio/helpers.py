"""Helpers for the audio tests: signal builders, a bounded wait, the virtual-mic gate."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from interview_desktop.audio.vad import SAMPLE_RATE

VMIC = os.environ.get("INTERVIEW_TEST_VMIC") == "1"
needs_vmic = pytest.mark.skipif(
    not VMIC,
    reason="virtual microphone not running: set INTERVIEW_TEST_VMIC=1 plus PULSE_RUNTIME_PATH and "
    "PULSE_STATE_PATH of a PulseAudio with null sink 'vspk' and default source 'vmic' (test.sh does)",
)

SPEECH_A = "I led the migration of our billing system to a new database last spring."
SPEECH_B = "It took three months, and we had no downtime at all."
SPEECH_LONG = (
    "First we mapped every table and every report, then we wrote the migration scripts, "
    "tested them on a copy of production, and finally switched over on a quiet Sunday morning."
)


def wait_until(condition: Callable[[], bool], timeout_s: float, poll_s: float = 0.03) -> bool:
    """Poll ``condition`` until it holds or ``timeout_s`` passes (bounded, for real-time audio)."""
    deadline = time.monotonic() + timeout_s
    pause = threading.Event()
    while not condition():
        if time.monotonic() >= deadline:
            return False
        pause.wait(poll_s)
    return True


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)


def noise(seconds: float, dbfs: float, seed: int = 0) -> np.ndarray:
    """White noise whose RMS is ``dbfs`` dB below full scale."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(round(seconds * SAMPLE_RATE)) * 10 ** (dbfs / 20)).astype(np.float32)
