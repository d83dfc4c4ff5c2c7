"""Bugs are contained: an exception nobody caught (in a Qt slot, on any thread) and Qt's own warnings
are logged with their traceback, to the log file too, and reported once to the window.

``install`` sets ``sys.excepthook``, ``threading.excepthook`` and Qt's message handler. PySide hands an
exception raised in a slot to ``sys.excepthook`` and carries on, so a bug in a worker's callback
lands here on the thread that ran the slot; the application then asks the engine to recover
(docs/architecture.md, "When a bug happens").
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QObject, QThread, QtMsgType, Signal, qInstallMessageHandler

log = logging.getLogger("interview_desktop.bug")
qt_log = logging.getLogger("interview_desktop.qt")


@dataclass(frozen=True)
class Bug:
    """What the window says about an unexpected error."""

    summary: str  # "TypeError: 'NoneType' object is not subscriptable"
    thread: str  # the Qt thread's name ("engine", "history", "" for the GUI thread) or Python's
    log_file: Path | None


class BugReporter(QObject):
    """Turns uncaught exceptions into ``caught(Bug)`` on the thread this object lives on.

    Signals: ``caught(Bug)``.
    """

    caught = Signal(object)

    def __init__(self, log_file: Path | None, parent: QObject | None = None):
        super().__init__(parent)
        self.log_file = log_file
        self.count = 0
        self._previous = (sys.excepthook, threading.excepthook)

    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook
        qInstallMessageHandler(_qt_message)

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous
        qInstallMessageHandler(None)

    def report(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None,
               thread: str | None = None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            return self._previous[0](kind, error, tb)
        where = thread if thread is not None else _thread_name()
        self.count += 1
        log.critical("unexpected error on thread %r (the interview goes on; please report this):\n%s",
                     where or "gui", "".join(traceback.format_exception(kind, error, tb)).rstrip())
        summary = "".join(traceback.format_exception_only(kind, error)).strip()
        self.caught.emit(Bug(summary[:300], where, self.log_file))
        if self._previous[0] is not sys.__excepthook__:  # a hook of the host's (pytest-qt's) sees it too
            self._previous[0](kind, error, tb)

    def _excepthook(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        self.report(kind, error, tb)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else ""
        self.report(args.exc_type, args.exc_value, args.exc_traceback, name)


def _thread_name() -> str:
    thread = QThread.currentThread()
    return thread.objectName() if thread is not None else threading.current_thread().name


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)
