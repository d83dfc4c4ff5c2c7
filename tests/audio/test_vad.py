"""Streaming Silero VAD and end-of-answer detection on real (espeak-ng) speech."""

from __future__ import annotations

import numpy as np
import pytest

from interview_desktop.audio.errors import VadUnavailableError
from interview_desktop.audio.meter import rms_dbfs
from interview_desktop.audio.vad import (
    SAMPLE_RATE,
    WINDOW,
    EndpointConfig,
    Endpointer,
    EndpointEvent,
    EndpointEventKind,
    EndpointState,
    EndReason,
    EnergyGate,
    SileroVad,
    silero_model_path,
)
from tests.audio.helpers import SPEECH_A, SPEECH_B, SPEECH_LONG, noise, silence

WIN_S = WINDOW / SAMPLE_RATE  # 32 ms
# Silero's onset/offset lags the audio by about one window and decisions are taken at window
# boundaries: allow three windows either way for timings.
TOL_S = 3 * WIN_S

STARTED = EndpointEventKind.SPEECH_STARTED
ENDED = EndpointEventKind.ANSWER_ENDED
TIMEOUT = EndpointEventKind.NO_SPEECH_TIMEOUT


def s(seconds_of_samples: np.ndarray) -> float:
    return len(seconds_of_samples) / SAMPLE_RATE


def feed_chunked(ep: Endpointer, signal: np.ndarray, seed: int = 1) -> list[EndpointEvent]:
    """Feed ``signal`` in irregular chunks (like timer-driven drains) and collect the events."""
    rng = np.random.default_rng(seed)
    events: list[EndpointEvent] = []
    i = 0
    while i < len(signal):
        n = int(rng.integers(1, 1200))
        events.extend(ep.feed(signal[i : i + n]))
        i += n
    return events


def kinds(events: list[EndpointEvent]) -> list[EndpointEventKind]:
    return [e.kind for e in events]


@pytest.fixture(scope="module")
def vad() -> SileroVad:
    return SileroVad()


# --------------------------------------------------------------------------- SileroVad


def test_model_is_the_one_faster_whisper_ships():
    path = silero_model_path()
    assert path.name == "silero_vad_v6.onnx"
    assert path.is_file()


def test_streaming_probabilities_equal_faster_whisper_batch_run(speech, vad):
    from faster_whisper.vad import get_vad_model

    signal = np.concatenate([silence(0.4), speech(SPEECH_A), silence(0.7), speech(SPEECH_B), silence(0.5)])
    signal = np.pad(signal, (0, WINDOW - len(signal) % WINDOW))
    batch = get_vad_model()(signal).reshape(-1)
    vad.reset()
    streamed = np.array([vad.probability(w) for w in signal.reshape(-1, WINDOW)])
    np.testing.assert_allclose(streamed, batch, atol=1e-5)
    assert streamed.max() > 0.9  # the speech is recognised as such
    assert streamed[:10].max() < 0.1  # the leading silence is not


def test_reset_starts_a_fresh_stream(speech, vad):
    windows = speech(SPEECH_A)[: 20 * WINDOW].reshape(-1, WINDOW)
    vad.reset()
    first = [vad.probability(w) for w in windows]
    vad.reset()
    again = [vad.probability(w) for w in windows]
    assert first == again


def test_missing_or_broken_model_is_a_vad_unavailable_error(tmp_path):
    with pytest.raises(VadUnavailableError, match="missing"):
        SileroVad(tmp_path / "nope.onnx")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(VadUnavailableError, match="cannot load"):
        SileroVad(bad)


def test_window_must_be_512_samples(vad):
    with pytest.raises(ValueError, match="512"):
        vad.probability(np.zeros(480, dtype=np.float32))


def test_energy_gate_floor():
    gate = EnergyGate(-50.0)
    assert gate.passes(-49.9)
    assert not gate.passes(rms_dbfs(noise(1.0, -55.0)))


# --------------------------------------------------------------------------- Endpointer


