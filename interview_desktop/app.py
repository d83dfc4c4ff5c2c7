"""Composition root: build settings, storage, providers, engine, services and window; wire them.

Nothing else lives here (``cli.py`` parses the command line, ``selftest.py`` checks health).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from pymongo import uri_parser
from pymongo.errors import InvalidURI
from PySide6.QtCore import QMetaObject, QObject, QSocketNotifier, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from interview_desktop import __version__
from interview_desktop.audio.backend import load_sounddevice
from interview_desktop.audio.capture import MicCapture
from interview_desktop.audio.errors import NoAudioBackendError
from interview_desktop.cli import EXIT_ALREADY_RUNNING, EXIT_USAGE, build_parser
from interview_desktop.config.keys import SERVICES, KeyInfo, KeyStore
from interview_desktop.config.settings import Settings, SettingsStore, default_log_dir
from interview_desktop.crash_guard import Bug, BugReporter
from interview_desktop.domain import Notice, NoticeLevel, Session, SessionStatus
from interview_desktop.engine.interview_engine import InterviewEngine
from interview_desktop.engine.recovery import Unfinished
from interview_desktop.errors import describe_os_error
from interview_desktop.health import health_checks
from interview_desktop.logging_setup import configure_logging, current_log_file
from interview_desktop.providers.brains.question_bank import QuestionBank, QuestionBankError
from interview_desktop.providers.factory import ProviderFactory
from interview_desktop.providers.tts.piper_voice import PiperTTS
from interview_desktop.providers.tts.pyttsx3_voice import Pyttsx3TTS
from interview_desktop.resources import resource_path
from interview_desktop.selftest import Selftest
from interview_desktop.services.devices import DevicesService
from interview_desktop.services.history import HistoryService
from interview_desktop.services.model_downloads import ModelDownloads
from interview_desktop.services.privacy import delete_all_data
from interview_desktop.services.reevaluation import Reevaluator
from interview_desktop.services.sync import SyncService
from interview_desktop.single_instance import InstanceGuard
from interview_desktop.storage.json_store import JsonHistoryRepository
from interview_desktop.storage.mongo_store import MongoHistoryRepository, mask_uri
from interview_desktop.storage.sync import SyncingRepository
from interview_desktop.tasks import BackgroundTasks
from interview_desktop.ui.main_window import MainWindow
from interview_desktop.ui.theme import apply_theme

log = logging.getLogger("interview_desktop.app")

class InterviewApplication(QObject):
    """Owns the threads, engine, services and window, and wires them together.

    Signals (requests to objects on other threads; connections are queued):
        _voice_changed, _brains_changed, _connection_test_requested, …
    """

    _voice_changed = Signal(object)
    _brains_changed = Signal(object, int)
    _reevaluator_changed = Signal(object)
    _connection_test_requested = Signal(str, str, str)
    _retention_requested = Signal(int)
    _mic_check_requested = Signal(object)
    _voice_try_requested = Signal(str, object, str)
    _recover_requested = Signal()
    _resume_requested = Signal(str)
    all_data_deleted = Signal(str)  # what was done, in words; the app closes

    def __init__(self, args: argparse.Namespace, settings: Settings, settings_store: SettingsStore,
                 bank: QuestionBank):
        super().__init__()
        self.args = args
        self.settings_store = settings_store
        data_dir = args.data_dir or settings.resolved_data_dir()
        self.keys = KeyStore(maskers={"mongodb": mask_uri})
        self._key_work = BackgroundTasks("keyring", workers=1, parent=self)  # a keyring may block
        if not self.keys.persistent:
            log.warning("%s", self.keys.message)
        self.repository = self._history_store(Path(data_dir), settings)
        log.info("history store=%s folder=%s", self.repository.name, data_dir)
        self.providers = ProviderFactory(bank, self.keys)
        self.settings = settings
        setup = self.providers.build(self._effective(settings), args.typed)
        self.engine = InterviewEngine(
            bank, self.repository, voice=setup.voice, brains=setup.brains, follow_ups=setup.follow_ups,
            data_dir=Path(data_dir),
        )
        self.engine_thread = QThread(objectName="engine")
        self.engine.moveToThread(self.engine_thread)
        self.engine_thread.started.connect(self.engine.initialize)
        self.engine_thread.finished.connect(self.engine.deleteLater)
        self.history = HistoryService(
            self.repository, Reevaluator(Path(data_dir), setup.file_stt, setup.brains)
        )
        self._data_dir = Path(data_dir)
        self.history_thread = QThread(objectName="history")
        self.history.moveToThread(self.history_thread)
        self.history_thread.finished.connect(self.history.deleteLater)
        self.sync = SyncService(self.repository)
        self.sync_thread = QThread(objectName="sync")
        self.sync.moveToThread(self.sync_thread)
        self.sync_thread.started.connect(self.sync.start)
        self.sync_thread.finished.connect(self.sync.deleteLater)
        self.devices = DevicesService()
        self.devices_thread = QThread(objectName="devices")
        self.devices.moveToThread(self.devices_thread)
        self.devices_thread.finished.connect(self.devices.deleteLater)
        self.downloads = ModelDownloads(parent=self)  # the download runs on its own worker

        if settings.theme != "system":
            apply_theme(QApplication.instance(), settings.theme)
        self.window = MainWindow([r.title for r in bank.roles], settings, str(data_dir), __version__)
        self.bugs = BugReporter(current_log_file(), parent=self)
        self.bugs.install()
        self._last_saved: Session | None = None
        self.exit_code = 0
        self._wire()
        self._apply_cli(settings, bank)
        if settings_store.message():  # the settings file was repaired on load
            self.window.show_alert(settings_store.message())
        for problem in setup.problems:
            self.window.show_alert(problem)
        self.window.interview_tab.set_voice_answers(setup.voice.stt is not None)
        self._show_key_info()
        # Start-up objects (modules, Qt wrappers, the question bank) live as long as the app: keep
        # them out of the garbage collector's full passes, which otherwise pause every thread,
        # the GUI included, for tens of ms while a worker allocates (measured during a first pull).
        gc.freeze()
        self._threads = (self.engine_thread, self.history_thread, self.sync_thread, self.devices_thread)
        for thread in self._threads:
            thread.start()
        if settings.retention_days > 0:
            self._retention_requested.emit(settings.retention_days)

    def _wire(self) -> None:
        tab, hist, win, eng = self.window.interview_tab, self.window.history_tab, self.window, self.engine
        tab.start_requested.connect(eng.start_interview)
        tab.answer_submitted.connect(eng.submit_answer)
        tab.skip_requested.connect(eng.skip_question)
        tab.end_requested.connect(eng.end_interview)
        tab.done_requested.connect(eng.finish_answer)
        tab.repeat_requested.connect(eng.repeat_question)
        eng.level_changed.connect(tab.show_level)
        eng.speech_started.connect(tab.show_speech_started)
        eng.caption_changed.connect(tab.show_caption)
        eng.turn_changed.connect(tab.show_turn)
        eng.state_changed.connect(tab.show_state)
        eng.question_asked.connect(tab.show_question)
        eng.answer_saved.connect(tab.show_answer)
        eng.answer_evaluated.connect(tab.show_evaluation)
        win.report_view.practise_requested.connect(tab.practise)
        win.report_view.practise_requested.connect(lambda _q: win.tabs.setCurrentWidget(tab))
        eng.notice.connect(win.show_notice)
        eng.session_saved.connect(self._on_engine_session_saved)
        eng.session_finished.connect(self._on_engine_session_finished)

        hist.list_requested.connect(self.history.list_sessions)
        hist.session_requested.connect(self.history.load_session)
        hist.sessions_requested.connect(self.history.load_sessions)
        hist.review_save_requested.connect(self.history.save_review)
        hist.delete_requested.connect(self.history.delete_session)
        hist.export_requested.connect(self.history.export_sessions)
        hist.reevaluate_requested.connect(self.history.reevaluate_session)
        hist.sync_now_requested.connect(self.sync.sync_now)
        hist.sync_button.setVisible(self.repository.remote is not None)
        self.sync.status_changed.connect(self._on_sync_status_changed)
        self.sync.pulled.connect(hist.team_changes_arrived)
        self.history.reevaluation_progress.connect(hist.show_reevaluation_progress)
        self._reevaluator_changed.connect(self.history.set_reevaluator)
        self.history.sessions_listed.connect(hist.show_page)
        self.history.session_loaded.connect(hist.show_session)
        self.history.sessions_loaded.connect(hist.show_sessions)
        self.history.session_saved.connect(hist.show_saved)
        self.history.session_deleted.connect(hist.show_deleted)
        self.history.retention_applied.connect(hist.show_retention_applied)
        self.history.export_progress.connect(hist.show_export_progress)
        self.history.sessions_exported.connect(hist.show_exported)
        self.history.failed.connect(win.show_notice)
        self.history.failed.connect(hist.show_failure)
        settings_tab, dev = win.settings_tab, self.devices
        settings_tab.settings_saved.connect(self._on_settings_saved)
        settings_tab.devices_requested.connect(dev.list_devices)
        settings_tab.mic_check_requested.connect(self._on_mic_check_requested)
        settings_tab.mic_check_stopped.connect(dev.stop_mic_check)
        dev.devices_listed.connect(settings_tab.show_devices)
        dev.level_changed.connect(settings_tab.show_mic_level)
        dev.notice.connect(win.show_notice)
        eng.state_changed.connect(dev.on_engine_state)
        self._voice_changed.connect(eng.set_voice)
        self._brains_changed.connect(eng.set_brains)
        self._connection_test_requested.connect(dev.test_connection)
        dev.connection_tested.connect(settings_tab.show_connection_result)
        settings_tab.keys_entered.connect(self._on_keys_entered)
        settings_tab.key_removed.connect(self._on_key_removed)
        settings_tab.connection_test_requested.connect(self._on_connection_test_requested)
        settings_tab.model_check_requested.connect(dev.check_speech_model)
        settings_tab.delete_all_requested.connect(self._on_delete_all_requested)
        dev.model_checked.connect(settings_tab.show_model_check)
        settings_tab.voice_try_requested.connect(self._on_voice_try_requested)
        self._voice_try_requested.connect(dev.try_voice)
        dev.voice_tried.connect(settings_tab.show_voice_tried)
        settings_tab.download_requested.connect(self.downloads.start)
        settings_tab.download_cancelled.connect(self.downloads.cancel)
        settings_tab.partial_download_removed.connect(self.downloads.discard)
        self.downloads.progress.connect(settings_tab.show_download_progress)
        self.downloads.finished.connect(settings_tab.show_download_finished)
        self._retention_requested.connect(self.history.apply_retention)
        self._mic_check_requested.connect(dev.start_mic_check)
        self.bugs.caught.connect(self._on_bug_caught)
        self._recover_requested.connect(eng.recover)
        eng.unfinished_found.connect(self._on_engine_unfinished_found)
        self._resume_requested.connect(eng.resume_interview)
        tab.resume_requested.connect(eng.resume_interview)
        tab.keep_incomplete_requested.connect(eng.keep_incomplete)
        win.quit_requested.connect(QApplication.quit)

    def _apply_cli(self, settings: Settings, bank: QuestionBank) -> None:
        tab = self.window.interview_tab
        tab.candidate_edit.setText(self.args.candidate or settings.candidate)
        role = self.args.role or settings.role
        try:
            tab.role_combo.setCurrentText(bank.role(role).title)
        except QuestionBankError:
            log.warning("remembered role %r is not in the question bank", role)
        tab.count_spin.setValue(self.args.questions or settings.question_count)

    # ----------------------------------------------------------------- lifecycle
    def show(self) -> None:
        self.window.show()
        if self.args.selftest:
            self._selftest = Selftest(self.engine, self.history, self._on_selftest_done,
                                      health_checks(self.providers.local_stt.model_id))
            QTimer.singleShot(0, self._selftest.run)
        elif self.args.auto_start and not self.args.resume:  # --resume starts once it is found
            QTimer.singleShot(0, self.window.interview_tab.start_button.click)

    def shutdown(self) -> None:
        """Save an interview in progress, then stop the threads (never terminate them)."""
        started = time.monotonic()
        self.bugs.uninstall()
        self.window.history_tab.detail.player.close()
        self._key_work.shutdown()
        self.downloads.shutdown()  # stops at the next chunk; what was fetched is kept to resume
        self.sync.interrupt()  # a long first pull of the team's history ends at the next session
        for service, slot, thread in ((self.engine, "shutdown", self.engine_thread),
                                      (self.history, "shutdown", self.history_thread),
                                      (self.sync, "stop", self.sync_thread),
                                      (self.devices, "shutdown", self.devices_thread)):
            if thread.isRunning():
                QMetaObject.invokeMethod(service, slot, Qt.ConnectionType.BlockingQueuedConnection)
        for thread in self._threads:
            thread.quit()
            if not thread.wait(10_000):
                log.error("thread %s did not stop within 10 s", thread.objectName())
        self.providers.close()
        self.repository.close()
        log.info("shut down in %.2f s", time.monotonic() - started)

    # ----------------------------------------------------------------- engine results
    @Slot(object)
    def _on_bug_caught(self, bug: Bug) -> None:
        """A bug was logged: the engine recovers when it happened there; the window says so once."""
        if bug.thread == self.engine_thread.objectName():
            self._recover_requested.emit()
        self.window.show_bug(bug.summary, str(bug.log_file or "the terminal (no log file)"))

    @Slot(object)
    def _on_engine_unfinished_found(self, found: Unfinished | None) -> None:
        """At start: offer to resume an interview that stopped before its end (--resume: resume it)."""
        if not self.args.resume or self.args.selftest:
            return self.window.interview_tab.show_unfinished(found)
        if found is not None:
            return self._resume_requested.emit(found.session.id)
        log.error("--resume: there is no unfinished interview to resume")
        self.window.show_notice(Notice("There is no unfinished interview to resume.", NoticeLevel.WARNING))
        if self.args.quit_when_done:
            self.exit_code = 1
            QApplication.quit()

    @Slot(object)
    def _on_engine_session_saved(self, session: Session) -> None:
        self._last_saved = session

    @Slot(object)
    def _on_engine_session_finished(self, session: Session) -> None:
        self.window.history_tab.refresh()
        if session.answers:
            self.window.show_report(session)
        if self.args.quit_when_done:
            saved = self._last_saved
            ok = (
                saved is not None
                and saved.id == session.id
                and saved.status is not SessionStatus.IN_PROGRESS
            )
            if not ok:
                log.error("quitting: the finished session %s could not be saved", session.id)
            self.exit_code = 0 if ok else 1
            QApplication.quit()

    @Slot(object)
    def _on_settings_saved(self, settings: Settings) -> None:
        self.settings = settings
        apply_theme(QApplication.instance(), settings.theme)
        self._rebuild_providers()
        self.window.history_tab.detail.player.output_device = settings.output_device
        if settings.retention_days > 0:
            self._retention_requested.emit(settings.retention_days)
        try:
            self.settings_store.save(settings)
        except OSError as err:
            self.window.statusBar().showMessage(f"⚠ Could not save settings: {describe_os_error(err)}")

    def _history_store(self, data_dir: Path, settings: Settings) -> SyncingRepository:
        """The local JSON store, written first, plus the team's MongoDB when a URI is configured."""
        local = JsonHistoryRepository(data_dir)
        uri = self.keys.get("mongodb")
        remote = None
        if uri and (settings.offline_only or self.args.offline):
            log.info("offline only: the shared MongoDB history is not used")
        elif uri:
            try:
                database = uri_parser.parse_uri(uri).get("database") or "interview_desktop"
            except (InvalidURI, ValueError) as err:
                log.error("the MongoDB URI %s is not valid (%s): history stays local", mask_uri(uri), err)
            else:
                remote = MongoHistoryRepository(uri, database=database, data_dir=data_dir)
                log.info("shared history: %s database=%s", mask_uri(uri), database)
        repository = SyncingRepository(local, remote, data_dir / "outbox")
        shared_marker = data_dir / ".shared-history-queued"
        if remote is not None and not shared_marker.exists():
            # first start with a shared history: this desktop's earlier sessions join it too
            queued = repository.queue_local_history()
            shared_marker.touch()
            log.info("queued %d earlier sessions for the shared history", queued)
        return repository

    @Slot(object)
    def _on_sync_status_changed(self, status) -> None:
        self.window.history_tab.show_store_status(status.message)
        self.window.sync_label.setText(status.message)

    def _effective(self, settings: Settings) -> Settings:
        return replace(settings, offline_only=True) if self.args.offline else settings

    def _rebuild_providers(self) -> None:
        setup = self.providers.build(self._effective(self.settings), self.args.typed)
        self._voice_changed.emit(setup.voice)
        self._brains_changed.emit(setup.brains, setup.follow_ups)
        self._reevaluator_changed.emit(Reevaluator(self._data_dir, setup.file_stt, setup.brains))
        self.window.statusBar().showMessage(setup.describe())
        for problem in setup.problems:
            self.window.show_alert(problem)
        self.window.interview_tab.set_voice_answers(setup.voice.stt is not None)

    def _show_key_info(self, change: Callable[[], None] | None = None) -> None:
        """Apply ``change`` to the keys (if any) and read what Settings shows, on the keyring worker;
        the window and the providers are updated when it is done."""
        keys = self.keys

        def job() -> dict[str, KeyInfo]:
            if change is not None:
                change()
            return {service: keys.info(service) for service in SERVICES}

        def done(infos: dict[str, KeyInfo]) -> None:
            if change is not None and not keys.persistent:
                self.window.statusBar().showMessage(f"⚠ {keys.message}")
            for service, info in infos.items():
                where = _KEY_SOURCES.get(info.source, "")
                text = f"{info.masked} {where}" if info.present else _KEY_UNSET.get(service, _CLOUD_KEY_UNSET)
                self.window.settings_tab.show_key_info(service, text)
            if change is not None:
                self._rebuild_providers()

        self._key_work.submit(job, done)

    @Slot(dict)
    def _on_keys_entered(self, entered: dict) -> None:
        def store() -> None:
            for service, key in entered.items():
                self.keys.set(service, key)

        self._show_key_info(store)

    @Slot(str)
    def _on_key_removed(self, service: str) -> None:
        self._show_key_info(lambda: self.keys.delete(service))

    @Slot(str, str, str)
    def _on_connection_test_requested(self, service: str, typed_key: str, base_url: str) -> None:
        keys = self.keys
        self._key_work.submit(
            lambda: typed_key or keys.get(service) or "",
            lambda key: self._connection_test_requested.emit(service, key, base_url),
        )

    @Slot(str, float, float, str)
    def _on_voice_try_requested(self, voice_id: str, speed: float, volume: float, device: str) -> None:
        """A voice of its own for the sample (the engine's keeps the saved settings)."""
        tts = Pyttsx3TTS() if voice_id == "system" else PiperTTS(speed=speed, volume=volume)
        self._voice_try_requested.emit(voice_id, tts, device)

    @Slot(str)
    def _on_mic_check_requested(self, device: str) -> None:
        self._mic_check_requested.emit(lambda: MicCapture(device or None))

    @Slot()
    def _on_delete_all_requested(self) -> None:
        """Delete everything this computer keeps about the user, then close (the stores hold files)."""
        if self.engine.running:
            return self.window.show_alert("End the interview first, then delete your data.")
        self.sync.interrupt()
        self.window.settings_tab.delete_all_button.setEnabled(False)
        files = [self.settings_store.path, self.settings_store.bad_copy]
        log_file = current_log_file()
        if log_file is not None:
            files += sorted(log_file.parent.glob(log_file.name + "*"))
        data_dir, keys = self._data_dir, self.keys

        def done(deleted) -> None:
            self.all_data_deleted.emit(deleted.message)
            QMessageBox.information(self.window, "Delete all my data", deleted.message +
                                    "\n\nInterview Desktop will now close.")
            QApplication.quit()

        self._key_work.submit(lambda: delete_all_data(data_dir, keys, files), done)

    def _on_selftest_done(self, ok: bool, _why: str) -> None:
        self.exit_code = 0 if ok else 1
        QApplication.quit()


