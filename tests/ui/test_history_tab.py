"""The History tab in the real app (threads, HistoryService, JSON store) on a seeded data folder:
search, filters, sorting, paging, reviews, delete, retention, compare, export, store status."""

from __future__ import annotations

import csv
import getpass
import json
from datetime import timedelta

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from interview_desktop.domain import Session, SessionStatus, from_iso, utc_now
from interview_desktop.services.history import SessionPage
from interview_desktop.storage.base import SessionQuery, SessionSummary
from interview_desktop.storage.codec import encode_session
from interview_desktop.storage.json_store import JsonHistoryRepository
from interview_desktop.storage.sync import PullResult
from interview_desktop.ui.history_tab import HistoryTab
from tests.reports.factories import scored_session, seed_store
from tests.storage.factories import BASE_TIME, make_sessions

WAIT = 5000


def day(y: int, m: int, d: int, hour: int = 12):
    return BASE_TIME.replace(year=y, month=m, day=d, hour=hour)


def five_sessions() -> list[Session]:
    return [
        scored_session(id="ada1", candidate="Ada Lovelace", role="Backend engineer",
                       started_at=day(2026, 3, 2), overall_score=80),
        scored_session(id="grace", candidate="Grace Hopper", role="Data analyst",
                       started_at=day(2026, 2, 20), overall_score=55,
                       answer_texts=["I built a churn dashboard in Looker for the sales team."]),
        scored_session(id="bob", candidate="Bob Smith", role="Product manager", started_at=day(2026, 1, 10),
                       status=SessionStatus.ABANDONED, answer_count=1, overall_score=None),
        scored_session(id="ada2", candidate="Ada Lovelace", role="Backend engineer",
                       started_at=day(2026, 2, 25), overall_score=65),
        scored_session(id="chloe", candidate="Chloé Dubois", role="Data analyst", started_at=day(2026, 3, 1),
                       status=SessionStatus.IN_PROGRESS, answer_count=2, overall_score=None),
    ]


@pytest.fixture
def history_app(qtbot, tmp_path, make_app):
    """The app on a data folder seeded with :func:`five_sessions`, History tab open and loaded."""

    def build(sessions=None):
        seed_store(tmp_path / "data", five_sessions() if sessions is None else sessions)
        app = make_app()
        app.show()
        history = app.window.history_tab
        app.window.tabs.setCurrentWidget(history)
        qtbot.waitUntil(lambda: history.model.rowCount() > 0, timeout=WAIT)
        return app, history

    return build


def ids(history) -> list[str]:
    return [history.model.summary(r).id for r in range(history.model.rowCount())]


def wait_count(qtbot, history, text: str) -> None:
    qtbot.waitUntil(lambda: history.count_label.text() == text, timeout=WAIT)


def select(history, *rows: int) -> None:
    selection = history.table.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        selection.select(history.model.index(row, 0), flags)


def select_ids(history, *wanted: str) -> None:
    select(history, *(ids(history).index(i) for i in wanted))


# ----------------------------------------------------------------- listing
def test_lists_newest_first_and_searches_candidate_role_and_answers(qtbot, history_app):
    _app, history = history_app()
    wait_count(qtbot, history, "5 sessions")
    assert ids(history) == ["ada1", "chloe", "ada2", "grace", "bob"]
    for text, expected in (("grace hop", {"grace"}), ("DATA ANALYST", {"grace", "chloe"}),
                           ("churn dashboard", {"grace"}), ("no such words", set())):
        history.search_edit.setText(text)
        qtbot.waitUntil(lambda e=expected, t=text: history.query.text == t and set(ids(history)) == e,
                        timeout=WAIT)
        wait_count(qtbot, history, f"{len(expected)} session{'s' if len(expected) != 1 else ''}")
    history.search_edit.clear()
    wait_count(qtbot, history, "5 sessions")


def test_role_filter_offers_bank_and_history_roles(qtbot, history_app):
    _app, history = history_app()
    combo = history.filters.role_combo
    roles = history.filters.roles()
    assert {"Backend engineer", "Data analyst", "Product manager"} <= set(roles)
    assert roles == sorted(roles, key=str.casefold)
    combo.setCurrentIndex(combo.findText("Data analyst"))
    qtbot.waitUntil(lambda: set(ids(history)) == {"grace", "chloe"}, timeout=WAIT)
    assert history.query.role == "Data analyst"
    combo.setCurrentIndex(0)
    wait_count(qtbot, history, "5 sessions")


