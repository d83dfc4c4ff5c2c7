"""InterviewEngine: the interview state machine. Lives on its own QThread.

idle → asking → listening → (transcribing →) evaluating → asking … → finished

Every state change is logged at INFO as ``state=<name>`` (tests and tooling wait on these lines).
The GUI talks to the engine only through queued signals; the engine answers with signals carrying
frozen dataclasses. Blocking work goes to :class:`BackgroundTasks`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from interview_desktop import __version__
from interview_desktop.audio.capture import MicCapture
from interview_desktop.audio.errors import AudioError
from interview_desktop.audio.meter import Throttle, level_fraction, rms_dbfs
from interview_desktop.audio.vad import Endpointer, EndpointEvent, EndpointEventKind, EndReason
from interview_desktop.domain import (
    Answer,
    AnswerInput,
    EngineState,
    InterviewRequest,
    Notice,
    Question,
    QuestionPrompt,
    Session,
    SessionStatus,
    utc_now,
)
from interview_desktop.engine.tasks import BackgroundTasks
from interview_desktop.providers.base import AllProvidersFailed, FallbackChain, ProviderError
from interview_desktop.providers.brains.offline import InterviewerBrain, OfflineBrain
from interview_desktop.providers.brains.question_bank import QuestionBank, QuestionBankError
from interview_desktop.providers.voice import TranscriptionJob, VoiceIO, transcribe_answer
from interview_desktop.scoring.assess import Assessment, assess_answer, report_for
from interview_desktop.storage.base import HistoryRepository, StorageError

log = logging.getLogger("interview_desktop.engine")

NO_ANSWER_TEXT = "(no answer)"


def _is_empty(text: str) -> bool:
    return not text.strip() or text.startswith("(")


NOT_TRANSCRIBED_TEXT = "(could not be transcribed — the recording is saved)"
ALREADY_RUNNING = "An interview is already running — end it first."
POLL_MS = 30



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
        devices_listed(object)        (input names, output names, problem or "") for Settings
        connection_tested(object)     (service, ConnectionReport) for Settings → Test connection
        pong(int)                     answer to ``ping`` (health check used by --selftest)
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
    devices_listed = Signal(object)
    connection_tested = Signal(object)
    pong = Signal(int)

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
        self._repository = repository
        self._rng = rng or random.Random()
        self._offline_brain = OfflineBrain(bank, self._rng)
        self._brains = brains or FallbackChain("interviewer", [self._offline_brain])
        self._follow_ups = follow_ups
        self._follow_ups_left = 0
        self._voice = voice or VoiceIO()
        self._data_dir = data_dir
        self._tasks = BackgroundTasks("engine-work", workers=2, parent=self)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._meter_throttle = Throttle(30)
        self._mic: MicCapture | None = None
        self._endpointer: Endpointer | None = None
        self._echo_skip = 0  # samples still to ignore after the question was played
        self._turn = 0  # bumps on every question (and repeat) so late results are ignored
        self._speaking = False
        self._voice_provider: str | None = None
        self._voice_cloud = False
        self._questions_source = "offline"
        self._clock = clock
        self._state = EngineState.IDLE
        self._session: Session | None = None
        self._questions: list[Question] = []
        self._index = 0
        self._asked_at: datetime | None = None
        self._unsaved = False

    # ----------------------------------------------------------------- queries (engine thread)
    @property
    def state(self) -> EngineState:
        return self._state

    @property
    def session(self) -> Session | None:
        return self._session

    @property
    def running(self) -> bool:
        return self._state not in (EngineState.IDLE, EngineState.FINISHED)

    # ----------------------------------------------------------------- slots (called from the GUI)
    @Slot(object)
    def start_interview(self, request: InterviewRequest) -> None:
        if self.running:
            log.warning("start refused: %s", ALREADY_RUNNING)
            self._notify(ALREADY_RUNNING, "error")
            return
        try:
            role_title = self._bank.role(request.role).title if not request.questions else request.role
        except QuestionBankError as err:
            self._notify(str(err), "error")
            return
        self._questions = []
        if request.questions:
            self._begin_interview(request, role_title, list(request.questions))
            return
        brains = self._brains
        cloud = any(getattr(b, "cloud", False) for b in brains.providers)
        if cloud:
            self._set_state(EngineState.PREPARING)
            self._notify("Preparing questions…", "info")
        turn = self._turn = self._turn + 1
        self._run(
            lambda: brains.run(lambda brain: brain.questions(
                role_title, request.question_count, request.job_description, request.cv_text)),
            lambda result: self._on_questions_ready(turn, request, role_title, result),
            lambda error: self._on_questions_failed(turn, error),
            background=cloud,
        )

    def _on_questions_ready(self, turn: int, request: InterviewRequest, role_title: str, result) -> None:
        if turn != self._turn:
            return
        self._note_failures("question generation", result.failures)
        self._questions_source = result.provider
        self._begin_interview(request, role_title, list(result.value))

    def _on_questions_failed(self, turn: int, error: BaseException) -> None:
        if not isinstance(error, ProviderError):
            raise error
        if turn == self._turn:
            self._notify(f"Could not prepare questions: {error}", "error")
            self._set_state(EngineState.IDLE)

    def _begin_interview(
        self, request: InterviewRequest, role_title: str, questions: list[Question]
    ) -> None:
        if not questions:
            self._notify("No questions to ask for this role.", "error")
            self._set_state(EngineState.IDLE)
            return
        self._questions = questions
        self._index = 0
        self._follow_ups_left = self._follow_ups
        self._session = Session(
            id=Session.new_id(),
            candidate=request.candidate.strip() or "Anonymous",
            role=role_title,
            started_at=self._clock(),
            question_count=len(questions),
            app_version=__version__,
            job_description=request.job_description,
        )
        log.info(
            "interview started session=%s role=%r questions=%d",
            self._session.id, role_title, len(questions),
        )
        self._save()
        self._open_mic()
        self._poll.start()
        self._ask()

    @Slot(str)
    def submit_answer(self, text: str) -> None:
        if self._state not in (EngineState.ASKING, EngineState.LISTENING):
            self._notify("There is no question waiting for an answer.", "warning")
            return
        if not text.strip():
            self._notify("Type an answer first, or press Skip.", "warning")
            return
        self._record(text.strip(), AnswerInput.TYPED)

    @Slot()
    def skip_question(self) -> None:
        if self._state not in (EngineState.ASKING, EngineState.LISTENING):
            return
        self._record("", AnswerInput.SKIPPED)

    @Slot()
    def end_interview(self) -> None:
        if not self.running:
            return
        log.info("interview ended early by the user")
        self._finish(SessionStatus.ABANDONED)

    @Slot()
    def initialize(self) -> None:
        """Runs when the engine thread starts: warm up the speech model and the microphone."""
        for job in self._voice.warm_up:
            self._tasks.submit(job, lambda _r: None, self._on_warm_up_failed)

    def _on_warm_up_failed(self, error: BaseException) -> None:
        if not isinstance(error, (ProviderError, AudioError)):
            raise error
        log.warning("warm-up: %s", error)

    @Slot()
    def finish_answer(self) -> None:
        """The "Done" key: end the spoken answer now."""
        if self._state is EngineState.LISTENING and self._endpointer is not None:
            self._handle_events(self._endpointer.finish(EndReason.MANUAL))

    @Slot()
    def repeat_question(self) -> None:
        if self._state in (EngineState.ASKING, EngineState.LISTENING):
            log.info("repeating question %d", self._index + 1)
            self._ask()

    @Slot()
    def list_devices(self) -> None:
        from interview_desktop.audio import backend

        try:
            self.devices_listed.emit((backend.list_input_devices(), backend.list_output_devices(), ""))
        except AudioError as err:
            self.devices_listed.emit(([], [], str(err)))

    @Slot(str, str, str)
    def test_connection(self, service: str, api_key: str, base_url: str) -> None:
        """Check a cloud key on a worker thread (never blocks the engine or the GUI)."""
        from interview_desktop.providers.cloud.connection import test_connection as check_connection

        self._tasks.submit(
            lambda: check_connection(service, api_key, base_url or None),
            lambda report: self.connection_tested.emit((service, report)),
            self._reraise,
        )

    @staticmethod
    def _reraise(error: BaseException) -> None:
        raise error

    @Slot(object)
    def start_mic_check(self, open_mic: Callable[[], MicCapture]) -> None:
        """Settings → "Mic check": stream the level of a microphone while no interview runs."""
        if self.running:
            self._notify("The mic check is not available during an interview.", "warning")
            return
        self._close_mic()
        try:
            mic = open_mic()
            mic.start()
        except AudioError as err:
            self._notify(f"Microphone unavailable: {err}", "error")
            return
        self._mic = mic
        self._poll.start()

    @Slot()
    def stop_mic_check(self) -> None:
        if not self.running:
            self._close_mic()
            self._poll.stop()

    @Slot(object, int)
    def set_brains(self, brains: FallbackChain[InterviewerBrain], follow_ups: int) -> None:
        self._brains = brains
        self._follow_ups = follow_ups

    @Slot(object)
    def set_voice(self, voice: VoiceIO) -> None:
        """Use new voice settings from the next question on."""
        self._voice = voice

    @Slot(int)
    def ping(self, token: int) -> None:
        self.pong.emit(token)

    @Slot()
    def shutdown(self) -> None:
        """Called before the thread quits: an interview in progress is saved as abandoned."""
        if self.running:
            self._finish(SessionStatus.ABANDONED)
        self._tasks.shutdown()

    # ----------------------------------------------------------------- internals
    def _set_state(self, state: EngineState) -> None:
        self._state = state
        total = len(self._questions)
        position = f" question={min(self._index + 1, total)}/{total}" if total else ""
        log.info("state=%s%s", state.value, position)
        self.state_changed.emit(state)

    def _notify(self, text: str, level: str = "info") -> None:
        self.notice.emit(Notice(text, level))

    def _ask(self) -> None:
        question = self._questions[self._index]
        self._turn += 1
        self._endpointer = None
        self._stop_speaking()
        self._asked_at = self._clock()
        self._voice_provider = None
        self._voice_cloud = False
        self._set_state(EngineState.ASKING)
        self.question_asked.emit(QuestionPrompt(self._index, len(self._questions), question))
        if not self._voice.can_speak:
            self._begin_listening()
            return
        turn, tts = self._turn, self._voice.tts
        assert tts is not None
        self._tasks.submit(
            lambda: tts.run(lambda provider: provider.synthesize(question.text)),
            lambda result: self._on_question_synthesized(turn, result),
            lambda error: self._on_question_not_synthesized(turn, error),
        )

    def _on_question_synthesized(self, turn: int, result) -> None:
        if turn != self._turn or self._state is not EngineState.ASKING:
            return
        self._voice_provider = result.provider
        self._voice_cloud = result.cloud
        self._note_failures("voice", result.failures)
        try:
            assert self._voice.player is not None
            self._voice.player.play(result.value)
        except AudioError as err:
            log.warning("cannot play the question: %s", err)
            self._notify(f"Voice unavailable: {err} The question is shown on screen.", "warning")
            self._begin_listening()
            return
        self._speaking = True

    def _on_question_not_synthesized(self, turn: int, error: BaseException) -> None:
        if not isinstance(error, ProviderError):
            raise error
        if turn != self._turn or self._state is not EngineState.ASKING:
            return
        self._notify(f"Voice unavailable: {error}. The question is shown on screen.", "warning")
        self._begin_listening()

    def _stop_speaking(self) -> None:
        if self._speaking and self._voice.player is not None:
            self._voice.player.stop()
        self._speaking = False

    def _begin_listening(self) -> None:
        self._speaking = False
        if self._mic is None and self._voice.can_listen:
            self._open_mic()  # it may have been plugged in (again) since the last question
        if self._mic is not None:
            self._endpointer = self._voice.new_endpointer()
            self._echo_skip = int(self._voice.echo_tail_s * 16000)
            self._mic.drain()  # what was captured while the question played is the app's own voice
        self._set_state(EngineState.LISTENING)

    # ----------------------------------------------------------------- microphone
    def _open_mic(self) -> None:
        self._close_mic()
        if not self._voice.can_listen:
            return
        assert self._voice.open_mic is not None
        try:
            mic = self._voice.open_mic()
            mic.start()
        except AudioError as err:
            log.warning("microphone unavailable: %s", err)
            self._notify(f"Microphone unavailable: {err} You can type your answers.", "warning")
            return
        self._mic = mic

    def _close_mic(self) -> None:
        if self._mic is not None:
            self._mic.close()
            self._mic = None
        self._endpointer = None

    @Slot()
    def _on_poll_timeout(self) -> None:
        if self._speaking and self._voice.player is not None and self._voice.player.done.is_set():
            error = self._voice.player.error
            if error is not None:
                self._notify(f"Voice unavailable: {error}", "warning")
            self._begin_listening()
        if self._mic is None:
            return
        samples = self._mic.drain()
        if self._meter_throttle.ready():
            self.level_changed.emit(level_fraction(rms_dbfs(samples)) if len(samples) else 0.0)
        if self._state is not EngineState.LISTENING or self._endpointer is None:
            return
        if self._echo_skip:
            skipped = min(self._echo_skip, len(samples))
            samples, self._echo_skip = samples[skipped:], self._echo_skip - skipped
        events = self._endpointer.feed(samples) if len(samples) else []
        if self._mic.lost:
            log.warning("microphone lost during the answer: %s", self._mic.lost_error)
            self._notify(
                f"The microphone stopped: {self._mic.lost_error} What was recorded is kept.", "warning"
            )
            events += self._endpointer.finish(EndReason.DEVICE_LOST)
            self._mic.close()
            self._mic = None
        self._handle_events(events)

    def _handle_events(self, events: list[EndpointEvent]) -> None:
        for event in events:
            if event.kind is EndpointEventKind.SPEECH_STARTED:
                log.info("speech started at %.2fs", event.at_s)
                self.speech_started.emit()
            elif event.kind is EndpointEventKind.NO_SPEECH_TIMEOUT:
                log.info("no speech heard within %.0fs", event.at_s)
                self._notify(
                    "I didn't hear anything. Repeat the question, skip it, or type your answer.",
                    "warning",
                )
                self.no_speech_heard.emit()
                # keep listening (a late answer still counts); "Done", Repeat or Skip end the wait
                self._endpointer = self._voice.new_endpointer(no_speech_timeout=False)
            elif event.kind is EndpointEventKind.ANSWER_ENDED:
                self._on_answer_ended(event)
                return

    def _on_answer_ended(self, event: EndpointEvent) -> None:
        endpointer, self._endpointer = self._endpointer, None
        assert endpointer is not None and self._session is not None
        reason = getattr(event.reason, "value", event.reason)
        log.info("answer ended reason=%s speech=%s", reason, event.speech_detected)
        if event.reason is EndReason.MAX_LENGTH:
            self._notify("That answer reached the maximum length, so it was ended there.", "info")
        if not event.speech_detected:
            self._record("", AnswerInput.VOICE)
            return
        clip, segments = endpointer.clip(), endpointer.speech_segments()
        self._set_state(EngineState.TRANSCRIBING)
        stt, voice, data_dir = self._voice.stt, self._voice, self._data_dir
        assert stt is not None
        path = f"audio/{self._session.id}/{self._index + 1}.wav"
        turn = self._turn
        self._tasks.submit(
            lambda: transcribe_answer(stt, clip, segments, data_dir, path, voice.keep_audio),
            lambda job: self._on_transcribed(turn, job),
            lambda error: self._on_transcription_crashed(turn, error, clip),
        )

    def _on_transcribed(self, turn: int, job: TranscriptionJob) -> None:
        if turn != self._turn or self._state is not EngineState.TRANSCRIBING:
            return
        provenance = {"voice": self._voice_provider, "stt": None, "cloud": self._voice_cloud}
        if job.result is None:
            self._notify(f"Could not transcribe the answer: {job.error}", "error")
            text, words = NOT_TRANSCRIBED_TEXT, ()
        else:
            self._note_failures("speech recognition", job.result.failures)
            transcript = job.result.value
            text = NO_ANSWER_TEXT if transcript.no_speech or not transcript.text.strip() else transcript.text
            words = transcript.words
            provenance.update(stt=job.result.provider, cloud=job.result.cloud or self._voice_cloud)
        provenance["speech_segments"] = [list(s) for s in job.speech_segments]
        self._record(
            text.strip(), AnswerInput.VOICE, duration_s=round(job.clip_duration_s, 3),
            audio_path=job.audio_path, transcript_words=words, provenance=provenance,
        )

    def _on_transcription_crashed(self, turn: int, error: BaseException, clip) -> None:
        if isinstance(error, OSError):  # the recording could not be written (disk full …)
            log.error("could not save the answer audio: %s", error)
            self._notify(f"Could not save the recording: {error}", "error")
            if turn == self._turn and self._state is EngineState.TRANSCRIBING:
                self._record(NOT_TRANSCRIBED_TEXT, AnswerInput.VOICE, duration_s=clip.duration_s)
            return
        raise error

    def _note_failures(self, what: str, failures) -> None:
        if failures:
            names = ", ".join(f"{name} ({why})" for name, why in failures)
            self._notify(f"{what.capitalize()}: fell back after {names}.", "warning")

    def _record(self, text: str, how: AnswerInput, **fields: Any) -> None:
        assert self._session is not None and self._asked_at is not None
        self._turn += 1  # anything still in flight for this question is now stale
        self._stop_speaking()
        self._endpointer = None
        question = self._questions[self._index]
        answer = Answer(
            index=self._index,
            question=question,
            text=text if text or how is AnswerInput.SKIPPED else NO_ANSWER_TEXT,
            input=how,
            asked_at=self._asked_at,
            answered_at=self._clock(),
            **fields,
        )
        self._session = self._session.with_answer(answer)
        self._save()
        self.answer_saved.emit(answer)
        if how is AnswerInput.SKIPPED:
            self._advance()
            return
        self._set_state(EngineState.EVALUATING)
        brains, turn = self._brains, self._turn
        want_follow_up = self._follow_ups_left > 0 and not _is_empty(answer.text)
        self._run(
            lambda: assess_answer(brains, answer, want_follow_up),
            lambda assessment: self._on_assessed(turn, answer.index, assessment),
            lambda error: self._on_assessment_failed(turn, error),
            background=any(getattr(b, "cloud", False) for b in brains.providers),
        )

    def _run(self, job, on_done, on_error, background: bool) -> None:
        """Run ``job`` on a worker when it may wait on the network; inline when it is quick."""
        if background:
            self._tasks.submit(job, on_done, on_error)
            return
        try:
            result = job()
        except ProviderError as err:
            on_error(err)
            return
        on_done(result)

    def _on_assessed(self, turn: int, position: int, assessment: Assessment) -> None:
        if turn != self._turn or self._state is not EngineState.EVALUATING or self._session is None:
            return
        answers = list(self._session.answers)
        answer = answers[position]
        answer = answers[position] = replace(
            answer,
            evaluation=assessment.evaluation.to_document(),
            metrics=assessment.metrics.to_document(),
            provenance={
                **answer.provenance,
                "brain": assessment.brain,
                "cloud": bool(answer.provenance.get("cloud")) or assessment.cloud,
            },
        )
        self._session = replace(self._session, answers=tuple(answers))
        self._save()
        self.answer_evaluated.emit(answer)
        self._note_failures("evaluation", assessment.failures)
        if assessment.follow_up:
            self._follow_ups_left -= 1
            follow = Question(
                id=f"{answer.question.id}-follow-up-{self._follow_ups - self._follow_ups_left}",
                text=assessment.follow_up,
                kind=answer.question.kind,
                role=answer.question.role,
                source="follow_up",
            )
            self._questions.insert(self._index + 1, follow)
            self._session = replace(self._session, question_count=len(self._questions))
            log.info("follow-up question added after question %d", self._index + 1)
        self._advance()

    def _on_assessment_failed(self, turn: int, error: BaseException) -> None:
        if not isinstance(error, AllProvidersFailed):
            raise error
        if turn == self._turn and self._state is EngineState.EVALUATING:
            self._notify(f"Could not evaluate the answer: {error}", "warning")
            self._advance()

    def _advance(self) -> None:
        self._index += 1
        if self._index >= len(self._questions):
            self._finish(SessionStatus.COMPLETED)
            return
        if self._questions[self._index].source != "follow_up":
            self._follow_ups_left = self._follow_ups
        self._ask()

    def _finish(self, status: SessionStatus) -> None:
        assert self._session is not None
        self._turn += 1
        self._stop_speaking()
        self._close_mic()
        self._poll.stop()
        self._session = replace(
            self._complete_evaluations(self._session), status=status, ended_at=self._clock()
        )
        self._session = replace(self._session, report=report_for(self._session))
        self._save()
        self._set_state(EngineState.FINISHED)
        log.info(
            "interview finished session=%s status=%s answers=%d",
            self._session.id, status.value, len(self._session.answers),
        )
        self.session_finished.emit(self._session)

    def _complete_evaluations(self, session: Session) -> Session:
        """Answers ended before their evaluation came back are scored offline, so the report is whole."""
        answers = list(session.answers)
        offline = FallbackChain("interviewer", [self._offline_brain])
        for i, answer in enumerate(answers):
            if answer.evaluation is None and answer.input is not AnswerInput.SKIPPED:
                done = assess_answer(offline, answer)
                answers[i] = replace(
                    answer, evaluation=done.evaluation.to_document(), metrics=done.metrics.to_document(),
                    provenance={**answer.provenance, "brain": done.brain},
                )
        return replace(session, answers=tuple(answers))

    def _save(self) -> bool:
        """Save the session; on failure keep it in memory and retry with the next save."""
        assert self._session is not None
        self._session = self._session.touched()
        try:
            self._repository.save(self._session)
        except StorageError as err:
            log.error("could not save session %s: %s", self._session.id, err)
            self._unsaved = True
            why = str(err)
            self._notify(
                f"{why[:1].upper()}{why[1:].rstrip('.')}. Your answers are kept and saving is retried "
                "after the next answer.",
                "error",
            )
            return False
        if self._unsaved:
            self._notify("The session is saved again.", "info")
            self._unsaved = False
        self.session_saved.emit(self._session)
        return True
