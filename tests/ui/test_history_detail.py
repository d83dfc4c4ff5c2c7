"""The detail pane on its own: recordings (played into the virtual sink on the app's own audio
path), reviews, text; and the Compare and Export dialogs and the filter row."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from PySide6.QtCore import QDate

from interview_desktop.audio.wav import write_wav
from interview_desktop.domain import AudioClip, SessionStatus
from interview_desktop.storage.base import SessionQuery
from interview_desktop.ui.compare_dialog import CompareDialog, score_points
from interview_desktop.ui.export_dialog import ExportDialog
from interview_desktop.ui.history_filters import HistoryFilters, local_day_start
from interview_desktop.ui.review_editor import review_status_text
from interview_desktop.ui.session_detail import NOT_KEPT, SESSION_REVIEW, SessionDetail
from tests.audio.helpers import needs_vmic
from tests.reports.factories import scored_session
from tests.storage.factories import BASE_TIME

WAIT = 5000


@pytest.fixture
def detail(qtbot, tmp_path):
    pane = SessionDetail(tmp_path / "data", reviewer="rita")
    qtbot.addWidget(pane)
    pane.resize(500, 700)
    pane.show()
    return pane


def tone(seconds: float = 3.0, rate: int = 16000) -> AudioClip:
    t = np.arange(int(seconds * rate)) / rate
    return AudioClip((0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)


@needs_vmic
def test_play_and_stop_a_saved_recording(qtbot, tmp_path, detail):
    session = scored_session(id="s1")  # answers 0 and 2 are spoken: audio/s1/0.wav, audio/s1/2.wav
    write_wav(tmp_path / "data" / "audio" / "s1" / "0.wav", tone())
    detail.show_session(session)
    first, typed, missing = detail.answer_views
    assert first.audio_file == (tmp_path / "data" / "audio" / "s1" / "0.wav").resolve()
    assert first.play_button is not None and first.stop_button is not None
    assert not first.stop_button.isEnabled()
    assert typed.play_button is None and typed.audio_label.text() == "typed — no recording"
    assert missing.play_button is None and missing.audio_label.text() == NOT_KEPT

    with qtbot.waitSignal(detail.player.started, timeout=WAIT):
        first.play_button.click()
    assert detail.player.path == first.audio_file
    assert first.audio_label.text().startswith("playing… ") and first.audio_label.text().endswith("/ 3 s")
    assert first.stop_button.isEnabled()
    qtbot.waitUntil(lambda: detail.player.position_s > 0.2, timeout=WAIT)  # the sink is taking samples
    with qtbot.waitSignal(detail.player.finished, timeout=WAIT):
        first.stop_button.click()
    assert not detail.player.is_playing()
    assert not first.stop_button.isEnabled() and first.audio_label.text() == "recording"


@needs_vmic
def test_a_recording_plays_to_the_end(qtbot, tmp_path, detail):
    write_wav(tmp_path / "data" / "audio" / "s1" / "0.wav", tone(0.4))
    detail.show_session(scored_session(id="s1"))
    view = detail.answer_views[0]
    with qtbot.waitSignal(detail.player.finished, timeout=WAIT):
        view.play_button.click()
    assert detail.player.position_s == 0.0 and not detail.player.is_playing()
    assert view.audio_label.text() == "recording" and not view.stop_button.isEnabled()


@needs_vmic
def test_showing_another_session_stops_playback(qtbot, tmp_path, detail):
    write_wav(tmp_path / "data" / "audio" / "s1" / "0.wav", tone())
    detail.show_session(scored_session(id="s1"))
    with qtbot.waitSignal(detail.player.started, timeout=WAIT):
        detail.answer_views[0].play_button.click()
    with qtbot.waitSignal(detail.player.finished, timeout=WAIT):
        detail.show_session(scored_session(id="s2"))
    assert not detail.player.is_playing()
    detail.clear()
    assert detail.session is None and "Select a session" in detail.toPlainText()


def test_a_missing_speaker_says_so_and_the_pane_keeps_working(qtbot, tmp_path):
    write_wav(tmp_path / "data" / "audio" / "s1" / "0.wav", tone(0.5))
    pane = SessionDetail(tmp_path / "data", output_device="No Such Speaker 9000")
    qtbot.addWidget(pane)
    pane.show_session(scored_session(id="s1"))
    view = pane.answer_views[0]
    with qtbot.waitSignal(pane.player.failed, timeout=WAIT) as failed:
        view.play_button.click()
    assert "No Such Speaker 9000" in failed.args[0] or "speaker" in failed.args[0].lower()
    assert view.audio_label.text().startswith("could not play the recording: ")
    assert not view.stop_button.isEnabled() and not pane.player.is_playing()


def test_recordings_outside_the_data_folder_are_not_played(qtbot, tmp_path, detail):
    write_wav(tmp_path / "elsewhere.wav", tone(0.5))
    session = scored_session(id="s1")
    answers = list(session.answers)
    answers[0] = replace(answers[0], audio_path="../elsewhere.wav")
    detail.show_session(replace(session, answers=tuple(answers)))
    assert detail.answer_views[0].play_button is None
    assert detail.answer_views[0].audio_label.text() == NOT_KEPT
    no_folder = SessionDetail(None)
    qtbot.addWidget(no_folder)
    assert no_folder.audio_file(session.answers[0]) is None


def test_review_requests_carry_the_reviewer_and_saved_reviews_show_who_and_when(qtbot, detail):
    session = scored_session(id="s1")
    detail.show_session(session)
    editor = detail.answer_views[2].review
    editor.rating_combo.setCurrentIndex(5)
    editor.note_edit.setPlainText("  Excellent  ")
    with qtbot.waitSignal(detail.review_save_requested) as asked:
        editor.save_button.click()
    assert asked.args == ["s1", 2, {"rating": 5, "note": "Excellent", "by": "rita"}]
    assert not editor.save_button.isEnabled() and editor.status_label.text() == "Saving…"

    other = detail.answer_views[0].review
    other.note_edit.setPlainText("typed but not saved yet")
    review = {"rating": 5, "note": "Excellent", "by": "rita", "at": "2026-03-02T10:15:00.000+00:00"}
    answers = list(session.answers)
    answers[2] = replace(answers[2], review=review)
    detail.show_saved(replace(session, answers=tuple(answers), revision=session.revision + 1))
    assert editor.save_button.isEnabled()
    assert editor.status_label.text() == review_status_text(review)
    assert editor.status_label.text().startswith("Rated 5/5 by rita · 2026-03-02 ")
    assert other.note_edit.toPlainText() == "typed but not saved yet"  # not overwritten

    with qtbot.waitSignal(detail.review_save_requested) as asked:
        detail.session_review.save_button.click()
    assert asked.args[:2] == ["s1", SESSION_REVIEW]
    detail.saving_failed()  # the service said no: the button is usable again
    assert detail.session_review.save_button.isEnabled()
    assert detail.session_review.status_label.text() == "Not reviewed yet."


def test_stored_reviews_fill_the_editors(qtbot, detail):
    review = {"rating": 2, "note": "Vague", "by": "sam", "at": "2026-03-02T10:15:00.000+00:00"}
    session = scored_session(id="s1", review=review)
    detail.show_session(session)
    assert detail.session_review.rating_combo.currentData() == 2
    assert detail.session_review.note_edit.toPlainText() == "Vague"
    assert "Rated 2/5 by sam" in detail.toPlainText()


def test_text_from_people_is_not_markup(qtbot, detail):
    session = scored_session(id="s1", candidate="<b>Eve</b>", answer_texts=["<i>not italic</i> & co"])
    detail.show_session(session)
    text = detail.toPlainText()
    assert "<b>Eve</b> — Backend engineer" in text
    assert "<i>not italic</i> & co" in text


# ----------------------------------------------------------------- dialogs and filters
def test_compare_dialog_alone(qtbot):
    sessions = [
        scored_session(id="a", candidate="Ada", started_at=BASE_TIME, overall_score=70),
        scored_session(id="b", candidate="Ada", started_at=BASE_TIME - timedelta(days=9), overall_score=50),
        scored_session(id="c", candidate="Bob", started_at=BASE_TIME - timedelta(days=3), overall_score=None,
                       status=SessionStatus.ABANDONED, answer_count=0),
    ]
    dialog = CompareDialog(sessions)
    qtbot.addWidget(dialog)
    assert [s.id for s in dialog.sessions] == ["b", "c", "a"]
    assert [dialog.cell("Overall score", c) for c in range(3)] == ["50", "—", "70"]
    assert dialog.cell("Status", 1) == "abandoned"
    assert [s.name() for s in dialog.series] == ["Ada"]  # Bob has no score to draw
    assert score_points(sessions)["Ada"][0][1] == 50
    with pytest.raises(KeyError):
        dialog.cell("No such row", 0)


def test_export_dialog_suffixes(qtbot, tmp_path):
    dialog = ExportDialog(3, str(tmp_path))
    qtbot.addWidget(dialog)
    fmt, path = dialog.chosen()
    assert fmt == "csv" and path.startswith(str(tmp_path)) and path.endswith(".csv")
    dialog.set_format("pdf")
    assert dialog.chosen()[1].endswith(".pdf")
    dialog.path_edit.setText(str(tmp_path / "mine.txt"))
    dialog.set_format("json")
    assert dialog.chosen() == ("json", str(tmp_path / "mine.txt"))  # the user's own suffix stays
    dialog.path_edit.setText("")
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()


def test_filters_build_the_query(qtbot):
    filters = HistoryFilters(["Zeta", "alpha", "Beta"])
    qtbot.addWidget(filters)
    assert filters.roles() == ["alpha", "Beta", "Zeta"]
    filters.add_roles(["Gamma", "Beta", ""])
    assert filters.roles() == ["alpha", "Beta", "Gamma", "Zeta"]
    assert filters.apply_to(SessionQuery(text="x", offset=200)) == SessionQuery(text="x")
    assert not filters.is_active()
    with qtbot.waitSignal(filters.changed):
        filters.role_combo.setCurrentIndex(filters.role_combo.findText("Gamma"))
    filters.add_roles(["Aardvark"])  # keeps the chosen role
    assert filters.role_combo.currentText() == "Gamma"
    filters.from_edit.setDate(QDate(2026, 2, 1))
    filters.to_edit.setDate(QDate(2026, 2, 3))
    filters.from_check.setChecked(True)
    filters.to_check.setChecked(True)
    filters.score_min_spin.setValue(40)
    query = filters.apply_to(SessionQuery())
    assert query.role == "Gamma"
    assert query.started_from == local_day_start(QDate(2026, 2, 1).toPython())
    assert query.started_to == local_day_start(QDate(2026, 2, 4).toPython()) - timedelta(milliseconds=1)
    assert (query.score_min, query.score_max) == (40.0, None)
    with qtbot.waitSignal(filters.changed):
        filters.clear()
    assert filters.apply_to(SessionQuery()) == SessionQuery()


def test_a_damaged_recording_says_so(qtbot, tmp_path, detail):
    path = tmp_path / "data" / "audio" / "s1" / "0.wav"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio" * 3)
    detail.show_session(scored_session(id="s1"))
    view = detail.answer_views[0]
    with qtbot.waitSignal(detail.player.failed, timeout=WAIT):
        view.play_button.click()
    assert view.audio_label.text().startswith("could not play the recording: cannot read audio file")
    assert not detail.player.is_playing()
    detail.stop_audio()  # later state changes keep the message
    assert view.audio_label.text().startswith("could not play the recording: ")
    assert not view.stop_button.isEnabled()
