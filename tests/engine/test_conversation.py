"""The engine as a conversation: smart turn-taking on real speech (replayed at real speed, so the
transcription runs while the candidate speaks), an answer continued after a wrong decision, the
evaluation beside the next question, and the follow-up time budget."""

from __future__ import annotations

import logging
import random
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt

from interview_desktop.audio.turn_policy import TurnConfig
from interview_desktop.domain import AudioClip, EngineState, InterviewRequest
from interview_desktop.engine.interview_engine import InterviewEngine
from interview_desktop.providers.base import FallbackChain
from interview_desktop.providers.brains.offline import OfflineBrain
from interview_desktop.providers.brains.question_bank import QuestionBank
from interview_desktop.providers.voice import VoiceIO
from interview_desktop.storage.json_store import JsonHistoryRepository
from tests.fakes.replay_mic import ReplayMic
from tests.speech import espeak_clip

REAL_TIME = 480  # samples per 30 ms poll


@pytest.fixture(scope="module")
def bank():
    return QuestionBank.load()


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), dtype=np.float32)


def said(*parts) -> AudioClip:
    return AudioClip(np.concatenate([espeak_clip(p, wpm=160).samples if isinstance(p, str) else p
                                     for p in parts]).astype(np.float32), 16000)


class HeldPlayer:
    """A player on which the first question plays out at once and later ones play until stopped
    (the candidate interrupts them). The engine tells it which question is asked (``asked``)."""

    def __init__(self):
        self.done = threading.Event()
        self.error = None
        self.position_s = 0.0
        self.played: list[AudioClip] = []
        self.stopped = 0
        self.question = 0

    def asked(self, prompt) -> None:
        self.question = prompt.index

    def play(self, clip):
        self.played.append(clip)
        self.done.clear()
        if self.question == 0:
            self.done.set()

    def extend(self, clip):
        return not self.done.is_set()

    def stop(self):
        self.stopped += 1
        self.done.set()


class QuietVoice:
    """Text to speech that returns a short tone-free clip at once (what is heard does not matter)."""

    name, cloud = "quiet", False

    def synthesize(self, text):
        return AudioClip(np.zeros(16000, dtype=np.float32), 16000)


def conversation_engine(bank, tmp_path, whisper, clip, player=None, brains=None, follow_ups=0, turn=None):
    voice = VoiceIO(
        tts=FallbackChain("text-to-speech", [QuietVoice()]) if player else None, player=player,
        stt=FallbackChain("speech-to-text", [whisper]), open_mic=lambda: ReplayMic(clip, chunk=REAL_TIME),
        echo_tail_s=0.0, turn=turn or TurnConfig(),
    )
    data = tmp_path / "data"
    engine = InterviewEngine(bank, JsonHistoryRepository(data), brains=brains, follow_ups=follow_ups,
                             voice=voice, data_dir=data, rng=random.Random(3))
    return engine


@pytest.fixture
def engines():
    made = []
    yield made
    for engine in made:
        engine.shutdown()


def test_a_thinking_pause_after_an_unfinished_clause_keeps_one_answer(
        qtbot, bank, tmp_path, whisper, engines):
    clip = said(silence(0.5), "In my last role we moved all of the billing to the cloud, and", silence(2.5),
                "we cut the costs by thirty percent in one quarter.", silence(3.0))
    engine = conversation_engine(bank, tmp_path, whisper, clip)
    engines.append(engine)
    captions = []
    engine.caption_changed.connect(lambda text, final: captions.append((text, final)))
    turns = []
    engine.turn_changed.connect(turns.append)
    with qtbot.waitSignal(engine.session_finished, timeout=60_000) as done:
        engine.start_interview(InterviewRequest("Ada", "Software Engineer", 1))
    answer = done.args[0].answers[0]
    text = answer.text.lower()
    assert "cloud" in text and ("thirty" in text or "30" in text), text
    assert answer.turn is not None and answer.turn.end_reason == "finished" and answer.turn.resumed == 0
    assert answer.turn.speech_start_s < answer.turn.speech_end_s <= answer.turn.decided_s
    assert answer.turn.decided_s - answer.turn.speech_end_s < 3.0  # a finished answer is not held 4 s
    # the candidate saw their words while speaking, and that the app was waiting through the pause
    assert any("cloud" in t.lower() and not final for t, final in captions), captions
    assert captions[-1][1] is True
    assert max(t.pause_s for t in turns if t.phase.value == "paused") >= 2.0
    assert turns[-1].phase.value == "thinking"