_KEY_SOURCES = {"env": "from the environment", "keyring": "in the system keyring",
                "memory": "for this run only (no system keyring)"}
#: what a missing key means, per service
_CLOUD_KEY_UNSET = "Not set: the offline provider is used"
_KEY_UNSET = {"mongodb": "Not set: history stays on this computer"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["evaluate"]:
        from interview_desktop import cli_evaluate

        configure_logging(None, logging.WARNING)
        return cli_evaluate.main(argv[1:])
    args = build_parser().parse_args(argv)
    configure_logging(default_log_dir(), getattr(logging, args.log_level))
    try:
        # PortAudio's start-up points file descriptor 2 at /dev/null for a moment (sounddevice does
        # this to hide ALSA noise); done here, before any other thread runs, no log line is lost.
        load_sounddevice()
    except NoAudioBackendError as err:
        log.warning("no audio: %s", err)
    store = SettingsStore()
    settings = store.load()
    try:
        bank = QuestionBank.load()
        if args.role:
            bank.role(args.role)
    except QuestionBankError as err:
        print(f"interview-desktop: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    if args.data_dir is not None:
        settings = replace(settings, data_dir=str(args.data_dir))
    log.info("Interview Desktop %s starting (pid %d)", __version__, os.getpid())
    qt_app = QApplication.instance() or QApplication([sys.argv[0]])
    qt_app.setApplicationName("Interview Desktop")
    qt_app.setDesktopFileName("interview-desktop")  # the .desktop file's name: the dock finds the icon
    qt_app.setWindowIcon(app_icon())
    guard = InstanceGuard(Path(args.data_dir or settings.resolved_data_dir()))
    try:
        alone = guard.acquire()
    except OSError as err:  # the store will say what is wrong with the folder
        log.warning("cannot lock the data folder %s: %s", guard.data_dir, describe_os_error(err))
        alone = True
    if not alone:
        return _already_running(guard, qt_app)
    app = InterviewApplication(args, settings, store, bank)
    guard.raise_requested.connect(app.window.bring_to_front)
    qt_app.aboutToQuit.connect(app.shutdown)
    _close_on_signals(qt_app)  # a logout or `kill` closes the window properly: nothing is lost
    app.show()
    code = qt_app.exec()
    guard.release()
    return app.exit_code or code


def app_icon() -> QIcon:
    icon = QIcon()
    for path in sorted(resource_path("icons").glob("interview-desktop-*.png")):
        icon.addFile(str(path))
    return icon


def _close_on_signals(qt_app: QApplication) -> None:
    """SIGTERM and SIGINT quit the app as closing the window does. Python runs a signal handler only
    between bytecodes, so the signal also writes to a socket that wakes Qt's event loop."""
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: None)  # the wake-up byte does the work
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, qt_app)

    def woken() -> None:
        received = reader.recv(64)
        log.info("signal %s received: closing", ", ".join(signal.Signals(b).name for b in received))
        QApplication.quit()

    notifier.activated.connect(woken)
    qt_app._signal_wakeup = (reader, writer, notifier)  # type: ignore[attr-defined]  # kept alive


def _already_running(guard: InstanceGuard, qt_app: QApplication) -> int:
    """A second copy on the same data folder: never two writers of one history."""
    raised = guard.ask_first_to_raise()
    text = (f"Interview Desktop is already open on the data folder {guard.data_dir} ({guard.holder()}): "
            + ("its window was brought to the front." if raised else "use that window, or close it first."))
    log.error("%s", text)
    print(f"interview-desktop: {text}", file=sys.stderr)
    if qt_app.platformName() not in ("offscreen", "minimal"):
        QMessageBox.information(None, "Interview Desktop", text)
    return EXIT_ALREADY_RUNNING
