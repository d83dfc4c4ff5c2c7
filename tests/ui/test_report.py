"""The session report after an interview, and "Practise this question again"."""

from __future__ import annotations

from interview_desktop.domain import InterviewRequest, SessionStatus
from interview_desktop.providers.brains.question_bank import QuestionBank

STRONG = (
    "When I was the lead developer at a logistics startup, our checkout service kept timing out. "
    "I was responsible for fixing it before the holiday peak. I profiled the service, found a "
    "missing database index and a retry storm, added the index and a circuit breaker, and wrote "
    "a load test. As a result, p95 latency dropped from 2.4 seconds to 300 milliseconds and we "
    "handled three times the traffic with zero outages. I learned to measure before optimising."
)


def finish_typed(qtbot, app, answers):
    tab = app.window.interview_tab
    with qtbot.waitSignal(app.engine.session_finished, timeout=10000) as finished:
        for text in answers:
            qtbot.waitUntil(lambda: tab.submit_button.isEnabled(), timeout=5000)
            tab.answer_edit.setPlainText(text)
            tab.submit_button.click()
            qtbot.waitUntil(lambda: tab.transcript_list.count() >= 1, timeout=5000)
    return finished.args[0]


def test_report_shows_the_saved_numbers_and_a_chart(qtbot, make_app):
    app = make_app("--candidate", "Ada", "--role", "Software Engineer", "--questions", "2")
    app.show()
    # STRONG answers the production-bug question: asked first (an answer to another question is
    # scored as off topic, docs/scoring.md)
    bank = QuestionBank.load()
    bug, other = (bank.question(q) for q in ("software_engineer-01", "software_engineer-11"))
    request = InterviewRequest("Ada", "Software Engineer", 2, questions=(bug, other))
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        app.window.interview_tab.start_requested.emit(request)
    tab = app.window.interview_tab
    qtbot.waitUntil(lambda: tab.submit_button.isEnabled(), timeout=5000)
    tab.answer_edit.setPlainText(STRONG)
    tab.submit_button.click()
    qtbot.waitUntil(lambda: tab.progress_label.text() == "Question 2 of 2", timeout=5000)
    with qtbot.waitSignal(app.engine.session_finished, timeout=10000) as finished:
        tab.answer_edit.setPlainText("I don't know.")
        tab.submit_button.click()
    session = finished.args[0]
    report = app.window.report_view
    qtbot.waitUntil(lambda: app.window.tabs.currentWidget() is report, timeout=5000)
    overall = session.report["overall_score"]
    assert f"Overall score: {overall} / 100" in report.headline.text()
    assert "scored by offline" in report.headline.text()
    assert report.table.rowCount() == 2
    first, second = (int(report.table.item(r, 1).text()) for r in range(2))
    assert first == session.answers[0].evaluation.overall
    assert first > second + 15  # the strong answer clearly beats "I don't know."
    assert report.chart_series_names() == ["Score"]  # typed answers have no pace
    assert "Things to work on" in report.advice.toHtml()
    # selecting an answer quotes the candidate's own sentences that earned its scores
    report.table.selectRow(0)
    html_text = report.advice.toPlainText()
    evidence = session.answers[0].evaluation.extra["evidence"]
    assert "In your words" in html_text and evidence["relevance"][0][:40] in html_text
    # the saved document holds the same numbers
    stored = app.repository.get(session.id)
    assert stored.report["overall_score"] == overall
    assert stored.answers[0].evaluation.overall == first


def test_practise_this_question_again_starts_a_one_question_session(qtbot, make_app):
    app = make_app("--role", "Sales", "--questions", "1", "--auto-start")
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        app.show()
    first = finish_typed(qtbot, app, ["I would ask questions to understand the customer's goals."])
    report = app.window.report_view
    qtbot.waitUntil(lambda: report.table.rowCount() == 1, timeout=5000)
    report.table.selectRow(0)
    assert report.practise_button.isEnabled()
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000) as asked:
        report.practise_button.click()
    prompt = asked.args[0]
    assert prompt.total == 1 and prompt.question.text == first.answers[0].question.text
    assert app.window.tabs.currentWidget() is app.window.interview_tab
    second = finish_typed(qtbot, app, ["Second try, with a specific example this time."])
    assert second.id != first.id and second.status is SessionStatus.COMPLETED
    assert second.answers[0].question.id == first.answers[0].question.id
