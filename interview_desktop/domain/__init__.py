"""Frozen dataclasses and enums shared by every layer. No Qt, no I/O.

``interview`` holds questions, answers and sessions; ``assessment`` what an answer's assessment is
made of. Documents (JSON, MongoDB) are built and parsed only in ``storage/codec.py``.
"""

from interview_desktop.domain.assessment import (
    OFFLINE_SCORER,
    SCORING_VERSION,
    STAR_PARTS,
    DeliveryMetrics,
    Evaluation,
    Provenance,
    StarResult,
)
from interview_desktop.domain.interview import (
    EMPTY_ANSWERS,
    NO_ANSWER_TEXT,
    NOT_TRANSCRIBED_TEXT,
    SCHEMA_VERSION,
    Answer,
    AnswerInput,
    AudioClip,
    EngineState,
    InterviewRequest,
    Notice,
    NoticeLevel,
    Question,
    QuestionKind,
    QuestionPrompt,
    Session,
    SessionStatus,
    Transcript,
    TurnTiming,
    Word,
    answer_text,
    from_iso,
    is_empty_answer,
    to_iso,
    utc_now,
)

__all__ = [
    "EMPTY_ANSWERS", "NOT_TRANSCRIBED_TEXT", "NO_ANSWER_TEXT", "OFFLINE_SCORER", "SCHEMA_VERSION",
    "SCORING_VERSION", "STAR_PARTS", "Answer", "AnswerInput", "AudioClip", "DeliveryMetrics",
    "EngineState", "Evaluation", "InterviewRequest", "Notice", "NoticeLevel", "Provenance", "Question",
    "QuestionKind", "QuestionPrompt", "Session", "SessionStatus", "StarResult", "Transcript",
    "TurnTiming", "Word",
    "answer_text", "from_iso", "is_empty_answer", "to_iso", "utc_now",
]
