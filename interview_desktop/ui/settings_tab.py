"""The Settings tab: data folder, interview defaults, voice and microphone, speech models (and the
download of a larger one), cloud keys and the team's MongoDB with their Test buttons, privacy."""

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
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.config.settings import Settings
from interview_desktop.providers.stt.models import ALL_MODELS, DOWNLOADABLE, installed

DEFAULT_DEVICE = "System default"
SILENT_LEVEL = 0.08  # meter fraction (≈ -55 dBFS) below which a mic check counts as silent
MIC_CHECK_MS = 4000


#: (service, label, placeholder)
_SECRETS = (
    ("groq", "Groq API key", "paste a key to add or replace it"),
    ("elevenlabs", "ElevenLabs API key", "paste a key to add or replace it"),
    ("mongodb", "MongoDB URI (team history)", "mongodb+srv://user:password@cluster/ — used after a restart"),
)


class SettingsTab(QWidget):
    """Signals:
        settings_saved(Settings)
        devices_requested()
        mic_check_requested(str)   start a mic check on this device name ("" = default)
        mic_check_stopped()
        keys_entered(dict)          service → key typed into the key boxes (empty: unchanged)
        key_removed(str)            "Forget key" for a service
        connection_test_requested(str, str, str)   service, key typed (or ""), base URL
        model_check_requested(str)  "Measure" a speech model (its id)
        voice_try_requested(str, float, float, str)   "Try" the offline voice: voice id, speed, volume,
                                    speaker ("" = default)
        download_requested(str)     "Download" a larger speech model (its id)
        download_cancelled()
        partial_download_removed(str)   "Remove the partial download" of a model
        delete_all_requested()      "Delete all my data", confirmed
    """

    settings_saved = Signal(object)
    devices_requested = Signal()
    mic_check_requested = Signal(str)
    mic_check_stopped = Signal()
    keys_entered = Signal(dict)
    key_removed = Signal(str)
    connection_test_requested = Signal(str, str, str)
    model_check_requested = Signal(str)
    voice_try_requested = Signal(str, float, float, str)
    download_requested = Signal(str)
    download_cancelled = Signal()
    partial_download_removed = Signal(str)
    delete_all_requested = Signal()

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
        self.theme_combo = QComboBox()
        for theme, label in (("system", "As the system"), ("light", "Light"), ("dark", "Dark")):
            self.theme_combo.addItem(label, theme)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(settings.theme)))
        self.theme_combo.setAccessibleName("Theme")
        general_form.addRow("Theme", self.theme_combo)

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
        self.speech_model_combo = QComboBox()
        for model in ALL_MODELS.values():
            if installed(model.id):
                self.speech_model_combo.addItem(model.label, model.id)
        chosen_model = self.speech_model_combo.findData(settings.speech_model)
        self.speech_model_combo.setCurrentIndex(max(0, chosen_model))
        self.speech_model_combo.setToolTip("The offline speech recognition model (no cloud key needed)")
        self.measure_model_button = QPushButton("Measure")
        self.measure_model_button.setToolTip("How fast and how accurate this model is on this computer")
        self.model_label = QLabel("")
        self.model_label.setWordWrap(True)
        self._model_checks: dict[str, str] = {}
        self.measure_model_button.clicked.connect(self._on_measure_model)
        self.speech_model_combo.currentIndexChanged.connect(self._show_model_check)
        self._build_download_row()
        self.offline_voice_combo = QComboBox()
        self.offline_voice_combo.addItem("Natural (Piper, built in)", "piper")
        self.offline_voice_combo.addItem("System voice (espeak-ng)", "system")
        chosen = self.offline_voice_combo.findData(settings.offline_voice)
        self.offline_voice_combo.setCurrentIndex(max(0, chosen))
        self.offline_voice_combo.setToolTip("The voice that reads the questions without a cloud voice")
        self.try_voice_button = QPushButton("Try")
        self.try_voice_button.setToolTip("Speaks a sample question on the chosen speaker; measures the voice")
        self.try_voice_button.setAccessibleName("Try the offline voice")
        self.voice_label = QLabel("")
        self.voice_label.setWordWrap(True)
        self.try_voice_button.clicked.connect(self._on_try_voice_clicked)
        self.voice_speed_spin = QDoubleSpinBox(minimum=0.5, maximum=2.0, singleStep=0.1, suffix=" ×",
                                               value=settings.voice_speed)
        self.voice_volume_spin = QDoubleSpinBox(minimum=0.1, maximum=2.0, singleStep=0.1, suffix=" ×",
                                                value=settings.voice_volume)
        for spin in (self.voice_speed_spin, self.voice_volume_spin):
            spin.setEnabled(settings.offline_voice != "system")
        self.offline_voice_combo.currentIndexChanged.connect(self._offline_voice_changed)
        self.smart_turn_check = QCheckBox("Smart end of answer (transcribe while I speak)")
        self.smart_turn_check.setChecked(settings.turn_taking != "fixed")
        self.smart_turn_check.setToolTip(
            "On: the app listens to your words and waits through thinking pauses (\"…and\", \"um\"), "
            "but answers quickly after a finished sentence. Off: a fixed silence ends the answer.")
        self.unfinished_spin = QDoubleSpinBox(minimum=1.0, maximum=15.0, singleStep=0.5, suffix=" s",
                                              value=settings.unfinished_pause_s)
        self.unfinished_spin.setToolTip("The longest thinking pause waited for after unfinished words")
        self.hangover_spin = QDoubleSpinBox(minimum=0.5, maximum=5.0, singleStep=0.25, suffix=" s",
                                            value=settings.hangover_s)
        self.hangover_spin.setToolTip("Silence that ends an answer; longer tolerates thinking pauses")
        self.smart_turn_check.toggled.connect(self.unfinished_spin.setEnabled)
        self.smart_turn_check.toggled.connect(lambda on: self.hangover_spin.setEnabled(not on))
        self.unfinished_spin.setEnabled(self.smart_turn_check.isChecked())
        self.hangover_spin.setEnabled(not self.smart_turn_check.isChecked())
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
        model_row = QHBoxLayout()
        model_row.addWidget(self.speech_model_combo, 1)
        model_row.addWidget(self.measure_model_button)
        voice_form.addRow("Speech model", model_row)
        voice_form.addRow(self.model_label)
        voice_form.addRow("Larger model", self.download_row)
        voice_form.addRow(self.download_bar)
        voice_form.addRow(self.download_label)
        voice_row = QHBoxLayout()
        voice_row.addWidget(self.offline_voice_combo, 1)
        voice_row.addWidget(self.try_voice_button)
        voice_form.addRow("Offline voice", voice_row)
        voice_form.addRow(self.voice_label)
        voice_form.addRow("Voice speed", self.voice_speed_spin)
        voice_form.addRow("Voice volume", self.voice_volume_spin)
        voice_form.addRow(self.smart_turn_check)
        voice_form.addRow("Wait through a thinking pause of up to", self.unfinished_spin)
        voice_form.addRow("Fixed: end of answer after silence of", self.hangover_spin)
        voice_form.addRow("Offer to repeat after no speech for", self.no_speech_spin)
        voice_form.addRow("Maximum answer length", self.max_answer_spin)
        voice_form.addRow(self.keep_audio_check)
        voice_form.addRow(mic_row)
        voice_form.addRow(self.mic_label)

        # --- cloud
        self.offline_check = QCheckBox("Offline only — nothing leaves this computer")
        self.offline_check.setChecked(settings.offline_only)
        cloud = QGroupBox("Cloud services (optional)")
        cloud_form = QFormLayout(cloud)
        cloud_form.addRow(self.offline_check)
        self.key_edits: dict[str, QLineEdit] = {}
        self.key_labels: dict[str, QLabel] = {}
        self.test_labels: dict[str, QLabel] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        for service, title, placeholder in _SECRETS:
            edit = QLineEdit()
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(title)
            test = QPushButton("Test connection")
            test.setAccessibleName(f"Test connection: {title}")
            forget = QPushButton("Forget key")
            forget.setAccessibleName(f"Forget: {title}")
            test.clicked.connect(lambda _=False, s=service: self._on_test_clicked(s))
            forget.clicked.connect(lambda _=False, s=service: self.key_removed.emit(s))
            edit.setMinimumWidth(edit.fontMetrics().averageCharWidth() * 24)
            key_row = QHBoxLayout()  # the field gets its own row: beside two buttons it was 3 letters wide
            key_row.addWidget(test)
            key_row.addWidget(forget)
            key_row.addStretch()
            self.key_edits[service] = edit
            self.test_buttons[service] = test
            self.key_labels[service] = QLabel("")
            self.test_labels[service] = QLabel("")
            self.test_labels[service].setWordWrap(True)
            cloud_form.addRow(title, edit)
            cloud_form.addRow("", key_row)
            cloud_form.addRow("", self.key_labels[service])
            cloud_form.addRow("", self.test_labels[service])
        self.llm_model_edit = QLineEdit(settings.groq_llm_model)
        self.stt_model_edit = QLineEdit(settings.groq_stt_model)
        self.voice_id_edit = QLineEdit(settings.elevenlabs_voice_id)
        self.tts_model_edit = QLineEdit(settings.elevenlabs_model_id)
        self.follow_ups_spin = QSpinBox(minimum=0, maximum=2, value=settings.follow_ups)
        self.follow_ups_spin.setToolTip("Follow-up questions per question when an answer is thin (LLM only)")
        cloud_form.addRow("Groq interviewer model", self.llm_model_edit)
        cloud_form.addRow("Groq speech model", self.stt_model_edit)
        cloud_form.addRow("ElevenLabs voice id", self.voice_id_edit)
        cloud_form.addRow("ElevenLabs model", self.tts_model_edit)
        cloud_form.addRow("Follow-up questions", self.follow_ups_spin)
        advanced = QGroupBox("Advanced: endpoints and time limits")
        advanced_form = QFormLayout(advanced)
        self.groq_url_edit = QLineEdit(settings.groq_base_url, placeholderText="default (or GROQ_BASE_URL)")
        self.eleven_url_edit = QLineEdit(settings.elevenlabs_base_url,
                                         placeholderText="default (or ELEVENLABS_BASE_URL)")
        def seconds(value: float, maximum: float) -> QDoubleSpinBox:
            return QDoubleSpinBox(minimum=1, maximum=maximum, suffix=" s", value=value)

        self.stt_timeout_spin = seconds(settings.stt_timeout_s, 60)
        self.tts_timeout_spin = seconds(settings.tts_timeout_s, 60)
        self.llm_timeout_spin = seconds(settings.llm_timeout_s, 120)
        self.base_url_edits = {"groq": self.groq_url_edit, "elevenlabs": self.eleven_url_edit}
        advanced_form.addRow("Groq base URL", self.groq_url_edit)
        advanced_form.addRow("ElevenLabs base URL", self.eleven_url_edit)
        advanced_form.addRow("Speech recognition time limit", self.stt_timeout_spin)
        advanced_form.addRow("Voice time limit (first audio)", self.tts_timeout_spin)
        advanced_form.addRow("Interviewer time limit", self.llm_timeout_spin)

        self.save_button = QPushButton("Save settings")
        self.delete_all_button = QPushButton("Delete all my data…")
        self.delete_all_button.setToolTip("Sessions, recordings, settings, logs and keys on this computer")
        self.info_label = QLabel(f"History is stored in: {data_dir_in_use}")
        self.info_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(general)
        left.addWidget(voice)
        right.addWidget(cloud)
        right.addWidget(advanced)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns)
        layout.addWidget(self.info_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_button)
        bottom.addStretch()
        bottom.addWidget(self.delete_all_button)
        layout.addLayout(bottom)
        layout.addStretch()

        self._check_timer = QTimer(self, singleShot=True, interval=MIC_CHECK_MS)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.delete_all_button.clicked.connect(self._on_delete_all_clicked)
        self.refresh_devices_button.clicked.connect(self.devices_requested)
        self.mic_check_button.clicked.connect(self._on_mic_check_clicked)

    # ----------------------------------------------------------------- actions
    @Slot()
    def _on_delete_all_clicked(self) -> None:
        answer = QMessageBox.question(
            self, "Delete all my data",
            "Delete every interview, recording, setting, log and stored key on this computer?\n\n"
            "This cannot be undone. Interview Desktop closes afterwards. Sessions already shared with "
            "a team's MongoDB history stay there: ask your team to delete them.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_all_requested.emit()

    @Slot()
    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Data folder", self.data_dir_edit.text())
        if folder:
            self.data_dir_edit.setText(folder)

    @Slot()
    def _on_measure_model(self) -> None:
        model_id = self.speech_model_combo.currentData()
        self.measure_model_button.setEnabled(False)
        self.model_label.setText("Measuring… (a few seconds)")
        self.model_check_requested.emit(model_id)

    def show_model_check(self, result: tuple[str, str]) -> None:
        model_id, text = result
        self._model_checks[model_id] = text
        self.measure_model_button.setEnabled(True)
        self._show_model_check()

    def _build_download_row(self) -> None:
        self.download_combo = QComboBox()
        self.download_combo.setAccessibleName("Larger speech model to download")
        for model in DOWNLOADABLE.values():
            if not installed(model.id):
                self.download_combo.addItem(f"{model.label} — {model.size}", model.id)
        self.download_button = QPushButton("Download")
        self.download_button.setToolTip("Downloads the model from Hugging Face, only now that you ask: "
                                        "checked, resumable, removable")
        self.cancel_download_button = QPushButton("Cancel")
        self.remove_partial_button = QPushButton("Remove partial download")
        self.download_bar = QProgressBar(minimum=0, maximum=1000, visible=False)
        self.download_bar.setAccessibleName("Download progress")
        self.download_label = QLabel("")
        self.download_label.setWordWrap(True)
        self.cancel_download_button.setVisible(False)
        self.remove_partial_button.setVisible(False)
        self.download_row = QWidget()
        row = QHBoxLayout(self.download_row)
        row.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.download_combo, 1), (self.download_button, 0),
                                (self.cancel_download_button, 0), (self.remove_partial_button, 0)):
            row.addWidget(widget, stretch)
        self.download_row.setVisible(self.download_combo.count() > 0)
        self.download_button.clicked.connect(self._on_download_clicked)
        self.cancel_download_button.clicked.connect(self.download_cancelled)
        self.remove_partial_button.clicked.connect(self._on_remove_partial_clicked)
        self._partial: str | None = None  # the model a cancelled or failed download left behind

    @Slot()
    def _on_download_clicked(self) -> None:
        model_id = self.download_combo.currentData()
        if not model_id:
            return
        self.download_button.setEnabled(False)
        self.download_combo.setEnabled(False)
        self.cancel_download_button.setVisible(True)
        self.remove_partial_button.setVisible(False)
        self.download_bar.setValue(0)
        self.download_bar.setVisible(True)
        self.download_label.setText("Checking the files and the free disk space…")
        self.download_requested.emit(model_id)

    @Slot()
    def _on_remove_partial_clicked(self) -> None:
        if self._partial:
            self.partial_download_removed.emit(self._partial)
        self._partial = None
        self.remove_partial_button.setVisible(False)
        self.download_label.setText("The partial download was removed.")

    @Slot(object)
    def show_download_progress(self, update) -> None:
        _model_id, progress = update
        self.download_bar.setValue(round(1000 * progress.done / max(1, progress.total)))
        self.download_label.setText(f"Downloading: {progress.describe()}")

    @Slot(object)
    def show_download_finished(self, outcome) -> None:
        model_id, ok, message = outcome
        self.download_bar.setVisible(False)
        self.cancel_download_button.setVisible(False)
        self.download_button.setEnabled(True)
        self.download_combo.setEnabled(True)
        self._partial = None if ok else model_id
        self.remove_partial_button.setVisible(not ok)
        if not ok:
            return self.download_label.setText(f"⚠ {message}")
        self.download_combo.removeItem(self.download_combo.findData(model_id))
        self.download_row.setVisible(self.download_combo.count() > 0)
        if self.speech_model_combo.findData(model_id) < 0:
            self.speech_model_combo.addItem(ALL_MODELS[model_id].label, model_id)
        self.speech_model_combo.setCurrentIndex(self.speech_model_combo.findData(model_id))
        self.download_label.setText(f"✓ {message} It is chosen above: Save settings to use it "
                                    "(Measure shows its speed on this computer).")

    @Slot()
    def _show_model_check(self) -> None:
        self.model_label.setText(self._model_checks.get(self.speech_model_combo.currentData(), ""))

    @Slot()
    def _on_try_voice_clicked(self) -> None:
        chosen = self.current_settings()
        self.try_voice_button.setEnabled(False)
        self.voice_label.setText("Speaking a sample question…")
        self.voice_try_requested.emit(chosen.offline_voice, chosen.voice_speed, chosen.voice_volume,
                                      chosen.output_device)

    def show_voice_tried(self, result: tuple[str, str]) -> None:
        _voice_id, text = result
        self.try_voice_button.setEnabled(True)
        self.voice_label.setText(text)

    @Slot()
    def _offline_voice_changed(self) -> None:
        neural = self.offline_voice_combo.currentData() != "system"
        self.voice_speed_spin.setEnabled(neural)
        self.voice_volume_spin.setEnabled(neural)

    def current_settings(self) -> Settings:
        def device(combo: QComboBox) -> str:
            return "" if combo.currentText() == DEFAULT_DEVICE else combo.currentText()

        return replace(
            self._settings,
            data_dir=self.data_dir_edit.text().strip(),
            question_count=self.count_spin.value(),
            retention_days=self.retention_spin.value(),
            theme=self.theme_combo.currentData(),
            speak_questions=self.speak_check.isChecked(),
            voice_answers=self.listen_check.isChecked(),
            keep_audio=self.keep_audio_check.isChecked(),
            input_device=device(self.input_combo),
            output_device=device(self.output_combo),
            speech_model=self.speech_model_combo.currentData() or self._settings.speech_model,
            offline_voice=self.offline_voice_combo.currentData(),
            voice_speed=round(self.voice_speed_spin.value(), 2),
            voice_volume=round(self.voice_volume_spin.value(), 2),
            hangover_s=self.hangover_spin.value(),
            turn_taking="smart" if self.smart_turn_check.isChecked() else "fixed",
            unfinished_pause_s=self.unfinished_spin.value(),
            no_speech_timeout_s=self.no_speech_spin.value(),
            max_answer_s=self.max_answer_spin.value(),
            offline_only=self.offline_check.isChecked(),
            groq_llm_model=self.llm_model_edit.text().strip() or self._settings.groq_llm_model,
            groq_stt_model=self.stt_model_edit.text().strip() or self._settings.groq_stt_model,
            elevenlabs_voice_id=self.voice_id_edit.text().strip() or self._settings.elevenlabs_voice_id,
            elevenlabs_model_id=self.tts_model_edit.text().strip() or self._settings.elevenlabs_model_id,
            follow_ups=self.follow_ups_spin.value(),
            groq_base_url=self.groq_url_edit.text().strip(),
            elevenlabs_base_url=self.eleven_url_edit.text().strip(),
            stt_timeout_s=self.stt_timeout_spin.value(),
            tts_timeout_s=self.tts_timeout_spin.value(),
            llm_timeout_s=self.llm_timeout_spin.value(),
        )

    @Slot()
    def _on_save_clicked(self) -> None:
        typed = {service: edit.text().strip() for service, edit in self.key_edits.items()}
        if any(typed.values()):
            self.keys_entered.emit({s: k for s, k in typed.items() if k})
        for edit in self.key_edits.values():
            edit.clear()  # the key now lives in the keyring, not in the window
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

    def _on_test_clicked(self, service: str) -> None:
        url = self.base_url_edits[service].text().strip() if service in self.base_url_edits else ""
        self.test_labels[service].setText("Testing…")
        self.connection_test_requested.emit(service, self.key_edits[service].text().strip(), url)

    # ----------------------------------------------------------------- results
    @Slot(object)
    def show_connection_result(self, result) -> None:
        service, report = result
        mark = "✓" if report.ok else "⚠"
        self.test_labels[service].setText(f"{mark} {report.message}")

    @Slot(str, str)
    def show_key_info(self, service: str, text: str) -> None:
        self.key_labels[service].setText(text)

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
