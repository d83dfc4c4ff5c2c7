"""The interviewer's "brain": which questions to ask, whether to follow up, how to score an answer.

:class:`InterviewerBrain` is the protocol; brains sit in a
:class:`~interview_desktop.providers.base.FallbackChain` like the speech providers, typically
``[GroqBrain, OfflineBrain]`` (see :func:`interview_desktop.providers.cloud.config.build_cloud_providers`).

* :class:`OfflineBrain` — the built-in question bank and the deterministic offline rubric; never
  fails for a provider reason.
* :class:`~interview_desktop.providers.brains.groq.GroqBrain` — tailored questions, follow-ups and
  LLM scoring on Groq.
"""

from __future__ import annotations

import logging
import random
from typing import Protocol, runtime_checkable

from interview_desktop.domain import Question
from interview_desktop.providers.brains.groq import GroqBrain
from interview_desktop.providers.brains.question_bank import QuestionBank, UnknownRoleError
from interview_desktop.scoring import DeliveryMetrics, Evaluation, score_answer
from interview_desktop.scoring.rubric import is_empty_answer
from interview_desktop.scoring.text import words

log = logging.getLogger("interview_desktop.brain")

__all__ = ["FOLLOW_UP_EXAMPLE", "GroqBrain", "InterviewerBrain", "OfflineBrain"]

FOLLOW_UP_EXAMPLE = "Could you give a specific example, with what you did and what the result was?"
FOLLOW_UP_MIN_WORDS = 25


@runtime_checkable
class InterviewerBrain(Protocol):
    name: str
    cloud: bool

    def questions(
        self, role_title: str, count: int, job_description: str = "", cv_text: str = ""
    ) -> list[Question]: ...

    def follow_up(self, question: Question, answer_text: str) -> str | None: ...

    def evaluate(
        self, question: Question, answer_text: str, metrics: DeliveryMetrics | None
    ) -> Evaluation: ...


class OfflineBrain:
    """Questions from the bank, one deterministic follow-up rule, the offline rubric.

    * ``questions``: ``bank.choose(role_title, count)``. A pasted job description or CV does not
      change bank questions. A role title the bank does not know (a custom title typed for the
      cloud brain) uses ``fallback_role`` ("general") when that is set; otherwise
      :class:`~interview_desktop.providers.brains.question_bank.UnknownRoleError` propagates.
    * ``follow_up``: an answered question whose answer has fewer than 25 words gets
      :data:`FOLLOW_UP_EXAMPLE`; anything else (including a skipped question) gets ``None``.
    * ``evaluate``: :func:`~interview_desktop.scoring.score_answer`.
    """

    name = "offline"
    cloud = False

    def __init__(
        self, bank: QuestionBank, rng: random.Random | None = None, *, fallback_role: str | None = "general"
    ) -> None:
        self.bank = bank
        self.rng = rng
        self.fallback_role = fallback_role

    def questions(
        self, role_title: str, count: int, job_description: str = "", cv_text: str = ""
    ) -> list[Question]:
        try:
            return self.bank.choose(role_title, count, self.rng)
        except UnknownRoleError:
            if not self.fallback_role:
                raise
            log.info("role %r is not in the question bank; using %r questions", role_title,
                     self.fallback_role)
            return self.bank.choose(self.fallback_role, count, self.rng)

    def follow_up(self, question: Question, answer_text: str) -> str | None:
        if is_empty_answer(answer_text) or len(words(answer_text)) >= FOLLOW_UP_MIN_WORDS:
            return None
        return FOLLOW_UP_EXAMPLE

    def evaluate(
        self, question: Question, answer_text: str, metrics: DeliveryMetrics | None = None
    ) -> Evaluation:
        return score_answer(question, answer_text, metrics)
