"""Offline coaching and scoring: pure functions, no Qt and no I/O.

* :func:`delivery_metrics` — pace, pauses, fillers, repetitions and length of one answer;
* :func:`detect_star` — which STAR parts an answer has, with evidence sentences;
* :func:`score_answer` — the deterministic 0–100 rubric with strengths, improvements and an example;
* :func:`session_report` — the end-of-session aggregate stored as the session's ``report``.

How every number is computed is documented for users in ``docs/scoring.md``.
"""

from interview_desktop.domain import DeliveryMetrics, Evaluation, StarResult
from interview_desktop.scoring.delivery import delivery_metrics
from interview_desktop.scoring.report import session_report
from interview_desktop.scoring.rubric import score_answer
from interview_desktop.scoring.structure import detect_star

__all__ = [
    "DeliveryMetrics",
    "Evaluation",
    "StarResult",
    "delivery_metrics",
    "detect_star",
    "score_answer",
    "session_report",
]
