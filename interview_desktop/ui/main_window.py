"""The main window: three tabs and a status line."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

from interview_desktop.config.settings import Settings
from interview_desktop.domain import Notice, NoticeLevel
from interview_desktop.ui.history_tab import HistoryTab
from interview_desktop.ui.interview_tab import InterviewTab
from interview_desktop.ui.report_view import ReportView
from interview_desktop.ui.settings_tab import SettingsTab


class MainWindow(QMainWindow):
    """The window; the application shuts the engine down on ``QApplication.aboutToQuit``."""

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
        self.setCentralWidget(self.tabs)
        self.statusBar().showMessage("Ready — works offline; no account needed.")
        self.sync_label = QLabel("")
        self.statusBar().addPermanentWidget(self.sync_label)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

    @Slot(object)
    def show_notice(self, notice: Notice) -> None:
        prefix = "⚠ " if notice.level in (NoticeLevel.ERROR, NoticeLevel.WARNING) else ""
        self.statusBar().showMessage(prefix + notice.text)

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

