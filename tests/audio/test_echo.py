"""The echo check: the app's own voice leaking into the microphone (delayed, quieter, smeared by the
room, with noise) is told apart from the candidate's voice, also when both speak at once."""

from __future__ import annotations

import numpy as np
import pytest

from interview_desktop.audio.echo import echo_similarity
from tests.speech import espeak_clip

RATE = 16000
LAG = 1.5
WINDOW = 1.0  # seconds of voice compared (what the engine waits for while the app speaks)


@pytest.fixture(scope="module")
def question():
    text = "Tell me about a time you had to deliver a project under a tight deadline."
    return espeak_clip(text, wpm=170).samples


@pytest.fixture(scope="module")
def candidate():
    return espeak_clip("Well, in my last role we had two weeks to ship the new billing system.",
                       wpm=150, voice="en-us").samples


def room(x: np.ndarray, delay_s: float, gain: float, seed: int = 1) -> np.ndarray:
    """The loudspeaker heard by the microphone: delayed, quieter, a 60 ms decaying tail, noise."""
    rng = np.random.default_rng(seed)
    tail = 0.05 * rng.standard_normal(int(0.06 * RATE)) * np.exp(-np.linspace(0, 6, int(0.06 * RATE)))
    tail[0] = 1.0
    wet = np.convolve(x, tail)[: len(x)]
    delayed = np.concatenate([np.zeros(int(delay_s * RATE)), wet])[: len(x)]
    return (gain * delayed + rng.standard_normal(len(x)) * 10 ** (-55 / 20)).astype(np.float32)


def window(signal: np.ndarray, start_s: float, seconds: float) -> np.ndarray:
    return signal[int(start_s * RATE): int((start_s + seconds) * RATE)]


def reference(played: np.ndarray, start_s: float, seconds: float) -> np.ndarray:
    """What was played from LAG before the window to its end (zeros before playback started)."""
    padded = np.concatenate([np.zeros(int(LAG * RATE), dtype=np.float32), played])
    return window(padded, start_s, LAG + seconds)


# gains that leave the echo louder than the endpointer's -50 dBFS energy gate (quieter is never speech)
@pytest.mark.parametrize("delay_s,gain", [(0.0, 1.0), (0.05, 0.3), (0.2, 0.1), (0.7, 0.5), (1.2, 0.08)])
def test_the_apps_own_voice_is_echo(question, delay_s, gain):
    mic = room(question, delay_s, gain)
    for start in (1.0, 2.0, 3.0):
        assert echo_similarity(window(mic, start, WINDOW), reference(question, start, WINDOW), LAG) >= 0.7


def test_the_candidate_speaking_while_nothing_plays_is_not_echo(question, candidate):
    silence = np.zeros_like(question)
    assert echo_similarity(window(candidate, 1.0, WINDOW), reference(silence, 1.0, WINDOW), LAG) == 0.0


@pytest.mark.parametrize("echo_gain", [0.0, 0.1, 0.3])
def test_the_candidate_over_the_question_is_not_echo(question, candidate, echo_gain):
    n = min(len(question), len(candidate))
    mic = candidate[:n] * 0.8 + room(question[:n], 0.05, echo_gain)
    scores = [echo_similarity(window(mic, s, WINDOW), reference(question[:n], s, WINDOW), LAG)
              for s in (1.0, 2.0, 3.0)]
    assert max(scores) < 0.7, scores
