"""The interview screen during an interview: setup collapses to one line, the keys a desktop user
expects (Space, Ctrl+Enter, R, S, Esc asking first) work, and every control has an accessible name."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from interview_desktop.domain import SessionStatus


def start(qtbot, app):
    tab = app.window.interview_tab
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.submit_button.isEnabled() and tab.progress_label.text().startswith(
        "Question 1 "), timeout=5000)
    return tab


def test_setup_collapses_to_one_line_and_the_answer_time_runs(qtbot, make_app):
    app = make_app("--candidate", "Ada", "--role", "Software Engineer", "--questions", "3")
    app.show()
    tab = app.window.interview_tab
    assert tab.setup_group.isVisible() and not tab.setup_summary.isVisible()
    start(qtbot, app)
    assert not tab.setup_group.isVisible() and tab.setup_summary.isVisible()
    assert tab.setup_summary.text() == "Ada · Software Engineer · 3 questions"
    for button in (tab.done_button, tab.repeat_button, tab.skip_button, tab.end_button):
        assert button.isVisible(), button.text()  # every control of the moment stays on screen
    assert tab.end_button.isEnabled() and not tab.start_button.isVisible()
    qtbot.waitUntil(lambda: tab.elapsed_label.text() == "0:00", timeout=5000)
    tab.end_requested.emit()
    qtbot.waitUntil(lambda: tab.setup_group.isVisible(), timeout=5000)
    assert tab.elapsed_label.text() == ""


class Asked(QObject):
    """The questions asked, received on the GUI thread (a queued connection). Waiting with waitSignal
    on a signal emitted from the engine thread races: an emit just before the wait starts, as a
    repeat's is, leaves the wait's loop running with its timer stopped from the wrong thread."""

    def __init__(self, engine):
        super().__init__()
        self.prompts = []
        engine.question_asked.connect(self.on_question_asked)

    @Slot(object)
    def on_question_asked(self, prompt) -> None:
        self.prompts.append(prompt)


def test_keys_repeat_skip_submit_and_end_after_asking(qtbot, make_app, monkeypatch):
    app = make_app("--questions", "4")
    asked = Asked(app.engine)
    app.show()
    app.window.activateWindow()
    tab = start(qtbot, app)
    qtbot.waitUntil(lambda: len(asked.prompts) == 1, timeout=5000)
    tab.setFocus()
    qtbot.keyClick(tab, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: len(asked.prompts) == 2, timeout=5000)
    assert asked.prompts[1].index == 0  # the same question again
    qtbot.waitUntil(lambda: tab.skip_button.isEnabled(), timeout=5000)
    qtbot.keyClick(tab, Qt.Key.Key_S)  # skip question 1
    qtbot.waitUntil(lambda: len(asked.prompts) == 3, timeout=5000)
    assert asked.prompts[2].index == 1
    qtbot.waitUntil(lambda: tab.submit_button.isEnabled(), timeout=5000)
    tab.answer_edit.setFocus()
    qtbot.keyClicks(tab.answer_edit, "I reproduced the bug first, so I read the logs.")  # r and s typed
    assert tab.answer_edit.toPlainText() == "I reproduced the bug first, so I read the logs."
    qtbot.keyClick(tab.answer_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(asked.prompts) == 4, timeout=5000)
    assert asked.prompts[3].index == 2
    qtbot.waitUntil(lambda: tab.transcript_list.count() == 2, timeout=5000)
    assert "I reproduced the bug first, so I read the logs." in tab.transcript_list.item(1).text()
    questions = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: questions.append(a[2]) or QMessageBox.StandardButton.No)
    tab.setFocus()
    qtbot.keyClick(tab, Qt.Key.Key_Escape)  # asks first: "No" keeps the interview going
    assert questions == ["End the interview now? Your answers so far are saved."]
    assert tab.end_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.keyClick(tab, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tab.state_label.text() == "Interview finished", timeout=5000)
    stored = app.repository.list()
    assert len(stored) == 1 and stored[0].status is SessionStatus.ABANDONED


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