def test_speech_after_the_answer_was_ended_is_appended_and_stops_the_question(
        qtbot, bank, tmp_path, whisper, engines, caplog):
    clip = said(silence(0.5), "In my last role I led a team of four engineers on the billing system.",
                silence(2.5), "And we shipped the new version two weeks early.", silence(6.0))
    player = HeldPlayer()
    engine = conversation_engine(bank, tmp_path, whisper, clip, player)
    engines.append(engine)
    engine.question_asked.connect(player.asked, Qt.ConnectionType.DirectConnection)  # before it plays
    states = []
    engine.state_changed.connect(states.append)
    saved = []
    engine.answer_saved.connect(saved.append)
    caplog.set_level(logging.INFO, logger="interview_desktop")
    engine.start_interview(InterviewRequest("Ada", "Software Engineer", 2))
    qtbot.waitUntil(lambda: player.stopped >= 1 and engine.state is EngineState.LISTENING and len(saved) == 1,
                    timeout=60_000)
    assert "continued: the candidate went on" in caplog.text
    qtbot.waitUntil(lambda: len(saved) == 2, timeout=60_000)
    first, again = saved
    assert first.index == again.index == 0
    assert "early" not in first.text.lower() and "early" in again.text.lower(), again.text
    assert "billing" in again.text.lower()
    assert again.turn.resumed == 1
    assert len(player.played) >= 2  # question 2 had started when the candidate went on
    session = engine.session
    assert [a.index for a in session.answers] == [0]  # replaced, not added
    engine.end_interview()


def test_a_pause_between_sentences_shorter_than_the_question_gap_never_hears_the_app(
        qtbot, bank, tmp_path, whisper, engines, caplog):
    """The answer is ended after the first sentence, but the next question waits for the question
    gap of silence: the candidate goes on without the app having said a word over them. (A 1.6 s
    pause and a 2 s gap here, so the end is decided in the pause whatever the machine's load; the
    default gap is 0.9 s.)"""
    clip = said(silence(0.5), "In my last role I led a team of four engineers.", silence(1.6),
                "And we shipped the new billing system two weeks early.", silence(6.0))
    player = HeldPlayer()
    engine = conversation_engine(bank, tmp_path, whisper, clip, player, turn=TurnConfig(question_gap_s=2.0))
    engines.append(engine)
    asked = []
    engine.question_asked.connect(player.asked, Qt.ConnectionType.DirectConnection)
    engine.question_asked.connect(lambda prompt: asked.append((prompt.index, len(player.played))),
                                  Qt.ConnectionType.DirectConnection)
    saved = []
    engine.answer_saved.connect(saved.append)
    caplog.set_level(logging.INFO, logger="interview_desktop")
    engine.start_interview(InterviewRequest("Ada", "Software Engineer", 2))
    qtbot.waitUntil(lambda: bool(saved) and "early" in saved[-1].text.lower(), timeout=60_000)
    answer = saved[-1]
    assert answer.index == 0 and "engineers" in answer.text.lower() and answer.turn.resumed == 1
    assert "continued: the candidate went on" in caplog.text
    qtbot.waitUntil(lambda: [i for i, _ in asked].count(1) >= 2, timeout=30_000)
    first_ask, second_ask = [played for index, played in asked if index == 1][:2]
    assert first_ask == second_ask and player.stopped == 0  # question 2 was never played meanwhile
    engine.end_interview()