def test_thinking_pause_shorter_than_hangover_keeps_one_answer(speech, vad):
    a, b = speech(SPEECH_A), speech(SPEECH_B)
    lead = 0.5
    signal = np.concatenate([silence(lead), a, silence(1.0), b, silence(2.0)])
    ep = Endpointer(vad=vad)
    events = feed_chunked(ep, signal)

    assert kinds(events) == [STARTED, ENDED]
    assert events[1].reason == EndReason.SILENCE == "silence"
    assert events[1].speech_detected
    clip = ep.clip()
    cfg = ep.config
    expected = cfg.pre_roll_s + s(a) + 1.0 + s(b) + cfg.keep_trailing_s
    assert clip.sample_rate == SAMPLE_RATE
    assert clip.duration_s == pytest.approx(expected, abs=TOL_S)
    # both parts are in the clip: two speech segments separated by the ~1 s pause
    segments = ep.speech_segments()
    assert len(segments) == 2, segments
    (s1, e1), (s2, e2) = segments
    assert s1 == pytest.approx(cfg.pre_roll_s, abs=TOL_S)
    assert e1 - s1 == pytest.approx(s(a), abs=TOL_S)
    assert s2 - e1 == pytest.approx(1.0, abs=TOL_S)
    assert e2 - s2 == pytest.approx(s(b), abs=TOL_S)
    stream = ep.speech_segments(relative_to_clip=False)
    assert stream[0][0] == pytest.approx(lead, abs=TOL_S)


def test_silence_after_speech_ends_the_answer_after_the_hangover(speech, vad):
    a = speech(SPEECH_A)
    lead = 0.7
    signal = np.concatenate([silence(lead), a, silence(3.0)])
    ep = Endpointer(EndpointConfig(hangover_s=1.5), vad=vad)
    events = feed_chunked(ep, signal)

    assert kinds(events) == [STARTED, ENDED]
    speech_end = lead + s(a)
    assert events[0].at_s == pytest.approx(lead + ep.config.min_speech_s, abs=TOL_S)
    assert ep.answer_started_at_s == pytest.approx(lead, abs=TOL_S)
    assert events[1].reason is EndReason.SILENCE
    assert events[1].at_s == pytest.approx(speech_end + 1.5, abs=TOL_S)
    assert ep.state is EndpointState.ENDED
    # trailing silence trimmed to keep_trailing_s
    assert ep.clip().duration_s == pytest.approx(0.3 + s(a) + 0.3, abs=TOL_S)
    # audio after the end is ignored
    assert ep.feed(speech(SPEECH_B)) == []
    assert ep.finish() == []


def test_pre_roll_holds_the_audio_before_the_detected_speech(speech, vad):
    lead = noise(1.0, -45.0, seed=3)  # audible room noise, distinguishable from digital zeros
    a = speech(SPEECH_A)
    ep = Endpointer(vad=vad)
    feed_chunked(ep, np.concatenate([lead, a, silence(2.0)]))
    clip = ep.clip().samples
    pre = round(ep.config.pre_roll_s * SAMPLE_RATE)
    assert ep.clip_start_s == pytest.approx(1.0 - ep.config.pre_roll_s, abs=TOL_S)
    # the clip starts with ~0.3 s of the lead-in noise, then the speech starts (onset kept whole)
    head = clip[: pre - round(TOL_S * SAMPLE_RATE)]
    assert rms_dbfs(head) == pytest.approx(-45.0, abs=1.0)
    onset = round((1.0 - ep.clip_start_s) * SAMPLE_RATE)
    np.testing.assert_array_equal(clip[onset : onset + 4000], a[:4000])


def test_pure_silence_times_out_without_speech(vad):
    ep = Endpointer(EndpointConfig(no_speech_timeout_s=12.0), vad=vad)
    events = feed_chunked(ep, silence(13.0))
    assert kinds(events) == [TIMEOUT]
    assert events[0].at_s == pytest.approx(12.0, abs=WIN_S)
    assert not events[0].speech_detected
    assert not ep.speech_detected
    assert ep.state is EndpointState.ENDED


def test_quiet_white_noise_is_never_speech(vad):
    ep = Endpointer(EndpointConfig(no_speech_timeout_s=None), vad=vad)
    events = feed_chunked(ep, noise(15.0, -55.0))
    assert events == []
    assert ep.state is EndpointState.WAITING
    assert ep.level_db == pytest.approx(-55.0, abs=1.5)


class AlwaysSpeech:
    """A VAD that calls everything speech: shows the energy gate alone keeps quiet noise out."""

    def probability(self, window: np.ndarray) -> float:
        return 1.0

    def reset(self) -> None:
        pass


