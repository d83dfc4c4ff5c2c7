"""CSV export: one row per answer (a session without answers still gets one row).

UTF-8 with a byte-order mark so spreadsheet programs read accents correctly. Text cells that a
spreadsheet would run as a formula (starting with ``= + - @`` or a tab/CR) get a leading ``'``
(OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from interview_desktop.domain import Answer, Session, to_iso
from interview_desktop.reports.errors import atomic_write_bytes
from interview_desktop.reports.stats import (
    answer_metric,
    answer_score,
    review_note,
    review_rating,
    session_score,
)

CSV_COLUMNS: tuple[str, ...] = (
    "session_id",
    "date",  # session start, ISO 8601 UTC
    "candidate",
    "role",
    "status",
    "session_score",
    "session_rating",
    "session_note",
    "question_number",  # 1-based
    "question",
    "kind",
    "answer",
    "input",  # typed / voice / skipped
    "duration_s",
    "score",  # the answer's overall score, 0-100
    "words_per_minute",
    "fillers_per_100_words",
    "rating",  # the recruiter's rating of the answer, 1-5
    "note",
    "reviewed_by",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _number(value: float | None, digits: int = 1) -> Any:
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else round(value, digits)


def csv_rows(sessions: Sequence[Session]) -> Iterator[dict[str, Any]]:
    """The rows as dicts keyed by :data:`CSV_COLUMNS` (values not yet escaped)."""
    for session in sessions:
        base = {
            "session_id": session.id,
            "date": to_iso(session.started_at),
            "candidate": session.candidate,
            "role": session.role,
            "status": session.status.value,
            "session_score": _number(session_score(session)),
            "session_rating": review_rating(session.review),
            "session_note": review_note(session.review),
        }
        answers: Sequence[Answer | None] = session.answers or (None,)
        for answer in answers:
            row = dict.fromkeys(CSV_COLUMNS, None) | base
            if answer is not None:
                row.update(
                    question_number=answer.index + 1,
                    question=answer.question.text,
                    kind=answer.question.kind.value,
                    answer=answer.text,
                    input=answer.input.value,
                    duration_s=_number(answer.duration_s),
                    score=_number(answer_score(answer)),
                    words_per_minute=_number(answer_metric(answer, "words_per_minute")),
                    fillers_per_100_words=_number(answer_metric(answer, "fillers_per_100_words"), 2),
                    rating=review_rating(answer.review),
                    note=review_note(answer.review),
                    reviewed_by=(answer.review or {}).get("by"),
                )
            yield row


def write_csv(sessions: Sequence[Session], path: str | os.PathLike[str]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in csv_rows(sessions):
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return atomic_write_bytes(path, buffer.getvalue().encode("utf-8-sig"))