class SlowBrain(OfflineBrain):
    """The offline brain, but evaluation and follow-ups wait until the test lets them go."""

    name = "slow-brain"
    cloud = True

    def __init__(self, bank):
        super().__init__(bank, random.Random(1))
        self.release = threading.Event()

    def evaluate(self, question, answer_text, metrics):
        assert self.release.wait(30)
        return super().evaluate(question, answer_text, metrics)

    def follow_up(self, question, answer_text):
        return "What would you do differently next time?"


def test_the_next_question_does_not_wait_for_the_evaluation(qtbot, bank, tmp_path, engines):
    brain = SlowBrain(bank)
    engine = InterviewEngine(bank, JsonHistoryRepository(tmp_path / "data"),
                             brains=FallbackChain("interviewer", [brain]), rng=random.Random(2))
    engines.append(engine)
    evaluated = []
    engine.answer_evaluated.connect(evaluated.append)
    engine.start_interview(InterviewRequest("Ada", "Software Engineer", 2))
    qtbot.waitUntil(lambda: engine.state is EngineState.LISTENING, timeout=10_000)  # questions prepared
    engine.submit_answer("I led the migration to Postgres and cut latency by 40%.")
    assert engine.state is EngineState.LISTENING and engine._plan.index == 1  # asked already
    assert evaluated == []
    brain.release.set()
    qtbot.waitUntil(lambda: len(evaluated) == 1, timeout=10_000)
    assert evaluated[0].index == 0 and evaluated[0].evaluation is not None
    assert engine.session.answers[0].evaluation is not None


def test_a_late_follow_up_is_dropped_and_the_planned_question_asked(qtbot, bank, tmp_path, engines, caplog):
    brain = SlowBrain(bank)
    engine = InterviewEngine(bank, JsonHistoryRepository(tmp_path / "data"),
                             brains=FallbackChain("interviewer", [brain]), follow_ups=1, rng=random.Random(2))
    engine._evaluator.follow_up_budget_ms = 200
    engines.append(engine)
    prompts = []
    engine.question_asked.connect(prompts.append)
    caplog.set_level(logging.INFO, logger="interview_desktop")
    engine.start_interview(InterviewRequest("Ada", "Software Engineer", 2))
    qtbot.waitUntil(lambda: engine.state is EngineState.LISTENING, timeout=10_000)  # questions prepared
    planned = engine._plan.upcoming
    engine.submit_answer("I led the migration to Postgres and cut latency by 40%.")
    assert engine.state is EngineState.EVALUATING  # deciding whether to follow up
    qtbot.waitUntil(lambda: engine.state is EngineState.LISTENING, timeout=10_000)
    assert prompts[-1].question == planned and "no follow-up decision within 200 ms" in caplog.text
    brain.release.set()
    qtbot.waitUntil(lambda: "late follow-up after question 1 dropped" in caplog.text, timeout=10_000)
    assert engine._plan.total == 2


def test_a_follow_up_within_the_budget_is_asked_next(qtbot, bank, tmp_path, engines):
    brain = SlowBrain(bank)
    brain.release.set()
    engine = InterviewEngine(bank, JsonHistoryRepository(tmp_path / "data"),
                             brains=FallbackChain("interviewer", [brain]), follow_ups=1, rng=random.Random(2))
    engines.append(engine)
    prompts = []
    engine.question_asked.connect(prompts.append)
    engine.start_interview(InterviewRequest("Ada", "Software Engineer", 2))
    qtbot.waitUntil(lambda: engine.state is EngineState.LISTENING, timeout=10_000)  # questions prepared
    engine.submit_answer("I led the migration to Postgres and cut latency by 40%.")
    qtbot.waitUntil(lambda: len(prompts) == 2, timeout=10_000)
    assert prompts[-1].question.source == "follow_up" and prompts[-1].total == 3


class RecordingVoice:
    name, cloud = "recording", False

    def __init__(self):
        self.said: list[str] = []

    def synthesize(self, text):
        self.said.append(text)
        return AudioClip(np.full(1600, 0.1, dtype=np.float32), 16000)


