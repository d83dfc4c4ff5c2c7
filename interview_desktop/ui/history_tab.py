"""The History tab: a searchable, sortable table of sessions and a detail pane."""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.domain import AnswerInput, Session
from interview_desktop.engine.history_service import SessionPage
from interview_desktop.storage.base import SessionQuery
from interview_desktop.ui.history_model import COLUMNS, SESSION_ID_ROLE, HistoryTableModel

PAGE_SIZE = 100


class HistoryTab(QWidget):
    """Signals:
        list_requested(int, SessionQuery)   load a page of rows (request id, query)
        session_requested(str)              load one session for the detail pane
    """

    list_requested = Signal(int, object)
    session_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = HistoryTableModel(self)
        self._query = SessionQuery(limit=PAGE_SIZE)
        self._request_id = 0

        self.search_edit = QLineEdit(placeholderText="Search candidate, role or answers…")
        self.search_edit.setClearButtonEnabled(True)
        self.refresh_button = QPushButton("Refresh")
        self.count_label = QLabel("")
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(False)  # sorting is done by the store; see _on_header_clicked
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)

        self.detail = QTextBrowser()
        self.detail.setPlaceholderText("Select a session to see its questions and answers.")

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([600, 400])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.refresh_button.clicked.connect(self.refresh)
        header.sectionClicked.connect(self._on_header_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.model.more_requested.connect(self._on_model_more_requested)

    # ----------------------------------------------------------------- requests
    @Slot()
    def refresh(self) -> None:
        self._request_id += 1
        self.list_requested.emit(self._request_id, replace(self._query, offset=0))

    @Slot()
    def _on_search_timer_timeout(self) -> None:
        self._query = replace(self._query, text=self.search_edit.text().strip())
        self.refresh()

    @Slot(int)
    def _on_header_clicked(self, column: int) -> None:
        key = COLUMNS[column][1]
        descending = not self._query.descending if key == self._query.sort_key else key == "started_at"
        self._query = replace(self._query, sort_key=key, descending=descending)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)
        self.refresh()

    @Slot(int)
    def _on_model_more_requested(self, offset: int) -> None:
        self.list_requested.emit(self._request_id, replace(self._query, offset=offset))

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.session_requested.emit(indexes[0].data(SESSION_ID_ROLE))

    # ----------------------------------------------------------------- results
    @Slot(object)
    def show_page(self, page: SessionPage) -> None:
        if page.request_id != self._request_id:
            return  # an answer to an older search
        if page.query.offset == 0:
            self.model.reset_rows(page.rows, page.total)
            self.count_label.setText(f"{page.total} session{'s' if page.total != 1 else ''}")
        else:
            self.model.append_rows(page.rows)

    @Slot(object)
    def show_session(self, session: Session) -> None:
        self.detail.setHtml(session_html(session))


def session_html(session: Session) -> str:
    esc = html.escape
    parts = [
        f"<h2>{esc(session.candidate)} — {esc(session.role)}</h2>",
        f"<p>{session.started_at.astimezone():%Y-%m-%d %H:%M} · {esc(session.status.value.replace('_', ' '))}"
        f" · {len(session.answers)} of {session.question_count} answered</p>",
    ]
    for answer in session.answers:
        shown = "<i>(skipped)</i>" if answer.input is AnswerInput.SKIPPED else esc(answer.text)
        parts.append(f"<h4>Q{answer.index + 1}. {esc(answer.question.text)}</h4>")
        parts.append(f"<p>{shown}</p>")
        parts.append(f"<p style='color:gray'>{esc(answer.input.value)} answer</p>")
    return "\n".join(parts)