def test_status_filter(qtbot, history_app):
    _app, history = history_app()
    combo = history.filters.status_combo
    combo.setCurrentIndex(combo.findData(SessionStatus.ABANDONED))
    qtbot.waitUntil(lambda: ids(history) == ["bob"], timeout=WAIT)
    combo.setCurrentIndex(combo.findData(SessionStatus.COMPLETED))
    qtbot.waitUntil(lambda: set(ids(history)) == {"ada1", "ada2", "grace"}, timeout=WAIT)


def test_date_range_filter_includes_both_days(qtbot, history_app):
    _app, history = history_app()
    filters = history.filters
    filters.from_edit.setDate(QDate(2026, 2, 20))
    filters.from_check.setChecked(True)
    qtbot.waitUntil(lambda: set(ids(history)) == {"ada1", "chloe", "ada2", "grace"}, timeout=WAIT)
    filters.to_edit.setDate(QDate(2026, 2, 25))
    filters.to_check.setChecked(True)
    qtbot.waitUntil(lambda: set(ids(history)) == {"ada2", "grace"}, timeout=WAIT)
    filters.clear_button.click()
    wait_count(qtbot, history, "5 sessions")


def test_score_range_filter(qtbot, history_app):
    _app, history = history_app()
    scores = {history.model.summary(r).id: history.model.summary(r).overall_score
              for r in range(history.model.rowCount())}
    assert scores["ada1"] == 80 and scores["grace"] == 55 and scores["ada2"] == 65
    history.filters.score_min_spin.setValue(60)
    qtbot.waitUntil(lambda: set(ids(history)) == {"ada1", "ada2"}, timeout=WAIT)
    history.filters.score_max_spin.setValue(70)
    qtbot.waitUntil(lambda: ids(history) == ["ada2"], timeout=WAIT)
    history.filters.score_min_spin.setValue(history.filters.score_min_spin.minimum())  # "any"
    qtbot.waitUntil(lambda: set(ids(history)) == {"ada2", "grace"}, timeout=WAIT)
    assert history.query.score_min is None and history.query.score_max == 70


def test_filters_combine_with_search(qtbot, history_app):
    _app, history = history_app()
    combo = history.filters.role_combo
    combo.setCurrentIndex(combo.findText("Backend engineer"))
    history.search_edit.setText("ada")
    history.filters.score_min_spin.setValue(70)
    qtbot.waitUntil(lambda: ids(history) == ["ada1"], timeout=WAIT)
    wait_count(qtbot, history, "1 session")


def test_sorting_by_score_is_done_by_the_store(qtbot, history_app):
    _app, history = history_app()
    header = history.table.horizontalHeader()
    score_column = 5

    def click_score_header():
        x = header.sectionViewportPosition(score_column) + header.sectionSize(score_column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

    click_score_header()  # best first
    qtbot.waitUntil(lambda: ids(history)[:3] == ["ada1", "ada2", "grace"], timeout=WAIT)
    assert history.query.sort_key == "overall_score" and history.query.descending
    assert header.sortIndicatorSection() == score_column
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    click_score_header()  # worst first (sessions without a score come first)
    qtbot.waitUntil(lambda: ids(history)[-3:] == ["grace", "ada2", "ada1"], timeout=WAIT)
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder


def test_paging_loads_more_rows_when_scrolled(qtbot, history_app):
    _app, history = history_app(make_sessions(250))
    model = history.model
    wait_count(qtbot, history, "250 sessions")
    assert model.rowCount() == 100 and model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 200, timeout=WAIT)
    history.table.scrollToBottom()  # the view asks the model for the next page itself
    qtbot.waitUntil(lambda: model.rowCount() == 250, timeout=WAIT)
    assert not model.canFetchMore()
    started = [model.summary(r).started_at for r in range(250)]
    assert started == sorted(started, reverse=True)
    assert len(set(ids(history))) == 250


