"""Answers into the session: the answer audio is written before it is transcribed, each answer is
added to the session and the session saved after every change. A failed save keeps everything in
memory and is retried with the next one; the user is told both times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from interview_desktop.audio.wav import write_wav
from interview_desktop.domain import (
    NOT_TRANSCRIBED_TEXT,
    Answer,
    AnswerInput,
    AudioClip,
    NoticeLevel,
    Provenance,
    Session,
    SessionStatus,
    Transcript,
    answer_text,
)
from interview_desktop.errors import describe_os_error
from interview_desktop.providers.base import (
    AllProvidersFailed,
    ChainResult,
    FallbackChain,
    InterviewerBrain,
    SpeechToText,
)
from interview_desktop.scoring.assess import assess_answer, report_for, transcribe, with_assessment
from interview_desktop.storage.base import HistoryRepository, StorageError

log = logging.getLogger("interview_desktop.engine")


@dataclass(frozen=True)
class TranscriptionJob:
    """The result of transcribing one recorded answer (built on a worker thread)."""

    clip_duration_s: float
    speech_segments: tuple[tuple[float, float], ...]
    audio_path: str | None  # relative to the data folder, None if not kept
    result: ChainResult[Transcript] | None
    error: str | None  # all speech-to-text providers failed: why (the audio is kept)
    save_error: str | None = None  # the audio could not be written (disk full …): why


def save_and_transcribe(
    stt: FallbackChain[SpeechToText],
    clip: AudioClip,
    segments: list[tuple[float, float]],
    data_dir: Path | None,
    relative_audio_path: str,
    keep_audio: bool,
) -> TranscriptionJob:
    """Save the answer audio first (so nothing said is lost), then transcribe it. When the audio
    cannot be written (disk full …) the answer is still transcribed, and ``save_error`` says why."""
    saved: str | None = None
    save_error = None
    if data_dir is not None and len(clip.samples):
        try:
            write_wav(data_dir / relative_audio_path, clip)
            saved = relative_audio_path
        except OSError as err:
            log.error("could not save the answer audio: %s", err)
            save_error = describe_os_error(err)
    try:
        result: ChainResult[Transcript] | None = transcribe(stt, clip)
        error = None
    except AllProvidersFailed as err:
        result, error = None, str(err)
    if saved and not keep_audio and result is not None:
        (data_dir / saved).unlink(missing_ok=True)  # type: ignore[operator]
        saved = None
    return TranscriptionJob(clip.duration_s, tuple(segments), saved, result, error, save_error)


def spoken_answer(job: TranscriptionJob, voice: str | None, voice_cloud: bool) -> dict[str, Any]:
    """The fields of a spoken answer (text, timing, audio, words, provenance) from its transcription."""
    result = job.result
    provenance = Provenance(
        voice=voice, stt=result.provider if result else None,
        cloud=(result.cloud if result else False) or voice_cloud, speech_segments=job.speech_segments,
    )
    return {
        "text": answer_text(result.value) if result else NOT_TRANSCRIBED_TEXT,
        "duration_s": round(job.clip_duration_s, 3),
        "audio_path": job.audio_path,
        "transcript_words": result.value.words if result else (),
        "provenance": provenance,
    }


Notify = Callable[[str, NoticeLevel], None]


class Recorder:
    """Holds the session of the running interview and saves it (engine thread)."""

    def __init__(self, repository: HistoryRepository, notify: Notify, saved: Callable[[Session], None]):
        self.repository = self._repository = repository
        self._notify = notify
        self._saved = saved
        self._unsaved = False
        self.session: Session | None = None

    def begin(self, session: Session) -> None:
        self.session = session
        self.save()

    def add(self, answer: Answer, save: bool = True) -> None:
        assert self.session is not None
        self.session = self.session.with_answer(answer)
        if save:
            self.save()

    def put(self, answer: Answer) -> None:
        """Replace the answer at ``answer.index``'s position (its evaluation arrived)."""
        self.amend(answer)
        self.save()

    def answer(self, index: int) -> Answer | None:
        assert self.session is not None
        return next((a for a in self.session.answers if a.index == index), None)

    def amend(self, answer: Answer) -> None:
        """Replace the answer at ``answer.index``'s position without saving (the next save writes it)."""
        assert self.session is not None
        answers = [answer if a.index == answer.index else a for a in self.session.answers]
        self.session = replace(self.session, answers=tuple(answers))

    def update(self, **changes: Any) -> None:
        """Change session fields without saving (the next save writes them)."""
        assert self.session is not None
        self.session = replace(self.session, **changes)

    def finish(self, status: SessionStatus, offline: FallbackChain[InterviewerBrain], ended_at) -> Session:
        """Score what is still unscored offline (so the report is whole), add the report, save."""
        assert self.session is not None
        answers = tuple(
            with_assessment(a, assess_answer(offline, a))
            if a.evaluation is None and a.input is not AnswerInput.SKIPPED else a
            for a in self.session.answers
        )
        session = replace(self.session, answers=answers, status=status, ended_at=ended_at)
        self.session = replace(session, report=report_for(session))
        self.save()
        return self.session

    def save(self) -> bool:
        """Save the session; on failure keep it in memory and retry with the next save."""
        assert self.session is not None
        self.session = self.session.touched()
        log.info("saving session=%s revision=%d answers=%d", self.session.id, self.session.revision,
                 len(self.session.answers))
        try:
            self._repository.save(self.session)
        except StorageError as err:
            log.error("could not save session %s: %s", self.session.id, err)
            self._unsaved = True
            why = str(err)
            self._notify(
                f"{why[:1].upper()}{why[1:].rstrip('.')}. Your answers are kept and saving is retried "
                "after the next answer.",
                NoticeLevel.ERROR,
            )
            return False
        if self._unsaved:
            self._notify("The session is saved again.", NoticeLevel.INFO)
            self._unsaved = False
        self._saved(self.session)
        return True