class ManualPlayer:
    def __init__(self):
        self.done = threading.Event()
        self.error = None
        self.position_s = 0.0
        self.played: list[AudioClip] = []
        self.extended: list[AudioClip] = []

    def play(self, clip):
        self.played.append(clip)
        self.done.clear()

    def extend(self, clip):
        if self.done.is_set():
            return False
        self.extended.append(clip)
        return True

    def stop(self):
        self.done.set()


class SlowSecondVoice(RecordingVoice):
    """The rest of the question takes until ``release`` is set."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def synthesize(self, text):
        if self.said:
            assert self.release.wait(10)
        return super().synthesize(text)


def test_a_question_not_prepared_starts_with_its_first_sentence(qtbot):
    from interview_desktop.engine.speaker import Speaker, split_first_sentence
    from interview_desktop.tasks import BackgroundTasks

    assert split_first_sentence("You said you led it. What would you change?") == (
        "You said you led it.", "What would you change?")
    assert split_first_sentence("One sentence only.") == ("One sentence only.", "")
    voice, player = RecordingVoice(), ManualPlayer()
    tasks = BackgroundTasks("speaker-test")
    heard = []
    speaker = Speaker(VoiceIO(tts=FallbackChain("text-to-speech", [voice]), player=player), tasks,
                      lambda clip, played_s: heard.append((len(clip.samples), played_s)))
    try:
        player.position_s = 0.05
        speaker.speak("You said you led it. What would you change next time?", lambda failures: None,
                      lambda why: pytest.fail(why))
        qtbot.waitUntil(lambda: len(player.played) == 1, timeout=5000)
        assert voice.said[0] == "You said you led it."  # playing before the rest was synthesized
        # the rest arrives while the first sentence plays: appended to the same stream, no gap
        qtbot.waitUntil(lambda: len(player.extended) == 1, timeout=5000)
        assert voice.said[1] == "What would you change next time?" and len(player.played) == 1
        assert heard == [(1600, 0.0), (3200, 0.05)]  # the echo check knows the whole question
        assert speaker.poll() == (False, None)
        player.done.set()
        assert speaker.poll() == (True, None)
    finally:
        tasks.shutdown()


def test_the_rest_of_a_question_synthesized_late_plays_after_the_first_sentence(qtbot):
    from interview_desktop.engine.speaker import Speaker
    from interview_desktop.tasks import BackgroundTasks

    voice, player = SlowSecondVoice(), ManualPlayer()
    tasks = BackgroundTasks("speaker-test")
    speaker = Speaker(VoiceIO(tts=FallbackChain("text-to-speech", [voice]), player=player), tasks)
    try:
        speaker.speak("You said you led it. What would you change next time?", lambda failures: None,
                      lambda why: pytest.fail(why))
        qtbot.waitUntil(lambda: len(player.played) == 1, timeout=5000)
        player.done.set()  # the first sentence played out before the rest was ready
        assert speaker.poll() == (False, None)  # not finished: the microphone stays closed
        voice.release.set()
        qtbot.waitUntil(lambda: speaker.poll() == (False, None) and len(player.played) == 2, timeout=5000)
        assert player.extended == []
        player.done.set()
        assert speaker.poll() == (True, None)
    finally:
        tasks.shutdown()


class LateStartingVoice(RecordingVoice):
    """A voice whose audio starts with 0.15 s of silence, as Piper's does."""

    def synthesize(self, text):
        self.said.append(text)
        return AudioClip(np.concatenate([np.zeros(2400, np.float32), np.full(1600, 0.1, np.float32)]), 16000)


def test_a_question_is_played_from_its_first_sound(qtbot):
    from interview_desktop.engine.speaker import Speaker
    from interview_desktop.tasks import BackgroundTasks

    voice, player = LateStartingVoice(), ManualPlayer()
    tasks = BackgroundTasks("speaker-test")
    heard = []
    speaker = Speaker(VoiceIO(tts=FallbackChain("text-to-speech", [voice]), player=player), tasks,
                      lambda clip, played_s: heard.append(len(clip.samples)))
    try:
        speaker.prepare("What would you change next time?")
        qtbot.waitUntil(lambda: speaker.is_prepared("What would you change next time?"), timeout=5000)
        speaker.speak("What would you change next time?", lambda failures: None, lambda why: pytest.fail(why))
        assert len(player.played) == 1
        assert len(player.played[0].samples) == 1600 + 320  # 20 ms kept before the first sound
        assert heard == [1920]  # the echo check compares with what is played
    finally:
        tasks.shutdown()