def test_a_search_with_many_matches_is_counted_only_up_to_the_limit(
    qtbot, history_app, monkeypatch, tmp_path
):
    monkeypatch.setattr("interview_desktop.services.history.SEARCH_COUNT_LIMIT", 120)
    _app, history = history_app(make_sessions(250))
    wait_count(qtbot, history, "250 sessions")  # no search: the exact count
    with JsonHistoryRepository(tmp_path / "data") as store:
        few, many = store.count(SessionQuery(text="mentored")), store.count(SessionQuery(text="data"))
    assert few < 100 < 120 < many < 250
    history.search_edit.setText("mentored")
    wait_count(qtbot, history, f"{few} sessions")  # one short page: that is the count
    history.search_edit.setText("data")
    wait_count(qtbot, history, "120+ sessions")  # counted up to the limit only
    model = history.model
    while model.canFetchMore():
        model.fetchMore()
        qtbot.waitUntil(lambda: not model._waiting, timeout=WAIT)
    assert model.rowCount() == many
    wait_count(qtbot, history, f"{many} sessions")  # paged to the end: exact again


# ----------------------------------------------------------------- detail and reviews
def test_detail_pane_shows_scores_metrics_feedback_and_provenance(qtbot, history_app):
    _app, history = history_app()
    select_ids(history, "ada1")
    qtbot.waitUntil(lambda: history.detail.session is not None and history.detail.session.id == "ada1",
                    timeout=WAIT)
    text = history.detail.toPlainText()
    session = history.detail.session
    assert "Ada Lovelace — Backend engineer" in text
    for answer in session.answers:
        assert answer.question.text in text and answer.text in text
        assert f"Score {answer.evaluation.overall} / 100" in text
    assert "Pace " in text and " wpm" in text and "Fillers " in text and "Pauses " in text
    assert "Strengths:" in text and "To improve:" in text
    assert "speech-to-text: whisper-tiny.en" in text and "scoring: offline" in text
    assert "overall score 80 / 100" in text
    # voice answers whose WAV is not in the data folder
    assert [v.audio_label.text() for v in history.detail.answer_views] == [
        "recording not kept", "typed — no recording", "recording not kept"
    ]


def test_rating_and_note_are_saved_with_who_and_when(qtbot, tmp_path, history_app):
    app, history = history_app()
    select_ids(history, "grace")
    qtbot.waitUntil(lambda: history.detail.session is not None and history.detail.session.id == "grace",
                    timeout=WAIT)
    editor = history.detail.answer_views[0].review
    assert editor.status_label.text() == "Not reviewed yet."
    editor.rating_combo.setCurrentIndex(4)
    editor.note_edit.setPlainText("Concrete tool, no impact figure.")
    with qtbot.waitSignal(app.history.session_saved, timeout=WAIT):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.status_label.text().startswith("Rated 4/5"), timeout=WAIT)
    assert f"by {getpass.getuser()}" in editor.status_label.text()

    session_editor = history.detail.session_review
    session_editor.rating_combo.setCurrentIndex(3)
    session_editor.note_edit.setPlainText("Second round: yes")
    with qtbot.waitSignal(app.history.session_saved, timeout=WAIT):
        session_editor.save_button.click()
    qtbot.waitUntil(lambda: session_editor.status_label.text().startswith("Rated 3/5"), timeout=WAIT)

    with JsonHistoryRepository(tmp_path / "data") as repo:
        stored = repo.get("grace")
    doc = encode_session(stored)
    review = doc["answers"][0]["review"]
    assert (review["rating"], review["note"], review["by"]) == (4, "Concrete tool, no impact figure.",
                                                                getpass.getuser())
    assert utc_now() - timedelta(minutes=5) < from_iso(review["at"]) <= utc_now()
    assert doc["review"]["rating"] == 3 and doc["review"]["note"] == "Second round: yes"
    assert doc["revision"] == five_sessions()[1].revision + 2


def test_store_status_is_shown(qtbot, history_app):
    _app, history = history_app()
    history.show_store_status("Offline (3 waiting)")
    assert history.store_label.text() == "Offline (3 waiting)"
    history.show_store_status("Connected")
    assert history.store_label.text() == "Connected"


