"""The offline interviewer brain: the built-in question bank and the deterministic rubric.

It ends every brain chain (``[GroqBrain, OfflineBrain]``) and never fails for a provider reason.
"""

from __future__ import annotations

import logging
import random

from interview_desktop.domain import DeliveryMetrics, Evaluation, Question, is_empty_answer
from interview_desktop.providers.brains.question_bank import QuestionBank, UnknownRoleError
from interview_desktop.scoring import score_answer
from interview_desktop.scoring.text import words

log = logging.getLogger("interview_desktop.brain")

FOLLOW_UP_EXAMPLE = "Could you give a specific example, with what you did and what the result was?"
FOLLOW_UP_MIN_WORDS = 25


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
