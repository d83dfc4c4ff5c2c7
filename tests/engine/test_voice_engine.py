"""The engine's voice loop with the real endpointer and the real bundled Whisper model.

Audio comes from :class:`ReplayMic` (recorded espeak-ng speech, fed faster than real time) so each
case is exact and repeatable; the live capture path is covered by tests/audio and test_e2e_voice.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from interview_desktop.audio.errors import NoInputDeviceError
from interview_desktop.audio.playback import Player
from interview_desktop.audio.vad import EndpointConfig
from interview_desktop.audio.wav import validate_wav
from interview_desktop.domain import (
    NO_ANSWER_TEXT,
    NOT_TRANSCRIBED_TEXT,
    AnswerInput,
    AudioClip,
    EngineState,
    InterviewRequest,
)
from interview_desktop.engine.interview_engine import InterviewEngine
from interview_desktop.engine.speaker import split_first_sentence
from interview_desktop.providers.base import FallbackChain, ProviderUnavailable
from interview_desktop.providers.brains.question_bank import QuestionBank
from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT
from interview_desktop.providers.voice import VoiceIO
from interview_desktop.storage.json_store import JsonHistoryRepository
from tests.fakes.replay_mic import ReplayMic
from tests.speech import espeak_clip, word_error_rate

pytestmark = pytest.mark.slow

ANSWER = "In my last role I led a team of four engineers and we shipped the billing system on time."
SECOND = "The result was a thirty percent drop in support tickets."
FAST = 4800  # samples per 30 ms poll: ten times real time


@pytest.fixture(scope="module")
def bank():
    return QuestionBank.load()


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


_ENGINES: list[InterviewEngine] = []


@pytest.fixture(autouse=True)
def _shut_engines_down():
    """Stop each engine's worker pool before the engine is garbage-collected (as the app does)."""
    yield
    while _ENGINES:
        _ENGINES.pop().shutdown()


def tracked(engine: InterviewEngine) -> InterviewEngine:
    _ENGINES.append(engine)
    return engine


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), dtype=np.float32)


def join(*parts) -> AudioClip:
    arrays = [p.samples if isinstance(p, AudioClip) else p for p in parts]
    return AudioClip(np.concatenate(arrays).astype(np.float32), 16000)


def make_engine(bank, data_dir, mic_factory, stt_providers, **voice_fields):
    voice = VoiceIO(
        stt=FallbackChain("speech-to-text", stt_providers),
        open_mic=mic_factory,
        endpoint=voice_fields.pop("endpoint", EndpointConfig()),
        echo_tail_s=0.0,
        **voice_fields,
    )
    engine = tracked(InterviewEngine(
        bank, JsonHistoryRepository(data_dir), voice=voice, data_dir=data_dir, rng=random.Random(5)
    ))
    notices = []
    engine.notice.connect(notices.append)
    return engine, notices


def run_one_question(qtbot, engine, timeout=30000):
    with qtbot.waitSignal(engine.session_finished, timeout=timeout) as done:
        engine.start_interview(InterviewRequest("Ada", "Software Engineer", 1))
    return done.args[0]


def test_spoken_answer_is_transcribed_timed_and_its_audio_kept(qtbot, bank, whisper, data_dir):
    clip = join(silence(0.5), espeak_clip(ANSWER, wpm=150), silence(2.0))
    engine, _ = make_engine(bank, data_dir, lambda: ReplayMic(clip, chunk=FAST), [whisper])
    session = run_one_question(qtbot, engine)
    answer = session.answers[0]
    assert answer.input is AnswerInput.VOICE
    assert word_error_rate(ANSWER, answer.text) <= 0.3, answer.text
    assert answer.provenance.stt == "local-whisper" and answer.provenance.cloud is False
    assert answer.transcript_words and answer.transcript_words[0].start < answer.transcript_words[-1].end
    assert 4.0 < answer.duration_s < 8.0
    assert answer.audio_path == f"audio/{session.id}/1.wav"
    saved = validate_wav(data_dir / answer.audio_path)
    assert abs(saved.duration_s - answer.duration_s) < 0.05
    assert answer.provenance.speech_segments


