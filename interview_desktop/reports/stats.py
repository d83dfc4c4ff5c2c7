"""Numbers a recruiter compares: per-answer and per-session scores, delivery metrics and ratings.

Reads ``Answer.evaluation`` (:class:`Evaluation`), ``Answer.metrics`` (:class:`DeliveryMetrics`) and
``Session.report`` (``session_report()``, docs/scoring.md). When a session has no report
(interrupted, older version) the numbers are computed from its answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from interview_desktop.domain import Answer, AnswerInput, Session
from interview_desktop.scoring.rubric import PARTS

PART_LABELS: dict[str, str] = {
    "relevance": "Relevance",
    "coverage": "Coverage of key points",
    "specificity": "Specificity",
    "structure": "Structure",
    "concision": "Concision",
}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def answer_score(answer: Answer) -> float | None:
    """The answer's overall score (0–100), None when it was not scored."""
    return float(answer.evaluation.overall) if answer.evaluation is not None else None


def answer_parts(answer: Answer) -> dict[str, float]:
    parts = answer.evaluation.parts if answer.evaluation is not None else {}
    out = {name: _number(parts.get(name)) for name in PARTS}
    return {name: value for name, value in out.items() if value is not None}


def answer_metric(answer: Answer, key: str) -> float | None:
    """A number from the answer's delivery metrics (``words_per_minute``, ``pause_count`` …)."""
    return _number(getattr(answer.metrics, key)) if answer.metrics is not None else None


def review_rating(review: Mapping[str, Any] | None) -> int | None:
    rating = (review or {}).get("rating")
    return int(rating) if isinstance(rating, int) and not isinstance(rating, bool) else None


def review_note(review: Mapping[str, Any] | None) -> str:
    return str((review or {}).get("note") or "")


def session_score(session: Session) -> float | None:
    """The session's overall score: the report's, else the mean of the scored answers."""
    score = _number((session.report or {}).get("overall_score"))
    if score is not None:
        return score
    return _mean([s for s in map(answer_score, session.answers) if s is not None])


@dataclass(frozen=True)
class SessionStats:
    overall: float | None
    answered: int
    parts: dict[str, float] = field(default_factory=dict)
    words_per_minute: float | None = None
    fillers_per_100_words: float | None = None
    pause_count: float | None = None
    longest_pause_s: float | None = None
    speaking_time_s: float | None = None
    rating: int | None = None  # the recruiter's rating of the whole session
    answer_rating: float | None = None  # mean of the recruiter's answer ratings


def session_stats(session: Session) -> SessionStats:
    report = session.report or {}
    answers = [a for a in session.answers if a.input is not AnswerInput.SKIPPED]
    parts: dict[str, float] = {}
    stored_parts = report.get("part_averages") or {}
    for name in PARTS:
        value = _number(stored_parts.get(name))
        if value is None:
            value = _mean([p[name] for p in map(answer_parts, answers) if name in p])
        if value is not None:
            parts[name] = value

    timed = [a for a in answers if answer_metric(a, "speaking_time_s")]
    total_time = sum(answer_metric(a, "speaking_time_s") or 0.0 for a in timed)
    timed_words = sum(answer_metric(a, "word_count") or 0.0 for a in timed)
    wpm = _number(report.get("average_wpm"))
    if wpm is None and total_time and timed_words:
        wpm = timed_words / total_time * 60.0
    per_100 = _number(report.get("fillers_per_100_words"))
    if per_100 is None:
        words = sum(answer_metric(a, "word_count") or 0.0 for a in answers)
        fillers = sum(answer_metric(a, "filler_count") or 0.0 for a in answers)
        per_100 = fillers * 100.0 / words if words else None
    pauses = _number(report.get("total_pauses"))
    if pauses is None:
        counts = [c for c in (answer_metric(a, "pause_count") for a in answers) if c is not None]
        pauses = sum(counts) if counts else None
    longest = _number(report.get("longest_pause_s"))
    if longest is None:
        values = [v for v in (answer_metric(a, "longest_pause_s") for a in answers) if v is not None]
        longest = max(values) if values else None
    ratings = [r for r in (review_rating(a.review) for a in session.answers) if r is not None]
    return SessionStats(
        overall=session_score(session),
        answered=len(answers),
        parts=parts,
        words_per_minute=wpm,
        fillers_per_100_words=per_100,
        pause_count=pauses,
        longest_pause_s=longest,
        speaking_time_s=total_time or None,
        rating=review_rating(session.review),
        answer_rating=_mean([float(r) for r in ratings]),
    )


def fmt(value: float | None, digits: int = 0, suffix: str = "") -> str:
    """A number for people: ``—`` when missing, else rounded to ``digits`` decimals."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return f"{text}{suffix}"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}" if minutes else f"{secs} s"


def compare_rows(sessions: Sequence[Session]) -> list[tuple[str, list[str]]]:
    """Rows of the side-by-side comparison: (label, one formatted value per session)."""
    stats = [session_stats(s) for s in sessions]
    rows: list[tuple[str, list[str]]] = [
        ("Date", [s.started_at.astimezone().strftime("%Y-%m-%d %H:%M") for s in sessions]),
        ("Candidate", [s.candidate for s in sessions]),
        ("Role", [s.role for s in sessions]),
        ("Status", [s.status.value.replace("_", " ") for s in sessions]),
        ("Questions answered", [f"{st.answered} of {max(s.question_count, len(s.answers))}"
                                for s, st in zip(sessions, stats, strict=True)]),
        ("Overall score", [fmt(st.overall) for st in stats]),
    ]
    for name in PARTS:
        if any(name in st.parts for st in stats):
            rows.append((PART_LABELS[name], [fmt(st.parts.get(name)) for st in stats]))
    rows += [
        ("Pace (words per minute)", [fmt(st.words_per_minute) for st in stats]),
        ("Fillers per 100 words", [fmt(st.fillers_per_100_words, 1) for st in stats]),
        ("Pauses (1 s or more)", [fmt(st.pause_count) for st in stats]),
        ("Longest pause", [fmt(st.longest_pause_s, 1, " s") for st in stats]),
        ("Speaking time", [fmt_duration(st.speaking_time_s) for st in stats]),
        ("Recruiter rating (session)", [fmt(st.rating, 0, " / 5") for st in stats]),
        ("Recruiter rating (answers, mean)", [fmt(st.answer_rating, 1, " / 5") for st in stats]),
    ]
    return rows


def provenance_text(answer: Answer) -> str:
    """Which providers produced the answer, in words:
    "speech-to-text: whisper · voice: pyttsx3 · scoring: offline · on this computer"."""
    prov = answer.provenance
    names = (("speech-to-text", prov.stt), ("voice", prov.voice_name), ("questions", prov.brain))
    parts = [f"{label}: {value}" for label, value in names if value]
    scorer = answer.evaluation.scorer if answer.evaluation is not None else None
    if scorer:
        parts.append(f"scoring: {scorer}")
    cloud = prov.cloud
    if cloud is True:
        parts.append("cloud")
    elif cloud is False:
        parts.append("on this computer")
    if answer.input is AnswerInput.TYPED:
        parts.insert(0, "typed")
    return " · ".join(parts) if parts else "—"
