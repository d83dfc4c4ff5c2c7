"""The end-of-session report: aggregate the per-answer evaluations and delivery metrics.

``session_report`` returns a plain JSON-able dict, stored as ``report`` in the session document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from interview_desktop.scoring.delivery import (
    FILLERS,
    DeliveryMetrics,
    filler_verdict,
    pace_verdict,
)
from interview_desktop.scoring.rubric import (
    IMPROVE_BUZZWORDS,
    IMPROVE_COVER_PREFIX,
    IMPROVE_RAMBLING,
    IMPROVE_SPECIFIC,
    IMPROVE_VAGUE,
    PARTS,
    Evaluation,
)

REPORT_VERSION = 1
TOP_N = 3

IMPROVE_COVERAGE_GENERIC = "Cover more of the key points each question asks for"
#: lines that quote the answer's own words count together across answers under one text
_GENERIC_BY_PREFIX = {
    IMPROVE_COVER_PREFIX: IMPROVE_COVERAGE_GENERIC,
    IMPROVE_BUZZWORDS: "Replace buzzwords with what you did",
    IMPROVE_RAMBLING: "Cut the background and vague phrases: say what you did and what changed",
    IMPROVE_VAGUE: "Be concrete: say what actually happened, not “things” and “stuff”",
    IMPROVE_SPECIFIC: IMPROVE_SPECIFIC,
}
"""Question-specific "Also cover: …" items are counted under this one line in the report."""


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _round_half_up(x: float) -> int:
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def _top(lists: Sequence[Sequence[str]], n: int = TOP_N) -> list[str]:
    """The ``n`` items that occur in most lists; ties go to the one ranked earlier on average
    (each list is ordered most impactful first), then to the one seen first."""
    count: dict[str, int] = {}
    positions: dict[str, list[int]] = {}
    first_seen: dict[str, int] = {}
    order = 0
    for items in lists:
        seen_here: set[str] = set()
        for pos, item in enumerate(items):
            if item in seen_here:
                continue
            seen_here.add(item)
            count[item] = count.get(item, 0) + 1
            positions.setdefault(item, []).append(pos)
            if item not in first_seen:
                first_seen[item] = order
                order += 1
    def rank(item: str) -> tuple[int, float, int]:
        return -count[item], sum(positions[item]) / len(positions[item]), first_seen[item]

    ranked = sorted(count, key=rank)
    return ranked[:n]


def _report_item(text: str) -> str:
    return next((generic for prefix, generic in _GENERIC_BY_PREFIX.items() if text.startswith(prefix)), text)


def session_report(
    evaluations: Sequence[Evaluation], metrics: Sequence[DeliveryMetrics | None]
) -> dict[str, Any]:
    """Aggregate one session.

    ``metrics[i]`` belongs to ``evaluations[i]`` (``None`` for a typed or skipped answer); an empty
    ``metrics`` sequence means no delivery metrics at all. Keys of the result:

    ``overall_score`` (int, mean of the answered questions' scores, 0 when none was answered),
    ``question_count``, ``answered_count``, ``questions`` (per question: index, question_id, score,
    answered, parts), ``part_averages``, ``strengths`` and ``improvements`` (top three each),
    ``average_wpm`` (total words / total speaking time over timed answers, or None), ``pace_verdict``,
    ``total_fillers``, ``fillers_per_100_words``, ``filler_verdict``, ``fillers`` (per filler),
    ``total_pauses``, ``longest_pause_s``, ``scorers``, ``version``.
    """
    if metrics and len(metrics) != len(evaluations):
        raise ValueError(f"{len(evaluations)} evaluations but {len(metrics)} metrics")
    all_metrics: list[DeliveryMetrics | None] = list(metrics) if metrics else [None] * len(evaluations)

    answered = [e for e in evaluations if e.answered]
    overall = _round_half_up(_mean([e.overall for e in answered]) or 0.0)

    part_averages: dict[str, int] = {}
    for part in PARTS:
        values = [e.parts[part] for e in answered if part in e.parts]
        if values:
            part_averages[part] = _round_half_up(sum(values) / len(values))

    strengths = _top([e.strengths for e in answered])
    improvements = _top([[_report_item(t) for t in e.improvements] for e in evaluations])

    present = [m for m in all_metrics if m is not None]
    timed = [m for m in present if m.speaking_time_s]
    total_time = sum(m.speaking_time_s or 0.0 for m in timed)
    timed_words = sum(m.word_count for m in timed)
    average_wpm = round(timed_words / total_time * 60.0, 1) if total_time and timed_words else None
    total_fillers = sum(m.filler_count for m in present)
    total_words = sum(m.word_count for m in present)
    per_100 = round(total_fillers * 100.0 / total_words, 2) if total_words else None
    filler_totals: dict[str, int] = {}
    for m in present:
        for name, n in m.fillers:
            filler_totals[name] = filler_totals.get(name, 0) + n
    pause_counts = [m.pause_count for m in present if m.pause_count is not None]
    longest = [m.longest_pause_s for m in present if m.longest_pause_s is not None]

    return {
        "version": REPORT_VERSION,
        "scorers": sorted({e.scorer for e in evaluations}),
        "overall_score": overall,
        "question_count": len(evaluations),
        "answered_count": len(answered),
        "questions": [
            {
                "index": i,
                "question_id": e.question_id,
                "score": e.overall,
                "answered": e.answered,
                "parts": dict(e.parts),
            }
            for i, e in enumerate(evaluations)
        ],
        "part_averages": part_averages,
        "strengths": strengths,
        "improvements": improvements,
        "average_wpm": average_wpm,
        "pace_verdict": pace_verdict(average_wpm),
        "total_fillers": total_fillers,
        "fillers_per_100_words": per_100,
        "filler_verdict": filler_verdict(per_100) if per_100 is not None else None,
        "fillers": {name: filler_totals[name] for name in FILLERS if name in filler_totals},
        "total_pauses": sum(pause_counts) if pause_counts else None,
        "longest_pause_s": round(max(longest), 2) if longest else None,
    }
