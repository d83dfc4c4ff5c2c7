"""The Settings tab."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.settings import Settings


class SettingsTab(QWidget):
    """Signals:
        settings_saved(Settings)
    """

    settings_saved = Signal(object)

    def __init__(self, settings: Settings, data_dir_in_use: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._settings = settings
        self.data_dir_edit = QLineEdit(settings.data_dir, placeholderText=data_dir_in_use)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.data_dir_edit, 1)
        row.addWidget(browse)
        self.count_spin = QSpinBox(minimum=1, maximum=20, value=settings.question_count)
        self.save_button = QPushButton("Save settings")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.info_label = QLabel(f"History is stored in: {data_dir_in_use}")
        self.info_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Data folder", row)
        form.addRow("Questions per interview", self.count_spin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.info_label)
        layout.addWidget(self.save_button)
        layout.addStretch()

    @Slot()
    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Data folder", self.data_dir_edit.text())
        if folder:
            self.data_dir_edit.setText(folder)

    @Slot()
    def _on_save_clicked(self) -> None:
        new = replace(
            self._settings,
            data_dir=self.data_dir_edit.text().strip(),
            question_count=self.count_spin.value(),
        )
        changed_folder = new.data_dir != self._settings.data_dir
        self._settings = new
        self.settings_saved.emit(new)
        self.info_label.setText(
            "Saved. The new data folder is used after a restart." if changed_folder else "Saved."
        )
