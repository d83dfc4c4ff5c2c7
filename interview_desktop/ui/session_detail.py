"""The History tab's detail pane: one session, question by question, with recordings and reviews."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.domain import Answer, AnswerInput, Evaluation, Session
from interview_desktop.reports.stats import (
    PART_LABELS,
    answer_metric,
    answer_parts,
    answer_score,
    fmt,
    fmt_duration,
    provenance_text,
    session_stats,
)
from interview_desktop.scoring.rubric import PARTS
from interview_desktop.ui.recording_player import RecordingPlayer
from interview_desktop.ui.review_editor import ReviewEditor

SESSION_REVIEW = -1  # answer index that means "the whole session"
NOT_KEPT = "recording not kept"


@dataclass
class AnswerView:
    """The widgets of one answer that the pane updates after it is built."""

    answer: Answer
    audio_file: Path | None
    play_button: QPushButton | None
    stop_button: QPushButton | None
    audio_label: QLabel
    review: ReviewEditor
    audio_error: str = ""


def _label(text: str, *, rich: bool = False, style: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


def _metrics_text(answer: Answer) -> str:
    m = answer.metrics
    bits = []
    wpm = answer_metric(answer, "words_per_minute")
    if wpm is not None and m is not None:
        verdict = f" ({m.pace_verdict})" if m.pace_verdict else ""
        bits.append(f"Pace {fmt(wpm)} wpm{verdict}")
    per_100 = answer_metric(answer, "fillers_per_100_words")
    if per_100 is not None:
        count = answer_metric(answer, "filler_count")
        total = f" ({fmt(count)})" if count is not None else ""
        bits.append(f"Fillers {fmt(per_100, 1)} per 100 words{total}")
    pauses = answer_metric(answer, "pause_count")
    if pauses is not None:
        longest = answer_metric(answer, "longest_pause_s")
        bits.append(f"Pauses {fmt(pauses)}" + (f" (longest {fmt(longest, 1)} s)" if longest else ""))
    speaking = answer_metric(answer, "speaking_time_s") or answer.duration_s
    if speaking:
        verdict = f" ({m.length_verdict})" if m is not None and m.length_verdict else ""
        bits.append(f"Length {fmt_duration(speaking)}{verdict}")
    return " · ".join(bits)


def _score_text(answer: Answer) -> str:
    score = answer_score(answer)
    if score is None:
        return ""
    parts = answer_parts(answer)
    detail = " · ".join(f"{PART_LABELS[p].lower()} {fmt(parts[p])}" for p in PARTS if p in parts)
    return f"Score {fmt(score)} / 100" + (f" — {detail}" if detail else "")


def _feedback_html(strengths: Sequence[Any], improvements: Sequence[Any], example: str = "") -> str:
    esc = html.escape
    rows = []
    for items, title in ((strengths, "Strengths"), (improvements, "To improve")):
        if items:
            rows.append(f"<b>{title}:</b><ul style='margin-top:0'>"
                        + "".join(f"<li>{esc(str(i))}</li>" for i in items) + "</ul>")
    if example:
        rows.append(f"<b>Example:</b> <i>{esc(example)}</i>")
    return "".join(rows)


EVIDENCE_LABELS = {"relevance": "Answers the question", "coverage": "Key points",
                   "structure": "Structure"}


def evidence_html(evaluation: Evaluation | None) -> str:
    """The candidate's own sentences that earned each part score, and those that only restated the
    question (offline scorer version 2; nothing for older or LLM evaluations)."""
    if evaluation is None:
        return ""
    esc = html.escape
    evidence = evaluation.extra.get("evidence") or {}

    def quoted(sentences: Sequence[Any]) -> str:
        return " … ".join(f"“{esc(str(q))}”" for q in sentences[:3])

    rows = [f"<li><b>{esc(label)}:</b> {quoted(evidence[part])}</li>"
            for part, label in EVIDENCE_LABELS.items() if evidence.get(part)]
    restated = evaluation.extra.get("restated") or []
    if restated:
        rows.append(f"<li><b>Only restates the question:</b> {quoted(restated)}</li>")
    return f"<b>In your words:</b><ul style='margin-top:0'>{''.join(rows)}</ul>" if rows else ""


def _answer_feedback_html(evaluation: Evaluation | None) -> str:
    if evaluation is None:
        return ""
    return (_feedback_html(evaluation.strengths, evaluation.improvements, evaluation.example)
            + evidence_html(evaluation))


class SessionDetail(QWidget):
    """Shows one session: each question, its transcript, metrics, scores, feedback, provenance,
    the saved recording (Play/Stop) and the recruiter's rating and note.

    Signals:
        review_save_requested(str, int, object)   session id, answer index (-1: the whole session),
                                                  {"rating": 1-5 | None, "note": str, "by": reviewer}
    """

    review_save_requested = Signal(str, int, object)

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, reviewer: str = "",
                 parent: QWidget | None = None, output_device: str | None = None):
        super().__init__(parent)
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.reviewer = reviewer
        self.session: Session | None = None
        self.answer_views: list[AnswerView] = []
        self.session_review: ReviewEditor | None = None
        self.player = RecordingPlayer(output_device, self)
        self.player.started.connect(self._on_player_started)
        self.player.finished.connect(self._on_player_finished)
        self.player.failed.connect(self._on_player_failed)
        self.player.progressed.connect(self._update_audio_buttons)
        self._playing: AnswerView | None = None

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self.clear()

    # ----------------------------------------------------------------- showing
    @Slot()
    def clear(self) -> None:
        self.stop_audio()
        self.session = None
        self.answer_views = []
        self.session_review = None
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(_label("Select a session to see its questions and answers.", style="color: gray"))
        layout.addStretch(1)
        self.scroll.setWidget(content)  # the previous content widget is deleted

    @Slot(object)
    def show_session(self, session: Session) -> None:
        self.stop_audio()
        self.session = session
        self.answer_views = []
        esc = html.escape
        content = QWidget()
        layout = QVBoxLayout(content)
        stats = session_stats(session)
        title = f"{esc(session.candidate or 'Unnamed candidate')} — {esc(session.role)}"
        layout.addWidget(_label(f"<h2>{title}</h2>", rich=True))
        info = [
            f"{session.started_at.astimezone():%Y-%m-%d %H:%M}",
            session.status.value.replace("_", " "),
            f"{stats.answered} of {max(session.question_count, len(session.answers))} answered",
            f"overall score {fmt(stats.overall)} / 100",
        ]
        layout.addWidget(_label(" · ".join(info)))
        report = session.report or {}
        if report.get("summary"):
            layout.addWidget(_label(str(report["summary"]), style="font-style: italic"))
        totals = [f"{PART_LABELS[p]} {fmt(stats.parts[p])}" for p in PARTS if p in stats.parts]
        if stats.words_per_minute is not None:
            totals.append(f"pace {fmt(stats.words_per_minute)} wpm")
        if stats.fillers_per_100_words is not None:
            totals.append(f"fillers {fmt(stats.fillers_per_100_words, 1)} per 100 words")
        if totals:
            layout.addWidget(_label(" · ".join(totals), style="color: gray"))
        feedback = _feedback_html(report.get("strengths") or (), report.get("improvements") or (),
                                  str(report.get("example") or ""))
        if feedback:
            layout.addWidget(_label(feedback, rich=True))

        box = QGroupBox("Recruiter review of the whole interview")
        self.session_review = ReviewEditor(session.review)
        QVBoxLayout(box).addWidget(self.session_review)
        self.session_review.submitted.connect(self._on_session_review_submitted)
        layout.addWidget(box)

        for answer in session.answers:
            layout.addWidget(self._answer_box(answer))
        if not session.answers:
            layout.addWidget(_label("No answers were recorded.", style="color: gray"))
        layout.addStretch(1)
        self.scroll.setWidget(content)

    def _answer_box(self, answer: Answer) -> QGroupBox:
        q = answer.question
        box = QGroupBox(f"Q{answer.index + 1} · {q.kind.value}")
        layout = QVBoxLayout(box)
        layout.addWidget(_label(q.text, style="font-weight: bold"))
        if answer.input is AnswerInput.SKIPPED:
            layout.addWidget(_label("(skipped)", style="font-style: italic"))
        else:
            layout.addWidget(_label(answer.text))
        for text in (_score_text(answer), _metrics_text(answer)):
            if text:
                layout.addWidget(_label(text))
        feedback = _answer_feedback_html(answer.evaluation)
        if feedback:
            layout.addWidget(_label(feedback, rich=True))
        layout.addWidget(_label(f"Provenance: {provenance_text(answer)}", style="color: gray"))

        audio_file = self.audio_file(answer)
        row = QHBoxLayout()
        play = stop = None
        if audio_file is not None:
            play, stop = QPushButton("▶ Play"), QPushButton("■ Stop")
            stop.setEnabled(False)
            row.addWidget(play)
            row.addWidget(stop)
            audio_label = _label("recording")
        elif answer.input is AnswerInput.VOICE:
            audio_label = _label(NOT_KEPT, style="color: gray")
        else:
            audio_label = _label("typed — no recording", style="color: gray")
        audio_label.setWordWrap(False)
        row.addWidget(audio_label, 1)
        layout.addLayout(row)

        review = ReviewEditor(answer.review)
        layout.addWidget(review)
        view = AnswerView(answer, audio_file, play, stop, audio_label, review)
        self.answer_views.append(view)
        review.submitted.connect(lambda value, v=view: self._request_review(v.answer.index, value))
        if play is not None and stop is not None:
            play.clicked.connect(lambda _checked=False, v=view: self.play(v))
            stop.clicked.connect(self.stop_audio)
        return box

    @Slot(object)
    def show_saved(self, session: Session) -> None:
        """A review was saved: update the who/when lines, keep whatever else is being typed."""
        if self.session is None or session.id != self.session.id:
            return
        self.session = session
        if self.session_review is not None:
            self.session_review.show_saved(session.review)
        by_index = {a.index: a for a in session.answers}
        for view in self.answer_views:
            answer = by_index.get(view.answer.index)
            if answer is not None:
                view.answer = answer
                view.review.show_saved(answer.review)

    @Slot()
    def saving_failed(self) -> None:
        """A save did not happen: show the stored review again so the user can retry."""
        if self.session_review is not None and not self.session_review.save_button.isEnabled():
            self.session_review.show_saved(self.session.review if self.session else None)
        for view in self.answer_views:
            if not view.review.save_button.isEnabled():
                view.review.show_saved(view.answer.review)

    # ----------------------------------------------------------------- reviews
    @Slot(object)
    def _on_session_review_submitted(self, value: dict[str, Any]) -> None:
        self._request_review(SESSION_REVIEW, value)

    def _request_review(self, index: int, value: dict[str, Any]) -> None:
        if self.session is not None:
            self.review_save_requested.emit(self.session.id, index, {**value, "by": self.reviewer})

    # ----------------------------------------------------------------- audio
    def audio_file(self, answer: Answer) -> Path | None:
        """The answer's WAV inside the data folder, or None when it was not kept (or is elsewhere)."""
        if not answer.audio_path or self.data_dir is None:
            return None
        root = self.data_dir.resolve()
        path = (root / answer.audio_path).resolve()
        if not path.is_relative_to(root) or not path.is_file():  # a stat; no reading on this thread
            return None
        return path

    def play(self, view: AnswerView) -> None:
        if view.audio_file is None:
            return
        self.stop_audio()
        self._playing = view
        view.audio_error = ""
        self.player.play(view.audio_file)  # started/failed arrive before this returns
        self._update_audio_buttons()

    @Slot()
    def stop_audio(self) -> None:
        self.player.stop()
        self._playing = None
        self._update_audio_buttons()

    def _update_audio_buttons(self) -> None:
        playing = self.player.is_playing()
        for view in self.answer_views:
            if view.play_button is None or view.stop_button is None:
                continue
            active = view is self._playing and playing
            view.stop_button.setEnabled(active)
            if active:
                where = f"{fmt_duration(self.player.position_s)} / {fmt_duration(self.player.duration_s)}"
                view.audio_label.setText(f"playing… {where}")
            else:
                view.audio_label.setText(view.audio_error or "recording")

    @Slot(object)
    def _on_player_started(self, _path: object) -> None:
        self._update_audio_buttons()

    @Slot()
    def _on_player_finished(self) -> None:
        self._playing = None
        self._update_audio_buttons()

    @Slot(str)
    def _on_player_failed(self, message: str) -> None:
        view, self._playing = self._playing, None
        if view is not None:
            view.audio_error = f"could not play the recording: {message or 'unknown error'}"
        self._update_audio_buttons()

    # ----------------------------------------------------------------- text (tests, copy)
    def toPlainText(self) -> str:  # noqa: N802 - the QTextEdit name, which this pane replaced
        """Everything the pane shows, as plain text."""
        content = self.scroll.widget()
        if content is None:
            return ""
        texts = []
        for child in content.findChildren(QObject):
            if isinstance(child, QLabel) and child.isVisibleTo(content):
                text = child.text()
                if child.textFormat() is Qt.TextFormat.RichText:
                    text = QTextDocumentFragment.fromHtml(text).toPlainText()
                texts.append(text)
            elif isinstance(child, QGroupBox):
                texts.append(child.title())
        return "\n".join(texts)
