"""Assess one answer: delivery metrics, the brain's evaluation, and an optional follow-up.

Runs on a worker thread (an LLM brain makes HTTP calls). The same function serves the app, the
re-evaluation of past sessions and ``interview-desktop evaluate``, so the numbers agree everywhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from interview_desktop.domain import Answer, AnswerInput, Question, Session
from interview_desktop.providers.base import AllProvidersFailed, FallbackChain
from interview_desktop.providers.brains.offline import InterviewerBrain
from interview_desktop.scoring import DeliveryMetrics, Evaluation, delivery_metrics, session_report

log = logging.getLogger("interview_desktop.scoring.assess")


@dataclass(frozen=True)
class Assessment:
    metrics: DeliveryMetrics
    evaluation: Evaluation
    brain: str
    cloud: bool
    failures: tuple[tuple[str, str], ...] = ()
    follow_up: str | None = None


def answer_metrics(answer: Answer) -> DeliveryMetrics:
    segments = answer.provenance.get("speech_segments") if answer.provenance else None
    return delivery_metrics(
        answer.transcript_words,
        [tuple(s) for s in segments] if segments else None,
        text=answer.text,
    )


def assess(
    brains: FallbackChain[InterviewerBrain],
    question: Question,
    answer_text: str,
    metrics: DeliveryMetrics | None,
    want_follow_up: bool = False,
) -> Assessment:
    result = brains.run(lambda brain: brain.evaluate(question, answer_text, metrics))
    follow_up = None
    if want_follow_up:
        try:
            follow_up = brains.run(lambda brain: brain.follow_up(question, answer_text)).value
        except AllProvidersFailed as err:
            log.warning("no follow-up: %s", err)
    return Assessment(
        metrics or delivery_metrics((), None, text=answer_text),
        result.value, result.provider, result.cloud, result.failures, follow_up,
    )


def assess_answer(
    brains: FallbackChain[InterviewerBrain], answer: Answer, want_follow_up: bool = False
) -> Assessment:
    return assess(brains, answer.question, answer.text, answer_metrics(answer), want_follow_up)


def report_for(session: Session) -> dict[str, Any]:
    """The session report from the answers' stored evaluations and metrics (skips are unanswered)."""
    evaluations, metrics = [], []
    for answer in session.answers:
        if answer.evaluation is None or answer.input is AnswerInput.SKIPPED:
            evaluations.append(Evaluation.from_document({"overall": 0, "answered": False,
                                                         "question_id": answer.question.id}))
            metrics.append(None)
            continue
        evaluations.append(Evaluation.from_document(answer.evaluation))
        metrics.append(DeliveryMetrics.from_document(answer.metrics) if answer.metrics else None)
    return session_report(evaluations, metrics)
