"""Re-evaluate a past session: re-transcribe its saved audio and score every answer again.

Used from History (e.g. after adding a key or a better model). The previous transcript, metrics
and evaluation of each answer are kept in ``Answer.previous_evaluations``, and the previous report
in ``Session.extra["previous_reports"]``: nothing is overwritten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from interview_desktop.audio.errors import AudioError
from interview_desktop.audio.wav import read_wav
from interview_desktop.domain import Answer, AnswerInput, Session, answer_text, to_iso, utc_now
from interview_desktop.providers.base import AllProvidersFailed, FallbackChain, InterviewerBrain, SpeechToText
from interview_desktop.scoring.assess import (
    assess_answer,
    report_for,
    speech_segments,
    transcribe,
    with_assessment,
)
from interview_desktop.storage.codec import encode_evaluation, encode_metrics

log = logging.getLogger("interview_desktop.services.reevaluation")


@dataclass(frozen=True)
class Reevaluator:
    """Everything needed to re-evaluate; built by the composition root from the current settings."""

    data_dir: Path
    stt: FallbackChain[SpeechToText] | None
    brains: FallbackChain[InterviewerBrain]

    def __call__(self, session: Session, progress: Callable[[int, int], None] | None = None) -> Session:
        answers = []
        now = to_iso(utc_now())
        for done, answer in enumerate(session.answers):
            answers.append(self._answer(answer, now))
            if progress:
                progress(done + 1, len(session.answers))
        previous = list(session.extra.get("previous_reports") or [])
        if session.report is not None:
            previous.append({**session.report, "replaced_at": now})
        extra = {**session.extra, "previous_reports": previous}
        updated = replace(session, answers=tuple(answers), extra=extra)
        return replace(updated, report=report_for(updated)).touched()

    def _answer(self, answer: Answer, now: str | None) -> Answer:
        if answer.input is AnswerInput.SKIPPED:
            return answer
        kept = {
            "text": answer.text,
            "evaluation": encode_evaluation(answer.evaluation) if answer.evaluation else None,
            "metrics": encode_metrics(answer.metrics) if answer.metrics else None,
            "stt": answer.provenance.stt,
            "brain": answer.provenance.brain,
            "replaced_at": now,
        }
        current = answer
        if answer.audio_path and self.stt is not None:
            try:
                clip = read_wav(self.data_dir / answer.audio_path)
                result = transcribe(self.stt, clip)
            except (AudioError, AllProvidersFailed) as err:
                log.warning("answer %d keeps its transcript: %s", answer.index + 1, err)
            else:
                provenance = replace(
                    answer.provenance,
                    stt=result.provider,
                    cloud=answer.provenance.went_to_cloud(result.cloud),
                    speech_segments=tuple(speech_segments(clip)),
                )
                current = replace(
                    answer, text=answer_text(result.value), transcript_words=result.value.words,
                    provenance=provenance,
                )
        return with_assessment(
            current, assess_answer(self.brains, current),
            previous_evaluations=(*answer.previous_evaluations, kept),
        )
