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
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from interview_desktop import __version__
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
from interview_desktop.engine.question_bank import QuestionBank, QuestionBankError
from interview_desktop.storage.base import HistoryRepository, StorageError

log = logging.getLogger("interview_desktop.engine")

NO_ANSWER_TEXT = "(no answer)"
ALREADY_RUNNING = "An interview is already running — end it first."

Evaluator = Callable[[Question, Answer], dict[str, Any] | None]


class InterviewEngine(QObject):
    """The interview state machine.

    Signals:
        state_changed(EngineState)
        question_asked(QuestionPrompt)
        answer_saved(Answer)          an answer was recorded and the session saved
        session_saved(Session)        after every successful save
        session_finished(Session)     the interview ended (completed or abandoned) and was saved
        notice(Notice)                a message for the status line
        pong(int)                     answer to ``ping`` (health check used by --selftest)
    """

    state_changed = Signal(object)
    question_asked = Signal(object)
    answer_saved = Signal(object)
    session_saved = Signal(object)
    session_finished = Signal(object)
    notice = Signal(object)
    pong = Signal(int)

    def __init__(
        self,
        bank: QuestionBank,
        repository: HistoryRepository,
        evaluator: Evaluator | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = utc_now,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._bank = bank
        self._repository = repository
        self._evaluator = evaluator
        self._rng = rng or random.Random()
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
            questions = list(request.questions) or self._bank.choose(
                request.role, request.question_count, self._rng
            )
            role_title = self._bank.role(request.role).title if not request.questions else request.role
        except QuestionBankError as err:
            self._notify(str(err), "error")
            return
        if not questions:
            self._notify("No questions to ask for this role.", "error")
            return
        self._questions = questions
        self._index = 0
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

    @Slot(int)
    def ping(self, token: int) -> None:
        self.pong.emit(token)

    @Slot()
    def shutdown(self) -> None:
        """Called before the thread quits: an interview in progress is saved as abandoned."""
        if self.running:
            self._finish(SessionStatus.ABANDONED)

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
        self._asked_at = self._clock()
        self._set_state(EngineState.ASKING)
        self.question_asked.emit(QuestionPrompt(self._index, len(self._questions), question))
        self._begin_listening()

    def _begin_listening(self) -> None:
        self._set_state(EngineState.LISTENING)

    def _record(self, text: str, how: AnswerInput, **fields: Any) -> None:
        assert self._session is not None and self._asked_at is not None
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
        self._set_state(EngineState.EVALUATING)
        if self._evaluator is not None and how is not AnswerInput.SKIPPED:
            answer = replace(answer, evaluation=self._evaluator(question, answer))
        self._session = self._session.with_answer(answer)
        self._save()
        self.answer_saved.emit(answer)
        self._index += 1
        if self._index < len(self._questions):
            self._ask()
        else:
            self._finish(SessionStatus.COMPLETED)

    def _finish(self, status: SessionStatus) -> None:
        assert self._session is not None
        self._session = replace(self._session, status=status, ended_at=self._clock())
        self._save()
        self._set_state(EngineState.FINISHED)
        log.info(
            "interview finished session=%s status=%s answers=%d",
            self._session.id, status.value, len(self._session.answers),
        )
        self.session_finished.emit(self._session)

    def _save(self) -> bool:
        """Save the session; on failure keep it in memory and retry with the next save."""
        assert self._session is not None
        self._session = self._session.touched()
        try:
            self._repository.save(self._session)
        except StorageError as err:
            log.error("could not save session %s: %s", self._session.id, err)
            self._unsaved = True
            self._notify(
                f"Could not save the session: {err}. Your answers are kept and saving is retried "
                "after the next answer.",
                "error",
            )
            return False
        if self._unsaved:
            self._notify("The session is saved again.", "info")
            self._unsaved = False
        self.session_saved.emit(self._session)
        return True
