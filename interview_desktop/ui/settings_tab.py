"""The Settings tab: data folder, interview defaults, voice and microphone."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.settings import Settings

DEFAULT_DEVICE = "System default"
SILENT_LEVEL = 0.08  # meter fraction (≈ -55 dBFS) below which a mic check counts as silent
MIC_CHECK_MS = 4000


class SettingsTab(QWidget):
    """Signals:
        settings_saved(Settings)
        devices_requested()
        mic_check_requested(str)   start a mic check on this device name ("" = default)
        mic_check_stopped()
    """

    settings_saved = Signal(object)
    devices_requested = Signal()
    mic_check_requested = Signal(str)
    mic_check_stopped = Signal()

    def __init__(self, settings: Settings, data_dir_in_use: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._settings = settings
        self._check_peak = 0.0

        # --- general
        self.data_dir_edit = QLineEdit(settings.data_dir, placeholderText=data_dir_in_use)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.data_dir_edit, 1)
        row.addWidget(browse)
        self.count_spin = QSpinBox(minimum=1, maximum=20, value=settings.question_count)
        self.retention_spin = QSpinBox(minimum=0, maximum=3650, value=settings.retention_days)
        self.retention_spin.setSpecialValueText("Keep everything")
        self.retention_spin.setSuffix(" days")
        self.retention_spin.setToolTip("Sessions older than this are deleted, with their recordings")
        general = QGroupBox("General")
        general_form = QFormLayout(general)
        general_form.addRow("Data folder", row)
        general_form.addRow("Questions per interview", self.count_spin)
        general_form.addRow("Delete sessions older than", self.retention_spin)

        # --- voice
        self.speak_check = QCheckBox("Read the questions aloud", checked=settings.speak_questions)
        self.listen_check = QCheckBox("Answer by voice (microphone)", checked=settings.voice_answers)
        self.keep_audio_check = QCheckBox("Keep answer audio", checked=settings.keep_audio)
        self.input_combo = QComboBox()
        self.output_combo = QComboBox()
        for combo, chosen in ((self.input_combo, settings.input_device),
                              (self.output_combo, settings.output_device)):
            combo.addItem(DEFAULT_DEVICE)
            if chosen:
                combo.addItem(chosen)
                combo.setCurrentText(chosen)
        self.refresh_devices_button = QPushButton("Refresh devices")
        self.hangover_spin = QDoubleSpinBox(minimum=0.5, maximum=5.0, singleStep=0.25, suffix=" s",
                                            value=settings.hangover_s)
        self.hangover_spin.setToolTip("Silence that ends an answer; longer tolerates thinking pauses")
        self.no_speech_spin = QDoubleSpinBox(minimum=3, maximum=60, singleStep=1, suffix=" s",
                                             value=settings.no_speech_timeout_s)
        self.max_answer_spin = QDoubleSpinBox(minimum=15, maximum=600, singleStep=15, suffix=" s",
                                              value=settings.max_answer_s)
        self.mic_check_button = QPushButton("Mic check")
        self.mic_meter = QProgressBar(minimum=0, maximum=100, textVisible=False)
        self.mic_label = QLabel("")
        self.mic_label.setWordWrap(True)
        mic_row = QHBoxLayout()
        mic_row.addWidget(self.mic_check_button)
        mic_row.addWidget(self.mic_meter, 1)
        devices_row = QHBoxLayout()
        devices_row.addWidget(self.input_combo, 1)
        devices_row.addWidget(self.refresh_devices_button)
        voice = QGroupBox("Voice")
        voice_form = QFormLayout(voice)
        voice_form.addRow(self.speak_check)
        voice_form.addRow(self.listen_check)
        voice_form.addRow("Microphone", devices_row)
        voice_form.addRow("Speaker", self.output_combo)
        voice_form.addRow("End of answer after silence of", self.hangover_spin)
        voice_form.addRow("Offer to repeat after no speech for", self.no_speech_spin)
        voice_form.addRow("Maximum answer length", self.max_answer_spin)
        voice_form.addRow(self.keep_audio_check)
        voice_form.addRow(mic_row)
        voice_form.addRow(self.mic_label)

        self.save_button = QPushButton("Save settings")
        self.info_label = QLabel(f"History is stored in: {data_dir_in_use}")
        self.info_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(general)
        layout.addWidget(voice)
        layout.addWidget(self.info_label)
        layout.addWidget(self.save_button)
        layout.addStretch()

        self._check_timer = QTimer(self, singleShot=True, interval=MIC_CHECK_MS)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.refresh_devices_button.clicked.connect(self.devices_requested)
        self.mic_check_button.clicked.connect(self._on_mic_check_clicked)

    # ----------------------------------------------------------------- actions
    @Slot()
    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Data folder", self.data_dir_edit.text())
        if folder:
            self.data_dir_edit.setText(folder)

    def current_settings(self) -> Settings:
        def device(combo: QComboBox) -> str:
            return "" if combo.currentText() == DEFAULT_DEVICE else combo.currentText()

        return replace(
            self._settings,
            data_dir=self.data_dir_edit.text().strip(),
            question_count=self.count_spin.value(),
            retention_days=self.retention_spin.value(),
            speak_questions=self.speak_check.isChecked(),
            voice_answers=self.listen_check.isChecked(),
            keep_audio=self.keep_audio_check.isChecked(),
            input_device=device(self.input_combo),
            output_device=device(self.output_combo),
            hangover_s=self.hangover_spin.value(),
            no_speech_timeout_s=self.no_speech_spin.value(),
            max_answer_s=self.max_answer_spin.value(),
        )

    @Slot()
    def _on_save_clicked(self) -> None:
        new = self.current_settings()
        changed_folder = new.data_dir != self._settings.data_dir
        self._settings = new
        self.settings_saved.emit(new)
        self.info_label.setText(
            "Saved. The new data folder is used after a restart." if changed_folder else "Saved."
        )

    @Slot()
    def _on_mic_check_clicked(self) -> None:
        self._check_peak = 0.0
        self.mic_label.setText("Say something…")
        self.mic_check_button.setEnabled(False)
        self.mic_check_requested.emit(self.current_settings().input_device)
        self._check_timer.start()

    @Slot()
    def _on_check_timer_timeout(self) -> None:
        self.mic_check_stopped.emit()
        self.mic_check_button.setEnabled(True)
        self.mic_meter.setValue(0)
        if self._check_peak < SILENT_LEVEL:
            self.mic_label.setText(
                "⚠ No sound from this microphone. Check that it is plugged in, not muted, and chosen "
                "as the input device."
            )
        else:
            self.mic_label.setText(f"The microphone works (peak level {self._check_peak:.0%}).")

    # ----------------------------------------------------------------- results
    @Slot(float)
    def show_mic_level(self, level: float) -> None:
        if self._check_timer.isActive():
            self._check_peak = max(self._check_peak, level)
            self.mic_meter.setValue(round(level * 100))

    @Slot(object)
    def show_devices(self, listing: tuple[list[str], list[str], str]) -> None:
        inputs, outputs, problem = listing
        for combo, names in ((self.input_combo, inputs), (self.output_combo, outputs)):
            chosen = combo.currentText()
            combo.clear()
            combo.addItem(DEFAULT_DEVICE)
            combo.addItems(names)
            if chosen != DEFAULT_DEVICE and chosen not in names:
                combo.addItem(chosen)  # remembered but not connected now
            combo.setCurrentText(chosen)
        if problem:
            self.mic_label.setText(f"⚠ {problem}")
