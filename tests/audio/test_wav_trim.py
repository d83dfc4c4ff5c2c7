"""The question starts at its first sound: a voice's lead-in silence is cut before it is played."""

import numpy as np
import pytest

from interview_desktop.audio.wav import trim_leading_silence
from interview_desktop.domain import AudioClip

RATE = 16000


def _first_loud_s(clip: AudioClip, floor_dbfs: float = -45.0) -> float:
    frame = clip.sample_rate // 100
    n = len(clip.samples) // frame
    power = np.square(clip.samples[: n * frame].reshape(n, frame)).mean(axis=1)
    return float(np.flatnonzero(power > 10 ** (floor_dbfs / 10))[0] * frame / clip.sample_rate)


def test_lead_in_silence_is_cut_to_twenty_milliseconds_and_nothing_else_changes():
    tone = (0.3 * np.sin(np.arange(RATE // 2) * 2 * np.pi * 220 / RATE)).astype(np.float32)
    clip = AudioClip(np.concatenate([np.zeros(RATE // 4, np.float32), tone, np.zeros(800, np.float32)]), RATE)
    trimmed = trim_leading_silence(clip)
    assert len(clip.samples) - len(trimmed.samples) == RATE // 4 - int(0.02 * RATE)
    np.testing.assert_array_equal(trimmed.samples, clip.samples[RATE // 4 - int(0.02 * RATE):])
    assert trimmed.sample_rate == RATE


@pytest.mark.parametrize("samples", [np.zeros(RATE, np.float32), np.zeros(0, np.float32),
                                     np.full(RATE, 0.5, np.float32)])
def test_all_quiet_empty_or_loud_from_the_start_is_left_alone(samples):
    clip = AudioClip(samples, RATE)
    assert trim_leading_silence(clip) is clip


def test_piper_question_starts_within_thirty_milliseconds_after_the_trim():
    from tests.speech import piper_clip

    clip = piper_clip("Tell me about a time you disagreed with a colleague.", lead_s=0.2)
    assert _first_loud_s(clip) >= 0.2
    trimmed = trim_leading_silence(clip)
    assert _first_loud_s(trimmed) <= 0.03
    assert len(clip.samples) - len(trimmed.samples) >= int(0.2 * RATE)  # only the lead-in went
