"""Sessions scored by the real offline scorer (evaluation, metrics and report as the app stores them)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from interview_desktop.domain import AnswerInput, Session
from interview_desktop.scoring import delivery_metrics, score_answer, session_report
from tests.storage.factories import make_session


def scored(session: Session) -> Session:
    """``session`` with every answer's ``metrics`` and ``evaluation`` and the session ``report``
    computed by the scoring package (what the engine stores)."""
    answers = []
    evaluations = []
    metrics = []
    for answer in session.answers:
        m = delivery_metrics(answer.transcript_words, text=answer.text)
        e = score_answer(answer.question, answer.text, m)
        evaluations.append(e)
        metrics.append(m if answer.input is AnswerInput.VOICE else None)
        answers.append(replace(answer, metrics=m, evaluation=e))
    report = session_report(evaluations, metrics) if answers else None
    if report is not None:
        report["summary"] = "Clear answers; add figures to show the results."
    return replace(session, answers=tuple(answers), report=report)


_COMPUTED = object()


def scored_session(*, overall_score: Any = _COMPUTED, **fields: Any) -> Session:
    """``make_session(**fields)`` scored. ``overall_score``: a number overrides the report's,
    None means no report at all (an interview that never finished); by default it is computed."""
    session = scored(make_session(**fields))
    if overall_score is None:
        session = replace(session, report=None)
    elif overall_score is not _COMPUTED and session.report is not None:
        session = replace(session, report={**session.report, "overall_score": overall_score})
    return session


def seed_store(data_dir, sessions) -> None:
    """Save ``sessions`` in the JSON store at ``data_dir`` (before the app opens it)."""
    from interview_desktop.storage.json_store import JsonHistoryRepository

    with JsonHistoryRepository(data_dir) as repository:
        for session in sessions:
            repository.save(session)
