"""What an answer's assessment is made of: STAR structure, the rubric evaluation, delivery metrics,
and which providers produced the answer (provenance). Frozen data, no behaviour beyond views."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STAR_PARTS = ("situation", "task", "action", "result")
OFFLINE_SCORER = "offline"
SCORING_VERSION = 3  # 2: issue 12 (meaning, restating, templates, buzzwords, off-topic, evidence);
#                     3: vague and rambling answers, specificity tied to what the candidate did


@dataclass(frozen=True)
class StarResult:
    """Which STAR parts an answer has, with the sentence that shows each."""

    situation: bool = False
    task: bool = False
    action: bool = False
    result: bool = False
    evidence: Mapping[str, str] = field(default_factory=dict)  # part → sentence

    @property
    def present(self) -> list[str]:
        return [part for part in STAR_PARTS if getattr(self, part)]

    @property
    def missing(self) -> list[str]:
        return [part for part in STAR_PARTS if not getattr(self, part)]


@dataclass(frozen=True)
class Evaluation:
    """The score of one answer (offline rubric or LLM), with its feedback."""

    overall: int
    parts: Mapping[str, int]
    weights: Mapping[str, int]
    strengths: tuple[str, ...] = ()
    improvements: tuple[str, ...] = ()  # most impactful first
    example: str = ""
    structure: StarResult = field(default_factory=StarResult)
    scorer: str = OFFLINE_SCORER
    question_id: str = ""
    answered: bool = True
    word_count: int = 0
    covered_points: tuple[str, ...] = ()
    missed_points: tuple[str, ...] = ()  # least covered first
    version: int = SCORING_VERSION
    extra: Mapping[str, Any] = field(default_factory=dict)  # fields written by other versions, kept

    @classmethod
    def unanswered(cls, question_id: str) -> Evaluation:
        """A skipped or unscored question, as the session report counts it."""
        return cls(overall=0, parts={}, weights={}, question_id=question_id, answered=False)


@dataclass(frozen=True)
class DeliveryMetrics:
    """How an answer was delivered. Timing fields are ``None`` for a typed (untimed) answer."""

    word_count: int
    speaking_time_s: float | None
    words_per_minute: float | None
    pace_verdict: str | None  # "too slow", "slow", "comfortable", "fast", "too fast"
    pause_count: int | None
    longest_pause_s: float | None
    total_pause_s: float | None
    filler_count: int
    fillers: tuple[tuple[str, int], ...]  # (filler, count), in FILLERS order, only those used
    fillers_per_100_words: float
    filler_verdict: str  # "fine" or "too many"
    repeated_count: int
    repeated_words: tuple[str, ...]  # the repeated word, once per repetition ("i", "the")
    length_verdict: str | None  # "too short", "short", "good", "long", "too long"
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def timed(self) -> bool:
        return self.speaking_time_s is not None


@dataclass(frozen=True)
class Provenance:
    """Which providers produced an answer: the voice that asked it, the speech-to-text that heard it,
    the brain that scored it, whether anything went to the cloud, and where the voice was."""

    voice: str | None = None
    stt: str | None = None
    brain: str | None = None
    cloud: bool | None = None  # None: not known (e.g. an answer saved before it was scored)
    speech_segments: tuple[tuple[float, float], ...] = ()  # seconds from the clip start
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. "tts" in early documents

    @property
    def voice_name(self) -> str | None:
        return self.voice or self.extra.get("tts")

    def went_to_cloud(self, also: bool) -> bool:
        return bool(self.cloud) or also
