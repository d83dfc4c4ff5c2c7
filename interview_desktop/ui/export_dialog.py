"""Choose the format and file of an export."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from interview_desktop.reports import FORMAT_LABELS, FORMATS


def default_export_folder() -> str:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents or str(Path.home())


class ExportDialog(QDialog):
    """Format (CSV, JSON, Markdown, PDF) and file for exporting ``count`` sessions; read
    :meth:`chosen` after ``exec()`` returns Accepted.

    Signals: none.
    """

    def __init__(self, count: int, folder: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export sessions")
        self.format_combo = QComboBox()
        for fmt, label in FORMAT_LABELS.items():
            self.format_combo.addItem(label, fmt)
        stem = f"interview-report-{datetime.now():%Y%m%d-%H%M}"
        self.path_edit = QLineEdit(str(Path(folder or default_export_folder()) / f"{stem}{FORMATS['csv']}"))
        self.browse_button = QPushButton("Browse…")
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        form = QFormLayout(self)
        form.addRow(QLabel(f"Export {count} selected session{'s' if count != 1 else ''}."))
        form.addRow("Format", self.format_combo)
        form.addRow("File", path_row)
        form.addRow(self.buttons)

        self.format_combo.currentIndexChanged.connect(self._on_format_combo_current_index_changed)
        self.path_edit.textChanged.connect(self._on_path_edit_text_changed)
        self.browse_button.clicked.connect(self._on_browse_button_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def chosen(self) -> tuple[str, str]:
        """(format, path) — the path gets the format's suffix when it has none."""
        fmt = self.format_combo.currentData()
        path = Path(self.path_edit.text().strip()).expanduser()
        if not path.suffix:
            path = path.with_suffix(FORMATS[fmt])
        return fmt, str(path)

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    @Slot(int)
    def _on_format_combo_current_index_changed(self, _index: int) -> None:
        text = self.path_edit.text().strip()
        if text:
            path = Path(text)
            if path.suffix.lower() in FORMATS.values() or not path.suffix:
                self.path_edit.setText(str(path.with_suffix(FORMATS[self.format_combo.currentData()])))

    @Slot(str)
    def _on_path_edit_text_changed(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip()))

    @Slot()
    def _on_browse_button_clicked(self) -> None:
        fmt = self.format_combo.currentData()
        suffix = FORMATS[fmt]
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export sessions", self.path_edit.text(), f"{self.format_combo.currentText()} (*{suffix})"
        )
        if path:
            self.path_edit.setText(path)