# ----------------------------------------------------------------- delete and retention
def test_delete_asks_then_removes_the_session_and_its_audio(qtbot, tmp_path, history_app, monkeypatch):
    audio = tmp_path / "data" / "audio" / "grace"
    audio.mkdir(parents=True)
    (audio / "0.wav").write_bytes(b"RIFF....WAVE")
    app, history = history_app()
    asked = []

    def answer_no(*args):
        asked.append(args[2])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer_no)
    select_ids(history, "grace")
    assert history.delete_button.isEnabled()
    with qtbot.assertNotEmitted(history.delete_requested):
        history.delete_button.click()
    assert asked == ["Delete this session and their recordings? This cannot be undone."]

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(app.history.session_deleted, timeout=WAIT):
        history.delete_button.click()
    qtbot.waitUntil(lambda: "grace" not in ids(history), timeout=WAIT)
    assert history.count_label.text() == "4 sessions"
    assert not (tmp_path / "data" / "sessions" / "grace.json").exists()
    assert not audio.exists()
    history.refresh()
    qtbot.waitUntil(lambda: history.model.rowCount() == 4, timeout=WAIT)


def test_delete_several(qtbot, tmp_path, history_app, monkeypatch):
    _app, history = history_app()
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    select_ids(history, "ada1", "bob")
    history.delete_button.click()
    qtbot.waitUntil(lambda: set(ids(history)) == {"chloe", "ada2", "grace"}, timeout=WAIT)
    stored = sorted(p.stem for p in (tmp_path / "data" / "sessions").glob("*.json"))
    assert stored == ["ada2", "chloe", "grace"]


def test_retention_deletes_old_sessions(qtbot, tmp_path, history_app):
    now = utc_now()
    sessions = [scored_session(id=f"d{days}", started_at=now - timedelta(days=days, hours=1))
                for days in (1, 20, 45, 400)]
    app, history = history_app(sessions)
    settings_tab = app.window.settings_tab  # the real Settings tab: "Delete sessions older than"
    settings_tab.retention_spin.setValue(30)
    with qtbot.waitSignal(app.history.retention_applied, timeout=WAIT) as applied:
        settings_tab.save_button.click()
    assert applied.args == [2]
    qtbot.waitUntil(lambda: set(ids(history)) == {"d1", "d20"}, timeout=WAIT)
    assert sorted(p.stem for p in (tmp_path / "data" / "sessions").glob("*.json")) == ["d1", "d20"]
    assert app.settings_store.load().retention_days == 30


# ----------------------------------------------------------------- compare
def test_compare_shows_sessions_side_by_side_and_a_score_chart(qtbot, history_app):
    _app, history = history_app()
    select_ids(history, "ada1")
    assert not history.compare_button.isEnabled()  # two or more
    select_ids(history, "ada1", "ada2", "grace")
    assert history.compare_button.isEnabled()
    history.compare_button.click()
    qtbot.waitUntil(lambda: history.compare_dialog is not None and history.compare_dialog.isVisible(),
                    timeout=WAIT)
    dialog = history.compare_dialog
    assert [s.id for s in dialog.sessions] == ["grace", "ada2", "ada1"]  # oldest first
    assert dialog.table.columnCount() == 3
    assert [dialog.cell("Overall score", c) for c in range(3)] == ["55", "65", "80"]
    assert [dialog.cell("Candidate", c) for c in range(3)] == ["Grace Hopper", "Ada Lovelace", "Ada Lovelace"]
    assert dialog.cell("Relevance", 0).isdigit()
    assert dialog.cell("Pace (words per minute)", 2) != ""
    assert dialog.table.horizontalHeaderItem(0).text().startswith("Grace Hopper\n2026-02-20")
    lines = {s.name(): [(p.x(), p.y()) for p in s.points()] for s in dialog.series}
    assert set(lines) == {"Ada Lovelace", "Grace Hopper"}
    assert [y for _x, y in lines["Ada Lovelace"]] == [65, 80]  # progress over time
    assert lines["Ada Lovelace"][0][0] < lines["Ada Lovelace"][1][0]
    assert len(dialog.chart.axes()) == 2
    dialog.close()


# ----------------------------------------------------------------- export
def export(qtbot, app, history, fmt, path):
    with qtbot.waitSignal(app.history.sessions_exported, timeout=WAIT * 2) as done:
        assert history.export_selected(fmt, str(path))
        assert not history.export_button.isEnabled()
    qtbot.waitUntil(lambda: history.export_progress is None, timeout=WAIT)
    assert done.args[0].error is None
    assert history.message_label.text().startswith("Exported ")
    return done.args[0]


