"""Each answer's evaluation (and follow-up question) beside the next question, never in front of it.

The engine hands over an answer and goes on asking; the evaluation lands in the session when it is
ready. Only when a follow-up may be asked (a cloud brain) or nothing comes next does the engine wait,
and for a follow-up at most ``follow_up_budget_ms``: past it, the planned question is asked and a
late follow-up is dropped (logged). Engine thread; the work runs on the engine's workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import count

from PySide6.QtCore import QObject, QTimer

from interview_desktop.domain import Answer
from interview_desktop.engine.recorder import Recorder
from interview_desktop.providers.base import (
    AllProvidersFailed,
    FallbackChain,
    InterviewerBrain,
    ProviderError,
)
from interview_desktop.scoring.assess import Assessment, assess_answer, with_assessment
from interview_desktop.tasks import BackgroundTasks

log = logging.getLogger("interview_desktop.engine")

FOLLOW_UP_BUDGET_MS = 1500

Decided = Callable[[Answer, str | None], None]  # the answer (as evaluated) and its follow-up, if any


def run_here_or_on_worker(tasks: BackgroundTasks, job, on_done, on_error, background: bool) -> None:
    """Run ``job`` on a worker when it may wait on the network; inline when it is quick."""
    if background:
        return tasks.submit(job, on_done, on_error)
    try:
        result = job()
    except ProviderError as err:
        return on_error(err)
    on_done(result)


class Evaluator(QObject):
    def __init__(self, tasks: BackgroundTasks, recorder: Recorder,
                 evaluated: Callable[[Answer, Assessment], None], failed: Callable[[str], None],
                 parent: QObject | None = None):
        super().__init__(parent)
        self._tasks = tasks
        self._recorder = recorder
        self._evaluated = evaluated
        self._failed = failed
        self._tokens = count(1)
        self._current: dict[int, int] = {}  # answer index → the evaluation that counts
        self._waiting: tuple[int, Decided] | None = None  # the evaluation the engine waits for
        self.follow_up_budget_ms = FOLLOW_UP_BUDGET_MS

    def start(self, brains: FallbackChain[InterviewerBrain], answer: Answer, want_follow_up: bool,
              decided: Decided | None, background: bool) -> None:
        """Evaluate ``answer``; with ``decided``, the engine waits for it (``want_follow_up``: at most
        the budget, then ``decided(answer, None)``)."""
        token = next(self._tokens)
        self._current[answer.index] = token
        self._waiting = (token, decided) if decided is not None else None
        if decided is not None and want_follow_up:
            QTimer.singleShot(self.follow_up_budget_ms, self, lambda: self._late(token, answer))
        run_here_or_on_worker(
            self._tasks, lambda: assess_answer(brains, answer, want_follow_up),
            lambda assessment: self._done(token, answer.index, assessment),
            lambda error: self._error(token, answer, error), background,
        )

    def forget(self, index: int) -> None:
        """The answer is being continued: its evaluation so far does not count."""
        self._current.pop(index, None)
        self._waiting = None

    def stop(self) -> None:
        self._current.clear()
        self._waiting = None

    def _done(self, token: int, index: int, assessment: Assessment) -> None:
        if self._current.get(index) != token:
            return
        del self._current[index]
        stored = self._recorder.answer(index)
        assert stored is not None
        answer = with_assessment(stored, assessment)
        self._recorder.put(answer)
        self._evaluated(answer, assessment)
        decided = self._take_waiting(token)
        if decided is not None:
            return decided(answer, assessment.follow_up)
        if assessment.follow_up:
            log.info("late follow-up after question %d dropped", index + 1)

    def _late(self, token: int, answer: Answer) -> None:
        decided = self._take_waiting(token)
        if decided is not None:
            log.info("no follow-up decision within %d ms: the planned next question is asked",
                     self.follow_up_budget_ms)
            decided(answer, None)

    def _error(self, token: int, answer: Answer, error: BaseException) -> None:
        if not isinstance(error, AllProvidersFailed):
            raise error
        if self._current.get(answer.index) == token:
            del self._current[answer.index]
            self._failed(f"Could not evaluate the answer: {error}")
            decided = self._take_waiting(token)
            if decided is not None:
                decided(answer, None)

    def _take_waiting(self, token: int) -> Decided | None:
        if self._waiting is None or self._waiting[0] != token:
            return None
        decided, self._waiting = self._waiting[1], None
        return decided
