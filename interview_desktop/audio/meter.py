"""Level metering helpers: RMS in dBFS, a 0..1 meter fraction, and a rate limiter for meter updates."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

#: What :func:`rms_dbfs` reports for digital silence or an empty buffer.
SILENCE_DB = -100.0


def rms_dbfs(samples: np.ndarray) -> float:
    """RMS level of float samples in dB relative to full scale (1.0); ``SILENCE_DB`` for silence."""
    x = np.asarray(samples, dtype=np.float32).ravel()
    if x.size == 0:
        return SILENCE_DB
    mean_square = float(np.dot(x, x)) / x.size
    if mean_square <= 1e-10:  # below -100 dBFS
        return SILENCE_DB
    return 10.0 * math.log10(mean_square)


def level_fraction(db: float, floor_db: float = -60.0, ceiling_db: float = 0.0) -> float:
    """Map a dBFS level to 0..1 for a meter widget (``floor_db`` → 0, ``ceiling_db`` → 1)."""
    if not math.isfinite(db) or db <= floor_db:
        return 0.0
    if db >= ceiling_db:
        return 1.0
    return (db - floor_db) / (ceiling_db - floor_db)


def meter_level(samples: np.ndarray) -> float:
    """What the level meter shows for one drained block: 0..1 (0 for an empty block)."""
    return level_fraction(rms_dbfs(samples)) if len(samples) else 0.0


class Throttle:
    """Lets an event through at most ``max_per_second`` times a second.

    ``ready()`` returns True (and restarts the interval) when enough time has passed since the
    last True; the first call is always True. Not thread-safe: use one per thread.
    """

    def __init__(self, max_per_second: float = 30.0, clock: Callable[[], float] = time.monotonic):
        if max_per_second <= 0:
            raise ValueError("max_per_second must be positive")
        self._interval = 1.0 / max_per_second
        self._clock = clock
        self._last: float | None = None

    def ready(self) -> bool:
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            return False
        self._last = now
        return True

    def reset(self) -> None:
        """Make the next ``ready()`` return True."""
        self._last = None
