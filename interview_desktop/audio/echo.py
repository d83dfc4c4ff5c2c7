"""Is the voice in the microphone the app's own (the question leaking from the speakers) or the
candidate's? Compares the loudness envelope of the microphone with the envelope of what is playing.

Echo follows the played audio syllable by syllable (at some delay and gain); the candidate's speech
does not. Used to tell a real barge-in from the echo while the app speaks (docs/conversation.md).
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
FRAME = 160  # 10 ms
_FLOOR_DB = -60.0
_RANGE_DB = 30.0


def envelope_db(samples: np.ndarray) -> np.ndarray:
    """Loudness per 10 ms frame in dBFS (floored at -60)."""
    n = len(samples) // FRAME
    if n == 0:
        return np.zeros(0, dtype=np.float64)
    power = np.square(samples[: n * FRAME].astype(np.float64).reshape(n, FRAME)).mean(axis=1)
    return np.maximum(10.0 * np.log10(power + 1e-12), _FLOOR_DB)


def echo_similarity(mic: np.ndarray, played: np.ndarray, max_lag_s: float = 0.6) -> float:
    """How well the microphone's envelope is explained by the played audio's at some delay.

    ``played`` starts ``max_lag_s`` before ``mic`` (the loudspeaker plays before the microphone hears
    it) and is at least as long; the result is the best Pearson correlation over delays 0…max_lag_s
    (0 when nothing audible was played in that span). Above ~0.7: echo.
    """
    mic_env = envelope_db(mic)
    ref_env = envelope_db(played)
    if len(mic_env) < 10 or len(ref_env) < len(mic_env) or ref_env.max() <= _FLOOR_DB + 10:
        return 0.0
    # compare the shapes of the loud parts only: below 30 dB under its peak each side is flat
    mic_env = np.maximum(mic_env, mic_env.max() - _RANGE_DB)
    ref_env = np.maximum(ref_env, ref_env.max() - _RANGE_DB)
    lags = min(int(max_lag_s * SAMPLE_RATE / FRAME), len(ref_env) - len(mic_env))
    mic_c = mic_env - mic_env.mean()
    mic_norm = np.sqrt(np.square(mic_c).sum())
    if mic_norm == 0:
        return 0.0
    best = 0.0
    for lag in range(lags + 1):
        start = lags - lag
        ref = ref_env[start : start + len(mic_env)]
        ref_c = ref - ref.mean()
        norm = np.sqrt(np.square(ref_c).sum())
        if norm > 0:
            best = max(best, float((mic_c * ref_c).sum() / (mic_norm * norm)))
    return best