def test_a_thinking_pause_keeps_one_answer(qtbot, bank, whisper, data_dir):
    clip = join(
        silence(0.5), espeak_clip(ANSWER, wpm=150), silence(1.0), espeak_clip(SECOND, wpm=150), silence(2.0)
    )
    engine, _ = make_engine(bank, data_dir, lambda: ReplayMic(clip, chunk=FAST), [whisper])
    session = run_one_question(qtbot, engine)
    assert len(session.answers) == 1
    text = session.answers[0].text.lower()
    assert "billing" in text and "tickets" in text, text
    assert len(session.answers[0].provenance.speech_segments) >= 2


def test_no_speech_is_offered_a_repeat_and_never_invents_words(qtbot, bank, whisper, data_dir):
    clip = AudioClip(silence(30.0), 16000)
    engine, notices = make_engine(
        bank, data_dir, lambda: ReplayMic(clip, chunk=FAST), [whisper],
        endpoint=EndpointConfig(no_speech_timeout_s=3.0),
    )
    with qtbot.waitSignal(engine.no_speech_heard, timeout=10000):
        engine.start_interview(InterviewRequest("Ada", "Sales", 1))
    assert "didn't hear anything" in notices[-1].text
    assert engine.state is EngineState.LISTENING
    with qtbot.waitSignal(engine.session_finished, timeout=10000) as done:
        engine.finish_answer()  # the Done key
    answer = done.args[0].answers[0]
    assert answer.text == NO_ANSWER_TEXT and answer.input is AnswerInput.VOICE


def test_device_lost_mid_answer_keeps_what_was_captured(qtbot, bank, whisper, data_dir):
    clip = join(silence(0.5), espeak_clip(ANSWER, wpm=150), silence(2.0))
    engine, notices = make_engine(
        bank, data_dir, lambda: ReplayMic(clip, chunk=FAST, lose_after_s=4.0), [whisper]
    )
    session = run_one_question(qtbot, engine)
    text = session.answers[0].text.lower()
    assert "four engineers" in text and "billing" not in text, text
    assert any("microphone stopped" in n.text for n in notices)
    assert (data_dir / session.answers[0].audio_path).exists()


def test_missing_model_keeps_the_recording_and_says_so(qtbot, bank, data_dir, tmp_path):
    clip = join(silence(0.5), espeak_clip(ANSWER, wpm=150), silence(2.0))
    broken = LocalWhisperSTT(model_path=str(tmp_path / "no-model-here"))
    engine, notices = make_engine(bank, data_dir, lambda: ReplayMic(clip, chunk=FAST), [broken])
    session = run_one_question(qtbot, engine)
    answer = session.answers[0]
    assert answer.text == NOT_TRANSCRIBED_TEXT
    assert validate_wav(data_dir / answer.audio_path).duration_s > 4.0
    assert any(n.level == "error" and "speech model could not be loaded" in n.text for n in notices)


def test_keep_audio_off_removes_the_recording_after_transcription(qtbot, bank, whisper, data_dir):
    clip = join(silence(0.5), espeak_clip(ANSWER, wpm=150), silence(2.0))
    engine, _ = make_engine(
        bank, data_dir, lambda: ReplayMic(clip, chunk=FAST), [whisper], keep_audio=False
    )
    session = run_one_question(qtbot, engine)
    assert session.answers[0].audio_path is None
    assert not list((data_dir / "audio").rglob("*.wav"))
    assert word_error_rate(ANSWER, session.answers[0].text) <= 0.3


def test_no_microphone_leaves_typed_answers(qtbot, bank, whisper, data_dir):
    def no_mic():
        raise NoInputDeviceError("No microphone found.")

    engine, notices = make_engine(bank, data_dir, no_mic, [whisper])
    engine.start_interview(InterviewRequest("Ada", "Sales", 1))
    assert engine.state is EngineState.LISTENING
    assert any("Microphone unavailable: No microphone found." in n.text for n in notices)
    engine.submit_answer("Typed instead.")
    assert engine.session.answers[0].text == "Typed instead."


def test_typed_answer_while_listening_wins(qtbot, bank, whisper, data_dir):
    clip = AudioClip(silence(60.0), 16000)
    engine, _ = make_engine(bank, data_dir, lambda: ReplayMic(clip, chunk=480), [whisper])
    engine.start_interview(InterviewRequest("Ada", "Sales", 1))
    engine.submit_answer("I prefer to type this one.")
    assert engine.session.answers[0].input is AnswerInput.TYPED
    assert engine.state is EngineState.FINISHED


