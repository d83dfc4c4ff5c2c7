"""The questions of a running interview: which one is current, and the follow-ups inserted after an
answer (at most ``follow_ups`` per planned question; only a cloud brain asks them)."""

from __future__ import annotations

from interview_desktop.domain import Answer, Question


class QuestionPlan:
    def __init__(self, questions: list[Question] | None = None, follow_ups: int = 0):
        self.questions: list[Question] = list(questions or [])
        self.index = 0
        self.follow_ups = follow_ups
        self._left = follow_ups

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def current(self) -> Question:
        return self.questions[self.index]

    @property
    def upcoming(self) -> Question | None:
        """The planned next question (a follow-up may still be inserted before it)."""
        return self.questions[self.index + 1] if self.index + 1 < self.total else None

    def position(self) -> str:
        """`` question=2/5`` for the ``state=`` log lines ("" before any question)."""
        return f" question={min(self.index + 1, self.total)}/{self.total}" if self.total else ""

    def may_follow_up(self) -> bool:
        """A follow-up may still be asked after the current question (the next one may depend on
        its answer)."""
        return self._left > 0

    def wants_follow_up(self, answer: Answer) -> bool:
        return self._left > 0 and not answer.is_empty

    def add_follow_up(self, answer: Answer, text: str) -> None:
        """Ask ``text`` next, as a follow-up of ``answer``'s question."""
        self._left -= 1
        self.questions.insert(self.index + 1, Question(
            id=f"{answer.question.id}-follow-up-{self.follow_ups - self._left}",
            text=text, kind=answer.question.kind, role=answer.question.role, source="follow_up",
        ))

    def advance(self) -> bool:
        """Move to the next question; False when there is none."""
        self.index += 1
        if self.index >= self.total:
            return False
        if self.current.source != "follow_up":
            self._left = self.follow_ups
        return True

    def snapshot(self) -> tuple[list[Question], int, int]:
        """What :meth:`restore` needs to take back an advance (the candidate went on answering)."""
        return list(self.questions), self.index, self._left

    def restore(self, snapshot: tuple[list[Question], int, int]) -> None:
        questions, self.index, self._left = snapshot
        self.questions = list(questions)
