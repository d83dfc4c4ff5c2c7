"""The whole app with a Groq key, the real groq SDK pointed at a local server playing Groq.

Checks what only the assembled app shows: tailored questions reach the window, answers are scored
by the LLM and say so, a failing LLM degrades to the offline brain with one message, "offline only"
sends nothing, and the key is never written to logs, settings or the session.
"""

from __future__ import annotations

import json
import logging
import re

import pytest
from werkzeug import Request, Response

from tests.providers.cloud.helpers import GROQ_CHAT_PATH, chat_completion, json_response

FAKE_KEY = "gsk_APPtestKEY0000secret9876"
STRONG = (
    "When I was the lead developer at a logistics startup, our checkout service kept timing out. "
    "I profiled it, added a missing index and a circuit breaker, and p95 latency dropped from 2.4 "
    "seconds to 300 milliseconds, with zero outages over the holiday peak."
)
EVALUATION = {
    "parts": {"relevance": 90, "coverage": 80, "specificity": 85, "structure": 75, "concision": 70},
    "overall": 82, "covered": [0, 1],
    "strength": "A clear incident story with numbers.",
    "improvement": "Say what you changed in the process afterwards.",
    "example": "After that, I added an alert on pool usage so we catch it before customers do.",
}


def llm(request: Request) -> Response:
    prompt = request.get_json()["messages"][1]["content"]
    if prompt.startswith("Write exactly"):
        count = int(re.match(r"Write exactly (\d+)", prompt)[1])
        reply = {"questions": [
            {"text": f"Tell me about payment system number {i + 1} that you helped to build?",
             "kind": "behavioural", "covers": ["a concrete example", "the result"]}
            for i in range(count)
        ]}
    elif "follow-up" in prompt.lower():
        reply = {"follow_up": None}
    else:
        reply = EVALUATION
    return json_response(chat_completion(json.dumps(reply)))


