"""Compare sessions: scores and metrics side by side, and overall score over time per candidate."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.domain import Session
from interview_desktop.reports.stats import compare_rows, session_score


def score_points(sessions: Sequence[Session]) -> dict[str, list[tuple[int, float]]]:
    """Per candidate (in order of first appearance), (ms since epoch, overall score) by date."""
    points: dict[str, list[tuple[int, float]]] = {}
    for session in sorted(sessions, key=lambda s: s.started_at):
        score = session_score(session)
        if score is not None:
            ms = int(session.started_at.timestamp() * 1000)
            points.setdefault(session.candidate or "Unnamed candidate", []).append((ms, score))
    return points


class CompareDialog(QDialog):
    """Side-by-side table (rows: measures, columns: sessions, oldest first) and a line chart of the
    overall score over time, one line per candidate.

    Signals: none.
    """

    def __init__(self, sessions: Sequence[Session], parent: QWidget | None = None):
        super().__init__(parent)
        self.sessions = sorted(sessions, key=lambda s: s.started_at)
        self.setWindowTitle(f"Compare {len(self.sessions)} sessions")
        self.resize(900, 700)

        rows = compare_rows(self.sessions)
        self.table = QTableWidget(len(rows), len(self.sessions))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalHeaderLabels(
            [f"{s.candidate}\n{s.started_at.astimezone():%Y-%m-%d %H:%M}" for s in self.sessions]
        )
        self.table.setVerticalHeaderLabels([label for label, _ in rows])
        for r, (_label, values) in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.chart = QChart()
        self.chart.setTitle("Overall score over time (progress per candidate)")
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        axis_x = QDateTimeAxis()
        axis_x.setTitleText("Date")
        axis_y = QValueAxis()
        axis_y.setRange(0, 100)
        axis_y.setLabelFormat("%d")
        axis_y.setTitleText("Overall score")
        self.chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        self.series: list[QLineSeries] = []
        all_ms = []
        for candidate, points in score_points(self.sessions).items():
            series = QLineSeries()
            series.setName(candidate)
            series.setPointsVisible(True)
            for ms, score in points:
                series.append(float(ms), score)
                all_ms.append(ms)
            self.chart.addSeries(series)
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)
            self.series.append(series)
        if all_ms:
            low, high = min(all_ms), max(all_ms)
            pad = max((high - low) // 10, 3600 * 1000)  # no point on the edge of the plot
            axis_x.setFormat("yyyy-MM-dd" if high - low > 3 * 86_400_000 else "MM-dd HH:mm")
            axis_x.setTickCount(5)
            axis_x.setRange(
                QDateTime.fromMSecsSinceEpoch(low - pad), QDateTime.fromMSecsSinceEpoch(high + pad)
            )
        else:
            self.chart.setTitle("Overall score over time (no scored sessions)")
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(260)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart_view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

    def cell(self, label: str, column: int) -> str:
        """The text in row ``label`` for session ``column`` (tests, accessibility)."""
        for row in range(self.table.rowCount()):
            header = self.table.verticalHeaderItem(row)
            if header is not None and header.text() == label:
                item = self.table.item(row, column)
                return item.text() if item is not None else ""
        raise KeyError(label)
