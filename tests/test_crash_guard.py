"""Uncaught exceptions on any thread and Qt's own warnings reach the log (with a traceback)."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import qWarning

from interview_desktop.crash_guard import BugReporter


@pytest.mark.qt_no_exception_capture  # pytest-qt's hook would see it too, and fail the test
def test_a_python_thread_that_dies_is_logged_and_reported(qtbot, caplog, tmp_path):
    reporter = BugReporter(tmp_path / "app.log")
    reporter.install()
    try:
        def work():
            raise KeyError("missing")

        with qtbot.waitSignal(reporter.caught, timeout=5000) as caught:
            thread = threading.Thread(target=work, name="sync-push")
            thread.start()
            thread.join()
    finally:
        reporter.uninstall()
    bug = caught.args[0]
    assert bug.thread == "sync-push" and bug.summary == "KeyError: 'missing'"
    assert bug.log_file == tmp_path / "app.log"
    record = next(r for r in caplog.records if r.name == "interview_desktop.bug")
    assert "Traceback" in record.getMessage() and "raise KeyError" in record.getMessage()


def test_qt_warnings_go_to_the_log(caplog):
    reporter = BugReporter(None)
    reporter.install()
    try:
        with caplog.at_level(logging.WARNING, logger="interview_desktop.qt"):
            qWarning("a Qt warning nobody would see on a desktop")
    finally:
        reporter.uninstall()
    assert any(r.name == "interview_desktop.qt" and "nobody would see" in r.getMessage()
               for r in caplog.records)