LONG_ANSWER = ["In my last role I led the migration of our billing service to a new queue.",
               "The old system failed about twice a week and every failure paged the engineer on call.",
               "We moved one job type at a time and the failures dropped by ninety percent."]


class GatedSTT:
    """Whisper, but a pass over more than ``longer_than_s`` of audio waits for ``release``: the pass
    over the whole last stretch of a long answer is slow (0.8–1.5 s on 2 cores), here as slow as the
    test needs. Shorter passes (the answer's last words heard alone) go through."""

    name, cloud = "gated-whisper", False

    def __init__(self, whisper, longer_than_s: float = 11.0):
        self.whisper = whisper
        self.longer_than_s = longer_than_s
        self.release = threading.Event()
        self.held = threading.Event()

    def transcribe(self, clip):
        if clip.duration_s > self.longer_than_s:
            self.held.set()
            assert self.release.wait(30)
        return self.whisper.transcribe(clip)


@pytest.fixture
def gates(engines):
    """Gated speech-to-text released at the end whatever happens (before the engines shut down: a
    held worker would hold up their teardown)."""
    made: list[GatedSTT] = []
    yield made
    for gate in made:
        gate.release.set()


class InstantPlayer(HeldPlayer):
    """Every question plays out at once."""

    def play(self, clip):
        self.played.append(clip)
        self.done.set()


def gated_engine(bank, tmp_path, stt, clip, player):
    mic = ReplayMic(clip, chunk=REAL_TIME)
    voice = VoiceIO(tts=FallbackChain("text-to-speech", [QuietVoice()]), player=player,
                    stt=FallbackChain("speech-to-text", [stt]), open_mic=lambda: mic, echo_tail_s=0.0,
                    turn=TurnConfig())
    data = tmp_path / "data"
    return InterviewEngine(bank, JsonHistoryRepository(data), voice=voice, data_dir=data,
                           rng=random.Random(3)), mic


def test_after_a_long_answer_the_next_question_starts_before_its_last_pass_and_nothing_is_lost(
        qtbot, bank, tmp_path, whisper, engines, gates, caplog):
    """The end of a long answer is judged on its last words heard alone, so the next question starts
    while the pass over the whole last stretch still runs. Here that pass is held until the candidate
    has already begun the next answer (the question played out meanwhile): the first answer is saved
    whole, and the second keeps the words said before it was being listened to."""
    gap = silence(0.15)  # with espeak's own, shorter than the 0.9 s question gap
    clip = said(silence(0.5), LONG_ANSWER[0], gap, LONG_ANSWER[1], gap, LONG_ANSWER[2], silence(3.0),
                "I would start by reading the logs of the failed jobs.", silence(4.0))
    second_starts_s = len(said(silence(0.5), LONG_ANSWER[0], gap, LONG_ANSWER[1], gap, LONG_ANSWER[2],
                               silence(3.0)).samples) / 16000
    stt, player = GatedSTT(whisper), InstantPlayer()
    engine, mic = gated_engine(bank, tmp_path, stt, clip, player)
    engines.append(engine)
    caplog.set_level(logging.INFO, logger="interview_desktop")
    gates.append(stt)
    with qtbot.waitSignal(engine.session_finished, timeout=90_000) as done:
        engine.start_interview(InterviewRequest("Ada", "Software Engineer", 2))
        qtbot.waitUntil(lambda: "played out before answer 1 was final" in caplog.text, timeout=60_000)
        assert engine.state is EngineState.TRANSCRIBING and stt.held.is_set()
        # question 1 (two sentences, played one after the other) and question 2, heard while answer 1
        # was being transcribed
        assert len(player.played) == 3
        qtbot.waitUntil(lambda: mic._pos / 16000 > second_starts_s + 1.5, timeout=30_000)
        stt.release.set()
    assert "question 2 asked while answer 1 is being finished" in caplog.text
    first, second = done.args[0].answers
    words = first.text.lower()
    assert "billing" in words and "engineer" in words and ("ninety" in words or "90" in words), first.text
    assert first.turn.end_reason == "finished" and first.turn.resumed == 0
    # the answer's speech ended before its end was decided (what came after is the next answer's)
    assert first.turn.speech_start_s < first.turn.speech_end_s <= first.turn.decided_s
    assert first.turn.next_question_s is not None
    assert first.turn.next_question_s < first.turn.transcript_final_s  # heard before the words were final
    assert {"start", "reading", "logs"} <= set(second.text.lower().replace(".", "").split()), second.text


