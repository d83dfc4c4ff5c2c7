"""Settings → "Test connection" through the real app: a Groq key against a local server playing Groq
(the real groq SDK), and the team's MongoDB URI against the MongoDB-wire test server on loopback
(reachable, and a port where nothing listens). The verdict is in words and never shows a secret."""

from __future__ import annotations

from tests.providers.cloud.helpers import GROQ_MODELS_PATH, json_response

PASSWORD = "s3cretPASSw0rd"


def _test(qtbot, settings, service: str, typed: str) -> str:
    settings.key_edits[service].setText(typed)
    settings.test_labels[service].clear()
    settings.test_buttons[service].click()
    qtbot.waitUntil(lambda: settings.test_labels[service].text() not in ("", "Testing…"), timeout=20_000)
    return settings.test_labels[service].text()


def test_groq_key_test_says_whether_the_key_works(qtbot, make_app, httpserver, monkeypatch):
    monkeypatch.setenv("GROQ_BASE_URL", httpserver.url_for("/").rstrip("/"))
    httpserver.expect_oneshot_request(GROQ_MODELS_PATH).respond_with_response(
        json_response({"object": "list", "data": [{"id": "llama-3.1-8b-instant", "object": "model"}]}))
    httpserver.expect_oneshot_request(GROQ_MODELS_PATH).respond_with_response(
        json_response({"error": {"message": "Invalid API Key", "type": "invalid_request_error"}}, 401))
    app = make_app()
    settings = app.window.settings_tab
    good = _test(qtbot, settings, "groq", "gsk_GOODkey000000000000000001")
    assert good.startswith("✓"), good
    bad = _test(qtbot, settings, "groq", "gsk_BADkey0000000000000000002")
    assert bad.startswith("⚠") and "key" in bad.lower(), bad
    assert "gsk_" not in good + bad


def test_mongodb_uri_test_reaches_the_team_history_or_says_why_not(qtbot, make_app, mongo_uri):
    app = make_app()
    settings = app.window.settings_tab
    ok = _test(qtbot, settings, "mongodb", mongo_uri)
    assert ok.startswith("✓ Connected to ") and "interview_desktop.sessions" in ok, ok
    down = _test(qtbot, settings, "mongodb",
                 f"mongodb://admin:{PASSWORD}@127.0.0.1:9/?serverSelectionTimeoutMS=500")
    assert down.startswith("⚠") and "not reachable" in down, down
    assert PASSWORD not in down and "****" in down
    bad = _test(qtbot, settings, "mongodb", "mongodb://[broken")
    assert bad.startswith("⚠") and "not valid" in bad, bad
