"""Level metering and the meter-update throttle."""

from __future__ import annotations

import numpy as np
import pytest

from interview_desktop.audio.meter import SILENCE_DB, Throttle, level_fraction, rms_dbfs
from tests.audio.helpers import noise


def test_rms_dbfs_of_known_signals():
    assert rms_dbfs(np.ones(512, dtype=np.float32)) == pytest.approx(0.0, abs=1e-6)
    t = np.arange(16000) / 16000
    sine = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    assert rms_dbfs(sine) == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.01)
    assert rms_dbfs(noise(1.0, -42.0)) == pytest.approx(-42.0, abs=0.2)


def test_rms_dbfs_of_silence_and_empty_is_the_floor():
    assert rms_dbfs(np.zeros(512, dtype=np.float32)) == SILENCE_DB
    assert rms_dbfs(np.zeros(0, dtype=np.float32)) == SILENCE_DB


@pytest.mark.parametrize(
    ("db", "fraction"),
    [(-100.0, 0.0), (-60.0, 0.0), (-30.0, 0.5), (0.0, 1.0), (6.0, 1.0), (float("-inf"), 0.0),
     (float("nan"), 0.0)],
)
def test_level_fraction(db, fraction):
    assert level_fraction(db) == pytest.approx(fraction)


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_throttle_lets_through_at_most_n_per_second():
    clock = FakeClock()
    throttle = Throttle(max_per_second=30, clock=clock)
    passed = 0
    for _ in range(1000):  # 1 s in 1 ms steps
        passed += throttle.ready()
        clock.now += 0.001
    assert passed in (29, 30, 31)
    assert throttle.ready() is False
    throttle.reset()
    assert throttle.ready() is True


def test_throttle_rejects_a_zero_rate():
    with pytest.raises(ValueError):
        Throttle(0)
