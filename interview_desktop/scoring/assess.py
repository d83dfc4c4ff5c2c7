"""The one path from an answer to its assessment: transcribe → speech segments → delivery metrics →
the brain's evaluation (+ an optional follow-up) → the scored answer, and the session report.

The engine, the re-evaluation of past sessions and ``interview-desktop evaluate`` all call these
functions, so their numbers agree. Runs on worker threads (a cloud brain or STT makes HTTP calls).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from interview_desktop.audio.vad import EndpointConfig, Endpointer
from interview_desktop.audio.wav import resample
from interview_desktop.domain import (
    Answer,
    AnswerInput,
    AudioClip,
    DeliveryMetrics,
    Evaluation,
    Question,
    Session,
    Transcript,
)
from interview_desktop.providers.base import (
    AllProvidersFailed,
    ChainResult,
    FallbackChain,
    InterviewerBrain,
    SpeechToText,
)
from interview_desktop.scoring.delivery import delivery_metrics
from interview_desktop.scoring.report import session_report

log = logging.getLogger("interview_desktop.engine.evaluation")

WHOLE_RECORDING_S = 24 * 3600


@dataclass(frozen=True)
class Assessment:
    metrics: DeliveryMetrics
    evaluation: Evaluation
    brain: str
    cloud: bool
    failures: tuple[tuple[str, str], ...] = ()
    follow_up: str | None = None


def speech_segments(clip: AudioClip) -> list[tuple[float, float]]:
    """Where the voice is in a whole recording (the same detector the live interview uses)."""
    endpointer = Endpointer(EndpointConfig(no_speech_timeout_s=None, max_answer_s=WHOLE_RECORDING_S))
    endpointer.feed(resample(clip, 16000).samples)
    return endpointer.speech_segments(relative_to_clip=False)


def transcribe(stt: FallbackChain[SpeechToText], clip: AudioClip) -> ChainResult[Transcript]:
    """Transcribe with the first speech-to-text provider that works (AllProvidersFailed if none)."""
    return stt.run(lambda provider: provider.transcribe(clip))


def answer_metrics(answer: Answer) -> DeliveryMetrics:
    segments = answer.provenance.speech_segments
    return delivery_metrics(answer.transcript_words, list(segments) or None, text=answer.text)


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


def with_assessment(answer: Answer, assessment: Assessment, **changes: Any) -> Answer:
    """The answer with its evaluation, metrics and the brain in its provenance."""
    provenance = replace(
        answer.provenance, brain=assessment.brain, cloud=answer.provenance.went_to_cloud(assessment.cloud)
    )
    return replace(
        answer, evaluation=assessment.evaluation, metrics=assessment.metrics, provenance=provenance,
        **changes,
    )


def report_for(session: Session) -> dict[str, Any]:
    """The session report from the answers' evaluations and metrics (skips are unanswered)."""
    evaluations: list[Evaluation] = []
    metrics: list[DeliveryMetrics | None] = []
    for answer in session.answers:
        if answer.evaluation is None or answer.input is AnswerInput.SKIPPED:
            evaluations.append(Evaluation.unanswered(answer.question.id))
            metrics.append(None)
            continue
        evaluations.append(answer.evaluation)
        metrics.append(answer.metrics)
    return session_report(evaluations, metrics)