def test_energy_gate_rejects_quiet_noise_even_when_the_vad_fires():
    ep = Endpointer(EndpointConfig(no_speech_timeout_s=None), vad=AlwaysSpeech())
    assert feed_chunked(ep, noise(3.0, -55.0)) == []
    events = feed_chunked(ep, noise(1.0, -40.0))  # above the -50 dBFS floor: now it counts
    assert kinds(events) == [STARTED]


def test_loud_white_noise_passes_the_gate_but_silero_rejects_it(vad):
    """Documented behaviour: steady -20 dBFS white noise is loud enough for the energy gate, but
    Silero scores it far below the threshold (max ≈ 0.13 measured), so no answer starts and the
    no-speech timeout still fires."""
    signal = noise(13.0, -20.0, seed=7)
    vad.reset()
    probs = [vad.probability(w) for w in signal[: 300 * WINDOW].reshape(-1, WINDOW)]
    assert max(probs) < 0.5
    ep = Endpointer(vad=vad)
    events = feed_chunked(ep, signal)
    assert ep.gate.passes(ep.level_db)
    assert kinds(events) == [TIMEOUT]


def test_continuous_speech_is_cut_at_max_length(speech, vad):
    long = speech(SPEECH_LONG)
    assert s(long) > 5.0
    ep = Endpointer(EndpointConfig(max_answer_s=3.0), vad=vad)
    events = feed_chunked(ep, np.concatenate([silence(0.5), long, silence(2.0)]))
    assert kinds(events) == [STARTED, ENDED]
    assert events[1].reason is EndReason.MAX_LENGTH
    assert events[1].at_s == pytest.approx(0.5 + 3.0, abs=TOL_S)
    assert ep.clip().duration_s == pytest.approx(ep.config.pre_roll_s + 3.0, abs=TOL_S)


