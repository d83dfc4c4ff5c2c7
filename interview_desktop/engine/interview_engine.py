"""InterviewEngine: the interview state machine. Lives on its own QThread.

idle → (preparing →) asking → listening → (transcribing →) evaluating → asking … → finished

Every state change is logged at INFO as ``state=<name>`` (tests and tooling wait on these lines).
The spoken answer is :class:`Answering`'s, the voice the :class:`Speaker`'s, the session the
:class:`Recorder`'s; blocking work goes to :class:`BackgroundTasks`. The next question is asked as
soon as an answer is final; its evaluation runs beside it. When it cannot depend on the answer (no
follow-up to decide) and its audio is ready, it starts playing the moment the answer is judged over,
while the answer's last words are still being transcribed (docs/conversation.md).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from interview_desktop import __version__
from interview_desktop.audio.errors import AudioError
from interview_desktop.audio.recordings import answer_audio_path
from interview_desktop.audio.safety_recording import SafetyRecording, safety_path
from interview_desktop.domain import (
    NO_ANSWER_TEXT,
    Answer,
    AnswerInput,
    EngineState,
    InterviewRequest,
    Notice,
    NoticeLevel,
    Question,
    QuestionPrompt,
    Session,
    SessionStatus,
    to_iso,
    utc_now,
)
from interview_desktop.engine.answering import Answering, Hooks
from interview_desktop.engine.evaluator import Evaluator, run_here_or_on_worker
from interview_desktop.engine.plan import QuestionPlan
from interview_desktop.engine.recorder import Recorder, TranscriptionJob, spoken_answer
from interview_desktop.engine.recovery import Unfinished, recover_interrupted, unfinished
from interview_desktop.engine.speaker import Speaker
from interview_desktop.engine.turn import AnswerTurn
from interview_desktop.providers.base import (
    FallbackChain,
    InterviewerBrain,
    ProviderError,
)
from interview_desktop.providers.brains.offline import OfflineBrain
from interview_desktop.providers.brains.question_bank import QuestionBank, QuestionBankError
from interview_desktop.providers.voice import VoiceIO
from interview_desktop.scoring import embeddings
from interview_desktop.scoring.assess import Assessment, report_for
from interview_desktop.storage.base import HistoryRepository, StorageError
from interview_desktop.storage.codec import encode_question
from interview_desktop.tasks import BackgroundTasks

log = logging.getLogger("interview_desktop.engine")

ALREADY_RUNNING = "An interview is already running — end it first."
POLL_MS = 30
MAX_RECOVERIES = 3  # bugs in one question before the interview is ended (saved)
_AWAITING = (EngineState.ASKING, EngineState.LISTENING)


class _Asked(NamedTuple):
    """The question just answered, as it was before the engine moved on (the candidate may go on)."""

    plan: Any
    asked_at: datetime
    asked_mono: float
    voice: tuple[str | None, bool]


@dataclass
class _Ahead:
    """The next question, playing while the answer before it is still being transcribed."""

    text: str
    voice: tuple[str | None, bool]  # the voice that asked the question being answered
    asked_at: datetime
    asked_mono: float
    heard_mono: float | None = None  # its first sound was played
    played_out: bool = False  # it had played out before the answer was final


class InterviewEngine(QObject):
    """The interview state machine.

    Signals:
        state_changed(EngineState)
        question_asked(QuestionPrompt)
        answer_saved(Answer)          an answer was recorded and the session saved
        answer_evaluated(Answer)      the same answer with its metrics and evaluation
        session_saved(Session)        after every successful save
        session_finished(Session)     the interview ended (completed or abandoned) and was saved
        notice(Notice)                a message for the status line
        level_changed(float)          microphone level 0..1, at most 30 times a second
        speech_started()              the candidate started answering
        no_speech_heard()             nothing was said within the no-speech timeout
        caption_changed(str, bool)    the words of the answer so far; True once final
        turn_changed(TurnStatus)      listening / still listening (paused n s) / thinking
        pong(int)                     answer to ``ping`` (health check used by --selftest)
        unfinished_found(object)      at start: an interview that stopped before its end (Unfinished),
                                      or None when there is none (after interrupted answers were recovered)
    """

    state_changed = Signal(object)
    question_asked = Signal(object)
    answer_saved = Signal(object)
    answer_evaluated = Signal(object)
    session_saved = Signal(object)
    session_finished = Signal(object)
    notice = Signal(object)
    level_changed = Signal(float)
    speech_started = Signal()
    no_speech_heard = Signal()
    caption_changed = Signal(str, bool)
    turn_changed = Signal(object)
    pong = Signal(int)
    unfinished_found = Signal(object)

    def __init__(
        self,
        bank: QuestionBank,
        repository: HistoryRepository,
        brains: FallbackChain[InterviewerBrain] | None = None,
        follow_ups: int = 0,
        voice: VoiceIO | None = None,
        data_dir: Path | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = utc_now,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._bank = bank
        self._offline = FallbackChain("interviewer", [OfflineBrain(bank, rng or random.Random())])
        self._brains = brains or self._offline
        self._follow_ups = follow_ups
        self._voice = voice or VoiceIO()
        self._data_dir = data_dir
        self._clock = clock
        self._tasks = BackgroundTasks("engine-work", workers=2, parent=self)
        self._answering = Answering(self._voice, self._tasks, data_dir, Hooks(
            self.speech_started.emit, self._on_no_speech, self.level_changed.emit, self._on_mic_lost,
            self.turn_changed.emit, self.caption_changed.emit, self._on_answer_ending, self._on_transcribed,
            lambda: self._record("", AnswerInput.VOICE), self._on_went_on,
        ))
        self._speaker = Speaker(self._voice, self._tasks, self._on_question_playing)
        self._recorder = Recorder(repository, self._notify, self.session_saved.emit)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._turn = 0  # bumps on every question (and repeat) so late results are ignored
        self._state = EngineState.IDLE
        self._plan = QuestionPlan()
        self._asked_at: datetime | None = None
        self._asked_mono = 0.0
        self._before_advance: _Asked | None = None  # the answered question, to take an advance back
        self._reopened = False  # the current answer was recorded once and is being continued
        self._noted: dict[str, str] = {}  # the fallback message shown per chain (this interview)
        self._speak_pending = False  # the question asked waits for the question gap (too_soon_to_speak)
        self._ahead: _Ahead | None = None  # the next question, asked before this answer is final
        self._ahead_pending = False  # … as soon as the question gap allows
        self._recovering = False  # recover() is running: a bug in it ends the interview
        self._recoveries, self._recovered_at = 0, -1  # recoveries in the question at this index
        self._evaluator = Evaluator(self._tasks, self._recorder, self._on_evaluated,
                                    lambda text: self._notify(text, NoticeLevel.WARNING), self)

    @property
    def state(self) -> EngineState:
        return self._state

    @property
    def session(self) -> Session | None:
        return self._recorder.session

    @property
    def running(self) -> bool:
        return self._state not in (EngineState.IDLE, EngineState.FINISHED)

    @Slot(object)
    def start_interview(self, request: InterviewRequest) -> None:
        if self.running:
            log.warning("start refused: %s", ALREADY_RUNNING)
            return self._notify(ALREADY_RUNNING, NoticeLevel.ERROR)
        try:
            role_title = self._bank.role(request.role).title if not request.questions else request.role
        except QuestionBankError as err:
            return self._notify(str(err), NoticeLevel.ERROR)
        self._plan = QuestionPlan()
        self._noted.clear()
        if request.questions:
            return self._begin_interview(request, role_title, list(request.questions))
        brains, cloud = self._brains, _any_cloud(self._brains)
        if cloud:
            self._set_state(EngineState.PREPARING)
            self._notify("Preparing questions…")
        turn = self._turn = self._turn + 1

        def ready(result) -> None:
            if turn == self._turn:
                self._note_failures("question generation", result.failures)
                self._begin_interview(request, role_title, list(result.value))

        def failed(error: BaseException) -> None:
            if not isinstance(error, ProviderError):
                raise error
            if turn == self._turn:
                self._notify(f"Could not prepare questions: {error}", NoticeLevel.ERROR)
                self._set_state(EngineState.IDLE)

        run_here_or_on_worker(self._tasks, lambda: brains.run(lambda brain: brain.questions(
            role_title, request.question_count, request.job_description, request.cv_text)),
            ready, failed, background=cloud)

    def _begin_interview(self, request: InterviewRequest, role_title: str, questions: list[Question]) -> None:
        if not questions:
            self._notify("No questions to ask for this role.", NoticeLevel.ERROR)
            return self._set_state(EngineState.IDLE)
        self._plan = QuestionPlan(questions, self._follow_ups)
        self._recorder.begin(Session(
            id=Session.new_id(), candidate=request.candidate.strip() or "Anonymous", role=role_title,
            started_at=self._clock(), question_count=len(questions), app_version=__version__,
            job_description=request.job_description, plan=tuple(questions),
        ))
        log.info("interview started session=%s role=%r questions=%d",
                 self._recorder.session.id, role_title, len(questions))  # type: ignore[union-attr]
        self._open_and_ask()

    def _open_and_ask(self) -> None:
        """Open the microphone (said once if it cannot be), start polling, ask the current question."""
        if self._voice.can_listen:
            self._mic_problem(self._answering.listener.open())
        self._poll.start()
        self._ask()

    @Slot(str)
    def submit_answer(self, text: str) -> None:
        if self._state not in _AWAITING:
            return self._notify("There is no question waiting for an answer.", NoticeLevel.WARNING)
        if not text.strip():
            return self._notify("Type an answer first, or press Skip.", NoticeLevel.WARNING)
        self._record(text.strip(), AnswerInput.TYPED)

    @Slot()
    def skip_question(self) -> None:
        if self._state in _AWAITING:
            self._record("", AnswerInput.SKIPPED)

    @Slot()
    def end_interview(self) -> None:
        if self.running:
            log.info("interview ended early by the user")
            self._finish(SessionStatus.ABANDONED)

    @Slot()
    def initialize(self) -> None:
        """Runs when the engine thread starts: warm up the speech model, the microphone and the
        offline scorer's meaning model (loading it later, beside a question, costs the audio a second
        of both cores)."""
        for job in [*self._voice.warm_up, embeddings.encoder]:
            self._tasks.submit(job, on_error=_log_warm_up_failure)
        self._recover_at_start()

    def _recover_at_start(self) -> None:
        """Answers left in safety recordings go into their sessions; then an interview that stopped
        before its end is offered for resuming (``unfinished_found``)."""
        repository, data_dir, voice = self._recorder.repository, self._data_dir, self._voice
        offline, started = self._offline, self._clock()

        def job() -> tuple[list[str], Unfinished | None]:
            messages = recover_interrupted(data_dir, repository, voice.stt, offline, voice.keep_audio) \
                if data_dir is not None else []
            return messages, unfinished(repository, before=started)

        def done(result: tuple[list[str], Unfinished | None]) -> None:
            messages, found = result
            for message in messages:
                self._notify(message, NoticeLevel.WARNING)
            self.unfinished_found.emit(found)

        def failed(error: BaseException) -> None:
            if not isinstance(error, (StorageError, OSError)):
                raise error
            log.error("could not look for interrupted interviews: %s", error)
            self.unfinished_found.emit(None)

        self._tasks.submit(job, done, failed)

    @Slot(str)
    def resume_interview(self, session_id: str) -> None:
        """Go on with an interview that stopped before its end: its remaining planned questions."""
        if self.running:
            return self._notify(ALREADY_RUNNING, NoticeLevel.ERROR)
        try:
            found = unfinished(self._recorder.repository, only=session_id)
        except StorageError as err:
            return self._notify(f"Could not resume the interview: {err}", NoticeLevel.ERROR)
        if found is None:
            return self._notify("That interview has nothing left to resume.", NoticeLevel.WARNING)
        session = found.session
        asked = [a.question for a in sorted(session.answers, key=lambda a: a.index)]
        self._noted.clear()
        self._plan = QuestionPlan([*asked, *found.remaining], self._follow_ups)
        self._plan.index = len(asked)
        self._recorder.begin(replace(session, question_count=self._plan.total))
        log.info("interview resumed session=%s at question %d/%d", session.id, self._plan.index + 1,
                 self._plan.total)
        self._notify(f"Resumed the interview with {session.candidate} at question {self._plan.index + 1}.")
        for answer in self._recorder.session.answers:  # type: ignore[union-attr]
            self.answer_saved.emit(answer)  # the answers so far, in the window
        self._open_and_ask()

    @Slot(str)
    def keep_incomplete(self, session_id: str) -> None:
        """The candidate does not want to resume: the interview is kept as it is, ended (abandoned)."""
        try:
            session = self._recorder.repository.get(session_id)
            if session is None or session.status is not SessionStatus.IN_PROGRESS:
                return
            ended = replace(session, status=SessionStatus.ABANDONED,
                            ended_at=session.updated_at or self._clock())
            self._recorder.repository.save(replace(ended, report=report_for(ended)).touched())
        except StorageError as err:
            return self._notify(f"Could not update the interview: {err}", NoticeLevel.ERROR)
        self._notify("The interview is kept as incomplete in the History tab.")

    @Slot()
    def finish_answer(self) -> None:
        """The "Done" key: end the spoken answer now."""
        if self._state is EngineState.LISTENING:
            self._answering.done_key()

    @Slot()
    def repeat_question(self) -> None:
        if self._state in _AWAITING:
            log.info("repeating question %d", self._plan.index + 1)
            self._ask()

    @Slot(object, int)
    def set_brains(self, brains: FallbackChain[InterviewerBrain], follow_ups: int) -> None:
        self._brains, self._follow_ups = brains, follow_ups
        self._plan.follow_ups = follow_ups

    @Slot(object)
    def set_voice(self, voice: VoiceIO) -> None:
        """Use new voice settings from the next question on."""
        self._voice = self._answering.voice = self._speaker.voice = voice

    @Slot()
    def recover(self) -> None:
        """After a bug on this thread: save the session and return to a state the candidate can go on
        from — the current question can be answered again or skipped (an answer already recorded
        moves on). A bug in the recovery itself, or three in one question, ends the interview saved."""
        if not self.running:
            return
        question = self._plan.index
        self._recoveries = self._recoveries + 1 if self._recovered_at == question else 1
        self._recovered_at = question
        if self._recovering or self._recoveries > MAX_RECOVERIES:
            log.error("recovery failed at question %d: the interview ends here, saved", question + 1)
            self._recovering = False
            return self._finish(SessionStatus.ABANDONED)
        self._recovering = True
        log.warning("recovering after an unexpected error at question %d (state=%s)", question + 1,
                    self._state.value)
        state = self._state
        if self._recorder.session is not None and self._recorder.session.answers:
            self._recorder.save()
        if state is EngineState.LISTENING:  # waiting for the candidate: nothing is stuck
            self._notify("Something went wrong in the background; the interview goes on.",
                         NoticeLevel.WARNING)
        elif state is EngineState.PREPARING:
            self._set_state(EngineState.IDLE)
        elif state is EngineState.EVALUATING and self._recorder.answer(question) is not None:
            self._turn += 1
            self._advance()  # the answer is recorded and saved: go on to the next question
        else:  # asking, transcribing: hear the answer again (it can be skipped or typed as well)
            self._turn += 1  # whatever was in flight for this question is stale now
            self._speak_pending = self._ahead_pending = False
            self._ahead = None
            self._speaker.stop()
            self._answering.stop()
            self._notify("Something went wrong with this answer: answer the question again, or skip it.",
                         NoticeLevel.WARNING)
            self._begin_listening()
        self._recovering = False

    @Slot(int)
    def ping(self, token: int) -> None:
        self.pong.emit(token)

    @Slot()
    def shutdown(self) -> None:
        """Called before the thread quits: an interview in progress is saved as it is (in progress,
        so it can be resumed); an answer being spoken is kept in its safety recording and added on
        the next start."""
        if self.running:
            # an answer being heard or finished (its transcript may still be running) is kept
            self._answering.stop(keep_safety=self._state in (EngineState.LISTENING, EngineState.TRANSCRIBING))
            self._close()
            if self._recorder.session is not None:
                self._recorder.save()
            log.info("closing during the interview: session %s kept in progress, to resume",
                     self._recorder.session.id if self._recorder.session else "-")
        self._tasks.shutdown()

    def _set_state(self, state: EngineState) -> None:
        self._state = state
        log.info("state=%s%s", state.value, self._plan.position())
        self.state_changed.emit(state)

    def _notify(self, text: str, level: NoticeLevel = NoticeLevel.INFO) -> None:
        """A message for the window, and the same words in the log."""
        log.log(logging.WARNING if level in (NoticeLevel.WARNING, NoticeLevel.ERROR) else logging.INFO,
                "notice: %s", text)
        self.notice.emit(Notice(text, level))

    def _mic_problem(self, problem: str | None) -> None:
        if problem:
            hint = "" if "type your answers" in problem else " You can type your answers."
            text = f"Microphone unavailable: {problem}{hint}"
            if self._noted.get("microphone") == text:  # tried again at each question: said once
                return log.info("microphone still unavailable, as already shown")
            self._noted["microphone"] = text
            self._notify(text, NoticeLevel.WARNING)

    def _ask(self) -> None:
        question = self._plan.current
        ahead, self._ahead, self._ahead_pending = self._ahead, None, False
        if self._state in _AWAITING:
            self._answering.stop()  # asked again: what was being heard is not its answer
        self._turn += 1
        if ahead is not None and ahead.text == question.text:  # already playing (or played out)
            self._asked_at, self._asked_mono = ahead.asked_at, ahead.asked_mono
            self._set_state(EngineState.ASKING)
            self.question_asked.emit(QuestionPrompt(self._plan.index, self._plan.total, question))
            if ahead.played_out:  # what was said since it ended is the answer
                self._begin_listening()
            return
        self._speaker.stop()
        self._asked_at, self._asked_mono = self._clock(), time.monotonic()
        self._set_state(EngineState.ASKING)
        self.question_asked.emit(QuestionPrompt(self._plan.index, self._plan.total, question))
        if not self._speaker.can_speak:
            return self._begin_listening()
        self._speak_pending = self._answering.too_soon_to_speak()
        if not self._speak_pending:  # else on the poll, once the candidate has been quiet long enough
            self._speak_question()

    def _speak_question(self) -> None:
        self._speak_pending = False
        self._speaker.speak(self._plan.current.text, lambda failures: self._note_failures("voice", failures),
                            self._on_question_silent)

    def _on_question_silent(self, why: str) -> None:
        self._notify(f"Voice unavailable: {why} The question is shown on screen.", NoticeLevel.WARNING)
        self._begin_listening()

    def _begin_listening(self) -> None:
        assert self.session is not None
        self._reopened = False
        number = self._plan.index + 1
        self._mic_problem(self._answering.start(answer_audio_path(self.session.id, number),
                                                self._safety_recording(number)))
        self._set_state(EngineState.LISTENING)
        if self._plan.upcoming is not None:  # ready to be heard the moment this answer is over
            self._speaker.prepare(self._plan.upcoming.text)

    def _safety_recording(self, number: int) -> Callable[[], SafetyRecording] | None:
        """Opens the file this answer is written to while it is heard (found again after a crash)."""
        session, data_dir = self.session, self._data_dir
        if data_dir is None or session is None:
            return None
        meta = {"session_id": session.id, "index": self._plan.index,
                "question": encode_question(self._plan.current),
                "asked_at": to_iso(self._asked_at), "candidate": session.candidate}
        return lambda: SafetyRecording(safety_path(data_dir, session.id, number), meta)

    @Slot()
    def _on_poll_timeout(self) -> None:
        waiting = self._speak_pending and self._state is EngineState.ASKING
        if waiting and not self._answering.too_soon_to_speak():
            self._speak_question()
        if self._ahead_pending and self._state is EngineState.TRANSCRIBING:
            self._ask_ahead()
        finished, error = self._speaker.poll()
        if finished:
            if error is not None:
                self._notify(f"Voice unavailable: {error}", NoticeLevel.WARNING)
            if self._ahead is not None:  # played out before the answer was final: listen once it is
                self._ahead.played_out = True
                self._answering.stop_watching()  # what is said now answers the next question
                log.info("question %d played out before answer %d was final", self._plan.index + 2,
                         self._plan.index + 1)
            else:
                self._begin_listening()
        self._answering.poll()

    def _on_no_speech(self) -> None:
        self._notify("I didn't hear anything. Repeat the question, skip it, or type your answer.",
                     NoticeLevel.WARNING)
        self.no_speech_heard.emit()

    def _on_mic_lost(self, why: str) -> None:
        self._notify(f"The microphone stopped: {why} What was recorded is kept.", NoticeLevel.WARNING)

    def _on_answer_ending(self, reason: str) -> None:
        if reason == "max_length":
            self._notify("That answer reached the maximum length, so it was ended there.")
        self._set_state(EngineState.TRANSCRIBING)
        upcoming = self._plan.upcoming
        self._ahead_pending = (self._answering.smart and upcoming is not None
                               and not self._plan.may_follow_up() and self._speaker.can_speak
                               and self._speaker.is_prepared(upcoming.text))
        if self._ahead_pending:
            self._ask_ahead()

    def _ask_ahead(self) -> None:
        """Start the next question while this answer's last words are transcribed (it cannot depend
        on them); not before the question gap (the candidate may be pausing between sentences)."""
        if self._answering.too_soon_to_speak():
            return
        self._ahead_pending = False
        upcoming = self._plan.upcoming
        assert upcoming is not None
        self._ahead = _Ahead(upcoming.text, (self._speaker.provider, self._speaker.cloud), self._clock(),
                             time.monotonic())
        log.info("question %d asked while answer %d is being finished", self._plan.index + 2,
                 self._plan.index + 1)
        self._speaker.speak(upcoming.text, lambda failures: self._note_failures("voice", failures),
                            self._on_ahead_silent)

    def _on_ahead_silent(self, why: str) -> None:
        log.warning("the next question could not be played early (%s): asked when the answer is final", why)
        self._ahead = None

    def _on_transcribed(self, job: TranscriptionJob, turn: AnswerTurn | None) -> None:
        if self._state is not EngineState.TRANSCRIBING:
            return
        if job.save_error is not None:
            self._notify(f"Could not save the recording: {job.save_error}", NoticeLevel.ERROR)
        if job.result is None:
            self._notify(f"Could not transcribe the answer: {job.error}", NoticeLevel.ERROR)
        else:
            self._note_failures("speech recognition", job.result.failures)
        ahead = self._ahead
        voice = ahead.voice if ahead is not None else (self._speaker.provider, self._speaker.cloud)
        fields = spoken_answer(job, *voice)
        if turn is not None:
            timing = turn.timing(self._asked_mono, time.monotonic(), turn.smart)
            if self._ahead is not None and self._ahead.heard_mono is not None:
                timing = replace(timing, next_question_s=round(self._ahead.heard_mono - self._asked_mono, 3))
            fields["turn"] = timing
        self._record(fields.pop("text"), AnswerInput.VOICE, **fields)

    def _on_went_on(self) -> None:
        """The candidate spoke again after the answer was ended: stop talking, continue that answer."""
        self._turn += 1
        self._speak_pending = self._ahead_pending = False
        self._ahead = None
        self._speaker.stop()
        if self._state is not EngineState.TRANSCRIBING and self._before_advance is not None:
            self._plan.restore(self._before_advance.plan)
            self._asked_at, self._asked_mono = self._before_advance.asked_at, self._before_advance.asked_mono
            self._evaluator.forget(self._plan.index)
            self._reopened = True
            # the voice that asked this question, not the one just stopped
            self._speaker.provider, self._speaker.cloud = self._before_advance.voice
            self.question_asked.emit(QuestionPrompt(self._plan.index, self._plan.total, self._plan.current))
        log.info("answer %d continued: the candidate went on", self._plan.index + 1)
        self._notify("Still listening — go on.")
        self._set_state(EngineState.LISTENING)

    def _on_question_playing(self, clip, played_s: float) -> None:
        self._answering.playing(clip, played_s)
        if self._ahead is not None:  # the next question, before this answer was recorded
            if self._ahead.heard_mono is None:
                self._ahead.heard_mono = time.monotonic()
            return
        previous = self._recorder.answer(self._plan.index - 1) if self._before_advance else None
        if previous is not None and previous.turn is not None and previous.turn.next_question_s is None:
            heard = round(time.monotonic() - self._before_advance.asked_mono, 3)  # type: ignore[union-attr]
            self._recorder.amend(replace(previous, turn=replace(previous.turn, next_question_s=heard)))

    def _note_failures(self, what: str, failures) -> None:
        """One message per fallback and interview: the same one again is only logged."""
        if not failures:
            return
        text = fallback_text(what, failures)
        # the same providers failing again is the same news, even when the reason now reads
        # "skipped for 35 s after …" (the circuit breaker): shown once per interview, then logged
        key = f"{what}: {', '.join(name for name, _ in failures)}"
        if key in self._noted:
            return log.info("%s fell back again, as already shown: %s", what, text)
        self._noted[key] = text
        self._notify(text, NoticeLevel.WARNING)

    def _record(self, text: str, how: AnswerInput, **fields: Any) -> None:
        assert self._asked_at is not None
        self._turn += 1  # anything still in flight for this question is now stale
        if self._ahead is not None and how is AnswerInput.VOICE:  # the next question plays on
            voice = self._ahead.voice
        else:
            voice, self._ahead = (self._speaker.provider, self._speaker.cloud), None
            self._speaker.stop()
        if how is not AnswerInput.VOICE or not self._answering.smart:
            self._answering.stop()  # a spoken answer stays open a moment: the candidate may go on
        answer = Answer(
            index=self._plan.index, question=self._plan.current,
            text=text if text or how is AnswerInput.SKIPPED else NO_ANSWER_TEXT, input=how,
            asked_at=self._asked_at, answered_at=self._clock(), **fields,
        )
        if self._reopened:
            self._recorder.amend(answer)
        else:
            self._recorder.add(answer, save=False)
        self._reopened = False
        self._before_advance = _Asked(self._plan.snapshot(), self._asked_at, self._asked_mono, voice)
        if how is AnswerInput.SKIPPED:
            self._saved(answer)
            return self._advance()
        self._set_state(EngineState.EVALUATING)
        want_follow_up = self._plan.wants_follow_up(answer)
        wait = want_follow_up or self._plan.upcoming is None  # a follow-up to decide, or nothing next
        if wait:
            self._saved(answer)
        decided = self._on_follow_up_decided if wait else None
        self._evaluator.start(self._brains, answer, want_follow_up, decided,
                              background=_any_cloud(self._brains) or not wait)
        if not wait:
            self._advance()  # the next question starts playing; the evaluation runs beside it …
            self._saved(answer)  # … and the session is written while it plays

    def _saved(self, answer: Answer) -> None:
        if self._recorder.save() and answer.input is AnswerInput.VOICE:
            self._answering.answer_saved()  # it is in the session file: the safety copy can go
        self.answer_saved.emit(answer)

    def _on_evaluated(self, answer: Answer, assessment: Assessment) -> None:
        self.answer_evaluated.emit(answer)
        self._note_failures("evaluation", assessment.failures)

    def _on_follow_up_decided(self, answer: Answer, follow_up: str | None) -> None:
        if self._state is not EngineState.EVALUATING:
            return
        if follow_up:
            self._plan.add_follow_up(answer, follow_up)
            self._recorder.update(question_count=self._plan.total)
            log.info("follow-up question added after question %d", self._plan.index + 1)
        self._advance()

    def _advance(self) -> None:
        if not self._plan.advance():
            return self._finish(SessionStatus.COMPLETED)
        self._ask()

    def _close(self) -> None:
        """Stop the voice, the answer, the microphone, the poll and the evaluations."""
        self._turn += 1
        self._ahead, self._ahead_pending = None, False
        self._speaker.stop(forget_prepared=True)
        self._answering.stop()
        self._answering.listener.close()
        self._poll.stop()
        self._evaluator.stop()

    def _finish(self, status: SessionStatus) -> None:
        self._close()
        session = self._recorder.finish(status, self._offline, self._clock())
        self._set_state(EngineState.FINISHED)
        log.info("interview finished session=%s status=%s answers=%d",
                 session.id, status.value, len(session.answers))
        self.session_finished.emit(session)


def _any_cloud(brains: FallbackChain[InterviewerBrain]) -> bool:
    return any(getattr(b, "cloud", False) for b in brains.providers)


def fallback_text(what: str, failures) -> str:
    names = ", ".join(f"{name} ({why})" for name, why in failures)
    return f"{what.capitalize()}: fell back after {names}."


def _log_warm_up_failure(error: BaseException) -> None:
    if not isinstance(error, (ProviderError, AudioError)):
        raise error
    log.warning("warm-up: %s", error)
