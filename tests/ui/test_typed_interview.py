"""Click through a complete typed interview, then find it in the History tab."""

from __future__ import annotations

from PySide6.QtCore import Qt

from interview_desktop.domain import EngineState, SessionStatus


def answer(qtbot, app, text):
    tab = app.window.interview_tab
    qtbot.waitUntil(lambda: tab.submit_button.isEnabled(), timeout=5000)
    tab.answer_edit.setPlainText(text)
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)


def test_complete_typed_interview_then_history(qtbot, make_app):
    app = make_app("--candidate", "Grace Hopper", "--role", "Software Engineer", "--questions", "3")
    app.show()
    tab = app.window.interview_tab
    assert tab.candidate_edit.text() == "Grace Hopper"
    assert tab.role_combo.currentText() == "Software Engineer"

    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.progress_label.text() == "Question 1 of 3", timeout=5000)
    first_question = tab.question_label.text()
    assert first_question.endswith(("?", "."))
    assert not tab.start_button.isEnabled() and tab.end_button.isEnabled()

    answer(qtbot, app, "I rewrote our deploy pipeline and cut release time from 2 hours to 15 minutes.")
    qtbot.waitUntil(lambda: tab.progress_label.text() == "Question 2 of 3", timeout=5000)
    answer(qtbot, app, "I would first reproduce the bug and read the logs.")
    qtbot.waitUntil(lambda: tab.progress_label.text() == "Question 3 of 3", timeout=5000)
    with qtbot.waitSignal(app.engine.session_finished, timeout=5000) as finished:
        answer(qtbot, app, "Because I enjoy mentoring and shipping reliable software.")
    session = finished.args[0]
    assert session.status is SessionStatus.COMPLETED
    qtbot.waitUntil(lambda: tab.start_button.isEnabled(), timeout=5000)
    assert tab.transcript_list.count() == 3

    history = app.window.history_tab
    app.window.tabs.setCurrentWidget(history)
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=5000)
    model = history.model
    assert model.index(0, 1).data() == "Grace Hopper"
    assert model.index(0, 2).data() == "Software Engineer"
    assert model.index(0, 3).data() == "3"
    assert model.index(0, 4).data() == "completed"
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: "cut release time" in history.detail.toPlainText(), timeout=5000)
    assert first_question in history.detail.toPlainText()


def test_double_start_is_refused_in_the_status_line(qtbot, make_app):
    app = make_app("--questions", "2")
    app.show()
    tab = app.window.interview_tab
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        tab.start_button.click()
    # the button is disabled while running; a second request (e.g. a script) is refused by the engine
    tab.start_requested.emit(tab.request())
    qtbot.waitUntil(
        lambda: "already running — end it first" in app.window.statusBar().currentMessage(), timeout=5000
    )


def test_end_early_and_search_history(qtbot, make_app):
    app = make_app("--candidate", "Linus", "--role", "sales", "--questions", "4", "--auto-start")
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        app.show()
    answer(qtbot, app, "I closed a 40k deal by mapping the buying committee.")
    qtbot.waitUntil(lambda: app.window.interview_tab.progress_label.text() == "Question 2 of 4", timeout=5000)
    with qtbot.waitSignal(app.engine.session_finished, timeout=5000) as finished:
        app.window.interview_tab.end_button.click()
    assert finished.args[0].status is SessionStatus.ABANDONED
    qtbot.waitUntil(lambda: app.window.interview_tab.state_label.text() == "Interview finished", timeout=5000)

    history = app.window.history_tab
    history.refresh()
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=5000)
    history.search_edit.setText("buying committee")
    qtbot.waitUntil(lambda: history.count_label.text() == "1 session", timeout=5000)
    history.search_edit.setText("no such words anywhere")
    qtbot.waitUntil(lambda: history.model.rowCount() == 0, timeout=5000)


def test_engine_states_reach_the_window(qtbot, make_app):
    app = make_app("--questions", "1")
    app.show()
    with qtbot.waitSignal(app.engine.state_changed, timeout=5000,
                          check_params_cb=lambda s: s is EngineState.LISTENING):
        app.window.interview_tab.start_button.click()
    qtbot.waitUntil(lambda: app.window.interview_tab.answer_edit.isEnabled(), timeout=5000)