def test_finish_during_speech_ends_manually_and_keeps_the_audio(speech, vad):
    a = speech(SPEECH_A)
    ep = Endpointer(vad=vad)
    half = a[: len(a) // 2]
    events = feed_chunked(ep, np.concatenate([silence(0.5), half]))
    assert kinds(events) == [STARTED]
    assert ep.state is EndpointState.ANSWERING
    ended = ep.finish()
    assert kinds(ended) == [ENDED]
    assert ended[0].reason is EndReason.MANUAL
    assert ended[0].speech_detected
    clip = ep.clip()
    assert clip.duration_s == pytest.approx(ep.config.pre_roll_s + s(half), abs=TOL_S)
    np.testing.assert_array_equal(clip.samples[-1000:], half[-1000:])  # nothing fed is lost
    assert ep.finish() == []


def test_finish_after_a_pause_trims_the_trailing_silence(speech, vad):
    a = speech(SPEECH_A)
    ep = Endpointer(vad=vad)
    feed_chunked(ep, np.concatenate([silence(0.5), a, silence(1.0)]))
    ended = ep.finish("device_lost")
    assert ended[0].reason is EndReason.DEVICE_LOST
    assert ep.clip().duration_s == pytest.approx(0.3 + s(a) + 0.3, abs=TOL_S)


def test_finish_before_any_speech_returns_everything_fed(vad):
    ep = Endpointer(vad=vad)
    fed = noise(2.0, -60.0)
    feed_chunked(ep, fed)
    ended = ep.finish()
    assert kinds(ended) == [ENDED]
    assert ended[0].reason is EndReason.MANUAL
    assert not ended[0].speech_detected
    np.testing.assert_array_equal(ep.clip().samples, fed)
    assert ep.speech_segments() == []


class LoudIsSpeech:
    """Scripted VAD for state-machine edge cases: a window is speech when it is loud."""

    def probability(self, window: np.ndarray) -> float:
        return 1.0 if rms_dbfs(window) > -30.0 else 0.0

    def reset(self) -> None:
        pass


def tone(seconds: float) -> np.ndarray:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_blips_shorter_than_min_speech_neither_start_nor_extend_an_answer():
    ep = Endpointer(EndpointConfig(min_speech_s=0.25), vad=LoudIsSpeech())
    assert feed_chunked(ep, np.concatenate([silence(1.0), tone(0.15), silence(1.0)])) == []
    assert ep.state is EndpointState.WAITING

    # an answer, then a click-like blip 1.0 s into the pause: the answer still ends 1.5 s after
    # the real speech, not after the blip
    events = feed_chunked(ep, np.concatenate([tone(1.0), silence(1.0), tone(0.1), silence(2.0)]))
    assert kinds(events) == [STARTED, ENDED]
    speech_end = 2.15 + 1.0
    assert events[1].at_s == pytest.approx(speech_end + 1.5, abs=2 * WIN_S)
    assert len(ep.speech_segments()) == 1


def test_short_gaps_inside_speech_are_one_segment_and_long_ones_are_pauses():
    ep = Endpointer(EndpointConfig(min_pause_s=0.3), vad=LoudIsSpeech())
    parts = [silence(0.5), tone(1.0), silence(0.15), tone(1.0), silence(0.6), tone(1.0), silence(2.0)]
    events = feed_chunked(ep, np.concatenate(parts))
    assert kinds(events) == [STARTED, ENDED]
    segments = ep.speech_segments(relative_to_clip=False)
    assert len(segments) == 2
    assert segments[1][0] - segments[0][1] == pytest.approx(0.6, abs=2 * WIN_S)


def test_no_speech_timeout_waits_for_a_starting_answer():
    ep = Endpointer(EndpointConfig(no_speech_timeout_s=2.0), vad=LoudIsSpeech())
    # speech begins 0.1 s before the timeout: the answer starts instead of timing out
    events = feed_chunked(ep, np.concatenate([silence(1.9), tone(1.0), silence(2.0)]))
    assert kinds(events) == [STARTED, ENDED]


def test_chunking_does_not_change_the_result(speech, vad):
    signal = np.concatenate([silence(0.5), speech(SPEECH_A), silence(2.0)])
    results = []
    for feeder in (lambda ep: ep.feed(signal), lambda ep: feed_chunked(ep, signal, seed=5)):
        ep = Endpointer(vad=vad)
        events = feeder(ep)
        timeline = [(e.kind, e.at_s, e.reason) for e in events]
        results.append((timeline, ep.clip().samples, ep.speech_segments()))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert results[0][2] == results[1][2]


def test_reset_makes_the_endpointer_reusable(speech, vad):
    signal = np.concatenate([silence(0.5), speech(SPEECH_B), silence(2.0)])
    ep = Endpointer(vad=vad)
    first = [(e.kind, e.at_s) for e in ep.feed(signal)]
    ep.reset()
    assert ep.state is EndpointState.WAITING and ep.fed_s == 0.0
    second = [(e.kind, e.at_s) for e in ep.feed(signal)]
    assert first == second


def test_level_db_follows_the_last_window(vad):
    ep = Endpointer(vad=vad)
    ep.feed(noise(0.5, -30.0))
    assert ep.level_db == pytest.approx(-30.0, abs=1.5)
    ep.feed(silence(0.1))
    assert ep.level_db <= -99.0


@pytest.mark.parametrize(
    "kwargs",
    [{"hangover_s": 0}, {"max_answer_s": -1}, {"pre_roll_s": -0.1}, {"speech_threshold": 1.5},
     {"no_speech_timeout_s": 0}],
)
def test_config_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        EndpointConfig(**kwargs)


def test_config_defaults():
    c = EndpointConfig()
    assert (c.hangover_s, c.no_speech_timeout_s, c.max_answer_s, c.pre_roll_s) == (1.5, 12.0, 180.0, 0.3)
    assert (c.speech_threshold, c.min_speech_s, c.effective_neg_threshold) == (0.5, 0.25, pytest.approx(0.35))


def test_a_voice_too_short_to_count_moves_the_last_voice_but_not_the_last_speech():
    """A soft "and" before a pause is too short to be speech, but it was said: last_voice_end_s says
    where it ends, so the transcript is not taken as complete without it."""
    ep = Endpointer(EndpointConfig(min_speech_s=0.25), vad=LoudIsSpeech())
    feed_chunked(ep, np.concatenate([silence(0.5), tone(1.0), silence(0.4)]))
    speech_end = ep.last_speech_end_s
    assert ep.last_voice_end_s == pytest.approx(speech_end)
    feed_chunked(ep, np.concatenate([tone(0.15), silence(0.5)]))
    assert ep.last_speech_end_s == speech_end  # not speech: the silence goes on counting
    assert ep.last_voice_end_s == pytest.approx(speech_end + 0.4 + 0.15, abs=2 * WIN_S)
    assert ep.silence_s == pytest.approx(0.4 + 0.15 + 0.5, abs=2 * WIN_S)
