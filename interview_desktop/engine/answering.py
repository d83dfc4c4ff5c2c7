"""From "the question has been asked" to "here is the spoken answer": the microphone (the
:class:`Listener`), the answer's turn (words transcribed while spoken, the end-of-turn decision),
the final transcript with the audio saved, and the few seconds after in which the candidate may go on.

The engine owns one :class:`Answering`, calls :meth:`poll` on its timer and hears back through
:class:`Hooks`; it never sees an endpointer. docs/conversation.md has the timeline.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from interview_desktop.audio.safety_recording import SafetyRecording
from interview_desktop.audio.turn_policy import EndOfTurn
from interview_desktop.audio.vad import Endpointer, EndpointEvent, EndpointEventKind, EndReason
from interview_desktop.audio.wav import write_wav
from interview_desktop.domain import AudioClip
from interview_desktop.engine.listener import Listener
from interview_desktop.engine.recorder import TranscriptionJob, save_and_transcribe
from interview_desktop.engine.stretches import StretchTranscriber
from interview_desktop.engine.turn import AnswerTurn, TurnPhase, TurnStatus
from interview_desktop.errors import describe_os_error
from interview_desktop.providers.voice import VoiceIO
from interview_desktop.tasks import BackgroundTasks

log = logging.getLogger("interview_desktop.engine")


@dataclass
class Hooks:
    """What the engine hears from the answering side (all on the engine thread)."""

    speech_started: Callable[[], None]
    no_speech: Callable[[], None]
    level: Callable[[float], None]
    mic_lost: Callable[[str], None]
    status: Callable[[TurnStatus], None]
    words: Callable[[str, bool], None]  # the words so far; True once final
    transcribing: Callable[[str], None]  # the answer ended (why): its transcript is being finished
    answered: Callable[[TranscriptionJob, AnswerTurn | None], None]  # the spoken answer is ready
    empty: Callable[[], None]  # the answer ended before any speech
    went_on: Callable[[], None]  # the candidate spoke again after the answer was ended


class _Phase(enum.Enum):
    IDLE = "idle"
    LISTENING = "listening"
    FINISHING = "finishing"  # the answer is over; its transcript is being completed
    WATCHING = "watching"  # the answer is recorded; it may still be reopened


class Answering:
    def __init__(self, voice: VoiceIO, tasks: BackgroundTasks, data_dir: Path | None, hooks: Hooks):
        self.listener = Listener(voice)
        self._tasks = tasks
        self._data_dir = data_dir
        self._hooks = hooks
        self._phase = _Phase.IDLE
        self._audio_path = ""
        self._generation = 0
        self._shown: TurnStatus | None = None
        self._shown_words = ""
        self._pauses: list[float] = []  # this interview's pauses between sentences (earlier answers)
        self._safety: SafetyRecording | None = None  # the answer on disk as it is heard
        self._watching = True  # after the end, voice may continue this answer (until stop_watching)
        self._carry_from: float | None = None  # stream time at stop_watching: the next answer's audio

    @property
    def voice(self) -> VoiceIO:
        return self.listener.voice

    @voice.setter
    def voice(self, voice: VoiceIO) -> None:
        self.listener.voice = voice

    @property
    def smart(self) -> bool:
        return self.voice.turn is not None and self.voice.stt is not None

    @property
    def turn(self) -> AnswerTurn | None:
        return self.listener.turn

    def start(self, audio_path: str, safety: Callable[[], SafetyRecording] | None = None) -> str | None:
        """Listen for the answer to the current question (saved to ``audio_path``); a microphone
        problem in plain words, or None. ``safety`` opens the file the answer is written to as it
        is heard (kept until the answer is in the session). After :meth:`stop_watching` (the question
        played out a while ago), what was said since starts the answer."""
        carry_from, self._carry_from = self._carry_from, None
        self._generation += 1
        self._phase = _Phase.LISTENING
        self._watching = True
        self._audio_path = audio_path
        self._shown, self._shown_words = None, ""
        problem = self.listener.start_answer(self._new_turn, carry_from)
        self._discard_safety()
        if safety is not None and self.listener.answering:
            try:
                self._safety = safety()
            except OSError as err:
                log.error("no safety copy of this answer (%s): it is kept in memory only", err)
        return problem

    def stop(self, keep_safety: bool = False) -> None:
        """The answer was typed or skipped, or the interview is over: stop listening to it.
        ``keep_safety``: the app is closing mid-answer; what was heard is added on the next start."""
        self._generation += 1
        self._phase = _Phase.IDLE
        self._carry_from = None
        self.listener.stop_answer()
        if keep_safety and self._safety is not None and self._safety.samples:
            log.info("the answer being given is kept in %s for the next start", self._safety.path.name)
            self._safety.keep()
            self._safety = None
        self._discard_safety()

    def answer_saved(self) -> None:
        """The spoken answer is in the saved session: its safety copy can go (unless the candidate may
        still go on, in which case it goes when they cannot any more)."""
        if self._phase is not _Phase.WATCHING:
            self._discard_safety()

    def _discard_safety(self) -> None:
        if self._safety is not None:
            self._safety.discard()
            self._safety = None

    def done_key(self) -> None:
        if self._phase is _Phase.LISTENING:
            self._handle(self.listener.finish(EndReason.MANUAL))

    def too_soon_to_speak(self) -> bool:
        """The answer was just ended after a finished sentence, with less than the question gap of
        silence so far: the candidate may only be pausing between two sentences."""
        turn = self.turn
        if (self._phase not in (_Phase.FINISHING, _Phase.WATCHING) or turn is None or not turn.smart
                or turn.reason is not EndOfTurn.FINISHED):
            return False
        silence = turn.endpointer.silence_s
        return silence is not None and silence < turn.config.question_gap_s  # type: ignore[union-attr]

    def playing(self, clip: AudioClip, played_s: float = 0.0) -> None:
        """The app is speaking ``clip`` (``played_s`` of it already): voice heard may be its echo."""
        if self._phase in (_Phase.FINISHING, _Phase.WATCHING) and self.turn is not None:
            self.turn.playing(clip, played_s)

    def stop_watching(self) -> None:
        """The next question has been asked and heard: voice from now on answers it, whether or not
        this answer is final yet (it is not reopened any more, and what is heard from now on is
        handed to the next answer by :meth:`start`)."""
        self._watching = False
        turn = self.turn
        self._carry_from = turn.endpointer.fed_s if turn is not None else None
        if self._phase is _Phase.WATCHING:
            self._phase = _Phase.IDLE
            self._discard_safety()

    def poll(self) -> None:
        heard = self.listener.poll()
        if self._safety is not None and heard.fed is not None:
            self._safety.append(heard.fed)
        if heard.level is not None:
            self._hooks.level(heard.level)
        if heard.lost is not None:
            self._hooks.mic_lost(heard.lost)
        turn = self.turn
        if self._phase is _Phase.LISTENING:
            self._handle(heard.events)
        if self._phase is _Phase.LISTENING and turn is not None and turn is self.turn:
            self._show(turn)
            verdict = turn.verdict(self._pauses)
            if verdict is not None and verdict.end:
                self._end(verdict.reason)  # type: ignore[arg-type]
        elif self._phase in (_Phase.FINISHING, _Phase.WATCHING) and turn is not None:
            if self._phase is _Phase.WATCHING and turn.watch_over():
                self._phase = _Phase.IDLE
                self._discard_safety()  # the answer can no longer be continued: it is in the session
            elif self._watching and turn.went_on():
                self._reopen(turn)

    # ------------------------------------------------------------------ internals
    def _new_turn(self, endpointer: Endpointer) -> AnswerTurn:
        if not self.smart:
            return AnswerTurn(endpointer, None, None)
        assert self.voice.stt is not None
        stretches = StretchTranscriber(self.voice.stt, self._tasks.submit, on_change=self._words_changed)
        return AnswerTurn(endpointer, stretches, self.voice.turn)

    def _words_changed(self) -> None:
        turn = self.turn
        if turn is not None and turn.stretches is not None and self._phase is _Phase.LISTENING:
            draft = turn.stretches.draft
            if draft != self._shown_words:
                self._shown_words = draft
                self._hooks.words(draft, False)

    def _show(self, turn: AnswerTurn) -> None:
        status = turn.status()
        shown = self._shown
        if shown is None or status.phase is not shown.phase or abs(status.pause_s - shown.pause_s) >= 0.1:
            self._shown = status
            self._hooks.status(status)

    def _handle(self, events: list[EndpointEvent]) -> None:
        for event in events:
            if event.kind is EndpointEventKind.SPEECH_STARTED:
                log.info("speech started at %.2fs", event.at_s)
                self._hooks.speech_started()
            elif event.kind is EndpointEventKind.NO_SPEECH_TIMEOUT:
                log.info("no speech heard within %.0fs", event.at_s)
                self._hooks.no_speech()
                self.listener.keep_waiting()
            elif event.kind is EndpointEventKind.ANSWER_ENDED:
                if not event.speech_detected:
                    log.info("answer ended reason=%s speech=False", event.reason.value)  # type: ignore[union-attr]
                    self.stop()
                    return self._hooks.empty()
                return self._end(EndOfTurn(event.reason.value))  # type: ignore[union-attr]

    def _end(self, reason: EndOfTurn) -> None:
        turn = self.turn
        assert turn is not None
        log.info("answer ended reason=%s speech=True", reason.value)
        turn.decide(reason)
        self._phase = _Phase.FINISHING
        self._hooks.status(TurnStatus(TurnPhase.THINKING))
        self._hooks.transcribing(reason.value)
        generation = self._generation
        if turn.stretches is None:  # the fixed rule: the whole answer is transcribed now
            clip, segments = turn.clip()
            stt, keep = self.voice.stt, self.voice.keep_audio
            data_dir, path = self._data_dir, self._audio_path
            assert stt is not None
            return self._tasks.submit(
                lambda: save_and_transcribe(stt, clip, segments, data_dir, path, keep),
                lambda job: self._finished(generation, turn, job),
            )
        turn.stretches.finish(turn.endpointer, lambda: self._final(generation, turn))

    def _final(self, generation: int, turn: AnswerTurn) -> None:
        if generation != self._generation or turn is not self.turn or not turn.decided:
            return
        assert turn.stretches is not None
        clip, segments = turn.clip()
        result = turn.stretches.transcript(turn.endpointer.clip_start_s, clip.duration_s)
        saved, save_error = self._save_audio(clip, keep=self.voice.keep_audio or result is None)
        error = None if result is not None else (turn.stretches.failed or "nothing could be transcribed")
        job = TranscriptionJob(clip.duration_s, tuple(segments), saved, result, error, save_error)
        self._finished(generation, turn, job)

    def _finished(self, generation: int, turn: AnswerTurn, job: TranscriptionJob) -> None:
        if generation != self._generation or turn is not self.turn:
            return
        watch = (self._watching and turn.smart and turn.reason is not EndOfTurn.MANUAL
                 and turn.config.resume_window_s > 0)  # type: ignore[union-attr]
        self._phase = _Phase.WATCHING if watch else _Phase.IDLE  # Done means done
        if job.result is not None:
            self._hooks.words(job.result.value.text, True)
        if turn.smart:
            self._pauses = (self._pauses + turn.pauses())[-50:]
        self._hooks.answered(job, turn)

    def _save_audio(self, clip: AudioClip, keep: bool) -> tuple[str | None, str | None]:
        if self._data_dir is None or not len(clip.samples) or not keep:
            return None, None
        try:
            write_wav(self._data_dir / self._audio_path, clip)
        except OSError as err:
            log.error("could not save the answer audio: %s", err)
            return None, describe_os_error(err)
        return self._audio_path, None

    def _reopen(self, turn: AnswerTurn) -> None:
        self._generation += 1
        turn.reopen()
        self._phase = _Phase.LISTENING
        self._shown = None
        self._hooks.went_on()
