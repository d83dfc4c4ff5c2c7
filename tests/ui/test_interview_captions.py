"""The Interview tab during a spoken answer: the words so far as a draft, the turn, and an answer the
candidate went on with updating its row instead of adding one."""

from __future__ import annotations

from datetime import datetime, timezone

from interview_desktop.domain import Answer, AnswerInput, EngineState, Question, QuestionKind
from interview_desktop.engine.turn import TurnPhase, TurnStatus
from interview_desktop.ui.interview_tab import InterviewTab


def answer(text: str) -> Answer:
    now = datetime(2026, 12, 2, tzinfo=timezone.utc)
    question = Question("q1", "Tell me about a project.", QuestionKind.BEHAVIOURAL, "General")
    return Answer(0, question, text, AnswerInput.VOICE, now, now)


def test_captions_turn_and_a_continued_answer(qtbot):
    tab = InterviewTab(["General"])
    qtbot.addWidget(tab)
    tab.show_state(EngineState.LISTENING)
    tab.show_caption("We moved the billing to the cloud, and", False)
    assert tab.caption_label.text() == "We moved the billing to the cloud, and …"
    assert "italic" in tab.caption_label.styleSheet() and not tab.caption_final
    tab.show_turn(TurnStatus(TurnPhase.PAUSED, 2.14))
    assert "Still listening" in tab.state_label.text() and "2.1 s" in tab.state_label.text()
    tab.show_turn(TurnStatus(TurnPhase.THINKING))
    assert tab.state_label.text() == "Thinking…"
    tab.show_caption("We moved the billing to the cloud, and we cut costs.", True)
    assert tab.caption_label.text().endswith("costs.") and tab.caption_label.styleSheet() == ""
    tab.show_answer(answer("We moved the billing to the cloud."))
    tab.show_answer(answer("We moved the billing to the cloud, and we cut costs."))  # went on
    assert tab.transcript_list.count() == 1
    assert "we cut costs" in tab.transcript_list.item(0).text()


def test_who_is_talking_follows_the_turn(qtbot):
    tab = InterviewTab(["General"])
    qtbot.addWidget(tab)
    tab.show()
    assert not tab.talker_label.isVisible()  # no interview: nobody
    tab.show_state(EngineState.ASKING)
    assert tab.talker_label.isVisible() and "Interviewer speaking" in tab.talker_label.text()
    tab.show_state(EngineState.LISTENING)
    tab.show_turn(TurnStatus(TurnPhase.LISTENING))
    assert tab.talker_label.text().endswith("Your turn")  # waiting: not "You" before a word
    tab.show_speech_started()
    assert tab.talker_label.text().endswith("You")
    tab.show_turn(TurnStatus(TurnPhase.PAUSED, 2.6))
    assert "Still listening · 3 s" in tab.talker_label.text()
    tab.show_turn(TurnStatus(TurnPhase.LISTENING))  # went on
    assert tab.talker_label.text().endswith("You")
    tab.show_turn(TurnStatus(TurnPhase.THINKING))
    assert "Interviewer thinking" in tab.talker_label.text()
    tab.show_state(EngineState.FINISHED)
    assert not tab.talker_label.isVisible()
    tab.set_voice_answers(False)
    tab.show_state(EngineState.LISTENING)
    assert "(type)" in tab.talker_label.text()
    assert tab.talker_label.accessibleName() == "Who is talking"
