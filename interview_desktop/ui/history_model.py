"""Qt table model over session summaries, filled page by page (``fetchMore``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from interview_desktop.storage.base import SessionSummary, SortKey

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Date", SortKey.STARTED_AT),
    ("Candidate", SortKey.CANDIDATE),
    ("Role", SortKey.ROLE),
    ("Answers", SortKey.ANSWERS),
    ("Status", SortKey.STATUS),
    ("Score", SortKey.SCORE),
)

SESSION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class HistoryTableModel(QAbstractTableModel):
    """Rows are :class:`SessionSummary`; more rows are asked for with ``more_requested(offset)``.

    Signals:
        more_requested(int)   the view scrolled to the end; load the page at this offset
    """

    more_requested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[SessionSummary] = []
        self._total = 0
        self._total_exact = True  # False: at least _total rows (a search counted only so far)
        self._waiting = False

    # ----------------------------------------------------------------- filling
    def reset_rows(self, rows: Sequence[SessionSummary], total: int, exact: bool = True) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._total = max(total, len(self._rows))
        self._total_exact = exact
        self._waiting = False
        self.endResetModel()

    def append_rows(self, rows: Sequence[SessionSummary]) -> None:
        self._waiting = False
        if not rows:
            self._total = len(self._rows)
            self._total_exact = True
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()
        self._total = max(self._total, len(self._rows))

    def remove_session(self, session_id: str) -> None:
        for row, summary in enumerate(self._rows):
            if summary.id == session_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self._total -= 1
                self.endRemoveRows()
                return

    def summary(self, row: int) -> SessionSummary:
        return self._rows[row]

    @property
    def total(self) -> int:
        return self._total

    @property
    def total_exact(self) -> bool:
        return self._total_exact

    # ----------------------------------------------------------------- QAbstractTableModel
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        summary = self._rows[index.row()]
        if role == SESSION_ID_ROLE:
            return summary.id
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                summary.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                summary.candidate,
                summary.role,
                str(summary.answer_count),
                summary.status.value.replace("_", " "),
                "" if summary.overall_score is None else f"{summary.overall_score:.0f}",
            )[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (3, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        more = len(self._rows) < self._total or not self._total_exact
        return not parent.isValid() and not self._waiting and more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._waiting = True
            self.more_requested.emit(len(self._rows))
