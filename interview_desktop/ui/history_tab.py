"""The History tab: a searchable, filterable, sortable table of sessions and a detail pane, with
Compare, Export and Delete for the selected sessions.

Everything that touches the store goes through signals to the ``HistoryService`` (on the "history"
thread); results come back through the ``show_*`` slots.
"""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.domain import Notice, Session
from interview_desktop.reports import FORMATS
from interview_desktop.services.history import ExportResult, LoadedSessions, SessionPage
from interview_desktop.storage.base import SessionQuery, SortKey
from interview_desktop.ui.compare_dialog import CompareDialog
from interview_desktop.ui.export_dialog import ExportDialog
from interview_desktop.ui.history_filters import HistoryFilters
from interview_desktop.ui.history_model import COLUMNS, SESSION_ID_ROLE, HistoryTableModel
from interview_desktop.ui.session_detail import SessionDetail

if TYPE_CHECKING:
    from interview_desktop.storage.sync import PullResult

log = logging.getLogger("interview_desktop.ui.history")

PAGE_SIZE = 100


def default_reviewer() -> str:
    """The OS user name (who saved a rating), "" when the system has none."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name, no passwd entry, no pwd module
        return ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


class HistoryTab(QWidget):
    """Signals:
        list_requested(int, SessionQuery)           load a page of rows (request id, query)
        session_requested(str)                      load one session for the detail pane
        sessions_requested(int, tuple)              load several sessions (request id, ids) for Compare
        review_save_requested(str, int, object)     session id, answer index (-1: session), review dict
        delete_requested(str)                       delete a session (after the user confirmed)
        export_requested(tuple, str, str)           ids, format ("csv", "json", "markdown", "pdf"), path
    """

    list_requested = Signal(int, object)
    session_requested = Signal(str)
    sessions_requested = Signal(int, object)
    review_save_requested = Signal(str, int, object)
    delete_requested = Signal(str)
    export_requested = Signal(object, str, str)
    reevaluate_requested = Signal(str)
    sync_now_requested = Signal()

    def __init__(
        self,
        roles: Sequence[str] = (),
        data_dir: str | os.PathLike[str] | None = None,
        reviewer: str | None = None,
        parent: QWidget | None = None,
        output_device: str | None = None,
    ):
        super().__init__(parent)
        self.model = HistoryTableModel(self)
        self._reevaluating: str | None = None
        self._query = SessionQuery(limit=PAGE_SIZE)
        self._request_id = 0
        self._listing = False  # a first page was asked for and has not arrived yet
        self._news_shown = False  # the message line says the team's news awaits a Refresh
        self._compare_request = 0
        self._shown_id: str | None = None
        self.reviewer = reviewer if reviewer is not None else default_reviewer()
        self.compare_dialog: CompareDialog | None = None
        self.export_progress: QProgressDialog | None = None
        self.last_export: ExportResult | None = None

        self.search_edit = QLineEdit(placeholderText="Search candidate, role or answers…")
        self.search_edit.setClearButtonEnabled(True)
        self.refresh_button = QPushButton("Refresh")
        self.count_label = QLabel("")
        self.store_label = QLabel("")
        self.store_label.setTextFormat(Qt.TextFormat.PlainText)
        self.store_label.setToolTip("Where the history is kept")
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.count_label)
        top.addStretch(0)
        top.addWidget(self.store_label)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setToolTip(
            "Send waiting sessions to the shared MongoDB history and fetch the team's new ones now"
        )
        self.sync_button.setVisible(False)  # shown when a MongoDB server is configured
        self.sync_button.clicked.connect(self.sync_now_requested)
        top.addWidget(self.sync_button)

        self.filters = HistoryFilters(roles)

        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Select two or more sessions (Ctrl/Shift+click) to compare them")
        self.export_button = QPushButton("Export…")
        self.delete_button = QPushButton("Delete…")
        self.reevaluate_button = QPushButton("Re-evaluate")
        self.reevaluate_button.setToolTip(
            "Transcribe the saved audio and score the answers again with the current settings; "
            "the previous results are kept"
        )
        self.message_label = QLabel("")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        actions = QHBoxLayout()
        actions.addWidget(self.compare_button)
        actions.addWidget(self.export_button)
        actions.addWidget(self.delete_button)
        actions.addWidget(self.reevaluate_button)
        actions.addWidget(self.message_label, 1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(False)  # sorting is done by the store; see _on_header_clicked
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self._columns_sized = False

        self.detail = SessionDetail(data_dir, self.reviewer, output_device=output_device)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([520, 480])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.filters.changed.connect(self._search_timer.start)
        self.refresh_button.clicked.connect(self.refresh)
        header.sectionClicked.connect(self._on_header_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.model.more_requested.connect(self._on_model_more_requested)
        self.model.modelReset.connect(self._update_buttons)
        self.compare_button.clicked.connect(self._on_compare_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.reevaluate_button.clicked.connect(self._on_reevaluate_button_clicked)
        self.detail.review_save_requested.connect(self.review_save_requested)
        self._update_buttons()

    # ----------------------------------------------------------------- state
    @property
    def query(self) -> SessionQuery:
        """The query the table shows (search text, filters, sort), at offset 0."""
        return replace(self._query, offset=0)

    def selected_ids(self) -> list[str]:
        """Ids of the selected sessions, in table order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.summary(row).id for row in rows if row < self.model.rowCount()]

    def add_roles(self, roles: Iterable[str]) -> None:
        self.filters.add_roles(roles)

    # ----------------------------------------------------------------- requests
    @Slot()
    def refresh(self) -> None:
        if self._news_shown:
            self._news_shown = False
            self.message_label.clear()
        self._request_id += 1
        self._listing = True
        self.list_requested.emit(self._request_id, replace(self._query, offset=0))

    @Slot()
    def _on_search_timer_timeout(self) -> None:
        self._query = self.filters.apply_to(replace(self._query, text=self.search_edit.text().strip()))
        self.refresh()

    @Slot(int)
    def _on_header_clicked(self, column: int) -> None:
        key = COLUMNS[column][1]
        if key == self._query.sort_key:
            descending = not self._query.descending
        else:  # newest and best first; names A→Z
            descending = key in (SortKey.STARTED_AT, SortKey.SCORE, SortKey.ANSWERS)
        self._query = replace(self._query, sort_key=key, descending=descending)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)
        self.refresh()

    @Slot(int)
    def _on_model_more_requested(self, offset: int) -> None:
        self.list_requested.emit(self._request_id, replace(self._query, offset=offset))

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()
        selection = self.table.selectionModel()
        current = selection.currentIndex()
        rows = selection.selectedRows()
        if current.isValid() and selection.isRowSelected(current.row()):
            index = current
        elif rows:
            index = rows[0]
        else:
            return
        session_id = index.data(SESSION_ID_ROLE)
        if session_id != self._shown_id:
            self._shown_id = session_id
            self.session_requested.emit(session_id)

    @Slot()
    def _update_buttons(self) -> None:
        count = len(self.table.selectionModel().selectedRows()) if self.table.selectionModel() else 0
        self.compare_button.setEnabled(count >= 2)
        self.export_button.setEnabled(count >= 1)
        self.delete_button.setEnabled(count >= 1)
        self.reevaluate_button.setEnabled(count == 1)

    @Slot()
    def _on_compare_button_clicked(self) -> None:
        ids = self.selected_ids()
        if len(ids) < 2:
            return
        self._request_id += 1
        self._compare_request = self._request_id
        self.message_label.setText(f"Loading {len(ids)} sessions to compare…")
        self.sessions_requested.emit(self._compare_request, tuple(ids))

    @Slot()
    def _on_export_button_clicked(self) -> None:
        self.export_selected()

    def export_selected(self, fmt: str | None = None, path: str | None = None) -> bool:
        """Export the selected sessions; asks for the format and file unless both are given.
        False when nothing was started (nothing selected, dialog cancelled, export running)."""
        ids = self.selected_ids()
        if not ids or self.export_progress is not None:
            return False
        if fmt is None or path is None:
            dialog = ExportDialog(len(ids), parent=self)
            if fmt is not None:
                dialog.set_format(fmt)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            fmt, path = dialog.chosen()
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}")
        progress = QProgressDialog(f"Exporting {_plural(len(ids), 'session')}…", "", 0, len(ids), self)
        progress.setCancelButton(None)  # a running export finishes; it is quick and writes atomically
        progress.setWindowTitle("Export")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setValue(0)
        self.export_progress = progress
        self.export_button.setEnabled(False)
        self.message_label.setText(f"Exporting {_plural(len(ids), 'session')}…")
        self.export_requested.emit(tuple(ids), fmt, str(Path(path)))
        return True

    @Slot()
    def _on_delete_button_clicked(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        what = "this session" if len(ids) == 1 else f"these {len(ids)} sessions"
        answer = QMessageBox.question(
            self,
            "Delete sessions",
            f"Delete {what} and their recordings? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        for session_id in ids:
            self.delete_requested.emit(session_id)

    # ----------------------------------------------------------------- results
    @Slot(object)
    def show_page(self, page: SessionPage) -> None:
        if page.request_id != self._request_id:
            return  # an answer to an older search
        self.filters.add_roles(row.role for row in page.rows)
        if page.query.offset == 0:
            self._listing = False
            self.model.reset_rows(page.rows, page.total, page.total_exact)
            self._update_count()
            if page.rows and not self._columns_sized:  # once: later the user's widths stay
                self._columns_sized = True
                self.table.resizeColumnsToContents()
        else:
            self.model.append_rows(page.rows)
            if not page.rows or not self.model.total_exact:
                self._update_count()  # "120+" grows as pages arrive, and is exact at the end

    @Slot(object)
    def show_session(self, session: Session) -> None:
        self._shown_id = session.id
        self.detail.show_session(session)

    @Slot(object)
    def show_sessions(self, loaded: LoadedSessions) -> None:
        """Sessions asked for by Compare."""
        if loaded.request_id != self._compare_request:
            return
        self._compare_request = 0
        self.message_label.setText(
            f"{_plural(len(loaded.missing), 'session')} no longer exist." if loaded.missing else ""
        )
        if len(loaded.sessions) < 2:
            self.message_label.setText("Fewer than two of the selected sessions still exist.")
            return
        if self.compare_dialog is not None:
            self.compare_dialog.close()
            self.compare_dialog.deleteLater()
        self.compare_dialog = CompareDialog(loaded.sessions, self)
        self.compare_dialog.show()

    @Slot(object)
    def show_saved(self, session: Session) -> None:
        """A recruiter review or a re-evaluation was saved."""
        if session.id == self._reevaluating:
            self._reevaluating = None
            self.detail.show_session(session)
            self.message_label.setText("Re-evaluated; the previous results are kept in the session.")
        else:
            self.detail.show_saved(session)
            self.message_label.setText("Review saved.")
        self.reevaluate_button.setEnabled(len(self.selected_ids()) == 1)

    @Slot()
    def _on_reevaluate_button_clicked(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.reevaluate_button.setEnabled(False)
            self._reevaluating = ids[0]
            self.message_label.setText("Re-evaluating… (the previous results are kept)")
            self.reevaluate_requested.emit(ids[0])

    @Slot(int, int)
    def show_reevaluation_progress(self, done: int, total: int) -> None:
        self.message_label.setText(f"Re-evaluating… {done} of {total} answers")

    @Slot(str)
    def show_deleted(self, session_id: str) -> None:
        self.model.remove_session(session_id)
        self._update_count()
        self._update_buttons()
        if self.detail.session is not None and self.detail.session.id == session_id:
            self.detail.clear()
            self._shown_id = None

    @Slot(int)
    def show_retention_applied(self, count: int) -> None:
        if count:
            self.message_label.setText(f"Removed {_plural(count, 'session')} past the retention period.")
            self.refresh()

    @Slot(int, int)
    def show_export_progress(self, done: int, total: int) -> None:
        if self.export_progress is not None:
            self.export_progress.setMaximum(max(total, 1))
            self.export_progress.setValue(min(done, max(total, 1)))

    @Slot(object)
    def show_exported(self, result: ExportResult) -> None:
        self.last_export = result
        if self.export_progress is not None:
            self.export_progress.close()
            self.export_progress.deleteLater()
            self.export_progress = None
        self._update_buttons()
        if result.error:
            self.message_label.setText(f"Export failed: {result.error}")
        else:
            self.message_label.setText(f"Exported {_plural(result.count, 'session')} to {result.path}")

    @Slot(object)
    def show_failure(self, notice: Notice) -> None:
        """A request failed (the window's status line shows it too): let the user retry a save."""
        self.detail.saving_failed()
        self._listing = False
        if self._compare_request:
            self._compare_request = 0
            self.message_label.setText(notice.text)

    @Slot(object)
    def team_changes_arrived(self, result: PullResult) -> None:
        """The sync thread brought sessions saved or deleted on other desktops to this computer.
        A tab nobody is looking at, or an empty one (the first copy of the team's history), just
        reloads; otherwise the rows the user is reading stay and a line says how to see the news."""
        if not self.isVisible() or self.model.rowCount() == 0:
            if not self._listing:  # one at a time: during a first pull news comes faster than
                self.refresh()  # a busy store answers, and each new request would void the last
            return
        news = []
        if result.pulled:
            news.append(f"{_plural(result.pulled, 'session')} new or changed")
        if result.deleted:
            news.append(f"{result.deleted} deleted")
        self.message_label.setText(f"From your team: {' and '.join(news)} — press Refresh to see them.")
        self._news_shown = True

    @Slot(str)
    def show_store_status(self, text: str) -> None:
        """Where/how the history is kept: "Connected", "Offline (3 waiting)", "Error: …"."""
        self.store_label.setText(text)

    def _update_count(self) -> None:
        total = self.model.total
        if self.model.total_exact:
            self.count_label.setText(_plural(total, "session"))
        else:
            self.count_label.setText(f"{total:,}+ sessions")