@pytest.fixture
def groq_env(httpserver, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", FAKE_KEY)
    monkeypatch.setenv("GROQ_BASE_URL", httpserver.url_for("/").rstrip("/"))
    return httpserver


def answer_all(qtbot, app, texts):
    tab = app.window.interview_tab
    with qtbot.waitSignal(app.engine.session_finished, timeout=20000) as finished:
        for n, text in enumerate(texts, 1):
            qtbot.waitUntil(lambda n=n: tab.submit_button.isEnabled()
                            and tab.progress_label.text().startswith(f"Question {n} "), timeout=10000)
            tab.answer_edit.setPlainText(text)
            tab.submit_button.click()
    return finished.args[0]


def test_llm_tailors_questions_and_scores_answers(qtbot, make_app, groq_env, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    groq_env.expect_request(GROQ_CHAT_PATH).respond_with_handler(llm)
    app = make_app("--candidate", "Ada", "--role", "Software Engineer", "--questions", "2")
    app.window.interview_tab.job_edit.setPlainText("Backend engineer for payment systems, Python.")
    app.show()
    app.window.interview_tab.start_button.click()
    session = answer_all(qtbot, app, [STRONG, STRONG])
    assert [a.question.source for a in session.answers] == ["llm", "llm"]
    assert session.answers[0].question.text.startswith("Tell me about payment system number 1")
    assert session.job_description.startswith("Backend engineer")
    first = session.answers[0]
    assert first.evaluation.scorer.startswith("groq:")
    assert first.provenance.brain == "groq-llm" and first.provenance.cloud is True
    qtbot.waitUntil(lambda: "scored by groq" in app.window.report_view.headline.text(), timeout=5000)
    sent = [json.loads(req.get_data()) for req, _ in groq_env.log]
    assert any("payment systems" in m["content"] for body in sent for m in body["messages"])
    # the key went only to the server, in the Authorization header
    assert all(req.headers["Authorization"] == f"Bearer {FAKE_KEY}" for req, _ in groq_env.log)
    assert FAKE_KEY not in caplog.text
    stored = (tmp_path / "data" / "sessions" / f"{session.id}.json").read_text()
    assert FAKE_KEY not in stored
    app.window.settings_tab.save_button.click()
    assert FAKE_KEY not in (tmp_path / "settings.json").read_text()


def test_llm_failure_falls_back_to_the_offline_brain_with_one_message(qtbot, make_app, groq_env, caplog):
    groq_env.expect_request(GROQ_CHAT_PATH).respond_with_json({"error": {"message": "boom"}}, status=500)
    app = make_app("--role", "Sales", "--questions", "1")
    app.show()
    messages = []
    app.engine.notice.connect(lambda n: messages.append(n.text))
    app.window.interview_tab.start_button.click()
    session = answer_all(qtbot, app, [STRONG])
    answer = session.answers[0]
    assert answer.question.source == "bank"  # question generation fell back too
    assert answer.evaluation.scorer == "offline" and answer.provenance.brain == "offline"
    fell_back = [m for m in messages if "groq-llm" in m]
    assert len(fell_back) == 2 and all("500" in m for m in fell_back)  # questions, evaluation
    assert len(groq_env.log) == 1  # the circuit breaker spared the evaluation a second request
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
                and "provider=groq-llm" in r.getMessage()]
    assert warnings and "cause=server error" in warnings[0]


def test_offline_only_sends_nothing(qtbot, make_app, groq_env):
    groq_env.expect_request(GROQ_CHAT_PATH).respond_with_handler(llm)
    app = make_app("--offline", "--role", "Sales", "--questions", "1")
    app.show()
    app.window.interview_tab.start_button.click()
    session = answer_all(qtbot, app, [STRONG])
    assert session.answers[0].evaluation.scorer == "offline"
    assert session.answers[0].provenance.cloud is False
    assert groq_env.log == []


def pdf_text(path) -> str:
    """The text of a PDF as a reader extracts it (Qt's PDF module), not its compressed bytes."""
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_, path
    try:
        return "\n".join(document.getAllText(page).text() for page in range(document.pageCount()))
    finally:
        document.close()


def test_exports_never_contain_the_keys_in_use(qtbot, make_app, groq_env, tmp_path, caplog):
    """A Groq key in the environment (used for every question and score), an ElevenLabs key typed into
    Settings and a MongoDB address with its password in the keyring: none reaches an export, the
    settings file or the log."""
    from tests.ui.test_history_tab import export, select_ids

    caplog.set_level(logging.DEBUG)
    groq_env.expect_request(GROQ_CHAT_PATH).respond_with_handler(llm)
    eleven_key, mongo_password = "sk_typedELEVEN0000key1111", "Pw0rdMONGO2222secret"
    app = make_app("--candidate", "Ada", "--role", "Software Engineer", "--questions", "1")
    app.show()
    settings = app.window.settings_tab
    settings.key_edits["elevenlabs"].setText(eleven_key)  # typed into Settings → keyring
    with qtbot.waitSignal(settings.settings_saved, timeout=5000):
        settings.save_button.click()
    unset = "Not set: history stays on this computer"  # what a missing key means, said per service
    qtbot.waitUntil(lambda: settings.key_labels["mongodb"].text() == unset, timeout=5000)
    assert settings.key_labels["groq"].text().endswith("from the environment")
    assert FAKE_KEY not in settings.key_labels["groq"].text()  # masked
    app.keys.set("mongodb", f"mongodb://team:{mongo_password}@127.0.0.1:1/interviews")
    qtbot.waitUntil(lambda: app.keys.get("elevenlabs") == eleven_key, timeout=5000)
    app.window.interview_tab.start_button.click()
    session = answer_all(qtbot, app, [STRONG])
    assert session.answers[0].evaluation.scorer.startswith("groq:")  # the key was really in use
    history = app.window.history_tab
    app.window.tabs.setCurrentWidget(history)
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=5000)
    select_ids(history, session.id)
    texts = {}
    for fmt, suffix in (("csv", "csv"), ("json", "json"), ("markdown", "md"), ("pdf", "pdf")):
        path = tmp_path / f"export.{suffix}"
        export(qtbot, app, history, fmt, path)
        texts[fmt] = pdf_text(path) if fmt == "pdf" else path.read_text(encoding="utf-8")
    assert "profiled it" in texts["pdf"]  # the PDF's text was really read back
    texts["settings"] = (tmp_path / "settings.json").read_text(encoding="utf-8")
    texts["log"] = caplog.text
    for where, text in texts.items():
        for secret in (FAKE_KEY, eleven_key, mongo_password, "APPtestKEY", "typedELEVEN"):
            assert secret not in text, (where, secret)
