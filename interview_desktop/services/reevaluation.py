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
from interview_desktop.audio.vad import EndpointConfig, Endpointer
from interview_desktop.audio.wav import read_wav, resample
from interview_desktop.domain import Answer, AnswerInput, AudioClip, Session, to_iso, utc_now
from interview_desktop.providers.base import AllProvidersFailed, FallbackChain, SpeechToText
from interview_desktop.providers.brains.offline import InterviewerBrain
from interview_desktop.scoring.assess import assess_answer, report_for

log = logging.getLogger("interview_desktop.services.reevaluation")


def speech_segments(clip: AudioClip) -> list[tuple[float, float]]:
    """Where the voice is in a whole recording (the same detector the live interview uses)."""
    endpointer = Endpointer(EndpointConfig(no_speech_timeout_s=None, max_answer_s=24 * 3600))
    endpointer.feed(resample(clip, 16000).samples)
    return endpointer.speech_segments(relative_to_clip=False)


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
            "evaluation": answer.evaluation,
            "metrics": answer.metrics,
            "stt": answer.provenance.get("stt"),
            "brain": answer.provenance.get("brain"),
            "replaced_at": now,
        }
        current = answer
        provenance = dict(answer.provenance)
        if answer.audio_path and self.stt is not None:
            try:
                clip = read_wav(self.data_dir / answer.audio_path)
                result = self.stt.run(lambda provider: provider.transcribe(clip))
            except (AudioError, AllProvidersFailed) as err:
                log.warning("answer %d keeps its transcript: %s", answer.index + 1, err)
            else:
                transcript = result.value
                provenance.update(
                    stt=result.provider,
                    cloud=bool(provenance.get("cloud")) or result.cloud,
                    speech_segments=[list(s) for s in speech_segments(clip)],
                )
                current = replace(
                    answer,
                    text=transcript.text.strip() or "(no answer)",
                    transcript_words=transcript.words,
                    provenance=provenance,
                )
        assessment = assess_answer(self.brains, current)
        provenance.update(brain=assessment.brain, cloud=bool(provenance.get("cloud")) or assessment.cloud)
        return replace(
            current,
            evaluation=assessment.evaluation.to_document(),
            metrics=assessment.metrics.to_document(),
            provenance=provenance,
            previous_evaluations=(*answer.previous_evaluations, kept),
        )