class BrokenVoice:
    name = "broken-voice"
    cloud = False

    def synthesize(self, text):
        raise ProviderUnavailable("espeak-ng is not installed")


def test_voice_unavailable_shows_the_question_and_goes_on(qtbot, bank, data_dir):
    voice = VoiceIO(tts=FallbackChain("text-to-speech", [BrokenVoice()]), player=Player())
    engine = tracked(InterviewEngine(bank, JsonHistoryRepository(data_dir), voice=voice, data_dir=data_dir))
    notices = []
    engine.notice.connect(notices.append)
    with qtbot.waitSignal(engine.state_changed, timeout=10000,
                          check_params_cb=lambda s: s is EngineState.LISTENING):
        engine.start_interview(InterviewRequest("Ada", "Sales", 1))
    assert any(n.text.startswith("Voice unavailable:") and "espeak-ng" in n.text for n in notices)


def test_speaker_unavailable_shows_the_question_and_goes_on(qtbot, bank, data_dir):
    from interview_desktop.providers.tts.pyttsx3_voice import Pyttsx3TTS

    voice = VoiceIO(tts=FallbackChain("text-to-speech", [Pyttsx3TTS()]), player=Player("No such speaker"))
    engine = tracked(InterviewEngine(bank, JsonHistoryRepository(data_dir), voice=voice, data_dir=data_dir))
    notices = []
    engine.notice.connect(notices.append)
    with qtbot.waitSignal(engine.state_changed, timeout=15000,
                          check_params_cb=lambda s: s is EngineState.LISTENING):
        engine.start_interview(InterviewRequest("Ada", "Sales", 1))
    assert any(n.text.startswith("Voice unavailable:") for n in notices), notices
    engine.submit_answer("Still works.")
    assert engine.state is EngineState.FINISHED


class SpyVoice:
    """The real offline voice, noting what it was asked to say and in which engine state."""

    name = "pyttsx3"
    cloud = False

    def __init__(self, engine_state):
        from interview_desktop.providers.tts.pyttsx3_voice import Pyttsx3TTS

        self._voice = Pyttsx3TTS()
        self._state = engine_state
        self.said: list[tuple[str, EngineState]] = []

    def synthesize(self, text):
        self.said.append((text, self._state()))
        return self._voice.synthesize(text)


def test_the_next_question_is_synthesized_while_the_candidate_answers(qtbot, bank, data_dir, caplog):
    caplog.set_level("INFO", logger="interview_desktop.engine")
    holder = {}
    spy = SpyVoice(lambda: holder["engine"].state)
    voice = VoiceIO(tts=FallbackChain("text-to-speech", [spy]), player=Player())
    engine = holder["engine"] = tracked(InterviewEngine(bank, JsonHistoryRepository(data_dir), voice=voice,
                                                        data_dir=data_dir, rng=random.Random(2)))
    asked = []
    engine.question_asked.connect(asked.append)
    with qtbot.waitSignal(engine.state_changed, timeout=20000,
                          check_params_cb=lambda s: s is EngineState.LISTENING):
        engine.start_interview(InterviewRequest("Ada", "Sales", 2))
    first, second = engine._plan.questions  # noqa: SLF001 - the plan the engine asks from
    # the first question was not prepared: it is spoken sentence by sentence, all while asking
    sentences = [t for t in split_first_sentence(first.text) if t]
    assert len(sentences) == 2  # "…closed. How did you win it?" (the seeded plan)
    qtbot.waitUntil(lambda: len(spy.said) == 3, timeout=10000)
    assert spy.said == [(t, EngineState.ASKING) for t in sentences] + [(second.text, EngineState.LISTENING)]
    qtbot.waitUntil(lambda: engine._speaker.is_prepared(second.text), timeout=10000)  # noqa: SLF001
    with qtbot.waitSignal(engine.question_asked, timeout=5000):
        engine.submit_answer("I listen first, then I ask what a good outcome looks like for them.")
    assert asked[-1].question == second
    assert "question spoken from audio prepared ahead" in caplog.text
    assert len(spy.said) == 3  # the second question was not synthesized again
    engine.end_interview()
