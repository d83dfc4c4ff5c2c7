"""A bug never freezes the interview: it is logged with its traceback, the session is saved, the
engine goes on from a state the candidate can continue from, and one dialog says what happened."""

from __future__ import annotations

import logging

import pytest

from interview_desktop.domain import SessionStatus
from interview_desktop.engine import evaluator
from tests.ui.test_typed_interview import answer


class Boom(TypeError):
    pass


@pytest.mark.qt_no_exception_capture  # the app's own hook must see it, as in the field
def test_a_bug_while_evaluating_the_last_answer_is_logged_and_the_interview_completes(
        qtbot, make_app, monkeypatch, caplog):
    app = make_app("--candidate", "Ada", "--questions", "2", "--auto-start")
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        app.show()
    answer(qtbot, app, "I rewrote our deploy pipeline and cut release time from 2 hours to 15 minutes.")
    qtbot.waitUntil(lambda: app.window.interview_tab.progress_label.text() == "Question 2 of 2", timeout=5000)

    def broken(*_args, **_kwargs):
        raise Boom("a bug in the scorer")

    monkeypatch.setattr(evaluator, "assess_answer", broken)
    caplog.set_level(logging.INFO, logger="interview_desktop")
    # before: the exception left the engine in "evaluating" for ever; now it goes on and finishes
    with qtbot.waitSignal(app.engine.session_finished, timeout=10_000) as finished:
        answer(qtbot, app, "Because I enjoy mentoring and shipping reliable software.")
    session = finished.args[0]
    assert session.status is SessionStatus.COMPLETED and len(session.answers) == 2
    assert session.answers[1].text.startswith("Because I enjoy mentoring")  # nothing lost
    bug = next(r for r in caplog.records if r.name == "interview_desktop.bug")
    assert bug.levelno == logging.CRITICAL and "Traceback" in bug.getMessage()
    assert "a bug in the scorer" in bug.getMessage() and "'engine'" in bug.getMessage()
    dialog = app.window.bug_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert "a bug in the scorer" in dialog.informativeText()
    assert sorted(b.text() for b in dialog.buttons()) == ["Continue", "Quit"]
    stored = app.repository.get(session.id)
    assert stored is not None and len(stored.answers) == 2  # saved


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_the_recovery_itself_ends_the_interview_saved(qtbot, make_app, monkeypatch):
    app = make_app("--questions", "2", "--auto-start")
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        app.show()
    answer(qtbot, app, "I rewrote our deploy pipeline and cut release time from 2 hours to 15 minutes.")
    qtbot.waitUntil(lambda: app.window.interview_tab.progress_label.text() == "Question 2 of 2", timeout=5000)
    monkeypatch.setattr(evaluator, "assess_answer", lambda *a, **k: (_ for _ in ()).throw(Boom("scorer")))
    monkeypatch.setattr(app.engine, "_advance", lambda: (_ for _ in ()).throw(Boom("recovery")))
    with qtbot.waitSignal(app.engine.session_finished, timeout=10_000) as finished:
        answer(qtbot, app, "Because I enjoy mentoring and shipping reliable software.")
    assert finished.args[0].status is SessionStatus.ABANDONED and len(finished.args[0].answers) == 2
    assert app.repository.get(finished.args[0].id) is not None
