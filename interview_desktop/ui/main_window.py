"""The main window: three tabs and a status line."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.config.settings import Settings
from interview_desktop.domain import Notice, NoticeLevel
from interview_desktop.ui.history_tab import HistoryTab
from interview_desktop.ui.interview_tab import InterviewTab
from interview_desktop.ui.report_view import ReportView
from interview_desktop.ui.settings_tab import SettingsTab


class MainWindow(QMainWindow):
    """The window; the application shuts the engine down on ``QApplication.aboutToQuit``.

    Signals: ``quit_requested()`` (Quit in the dialog about an unexpected error).
    """

    quit_requested = Signal()

    def __init__(self, roles: Sequence[str], settings: Settings, data_dir: str, version: str):
        super().__init__()
        self.setWindowTitle(f"Interview Desktop {version}")
        self.resize(1000, 720)
        self.interview_tab = InterviewTab(roles)
        self.report_view = ReportView()
        self.history_tab = HistoryTab(roles, data_dir, output_device=settings.output_device)
        self.settings_tab = SettingsTab(settings, data_dir)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.interview_tab, "Interview")
        self.tabs.addTab(self.report_view, "Report")
        self.tabs.addTab(self.history_tab, "History")
        self.tabs.addTab(self.settings_tab, "Settings")
        # a warning that must not scroll away with the status line (settings repaired, a bug caught)
        self.alert = QFrame(objectName="alert", frameShape=QFrame.Shape.StyledPanel)
        self.alert.setStyleSheet("#alert { background: palette(tool-tip-base); }")
        self.alert_label = QLabel(wordWrap=True)
        self.alert_label.setAccessibleName("Warning")
        dismiss = QPushButton("Dismiss")
        dismiss.setAccessibleName("Dismiss the warning")
        dismiss.clicked.connect(self.alert.hide)
        row = QHBoxLayout(self.alert)
        row.addWidget(self.alert_label, 1)
        row.addWidget(dismiss)
        self.alert.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.alert)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage("Ready — works offline; no account needed.")
        self.sync_label = QLabel("")
        self.statusBar().addPermanentWidget(self.sync_label)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.bug_dialog: QMessageBox | None = None  # made on the first unexpected error
        self._bugs = 0  # errors while that dialog is open

    @Slot(object)
    def show_notice(self, notice: Notice) -> None:
        prefix = "⚠ " if notice.level in (NoticeLevel.ERROR, NoticeLevel.WARNING) else ""
        self.statusBar().showMessage(prefix + notice.text)

    @Slot(str)
    def show_alert(self, text: str) -> None:
        """A warning above the tabs that stays until dismissed (several are shown one per line)."""
        current = self.alert_label.text() if self.alert.isVisible() else ""
        self.alert_label.setText(f"{current}\n⚠ {text}" if current else f"⚠ {text}")
        self.alert.show()

    @Slot()
    def bring_to_front(self) -> None:
        """Another copy was started on this data folder: show this window instead."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.statusBar().showMessage("Interview Desktop is already open here: this is its window.")

    def show_bug(self, summary: str, log_file: str) -> None:
        """One dialog about unexpected errors (Continue / Quit); more while it is open are counted."""
        self._bugs += 1
        dialog = self.bug_dialog
        if dialog is None:
            dialog = self.bug_dialog = QMessageBox(self)
            dialog.setIcon(QMessageBox.Icon.Warning)
            dialog.setWindowTitle("Something went wrong")
            dialog.addButton("Continue", QMessageBox.ButtonRole.AcceptRole)
            quit_button = dialog.addButton("Quit", QMessageBox.ButtonRole.DestructiveRole)
            quit_button.clicked.connect(self.quit_requested)
            dialog.finished.connect(self._on_bug_dialog_finished)
        more = f" ({self._bugs} errors so far)" if self._bugs > 1 else ""
        dialog.setText("Interview Desktop ran into an unexpected error" + more + ". Your interview so far is "
                       "saved; you can answer the current question again, skip it, or quit.")
        dialog.setInformativeText(f"{summary}\n\nDetails are in the log: {log_file}")
        dialog.open()  # not modal to the event loop: the interview goes on behind it

    @Slot(int)
    def _on_bug_dialog_finished(self, _result: int) -> None:
        self._bugs = 0

    @Slot(object)
    def show_report(self, session) -> None:
        self.report_view.show_session(session)
        self.tabs.setCurrentWidget(self.report_view)

    @Slot(int)
    def _on_tabs_current_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.history_tab:
            self.history_tab.refresh()
        elif self.tabs.widget(index) is self.settings_tab:
            self.settings_tab.devices_requested.emit()

