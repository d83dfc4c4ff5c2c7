"""Markdown report of sessions: per session the scores, delivery and recruiter review, then every
question with its answer, scores, metrics, feedback and provenance. The PDF export lays out the same
text. Text from people (names, answers, notes) is escaped so it cannot add markup."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from interview_desktop.domain import Answer, AnswerInput, Session, from_iso
from interview_desktop.reports.errors import atomic_write_bytes
from interview_desktop.reports.stats import (
    PART_LABELS,
    answer_metric,
    answer_parts,
    answer_score,
    fmt,
    fmt_duration,
    provenance_text,
    review_rating,
    session_stats,
)
from interview_desktop.scoring.rubric import PARTS

_INLINE = re.compile(r"([\\`*_<>|~]|\](?=\())")
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))", re.MULTILINE)


def md_escape(text: str) -> str:
    """Escape Markdown/HTML syntax in one line of people's text."""
    text = _INLINE.sub(r"\\\1", str(text))
    def protect(match: re.Match[str]) -> str:  # "# x" → "\# x"; "1. x" → "1\. x"
        lead, mark = match.group(1), match.group(2)
        return f"{lead}{mark}\\" if mark[0].isdigit() else f"{lead}\\{mark}"

    return _LINE_START.sub(protect, text)


def _quote(text: str) -> str:
    lines = [md_escape(line) for line in str(text).splitlines()] or [""]
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def _when(value: datetime | str | None) -> str:
    moment = from_iso(value) if isinstance(value, str) else value
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def review_line(review: Mapping[str, Any] | None) -> str | None:
    """ "4 / 5 — “note” (by alice, 2026-03-02 10:30)" or None when there is no review."""
    if not review:
        return None
    rating = review_rating(review)
    note = str(review.get("note") or "").strip()
    if rating is None and not note:
        return None
    text = f"{rating} / 5" if rating is not None else "not rated"
    if note:
        text += f" — “{md_escape(' '.join(note.split()))}”"
    who = ", ".join(x for x in (md_escape(str(review.get("by") or "")), _when(review.get("at"))) if x)
    return f"{text} (by {who})" if who else text


def _bullets(items: Sequence[Any]) -> str:
    return "; ".join(md_escape(str(i)) for i in items)


def _answer_section(answer: Answer) -> list[str]:
    q = answer.question
    how = {AnswerInput.TYPED: "typed answer", AnswerInput.VOICE: "spoken answer",
           AnswerInput.SKIPPED: "skipped"}[answer.input]
    meta = [q.kind.value, how]
    if answer.duration_s:
        meta.append(fmt_duration(answer.duration_s))
    out = [f"### Q{answer.index + 1}. {md_escape(q.text)}", "", f"*{' · '.join(meta)}*", ""]
    out += [_quote(answer.text) if answer.input is not AnswerInput.SKIPPED else "> (skipped)", ""]
    score = answer_score(answer)
    if score is not None:
        parts = answer_parts(answer)
        detail = " · ".join(f"{PART_LABELS[p].lower()} {fmt(parts[p])}" for p in PARTS if p in parts)
        out.append(f"- **Score:** {fmt(score)} / 100" + (f" ({detail})" if detail else ""))
    if answer.metrics:
        m = answer.metrics
        bits = []
        wpm = answer_metric(answer, "words_per_minute")
        if wpm is not None:
            verdict = f" ({m.pace_verdict})" if m.pace_verdict else ""
            bits.append(f"{fmt(wpm)} words per minute{verdict}")
        per_100 = answer_metric(answer, "fillers_per_100_words")
        if per_100 is not None:
            bits.append(f"{fmt(per_100, 1)} fillers per 100 words")
        pauses = answer_metric(answer, "pause_count")
        if pauses is not None:
            longest = answer_metric(answer, "longest_pause_s")
            bits.append(f"{fmt(pauses)} pauses" + (f" (longest {fmt(longest, 1)} s)" if longest else ""))
        if bits:
            out.append(f"- **Delivery:** {' · '.join(bits)}")
    evaluation = answer.evaluation
    if evaluation is not None and evaluation.strengths:
        out.append(f"- **Strengths:** {_bullets(evaluation.strengths)}")
    if evaluation is not None and evaluation.improvements:
        out.append(f"- **To improve:** {_bullets(evaluation.improvements)}")
    if evaluation is not None and evaluation.example:
        out.append(f"- **Example:** {md_escape(evaluation.example)}")
    out.append(f"- **Provenance:** {md_escape(provenance_text(answer))}")
    review = review_line(answer.review)
    if review:
        out.append(f"- **Recruiter rating:** {review}")
    out.append("")
    return out


def _session_section(session: Session) -> list[str]:
    stats = session_stats(session)
    out = [
        f"## {md_escape(session.candidate or 'Unnamed candidate')} — {md_escape(session.role)}",
        "",
        f"**Date:** {_when(session.started_at)} · **Status:** {session.status.value.replace('_', ' ')} · "
        f"**Answered:** {stats.answered} of {max(session.question_count, len(session.answers))} · "
        f"**Overall score:** {fmt(stats.overall)} / 100",
        "",
    ]
    review = review_line(session.review)
    if review:
        out += [f"**Recruiter rating:** {review}", ""]
    summary = (session.report or {}).get("summary")
    if summary:
        out += [_quote(summary), ""]
    rows = [(PART_LABELS[p], fmt(stats.parts[p])) for p in PARTS if p in stats.parts]
    rows += [
        ("Pace (words per minute)", fmt(stats.words_per_minute)),
        ("Fillers per 100 words", fmt(stats.fillers_per_100_words, 1)),
        ("Pauses (1 s or more)", fmt(stats.pause_count)),
        ("Longest pause", fmt(stats.longest_pause_s, 1, " s")),
    ]
    out += ["| Measure | Value |", "|---|---|", *(f"| {label} | {value} |" for label, value in rows), ""]
    report = session.report or {}
    if report.get("strengths"):
        out += [f"**Strengths:** {_bullets(report['strengths'])}", ""]
    if report.get("improvements"):
        out += [f"**To improve:** {_bullets(report['improvements'])}", ""]
    for answer in session.answers:
        out += _answer_section(answer)
    if not session.answers:
        out += ["*No answers were recorded.*", ""]
    return out


def markdown_report(sessions: Sequence[Session], *, title: str = "Interview report",
                    generated_at: datetime | None = None) -> str:
    when = (generated_at or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")
    count = f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"
    lines = [f"# {md_escape(title)}", "", f"Generated {when} by Interview Desktop · {count}", ""]
    for session in sessions:
        lines += ["---", "", *_session_section(session)]
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(sessions: Sequence[Session], path: str | os.PathLike[str]) -> Path:
    return atomic_write_bytes(path, markdown_report(sessions).encode("utf-8"))
