"""The interview as data: questions, answers, sessions, what the user asked for, and messages.

Documents are built and parsed only at the storage boundary (``storage/codec.py``).
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

import numpy as np

from interview_desktop.domain.assessment import DeliveryMetrics, Evaluation, Provenance

SCHEMA_VERSION = 1

NO_ANSWER_TEXT = "(no answer)"
NOT_TRANSCRIBED_TEXT = "(could not be transcribed — the recording is saved)"
EMPTY_ANSWERS = frozenset(
    {"no answer", NO_ANSWER_TEXT, "(no answer given)", "(skipped)", "skipped", "(silence)", "[silence]",
     "[blank_audio]", "n/a", "pass", NOT_TRANSCRIBED_TEXT}
)
"""Answers treated as no answer at all (compared lower-case, besides blank or word-less text)."""

_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_WORD_CHARACTER = re.compile(r"[^\W_]")


def is_empty_answer(text: str) -> bool:
    """The one rule for "nothing was said": blank text, a placeholder such as "(no answer)", or text
    without a single letter or digit. Used by the engine, the scorers and re-evaluation."""
    stripped = " ".join(text.split()).lower()
    return stripped in EMPTY_ANSWERS or _WORD_CHARACTER.search(stripped) is None


def answer_text(transcript: Transcript) -> str:
    """What an answer's text is once transcribed: the words, or NO_ANSWER_TEXT when nothing was said."""
    text = transcript.text.strip()
    return NO_ANSWER_TEXT if transcript.no_speech or is_empty_answer(text) else text


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
class TurnTiming:
    """When the turn happened, in seconds since the question was asked (``Answer.asked_at``).

    ``end_reason`` is an ``audio.turn_policy.EndOfTurn`` value; ``mode`` "smart" (transcribed while
    spoken, end of turn from the words) or "fixed" (a fixed silence, transcribed at the end);
    ``resumed`` how often the candidate went on after the app had decided the answer was over.
    """

    speech_start_s: float | None = None
    speech_end_s: float | None = None
    decided_s: float | None = None
    end_reason: str | None = None
    transcript_final_s: float | None = None
    next_question_s: float | None = None  # the next question started playing
    mode: str = "smart"
    resumed: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)


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
    provenance: Provenance = field(default_factory=Provenance)
    transcript_words: tuple[Word, ...] = ()
    evaluation: Evaluation | None = None
    metrics: DeliveryMetrics | None = None
    review: Mapping[str, Any] | None = None  # recruiter rating/notes: {"rating", "note", "by", "at"}
    previous_evaluations: tuple[Mapping[str, Any], ...] = ()  # archived documents, kept when re-evaluated
    turn: TurnTiming | None = None  # spoken answers: when the turn happened
    interrupted: bool = False  # recovered from its safety recording after the app stopped mid-answer

    @property
    def is_empty(self) -> bool:
        return self.input is AnswerInput.SKIPPED or is_empty_answer(self.text)


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
    plan: tuple[Question, ...] = ()  # the questions planned at the start (so it can be resumed)
    extra: Mapping[str, Any] = field(default_factory=dict)  # fields added by later versions

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    @staticmethod
    def is_valid_id(session_id: object) -> bool:
        """The one session-id rule: ids are file names in the JSON store and outbox markers."""
        return isinstance(session_id, str) and _SESSION_ID.fullmatch(session_id) is not None

    def with_answer(self, answer: Answer) -> Session:
        return replace(self, answers=(*self.answers, answer))

    def touched(self) -> Session:
        """A copy with the next revision number, to be saved."""
        return replace(self, revision=self.revision + 1, updated_at=utc_now())


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


class NoticeLevel(str, enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    """A message for the status line."""

    text: str
    level: NoticeLevel = NoticeLevel.INFO
