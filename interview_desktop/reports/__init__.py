"""Exports of saved sessions: CSV, JSON, Markdown and PDF reports.

Pure writers: each takes sessions (``domain.Session``) and a path and writes one file atomically
(temp file + ``os.replace``); no widgets, no repository. They are blocking and run on the History
service thread. Nothing but the session documents goes into a file (there are no keys in them).

* :func:`write_csv` — one row per answer (:data:`~interview_desktop.reports.csv_report.CSV_COLUMNS`);
* :func:`write_json` — a JSON array of the stored session documents, exactly;
* :func:`write_markdown` — a readable report (:func:`markdown_report`);
* :func:`write_pdf` — the same report laid out by Qt (``QTextDocument`` → ``QPdfWriter``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from interview_desktop.domain import Session
from interview_desktop.reports.csv_report import CSV_COLUMNS, csv_rows, write_csv
from interview_desktop.reports.errors import ReportError
from interview_desktop.reports.json_report import write_json
from interview_desktop.reports.markdown_report import markdown_report, write_markdown
from interview_desktop.reports.stats import SessionStats, compare_rows, session_score, session_stats

FORMATS: dict[str, str] = {"csv": ".csv", "json": ".json", "markdown": ".md", "pdf": ".pdf"}
"""Export format → file name suffix."""

FORMAT_LABELS: dict[str, str] = {
    "csv": "CSV spreadsheet (one row per answer)",
    "json": "JSON (complete session documents)",
    "markdown": "Markdown report",
    "pdf": "PDF report",
}


def write_report(fmt: str, sessions: Sequence[Session], path: str | Path) -> Path:
    """Write ``sessions`` to ``path`` in format ``fmt`` (a key of :data:`FORMATS`)."""
    if fmt == "csv":
        return write_csv(sessions, path)
    if fmt == "json":
        return write_json(sessions, path)
    if fmt == "markdown":
        return write_markdown(sessions, path)
    if fmt == "pdf":
        from interview_desktop.reports.pdf_report import write_pdf  # Qt GUI: imported when needed

        return write_pdf(sessions, path)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {sorted(FORMATS)}")


__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "FORMAT_LABELS",
    "ReportError",
    "SessionStats",
    "compare_rows",
    "csv_rows",
    "markdown_report",
    "session_score",
    "session_stats",
    "write_csv",
    "write_json",
    "write_markdown",
    "write_report",
]
