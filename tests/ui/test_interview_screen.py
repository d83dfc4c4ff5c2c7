"""The interview screen during an interview: setup collapses to one line, the keys a desktop user
expects (Space, Ctrl+Enter, R, S, Esc asking first) work, and every control has an accessible name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from interview_desktop.domain import EngineState, SessionStatus


def start(qtbot, app):
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        app.window.interview_tab.start_button.click()
    tab = app.window.interview_tab
    qtbot.waitUntil(lambda: tab.submit_button.isEnabled(), timeout=5000)
    return tab


def test_setup_collapses_to_one_line_and_the_answer_time_runs(qtbot, make_app):
    app = make_app("--candidate", "Ada", "--role", "Software Engineer", "--questions", "3")
    app.show()
    tab = app.window.interview_tab
    assert tab.setup_group.isVisible() and not tab.setup_summary.isVisible()
    start(qtbot, app)
    assert not tab.setup_group.isVisible() and tab.setup_summary.isVisible()
    assert tab.setup_summary.text() == "Ada · Software Engineer · 3 questions"
    qtbot.waitUntil(lambda: tab.elapsed_label.text() == "0:00", timeout=5000)
    with qtbot.waitSignal(app.engine.session_finished, timeout=5000):
        tab.end_requested.emit()
    qtbot.waitUntil(lambda: tab.setup_group.isVisible(), timeout=5000)
    assert tab.elapsed_label.text() == ""


def test_keys_repeat_skip_submit_and_end_after_asking(qtbot, make_app, monkeypatch):
    app = make_app("--questions", "4")
    app.show()
    app.window.activateWindow()
    tab = start(qtbot, app)
    tab.setFocus()
    repeats = []
    tab.repeat_requested.connect(lambda: repeats.append(True))
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000) as repeated:
        qtbot.keyClick(tab, Qt.Key.Key_R)  # the same question asked again (wait for it: it is queued)
    assert repeats == [True] and repeated.args[0].index == 0
    qtbot.waitUntil(lambda: tab.skip_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000) as asked:
        qtbot.keyClick(tab, Qt.Key.Key_S)  # skip question 1
    assert asked.args[0].index == 1
    qtbot.waitUntil(lambda: tab.submit_button.isEnabled(), timeout=5000)
    tab.answer_edit.setFocus()
    qtbot.keyClicks(tab.answer_edit, "I reproduced the bug first, so I read the logs.")  # r and s typed
    assert tab.answer_edit.toPlainText() == "I reproduced the bug first, so I read the logs."
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000) as asked:
        qtbot.keyClick(tab.answer_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert asked.args[0].index == 2
    answers = app.engine.session.answers
    assert answers[1].text == "I reproduced the bug first, so I read the logs."
    questions = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: questions.append(a[2]) or QMessageBox.StandardButton.No)
    tab.setFocus()
    qtbot.keyClick(tab, Qt.Key.Key_Escape)  # asks first: "No" keeps the interview going
    assert questions == ["End the interview now? Your answers so far are saved."]
    assert app.engine.state is not EngineState.FINISHED
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(app.engine.session_finished, timeout=5000) as finished:
        qtbot.keyClick(tab, Qt.Key.Key_Escape)
    assert finished.args[0].status is SessionStatus.ABANDONED


def test_every_control_is_reachable_by_keyboard_and_named(qtbot, make_app):
    app = make_app()
    app.show()
    for tab_index in range(app.window.tabs.count()):
        page = app.window.tabs.widget(tab_index)
        for widget in page.findChildren(QWidget):
            focusable = widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            interactive = isinstance(widget, QAbstractButton) or focusable
            if not interactive or not widget.isVisibleTo(page) or widget.objectName().startswith("qt_"):
                continue
            assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget
            named = widget.accessibleName() or (isinstance(widget, QAbstractButton) and widget.text())
            if page is app.window.interview_tab:  # the interview screen names every control itself
                assert named, (type(widget).__name__, widget.objectName())