def test_export_csv(qtbot, tmp_path, history_app):
    app, history = history_app()
    select_ids(history, "ada1", "grace")
    result = export(qtbot, app, history, "csv", tmp_path / "out.csv")
    assert result.count == 2
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["session_id"], r["question_number"]) for r in rows] == [
        ("ada1", "1"), ("ada1", "2"), ("ada1", "3"), ("grace", "1")
    ]
    assert rows[3]["answer"] == "I built a churn dashboard in Looker for the sales team."
    assert rows[3]["candidate"] == "Grace Hopper" and rows[3]["role"] == "Data analyst"
    assert rows[0]["score"] and rows[0]["words_per_minute"]


def test_export_json_is_the_stored_documents(qtbot, tmp_path, history_app):
    app, history = history_app()
    select_ids(history, "chloe", "bob")
    export(qtbot, app, history, "json", tmp_path / "out.json")
    docs = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    with JsonHistoryRepository(tmp_path / "data") as repo:
        assert docs == [encode_session(repo.get("chloe")), encode_session(repo.get("bob"))]


def test_export_markdown_and_pdf(qtbot, tmp_path, history_app):
    app, history = history_app()
    select_ids(history, "ada1", "grace", "bob")
    export(qtbot, app, history, "markdown", tmp_path / "out.md")
    text = (tmp_path / "out.md").read_text(encoding="utf-8")
    for session in five_sessions():
        if session.id in ("ada1", "grace", "bob"):
            assert session.candidate in text
            for answer in session.answers:
                assert answer.question.text in text
    export(qtbot, app, history, "pdf", tmp_path / "out.pdf")
    data = (tmp_path / "out.pdf").read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1024


def test_export_through_the_dialog(qtbot, tmp_path, history_app, monkeypatch):
    from interview_desktop.ui.export_dialog import ExportDialog

    app, history = history_app()
    select_ids(history, "ada1")

    def accept(dialog):
        assert dialog.chosen()[0] == "csv"
        dialog.set_format("markdown")
        dialog.path_edit.setText(str(tmp_path / "report"))  # no suffix: the format's is added
        return ExportDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportDialog, "exec", accept)
    with qtbot.waitSignal(app.history.sessions_exported, timeout=WAIT):
        history.export_button.click()
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("# Interview report")


def test_export_failure_is_shown(qtbot, tmp_path, history_app):
    app, history = history_app()
    select_ids(history, "ada1")
    with qtbot.waitSignal(app.history.sessions_exported, timeout=WAIT) as done:
        history.export_selected("csv", str(tmp_path / "missing" / "out.csv"))
    assert done.args[0].error
    qtbot.waitUntil(lambda: history.message_label.text().startswith("Export failed: "), timeout=WAIT)
    qtbot.waitUntil(lambda: "Could not export" in app.window.statusBar().currentMessage(), timeout=WAIT)
    assert history.export_button.isEnabled()


def test_the_tab_knows_the_data_folder_and_bank_roles(qtbot, tmp_path, history_app):
    app, history = history_app()
    assert history.detail.data_dir == tmp_path / "data"
    assert "Software Engineer" in history.filters.roles()


def test_news_from_the_team_asks_for_one_page_at_a_time(qtbot):
    """During a first pull, news arrives faster than a busy store answers: an empty tab asks again
    only once the page it asked for has arrived (each new request would void the one in flight)."""

    tab = HistoryTab(["Sales"])
    qtbot.addWidget(tab)
    tab.show()
    asked: list[int] = []
    tab.list_requested.connect(lambda request_id, _query: asked.append(request_id))
    news = PullResult(pulled=500, deleted=0, seen=500, complete=False)
    tab.team_changes_arrived(news)
    tab.team_changes_arrived(news)
    tab.team_changes_arrived(news)
    assert len(asked) == 1
    rows = tuple(make_sessions(1))
    page = SessionPage(asked[0], SessionQuery(), tuple(SessionSummary.of(s) for s in rows), 1)
    tab.show_page(page)
    assert tab.model.rowCount() == 1
    tab.team_changes_arrived(news)  # rows shown: they stay, a line tells what is new
    assert len(asked) == 1 and tab.message_label.text().startswith("From your team: 500 sessions")
