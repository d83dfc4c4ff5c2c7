"""A recruiter's rating (1–5) and note for one answer or a whole session, with who saved it when."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.domain import from_iso

RATING_LABELS = ("Not rated", "1 – poor", "2 – weak", "3 – fair", "4 – good", "5 – excellent")


def review_status_text(review: Mapping[str, Any] | None) -> str:
    if not review:
        return "Not reviewed yet."
    rating = review.get("rating")
    what = f"Rated {rating}/5" if rating else "Note"
    who = str(review.get("by") or "").strip()
    when = from_iso(review.get("at")) if review.get("at") else None
    text = what + (f" by {who}" if who else "")
    return text + (f" · {when.astimezone():%Y-%m-%d %H:%M}" if when else "")


class ReviewEditor(QWidget):
    """Signals:
        submitted(object)   the Save button: {"rating": 1-5 | None, "note": str}
    """

    submitted = Signal(object)

    def __init__(self, review: Mapping[str, Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.rating_combo = QComboBox()
        for value, label in enumerate(RATING_LABELS):
            self.rating_combo.addItem(label, value or None)
        self.note_edit = QPlainTextEdit(placeholderText="Recruiter note…")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.note_edit.fontMetrics().lineSpacing() * 3 + 12)
        self.save_button = QPushButton("Save review")
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setStyleSheet("color: gray")

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Rating"))
        row.addWidget(self.rating_combo)
        row.addWidget(self.save_button)
        row.addWidget(self.status_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.note_edit)

        self.set_review(review)
        self.save_button.clicked.connect(self._on_save_button_clicked)

    def set_review(self, review: Mapping[str, Any] | None) -> None:
        """Show a stored review (the inputs and the who/when line)."""
        rating = (review or {}).get("rating")
        self.rating_combo.setCurrentIndex(rating if isinstance(rating, int) and 1 <= rating <= 5 else 0)
        self.note_edit.setPlainText(str((review or {}).get("note") or ""))
        self.show_saved(review)

    def show_saved(self, review: Mapping[str, Any] | None) -> None:
        """Update the who/when line only (the inputs keep what the user typed)."""
        self.status_label.setText(review_status_text(review))
        self.save_button.setEnabled(True)

    def value(self) -> dict[str, Any]:
        return {"rating": self.rating_combo.currentData(), "note": self.note_edit.toPlainText().strip()}

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save_button.setEnabled(False)
        self.status_label.setText("Saving…")
        self.submitted.emit(self.value())
