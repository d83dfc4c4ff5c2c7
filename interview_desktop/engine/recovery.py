"""After a crash: the answer that was being spoken is found in its safety recording, transcribed,
scored and added to its session, marked ``interrupted``; and the interview that stopped can be
resumed with the questions it had left (the plan is saved with the session).

Runs at start, on an engine worker, before a resume is offered (so the resumed session has it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from interview_desktop.audio import safety_recording
from interview_desktop.audio.recordings import answer_audio_path
from interview_desktop.domain import Answer, AnswerInput, Question, Session, SessionStatus, from_iso
from interview_desktop.engine.recorder import save_and_transcribe, spoken_answer
from interview_desktop.providers.base import FallbackChain, InterviewerBrain, ProviderError, SpeechToText
from interview_desktop.scoring.assess import assess_answer, report_for, speech_segments, with_assessment
from interview_desktop.storage.base import HistoryRepository, SessionQuery, StorageError
from interview_desktop.storage.codec import decode_question

log = logging.getLogger("interview_desktop.engine")


@dataclass(frozen=True)
class Unfinished:
    """An interview that stopped before its end, which can be resumed."""

    session: Session
    remaining: tuple[Question, ...]

    @property
    def offer(self) -> str:
        answered = len(self.session.answers)
        total = answered + len(self.remaining)
        return f"Resume the interview with {self.session.candidate} ({answered} of {total} answered)"


def recover_interrupted(data_dir: Path, repository: HistoryRepository,
                        stt: FallbackChain[SpeechToText] | None, offline: FallbackChain[InterviewerBrain],
                        keep_audio: bool) -> list[str]:
    """Add every answer left in a safety recording to its session; what was done, in plain words."""
    done: list[str] = []
    for found in safety_recording.find(data_dir):
        try:
            message = _recover_one(found, data_dir, repository, stt, offline, keep_audio)
        except StorageError as err:  # left in place: tried again on the next start
            log.error("interrupted answer %s not recovered yet: %s", found.audio_path, err)
            continue
        if message:
            done.append(message)
    return done


def _recover_one(found: safety_recording.Interrupted, data_dir: Path, repository: HistoryRepository,
                 stt: FallbackChain[SpeechToText] | None, offline: FallbackChain[InterviewerBrain],
                 keep_audio: bool) -> str | None:
    meta = found.meta
    session_id, index = meta.get("session_id"), meta.get("index")
    if not Session.is_valid_id(session_id) or not isinstance(index, int) or index < 0:
        log.warning("safety recording %s names no answer: left as it is", found.meta_path)
        return None
    session = repository.get(session_id)
    if session is None:
        log.warning("safety recording %s: its session %s is not in the history: left as it is",
                    found.audio_path, session_id)
        return None
    if any(a.index == index for a in session.answers):  # the answer was saved before the app stopped
        found.discard()
        return None
    clip = found.clip()
    # with no speech recognition (typed mode) the audio is kept and the answer says it was not transcribed
    job = save_and_transcribe(stt or FallbackChain("speech-to-text", []), clip, speech_segments(clip),
                              data_dir, answer_audio_path(session_id, index + 1), keep_audio)
    if job.result is not None and job.result.value.no_speech:
        log.info("safety recording of answer %d of %s holds no speech: removed", index + 1, session_id)
        if job.audio_path:
            (data_dir / job.audio_path).unlink(missing_ok=True)
        found.discard()
        return None
    fields = spoken_answer(job, None, False)
    stopped = datetime.fromtimestamp(found.audio_path.stat().st_mtime, timezone.utc)
    answer = Answer(
        index=index, question=decode_question(meta["question"]), text=fields.pop("text"),
        input=AnswerInput.VOICE, asked_at=from_iso(meta.get("asked_at")) or stopped, answered_at=stopped,
        interrupted=True, **fields,
    )
    try:
        answer = with_assessment(answer, assess_answer(offline, answer))
    except ProviderError as err:
        log.warning("interrupted answer not scored: %s", err)
    answers = sorted((*session.answers, answer), key=lambda a: a.index)
    session = replace(session, answers=tuple(answers))
    answered = {a.question.id for a in answers}
    if session.plan and all(q.id in answered for q in session.plan):  # it was the last question
        session = replace(session, status=SessionStatus.COMPLETED, ended_at=stopped)
        session = replace(session, report=report_for(session))
    repository.save(session.touched())
    found.discard()
    log.info("recovered interrupted answer %d of session %s (%.1f s)", index + 1, session_id, clip.duration_s)
    return (f"Recovered your answer to question {index + 1} of the interview with {session.candidate}: "
            "the app had stopped while you were answering.")


def unfinished(repository: HistoryRepository, before: datetime | None = None,
               only: str | None = None) -> Unfinished | None:
    """The most recent interview still in progress that has questions left (started ``before``, or
    the session ``only``)."""
    if only is not None:
        candidates = [only]
    else:
        summaries = repository.list(SessionQuery(status=SessionStatus.IN_PROGRESS, limit=20))
        candidates = [s.id for s in summaries if before is None or s.started_at < before]
    for session_id in candidates:
        session = repository.get(session_id)
        if session is None or session.status is not SessionStatus.IN_PROGRESS or not session.plan:
            continue
        answered = {a.question.id for a in session.answers}
        remaining = tuple(q for q in session.plan if q.id not in answered)
        if remaining:
            return Unfinished(session, remaining)
    return None
