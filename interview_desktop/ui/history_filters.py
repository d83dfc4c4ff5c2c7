"""The History tab's filter row: date range, role, status and score range."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from interview_desktop.domain import SessionStatus
from interview_desktop.storage.base import SessionQuery

ANY_ROLE = "All roles"
NO_SCORE = -1  # the score spin boxes' "any" value


def local_day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the local time zone (an aware datetime)."""
    return datetime.combine(day, time.min).astimezone()


class HistoryFilters(QWidget):
    """Signals:
        changed()   a filter changed; read them with :meth:`apply_to`
    """

    changed = Signal()

    def __init__(self, roles: Iterable[str] = (), parent: QWidget | None = None):
        super().__init__(parent)
        today = QDate.currentDate()
        self.from_check = QCheckBox("From")
        self.from_edit = QDateEdit(today.addMonths(-1), calendarPopup=True, enabled=False)
        self.to_check = QCheckBox("to")
        self.to_edit = QDateEdit(today, calendarPopup=True, enabled=False)
        for edit in (self.from_edit, self.to_edit):
            edit.setDisplayFormat("yyyy-MM-dd")
        self.role_combo = QComboBox()
        self.role_combo.addItem(ANY_ROLE, None)
        self.role_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_combo = QComboBox()
        self.status_combo.addItem("Any status", None)
        for status in SessionStatus:
            self.status_combo.addItem(status.value.replace("_", " ").capitalize(), status)
        self.score_min_spin = self._score_spin("Lowest overall score shown")
        self.score_max_spin = self._score_spin("Highest overall score shown")
        self.clear_button = QPushButton("Clear filters")
        self.add_roles(roles)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.from_check)
        row.addWidget(self.from_edit)
        row.addWidget(self.to_check)
        row.addWidget(self.to_edit)
        row.addSpacing(12)
        row.addWidget(self.role_combo)
        row.addWidget(self.status_combo)
        row.addSpacing(12)
        row.addWidget(QLabel("Score"))
        row.addWidget(self.score_min_spin)
        row.addWidget(QLabel("–"))
        row.addWidget(self.score_max_spin)
        row.addStretch(1)
        row.addWidget(self.clear_button)

        self.from_check.toggled.connect(self.from_edit.setEnabled)
        self.to_check.toggled.connect(self.to_edit.setEnabled)
        for check in (self.from_check, self.to_check):
            check.toggled.connect(self.changed)
        self.from_edit.dateChanged.connect(self._on_from_edit_date_changed)
        self.to_edit.dateChanged.connect(self._on_to_edit_date_changed)
        for combo in (self.role_combo, self.status_combo):
            combo.currentIndexChanged.connect(self.changed)
        for spin in (self.score_min_spin, self.score_max_spin):
            spin.valueChanged.connect(self.changed)
        self.clear_button.clicked.connect(self.clear)

    @staticmethod
    def _score_spin(tip: str) -> QSpinBox:
        spin = QSpinBox(minimum=NO_SCORE, maximum=100, value=NO_SCORE)
        spin.setSpecialValueText("any")
        spin.setToolTip(tip)
        return spin

    # ----------------------------------------------------------------- API
    def add_roles(self, roles: Iterable[str]) -> None:
        """Offer these roles too (the question bank's, and those seen in the history), sorted."""
        known = {self.role_combo.itemText(i) for i in range(1, self.role_combo.count())}
        new = {r for r in roles if r and r not in known}
        if not new:
            return
        current = self.role_combo.currentData()
        self.role_combo.blockSignals(True)
        for position, role in enumerate(sorted(known | new, key=str.casefold), start=1):
            if role in new:  # earlier positions are already filled, so this is its final place
                self.role_combo.insertItem(position, role, role)
        index = self.role_combo.findData(current) if current is not None else 0
        self.role_combo.setCurrentIndex(max(index, 0))
        self.role_combo.blockSignals(False)

    def roles(self) -> list[str]:
        return [self.role_combo.itemText(i) for i in range(1, self.role_combo.count())]

    def apply_to(self, query: SessionQuery) -> SessionQuery:
        """``query`` with these filters (and offset 0)."""
        started_from = started_to = None
        if self.from_check.isChecked():
            started_from = local_day_start(self.from_edit.date().toPython())
        if self.to_check.isChecked():  # the whole "to" day is included
            started_to = local_day_start(self.to_edit.date().toPython() + timedelta(days=1)) - timedelta(
                milliseconds=1
            )
        low, high = self.score_min_spin.value(), self.score_max_spin.value()
        return replace(
            query,
            role=self.role_combo.currentData(),
            status=self.status_combo.currentData(),
            started_from=started_from,
            started_to=started_to,
            score_min=None if low == NO_SCORE else float(low),
            score_max=None if high == NO_SCORE else float(high),
            offset=0,
        )

    def is_active(self) -> bool:
        return self.apply_to(SessionQuery()) != SessionQuery()

    @Slot()
    def clear(self) -> None:
        widgets = (self.from_check, self.to_check, self.role_combo, self.status_combo,
                   self.score_min_spin, self.score_max_spin)
        for widget in widgets:
            widget.blockSignals(True)
        self.from_check.setChecked(False)
        self.to_check.setChecked(False)
        self.from_edit.setEnabled(False)
        self.to_edit.setEnabled(False)
        self.role_combo.setCurrentIndex(0)
        self.status_combo.setCurrentIndex(0)
        self.score_min_spin.setValue(NO_SCORE)
        self.score_max_spin.setValue(NO_SCORE)
        for widget in widgets:
            widget.blockSignals(False)
        self.changed.emit()

    @Slot(QDate)
    def _on_from_edit_date_changed(self, _date: QDate) -> None:
        if self.from_check.isChecked():
            self.changed.emit()

    @Slot(QDate)
    def _on_to_edit_date_changed(self, _date: QDate) -> None:
        if self.to_check.isChecked():
            self.changed.emit()
