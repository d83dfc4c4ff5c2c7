"""The session report: overall score, per-question scores and metrics, advice, and a chart."""

from __future__ import annotations

import html

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal, Slot
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.domain import AnswerInput, Question, Session
from interview_desktop.ui.session_detail import evidence_html

COLUMNS = ("Question", "Score", "Pace (wpm)", "Fillers /100 words", "Pauses", "Scorer")


def _fmt(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


class ReportView(QWidget):
    """Shows ``Session.report`` and the answers' evaluations; the numbers are the stored ones.

    Signals:
        practise_requested(Question)   "Practise this question again"
    """

    practise_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._session: Session | None = None
        self.headline = QLabel("")
        self.headline.setObjectName("reportHeadline")
        font = self.headline.font()
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        self.headline.setFont(font)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.advice = QTextBrowser()
        self.chart = QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(220)
        self.practise_button = QPushButton("Practise this question again")
        self.practise_button.setEnabled(False)

        row = QHBoxLayout()
        row.addWidget(self.table, 3)
        row.addWidget(self.chart_view, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(row, 2)
        layout.addWidget(self.practise_button)
        layout.addWidget(self.advice, 1)

        self.practise_button.clicked.connect(self._on_practise_clicked)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)

    # ----------------------------------------------------------------- showing a session
    @Slot(object)
    def show_session(self, session: Session) -> None:
        self._session = session
        report = session.report or {}
        score = report.get("overall_score")
        scorers = ", ".join(report.get("scorers") or []) or "—"
        self.headline.setText(
            f"Overall score: {_fmt(score)} / 100  ·  {report.get('answered_count', 0)} of "
            f"{len(session.answers)} answered  ·  scored by {scorers}"
        )
        self.table.setRowCount(len(session.answers))
        scores, paces = [], []
        for row, answer in enumerate(session.answers):
            evaluation, metrics = answer.evaluation, answer.metrics
            skipped = answer.input is AnswerInput.SKIPPED
            cells = (
                f"Q{answer.index + 1}. {answer.question.text}",
                "skipped" if skipped else _fmt(evaluation.overall if evaluation else None),
                _fmt(metrics.words_per_minute if metrics else None),
                _fmt(metrics.fillers_per_100_words if metrics else None, 1),
                _fmt(metrics.pause_count if metrics else None),
                evaluation.scorer if evaluation else "—",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setToolTip(answer.question.text)
                self.table.setItem(row, col, item)
            scores.append(float(evaluation.overall) if evaluation else 0.0)
            paces.append(metrics.words_per_minute if metrics else None)
        self._draw_chart(scores, paces)
        self.advice.setHtml(_advice_html(report))
        self.practise_button.setEnabled(False)

    def _draw_chart(self, scores: list[float], paces: list[float | None]) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        categories = [f"Q{i + 1}" for i in range(len(scores))]
        bars = QBarSet("Score")
        bars.append(scores)
        bar_series = QBarSeries()
        bar_series.setName("Score")
        bar_series.append(bars)
        self.chart.addSeries(bar_series)
        x_axis = QBarCategoryAxis()
        x_axis.append(categories)
        score_axis = QValueAxis()
        score_axis.setRange(0, 100)
        score_axis.setTitleText("score")
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(score_axis, Qt.AlignmentFlag.AlignLeft)
        bar_series.attachAxis(x_axis)
        bar_series.attachAxis(score_axis)
        timed = [(i, p) for i, p in enumerate(paces) if p is not None]
        if timed:
            pace_series = QLineSeries()
            pace_series.setName("Pace (wpm)")
            for i, pace in timed:
                pace_series.append(i, float(pace))
            self.chart.addSeries(pace_series)
            pace_axis = QValueAxis()
            pace_axis.setRange(0, max(200.0, max(p for _, p in timed) * 1.1))
            pace_axis.setTitleText("wpm")
            self.chart.addAxis(pace_axis, Qt.AlignmentFlag.AlignRight)
            pace_series.attachAxis(pace_axis)
            index_axis = QValueAxis()
            index_axis.setRange(-0.5, len(scores) - 0.5)
            index_axis.setVisible(False)
            self.chart.addAxis(index_axis, Qt.AlignmentFlag.AlignBottom)
            pace_series.attachAxis(index_axis)

    def chart_series_names(self) -> list[str]:
        return [series.name() for series in self.chart.series()]

    # ----------------------------------------------------------------- practise again
    @Slot()
    def _on_table_selection_changed(self) -> None:
        rows = sorted({item.row() for item in self.table.selectedItems()})
        self.practise_button.setEnabled(bool(rows))
        if self._session is None:
            return
        advice = _advice_html(self._session.report or {})
        if rows:  # why the selected answer scored what it did, in the candidate's own words
            answer = self._session.answers[rows[0]]
            why = evidence_html(answer.evaluation)
            if why:
                advice = f"<h4>Q{answer.index + 1}</h4>{why}{advice}"
        self.advice.setHtml(advice)

    @Slot()
    def _on_practise_clicked(self) -> None:
        rows = {item.row() for item in self.table.selectedItems()}
        if self._session is not None and rows:
            question: Question = self._session.answers[min(rows)].question
            self.practise_requested.emit(question)


def _advice_html(report: dict) -> str:
    esc = html.escape
    parts = []
    for title, key in (("Strengths", "strengths"), ("Things to work on", "improvements")):
        items = report.get(key) or []
        if items:
            bullets = "".join(f"<li>{esc(str(t))}</li>" for t in items)
            parts.append(f"<h4>{title}</h4><ul>{bullets}</ul>")
    pace = report.get("average_wpm")
    if pace is not None:
        parts.append(
            f"<p>Average pace {pace:.0f} words per minute ({esc(str(report.get('pace_verdict') or ''))}); "
            f"comfortable is 130–165.</p>"
        )
    fillers = report.get("fillers_per_100_words")
    if fillers is not None:
        parts.append(
            f"<p>Filler words: {fillers:.1f} per 100 words ({esc(str(report.get('filler_verdict') or ''))}); "
            "under 4 is fine.</p>"
        )
    parts.append("<p style='color:gray'>How each number is computed: docs/scoring.md</p>")
    return "\n".join(parts)
