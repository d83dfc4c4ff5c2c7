"""Frozen dataclasses and enums shared by every layer. No Qt, no I/O.

The session document (``Session.to_document``) is the public schema described in
``docs/session-schema.md``; the JSON store and MongoDB hold exactly this document.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

import numpy as np

SCHEMA_VERSION = 1


def utc_now() -> datetime:
    """Now, in UTC, at millisecond precision (what the documents and MongoDB keep)."""
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def to_iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds") if value else None


def from_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class QuestionKind(str, enum.Enum):
    BEHAVIOURAL = "behavioural"
    SITUATIONAL = "situational"
    TECHNICAL = "technical"
    MOTIVATION = "motivation"


class SessionStatus(str, enum.Enum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class AnswerInput(str, enum.Enum):
    TYPED = "typed"
    VOICE = "voice"
    SKIPPED = "skipped"


class EngineState(str, enum.Enum):
    """States of the interview engine; logged as ``state=<value>`` (a public interface).

    ``listening`` is the "awaiting answer" state: the microphone is open when one is available and
    a typed answer is accepted at any time.
    """

    IDLE = "idle"
    PREPARING = "preparing"  # tailored questions are being generated (LLM)
    ASKING = "asking"
    LISTENING = "listening"
    TRANSCRIBING = "transcribing"
    EVALUATING = "evaluating"
    FINISHED = "finished"


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: QuestionKind
    role: str
    covers: tuple[str, ...] = ()
    source: str = "bank"  # "bank", "llm", "follow_up", "custom"

    def to_document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "kind": self.kind.value,
            "role": self.role,
            "covers": list(self.covers),
            "source": self.source,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Question:
        return cls(
            id=str(doc["id"]),
            text=str(doc["text"]),
            kind=QuestionKind(doc["kind"]),
            role=str(doc.get("role", "")),
            covers=tuple(doc.get("covers", ())),
            source=str(doc.get("source", "bank")),
        )


@dataclass(frozen=True)
class Word:
    """One transcribed word with its timing in seconds from the start of the answer clip."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Transcript:
    text: str
    provider: str
    words: tuple[Word, ...] = ()
    duration_s: float = 0.0
    no_speech: bool = False  # the hallucination guard decided nothing was said