def test_speech_after_a_long_answer_stops_the_question_started_early_and_is_appended(
        qtbot, bank, tmp_path, whisper, engines, gates, caplog):
    gap = silence(0.15)  # with espeak's own, shorter than the 0.9 s question gap
    clip = said(silence(0.5), LONG_ANSWER[0], gap, LONG_ANSWER[1], gap, LONG_ANSWER[2], silence(2.5),
                "And we never lost a billing job again.", silence(6.0))
    stt, player = GatedSTT(whisper), HeldPlayer()
    engine, _mic = gated_engine(bank, tmp_path, stt, clip, player)
    engines.append(engine)
    gates.append(stt)
    # what plays once answer 1 is over (question 2) plays until it is stopped
    engine.state_changed.connect(
        lambda state: setattr(player, "question", 1) if state is EngineState.TRANSCRIBING else None,
        Qt.ConnectionType.DirectConnection)
    saved = []
    engine.answer_saved.connect(saved.append)
    caplog.set_level(logging.DEBUG, logger="interview_desktop")
    engine.start_interview(InterviewRequest("Ada", "Software Engineer", 2))
    qtbot.waitUntil(lambda: "question 2 asked while answer 1 is being finished" in caplog.text,
                    timeout=60_000)
    assert len(player.played) == 3 and engine.state is EngineState.TRANSCRIBING  # question 1 in 2 parts
    qtbot.waitUntil(lambda: "continued: the candidate went on" in caplog.text, timeout=30_000)
    assert player.stopped >= 1  # the question was stopped
    stt.release.set()
    qtbot.waitUntil(lambda: bool(saved) and "never" in saved[-1].text.lower(), timeout=60_000)
    answer = saved[-1]
    assert answer.index == 0 and answer.turn.resumed == 1
    assert "billing" in answer.text.lower() and ("ninety" in answer.text.lower() or "90" in answer.text)
    assert [a.index for a in engine.session.answers] == [0]
    engine.end_interview()


def test_closing_while_a_long_answer_is_being_finished_keeps_it_for_the_next_start(
        qtbot, bank, tmp_path, whisper, engines, gates, caplog):
    from interview_desktop.audio import safety_recording

    gap = silence(0.15)
    clip = said(silence(0.5), LONG_ANSWER[0], gap, LONG_ANSWER[1], gap, LONG_ANSWER[2], silence(3.0))
    stt, player = GatedSTT(whisper), InstantPlayer()
    engine, _mic = gated_engine(bank, tmp_path, stt, clip, player)
    engines.append(engine)
    gates.append(stt)
    caplog.set_level(logging.INFO, logger="interview_desktop")
    engine.start_interview(InterviewRequest("Ada", "Software Engineer", 2))
    qtbot.waitUntil(lambda: "question 2 asked while answer 1 is being finished" in caplog.text,
                    timeout=60_000)
    assert engine.state is EngineState.TRANSCRIBING
    engines.remove(engine)
    threading.Timer(1.0, stt.release.set).start()  # the pass ends while the app closes: not delivered
    engine.shutdown()  # the app closes before the transcript is final
    kept = list(safety_recording.find(tmp_path / "data"))
    assert len(kept) == 1 and kept[0].clip().duration_s >= 14.0  # the whole answer, added on the next start
