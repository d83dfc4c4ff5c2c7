"""The interview state machine, driven directly and on its own QThread."""

from __future__ import annotations

import logging
import random

import pytest
from PySide6.QtCore import QObject, QThread, Signal

from interview_desktop.domain import AnswerInput, EngineState, InterviewRequest, SessionStatus
from interview_desktop.engine.interview_engine import ALREADY_RUNNING, InterviewEngine
from interview_desktop.providers.brains.question_bank import QuestionBank
from interview_desktop.storage.base import StorageError
from interview_desktop.storage.json_store import JsonHistoryRepository


@pytest.fixture(scope="module")
def bank():
    return QuestionBank.load()


@pytest.fixture
def repo(tmp_path):
    return JsonHistoryRepository(tmp_path / "data")


@pytest.fixture
def engine(bank, repo):
    return InterviewEngine(bank, repo, rng=random.Random(7))


def record(signal):
    seen = []
    signal.connect(seen.append)
    return seen


def test_typed_interview_runs_through_every_state_and_is_saved(engine, repo, caplog):
    states = record(engine.state_changed)
    prompts = record(engine.question_asked)
    finished = record(engine.session_finished)
    caplog.set_level(logging.INFO, logger="interview_desktop")

    engine.start_interview(InterviewRequest("Ada", "Software Engineer", 3))
    assert engine.state is EngineState.LISTENING
    assert prompts[0].index == 0 and prompts[0].total == 3

    engine.submit_answer("I led the migration to Postgres and cut latency by 40%.")
    engine.skip_question()
    engine.submit_answer("  Because I like building reliable systems.  ")

    assert states == [
        EngineState.ASKING, EngineState.LISTENING, EngineState.EVALUATING,
        EngineState.ASKING, EngineState.LISTENING,  # skipped: nothing to evaluate
        EngineState.ASKING, EngineState.LISTENING, EngineState.EVALUATING,
        EngineState.FINISHED,
    ]
    assert [p.index for p in prompts] == [0, 1, 2]
    session = finished[0]
    assert session.status is SessionStatus.COMPLETED and session.ended_at is not None
    assert [a.input for a in session.answers] == [AnswerInput.TYPED, AnswerInput.SKIPPED, AnswerInput.TYPED]
    assert session.answers[2].text == "Because I like building reliable systems."
    stored = repo.get(session.id)
    assert stored == session
    first, skipped, last = session.answers
    assert first.evaluation.scorer == "offline" and 0 <= first.evaluation.overall <= 100
    assert first.metrics.word_count == 11 and first.metrics.words_per_minute is None  # typed
    assert skipped.evaluation is None
    assert session.report["answered_count"] == 2 and session.report["question_count"] == 3
    mean = (first.evaluation.overall + last.evaluation.overall) / 2
    assert abs(session.report["overall_score"] - mean) <= 0.5
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("state=")]
    assert logged[0] == "state=asking question=1/3" and logged[-1].startswith("state=finished")


def test_questions_are_distinct_and_from_the_role(engine):
    prompts = record(engine.question_asked)
    engine.start_interview(InterviewRequest("Ada", "data_analyst", 6))
    for _ in range(6):
        engine.submit_answer("An answer.")
    texts = [p.question.text for p in prompts]
    assert len(set(texts)) == 6
    assert {p.question.role for p in prompts} == {"Data Analyst"}


def test_second_start_is_refused_with_a_clear_message(engine):
    notices = record(engine.notice)
    engine.start_interview(InterviewRequest("Ada", "Sales", 2))
    first = engine.session.id
    engine.start_interview(InterviewRequest("Bob", "Sales", 2))
    assert notices[-1].text == ALREADY_RUNNING and notices[-1].level == "error"
    assert engine.session.id == first and engine.session.candidate == "Ada"


def test_end_early_saves_an_abandoned_session_with_the_answers_given(engine, repo):
    engine.start_interview(InterviewRequest("Ada", "Sales", 4))
    engine.submit_answer("First answer.")
    engine.end_interview()
    assert engine.state is EngineState.FINISHED
    stored = repo.get(engine.session.id)
    assert stored.status is SessionStatus.ABANDONED
    assert [a.text for a in stored.answers] == ["First answer."]
    # a new interview may start after the end
    engine.start_interview(InterviewRequest("Ada", "Sales", 1))
    assert engine.state is EngineState.LISTENING


def test_session_is_saved_after_every_answer(engine, repo):
    engine.start_interview(InterviewRequest("Ada", "Sales", 3))
    sid = engine.session.id
    assert repo.get(sid).answers == ()
    engine.submit_answer("One.")
    assert [a.text for a in repo.get(sid).answers] == ["One."]
    engine.submit_answer("Two.")
    assert len(repo.get(sid).answers) == 2 and repo.get(sid).status is SessionStatus.IN_PROGRESS


def test_empty_typed_answer_is_not_recorded(engine):
    notices = record(engine.notice)
    engine.start_interview(InterviewRequest("Ada", "Sales", 2))
    engine.submit_answer("   ")
    assert engine.session.answers == ()
    assert "Type an answer" in notices[-1].text


def test_unknown_role_is_reported(engine):
    notices = record(engine.notice)
    engine.start_interview(InterviewRequest("Ada", "Astronaut", 2))
    assert engine.state is EngineState.IDLE
    assert "unknown role 'Astronaut'" in notices[-1].text


class FailingOnceRepository(JsonHistoryRepository):
    def __init__(self, root, failures):
        super().__init__(root)
        self.failures = failures

    def save(self, session):
        if self.failures:
            self.failures -= 1
            raise StorageError("disk is full")
        super().save(session)


def test_save_failure_keeps_answers_and_retries(bank, tmp_path):
    repo = FailingOnceRepository(tmp_path / "data", failures=2)
    engine = InterviewEngine(bank, repo, rng=random.Random(1))
    notices = record(engine.notice)
    engine.start_interview(InterviewRequest("Ada", "Sales", 2))  # save 1 fails
    engine.submit_answer("Kept in memory.")  # save 2 fails
    assert any("disk is full" in n.text.lower() and n.level == "error" for n in notices)
    engine.submit_answer("Second.")  # save 3 works and holds everything
    stored = repo.get(engine.session.id)
    assert [a.text for a in stored.answers] == ["Kept in memory.", "Second."]
    assert stored.status is SessionStatus.COMPLETED


class Driver(QObject):
    start = Signal(object)
    answer = Signal(str)


def test_engine_on_its_own_thread(qtbot, bank, repo):
    engine = InterviewEngine(bank, repo, rng=random.Random(3))
    thread = QThread()
    engine.moveToThread(thread)
    thread.finished.connect(engine.deleteLater)  # destroyed on its own thread, as the app does
    driver = Driver()
    driver.start.connect(engine.start_interview)
    driver.answer.connect(engine.submit_answer)
    thread.start()
    try:
        with qtbot.waitSignal(engine.question_asked, timeout=5000) as first:
            driver.start.emit(InterviewRequest("Ada", "Customer Support", 2))
        assert first.args[0].index == 0
        with qtbot.waitSignal(engine.question_asked, timeout=5000):
            driver.answer.emit("Answer one.")
        with qtbot.waitSignal(engine.session_finished, timeout=5000) as done:
            driver.answer.emit("Answer two.")
        assert done.args[0].status is SessionStatus.COMPLETED
        assert repo.get(done.args[0].id).answers[1].text == "Answer two."
    finally:
        thread.quit()
        assert thread.wait(5000)