@dataclass(frozen=True, eq=False)
class AudioClip:
    """Mono float32 samples in [-1, 1]."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / float(self.sample_rate) if self.sample_rate else 0.0


@dataclass(frozen=True)
class Answer:
    index: int
    question: Question
    text: str
    input: AnswerInput
    asked_at: datetime
    answered_at: datetime
    duration_s: float | None = None
    audio_path: str | None = None  # relative to the data folder
    provenance: Mapping[str, Any] = field(default_factory=dict)
    transcript_words: tuple[Word, ...] = ()
    evaluation: Mapping[str, Any] | None = None  # scoring: Evaluation.to_document()
    metrics: Mapping[str, Any] | None = None  # delivery metrics: DeliveryMetrics.to_document()
    review: Mapping[str, Any] | None = None  # recruiter rating/notes: {"rating", "note", "by", "at"}
    previous_evaluations: tuple[Mapping[str, Any], ...] = ()  # kept when re-evaluated

    def to_document(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "question": self.question.to_document(),
            "text": self.text,
            "input": self.input.value,
            "asked_at": to_iso(self.asked_at),
            "answered_at": to_iso(self.answered_at),
            "duration_s": self.duration_s,
            "audio_path": self.audio_path,
            "provenance": dict(self.provenance),
            "words": [[w.text, w.start, w.end, w.probability] for w in self.transcript_words],
            "evaluation": dict(self.evaluation) if self.evaluation is not None else None,
            "metrics": dict(self.metrics) if self.metrics is not None else None,
            "review": dict(self.review) if self.review is not None else None,
            "previous_evaluations": [dict(e) for e in self.previous_evaluations],
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Answer:
        return cls(
            index=int(doc["index"]),
            question=Question.from_document(doc["question"]),
            text=str(doc.get("text", "")),
            input=AnswerInput(doc.get("input", "typed")),
            asked_at=from_iso(doc["asked_at"]),  # type: ignore[arg-type]
            answered_at=from_iso(doc["answered_at"]),  # type: ignore[arg-type]
            duration_s=doc.get("duration_s"),
            audio_path=doc.get("audio_path"),
            provenance=dict(doc.get("provenance") or {}),
            transcript_words=tuple(Word(*w) for w in doc.get("words") or ()),
            evaluation=doc.get("evaluation"),
            metrics=doc.get("metrics"),
            review=doc.get("review"),
            previous_evaluations=tuple(doc.get("previous_evaluations") or ()),
        )


@dataclass(frozen=True)
class Session:
    id: str
    candidate: str
    role: str
    started_at: datetime
    status: SessionStatus = SessionStatus.IN_PROGRESS
    ended_at: datetime | None = None
    question_count: int = 0
    answers: tuple[Answer, ...] = ()
    app_version: str = ""
    job_description: str = ""
    revision: int = 0
    updated_at: datetime | None = None
    report: Mapping[str, Any] | None = None
    review: Mapping[str, Any] | None = None  # recruiter rating/notes for the whole session
    extra: Mapping[str, Any] = field(default_factory=dict)  # fields added by later versions

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def with_answer(self, answer: Answer) -> Session:
        return replace(self, answers=(*self.answers, answer))

    def touched(self) -> Session:
        """A copy with the next revision number, to be saved."""
        return replace(self, revision=self.revision + 1, updated_at=utc_now())

    def to_document(self) -> dict[str, Any]:
        doc = dict(self.extra)
        doc.update(
            {
                "schema_version": SCHEMA_VERSION,
                "id": self.id,
                "candidate": self.candidate,
                "role": self.role,
                "job_description": self.job_description,
                "started_at": to_iso(self.started_at),
                "ended_at": to_iso(self.ended_at),
                "status": self.status.value,
                "question_count": self.question_count,
                "app_version": self.app_version,
                "revision": self.revision,
                "updated_at": to_iso(self.updated_at),
                "answers": [a.to_document() for a in self.answers],
                "report": dict(self.report) if self.report is not None else None,
                "review": dict(self.review) if self.review is not None else None,
            }
        )
        return doc

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Session:
        known = {
            "schema_version", "id", "candidate", "role", "job_description", "started_at",
            "ended_at", "status", "question_count", "app_version", "revision", "updated_at",
            "answers", "report", "review", "_id",
        }
        return cls(
            id=str(doc["id"]),
            candidate=str(doc.get("candidate", "")),
            role=str(doc.get("role", "")),
            job_description=str(doc.get("job_description") or ""),
            started_at=from_iso(doc["started_at"]),  # type: ignore[arg-type]
            ended_at=from_iso(doc.get("ended_at")),
            status=SessionStatus(doc.get("status", "in_progress")),
            question_count=int(doc.get("question_count", 0)),
            app_version=str(doc.get("app_version", "")),
            revision=int(doc.get("revision", 0)),
            updated_at=from_iso(doc.get("updated_at")),
            answers=tuple(Answer.from_document(a) for a in doc.get("answers") or ()),
            report=doc.get("report"),
            review=doc.get("review"),
            extra={k: v for k, v in doc.items() if k not in known},
        )


@dataclass(frozen=True)
class InterviewRequest:
    """What the user asked for when pressing Start."""

    candidate: str
    role: str
    question_count: int = 5
    job_description: str = ""
    cv_text: str = ""
    questions: tuple[Question, ...] = ()  # preset questions ("practise this question again")


@dataclass(frozen=True)
class QuestionPrompt:
    """Payload of ``InterviewEngine.question_asked``."""

    index: int  # 0-based
    total: int
    question: Question


@dataclass(frozen=True)
class Notice:
    """A message for the status line. ``level`` is "info", "warning" or "error"."""

    text: str
    level: str = "info"
