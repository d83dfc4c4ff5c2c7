"""The app with a MongoDB URI: sessions reach the shared history; with the server down nothing is
lost and the window says how many sessions are waiting."""

from __future__ import annotations

import os
import uuid

import pymongo
import pytest

from tests.providers.cloud.helpers import closed_port

pytestmark = pytest.mark.mongo

URI = os.environ.get("INTERVIEW_TEST_MONGODB_URI")


@pytest.fixture
def database():
    if not URI:
        pytest.skip("no MongoDB-wire test server (test.sh starts one: scripts/test-services.sh)")
    name = f"app_{uuid.uuid4().hex[:12]}"
    yield name
    with pymongo.MongoClient(URI, serverSelectionTimeoutMS=3000) as client:
        client.drop_database(name)


def typed_interview(qtbot, app, answers):
    tab = app.window.interview_tab
    with qtbot.waitSignal(app.engine.session_finished, timeout=15000) as finished:
        tab.start_button.click()
        for n, text in enumerate(answers, 1):
            qtbot.waitUntil(lambda n=n: tab.submit_button.isEnabled()
                            and tab.progress_label.text().startswith(f"Question {n} "), timeout=10000)
            tab.answer_edit.setPlainText(text)
            tab.submit_button.click()
    return finished.args[0]


def test_sessions_reach_the_shared_history(qtbot, make_app, monkeypatch, database):
    monkeypatch.setenv("MONGODB_URI", f"{URI.rstrip('/')}/{database}")
    app = make_app("--candidate", "Team Member", "--role", "Sales", "--questions", "2")
    app.show()
    assert not app.window.history_tab.sync_button.isHidden()
    session = typed_interview(qtbot, app, ["First answer with a 20 percent result.", "Second answer."])
    qtbot.waitUntil(lambda: app.window.sync_label.text().endswith("all sessions synced"), timeout=15000)
    assert app.repository.status().state == "connected"
    with pymongo.MongoClient(URI, serverSelectionTimeoutMS=3000) as client:
        docs = list(client[database]["sessions"].find({"_id": session.id}))
    assert len(docs) == 1
    assert docs[0]["status"] == "completed" and len(docs[0]["answers"]) == 2
    assert docs[0]["revision"] == app.repository.local.get(session.id).revision


def test_server_down_keeps_everything_locally_and_says_so(qtbot, make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("MONGODB_URI", f"mongodb://user:s3cret@127.0.0.1:{closed_port()}/teamdb")
    app = make_app("--role", "Sales", "--questions", "1")
    app.show()
    session = typed_interview(qtbot, app, ["An answer that must not be lost."])
    qtbot.waitUntil(lambda: "waiting" in app.window.sync_label.text(), timeout=20000)
    label = app.window.sync_label.text()
    assert "s3cret" not in label and "****" in label
    assert app.repository.local.get(session.id).answers[0].text == "An answer that must not be lost."
    history = app.window.history_tab
    app.window.tabs.setCurrentWidget(history)
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=20000)
    app.window.settings_tab.save_button.click()
    assert "s3cret" not in (tmp_path / "settings.json").read_text()


def test_earlier_local_sessions_join_the_shared_history(qtbot, make_app, monkeypatch, database, tmp_path):
    from tests.reports.factories import scored_session, seed_store

    seed_store(tmp_path / "data", [scored_session(id="before-mongo")])
    monkeypatch.setenv("MONGODB_URI", f"{URI.rstrip('/')}/{database}")
    app = make_app()
    app.show()
    qtbot.waitUntil(lambda: app.window.sync_label.text().endswith("all sessions synced"), timeout=15000)
    with pymongo.MongoClient(URI, serverSelectionTimeoutMS=3000) as client:
        assert client[database]["sessions"].count_documents({"_id": "before-mongo"}) == 1


def test_the_teams_sessions_appear_in_the_history_tab(qtbot, make_app, monkeypatch, database):
    from interview_desktop.storage.mongo_store import MongoHistoryRepository
    from tests.reports.factories import scored_session

    theirs = scored_session(id="from-desk-b", candidate="Bea Other")
    uri = f"{URI.rstrip('/')}/{database}"
    with MongoHistoryRepository(uri, database=database) as desk_b:
        desk_b.save(theirs)
        monkeypatch.setenv("MONGODB_URI", uri)
        app = make_app()  # its sync thread pulls at once; the result is queued for this thread
        history = app.window.history_tab
        app.window.tabs.setCurrentWidget(history)
        app.show()
        # an empty tab fills itself as the team's history arrives
        qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=15000)
        assert "Bea Other" in history.model.index(0, 1).data()
        # a tab with rows keeps them and says what is new; Refresh shows it
        later = scored_session(id="from-desk-b-2", candidate="Cy Later")
        desk_b.save(later)
        with qtbot.waitSignal(app.sync.pulled, timeout=15000):
            history.sync_button.click()
        qtbot.waitUntil(lambda: history.message_label.text().startswith("From your team: 1 session"),
                        timeout=5000)
        assert history.model.rowCount() == 1
        history.refresh_button.click()
        qtbot.waitUntil(lambda: history.model.rowCount() == 2, timeout=10000)
        assert history.message_label.text() == ""
        desk_b.delete(theirs.id)  # a teammate deletes one: the next Sync now takes the deletion
        with qtbot.waitSignal(app.sync.pulled, timeout=15000):
            history.sync_button.click()
        qtbot.waitUntil(lambda: "1 deleted" in history.message_label.text(), timeout=5000)
        history.refresh_button.click()
        qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=10000)
    assert app.repository.local.get(theirs.id) is None
