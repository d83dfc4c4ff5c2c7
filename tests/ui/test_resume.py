"""An interview that stopped before its end (closed, crashed) is offered at start: resume it with the
questions it had left, or keep it as incomplete."""

from __future__ import annotations

import threading
from datetime import timedelta

from PySide6.QtCore import Qt

from interview_desktop.domain import Answer, AnswerInput, Session, SessionStatus, utc_now
from interview_desktop.providers.brains.question_bank import QuestionBank
from interview_desktop.storage.json_store import JsonHistoryRepository
from tests.ui.test_typed_interview import answer


def unfinished_session(data_dir) -> Session:
    """Ada's interview: 3 planned questions, the first answered, then the app stopped."""
    questions = QuestionBank.load().choose("Software Engineer", 3)
    started = utc_now() - timedelta(hours=1)
    first = Answer(index=0, question=questions[0], text="I led the migration of our billing service.",
                   input=AnswerInput.TYPED, asked_at=started, answered_at=started + timedelta(minutes=1))
    session = Session(id=Session.new_id(), candidate="Ada", role="Software Engineer", started_at=started,
                      question_count=3, answers=(first,), plan=tuple(questions))
    repo = JsonHistoryRepository(data_dir)
    repo.save(session)
    return session


def offered(qtbot, make_app, tmp_path):
    """The app started on a data folder with Ada's unfinished interview, once it offers to resume."""
    session = unfinished_session(tmp_path / "data")
    app = make_app()
    app.show()
    tab = app.window.interview_tab
    qtbot.waitUntil(tab.resume_box.isVisible, timeout=15_000)
    return session, app, tab


def test_the_unfinished_interview_is_offered_and_resumed_with_the_questions_left(qtbot, make_app, tmp_path):
    session, app, tab = offered(qtbot, make_app, tmp_path)
    assert tab.resume_label.text() == "Resume the interview with Ada (1 of 3 answered)?"
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000) as asked:
        qtbot.mouseClick(tab.resume_button, Qt.MouseButton.LeftButton)
    assert asked.args[0].index == 1 and asked.args[0].question == session.plan[1]
    qtbot.waitUntil(lambda: tab.progress_label.text() == "Question 2 of 3", timeout=5000)
    assert not tab.resume_box.isVisible()
    qtbot.waitUntil(lambda: tab.transcript_list.count() == 1, timeout=5000)  # the answer so far
    answer(qtbot, app, "I would first reproduce the bug and read the logs.")
    with qtbot.waitSignal(app.engine.session_finished, timeout=10_000) as finished:
        answer(qtbot, app, "Because I enjoy mentoring and shipping reliable software.")
    done = finished.args[0]
    assert done.id == session.id and done.status is SessionStatus.COMPLETED
    assert [a.question for a in done.answers] == list(session.plan)
    assert done.answers[0].text == session.answers[0].text


def test_keep_it_as_incomplete_ends_it_and_it_is_not_offered_again(qtbot, make_app, tmp_path):
    session, app, tab = offered(qtbot, make_app, tmp_path)
    qtbot.mouseClick(tab.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.repository.get(session.id).status is SessionStatus.ABANDONED, timeout=5000)
    assert not tab.resume_box.isVisible()
    assert len(app.repository.get(session.id).answers) == 1  # kept as it was


def test_closing_the_window_mid_interview_keeps_it_to_resume(qtbot, make_app):
    app = make_app("--candidate", "Bo", "--questions", "3", "--auto-start")
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        app.show()
    answer(qtbot, app, "I rewrote our deploy pipeline and cut release time from 2 hours to 15 minutes.")
    qtbot.waitUntil(lambda: app.window.interview_tab.progress_label.text() == "Question 2 of 3", timeout=5000)
    session_id = app.engine.session.id
    app.shutdown()  # what closing the window does (QApplication.aboutToQuit)
    assert not any(thread.isRunning() for thread in app._threads)  # every Qt thread stopped
    pools = ("engine-work", "keyring", "playback", "reevaluation", "devices", "history")
    left = [t.name for t in threading.enumerate() if t.name.startswith(pools)]
    assert left == [], left  # and every worker of theirs
    stored = app.repository.get(session_id)
    assert stored.status is SessionStatus.IN_PROGRESS and len(stored.answers) == 1
    assert len(stored.plan) == 3
