"""Re-evaluate from History: the saved audio is transcribed again and re-scored; nothing is lost."""

from __future__ import annotations

from dataclasses import replace

import pytest

from interview_desktop.audio.wav import write_wav
from interview_desktop.storage.codec import encode_evaluation
from interview_desktop.storage.json_store import JsonHistoryRepository
from tests.reports.factories import scored
from tests.speech import espeak_clip, word_error_rate
from tests.storage.factories import make_answer, make_session

pytestmark = pytest.mark.slow

SPOKEN = "In my last role I led a team of four engineers and we shipped the billing system on time."


def test_reevaluate_retranscribes_and_keeps_the_previous_version(qtbot, make_app, tmp_path):
    data = tmp_path / "data"
    session = make_session(id="past", answers=())
    answer = make_answer(0, text="garbled old transcript", session_id="past")
    session = scored(replace(session, answers=(answer,), question_count=1))
    write_wav(data / answer.audio_path, espeak_clip(SPOKEN, wpm=150, lead_s=0.4, tail_s=0.4))
    with JsonHistoryRepository(data) as repository:
        repository.save(session)
    old = session.answers[0]

    app = make_app()
    app.show()
    history = app.window.history_tab
    app.window.tabs.setCurrentWidget(history)
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=5000)
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.reevaluate_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(app.history.session_saved, timeout=60000) as saved:
        history.reevaluate_button.click()
    qtbot.waitUntil(lambda: history.message_label.text().startswith("Re-evaluated"), timeout=5000)

    new = saved.args[0]
    stored = app.repository.get("past")
    assert stored == new and stored.revision == session.revision + 1
    answer = stored.answers[0]
    assert word_error_rate(SPOKEN, answer.text) <= 0.3, answer.text
    assert answer.provenance.stt == "local-whisper" and answer.provenance.brain == "offline"
    assert answer.metrics.words_per_minute is not None
    assert answer.evaluation.scorer == "offline"
    (kept,) = answer.previous_evaluations
    assert kept["text"] == "garbled old transcript"
    assert kept["evaluation"] == encode_evaluation(old.evaluation)
    assert stored.extra["previous_reports"][0]["overall_score"] == session.report["overall_score"]
    assert "four engineers" in history.detail.toPlainText()
