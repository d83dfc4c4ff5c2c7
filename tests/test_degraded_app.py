"""Degradations through the running app: the cloud speech recognition and the cloud voice both fail
(the real groq and elevenlabs SDKs against a local server answering 500), and a machine whose sound
server is gone (no microphone, no voice at all). Each time the interview completes, one clear message
says what happened, and the answers are saved."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt

from interview_desktop.domain import SessionStatus
from tests.providers.cloud.helpers import ELEVEN_TTS_PATH, GROQ_CHAT_PATH, GROQ_STT_PATH, json_response
from tests.speech import espeak_clip

pytestmark = [pytest.mark.audio, pytest.mark.slow]

ANSWER = "In my last role I led a team of four engineers and we shipped the new billing system on time."


@pytest.fixture
def vmic():
    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        pytest.skip("virtual microphone not running (test.sh starts it: scripts/test-services.sh)")


def test_cloud_speech_recognition_and_voice_failing_fall_back_and_the_interview_completes(
        vmic, httpserver, tmp_path):
    for path in (GROQ_STT_PATH, GROQ_CHAT_PATH, ELEVEN_TTS_PATH):
        httpserver.expect_request(path).respond_with_response(
            json_response({"error": {"message": "internal error"}}, status=500))
    base = httpserver.url_for("/").rstrip("/")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GROQ_API_KEY="gsk_test0000degraded",
               GROQ_BASE_URL=base, ELEVENLABS_API_KEY="sk_test0000degraded", ELEVENLABS_BASE_URL=base)
    from interview_desktop.audio.wav import write_wav

    wav = write_wav(tmp_path / "answer.wav", espeak_clip(ANSWER, wpm=150, lead_s=0.3))
    data = tmp_path / "data"
    log = []
    with subprocess.Popen(
        [sys.executable, "-m", "interview_desktop", "--data-dir", str(data), "--candidate", "Degraded",
         "--role", "Software Engineer", "--questions", "1", "--auto-start", "--quit-when-done"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    ) as app:
        try:
            for line in app.stderr:  # bounded by pytest-timeout
                log.append(line)
                if "state=listening question=" in line:  # the question, and a follow-up if one is asked
                    subprocess.run(["paplay", "--device=vspk", str(wav)], check=True, timeout=30)
            assert app.wait(timeout=60) == 0, "".join(log[-30:])
        finally:
            if app.poll() is None:
                app.kill()
    text = "".join(log)
    (tmp_path / "app.log").write_text(text)  # for a failure's post-mortem
    paths = {request.path for request, _ in httpserver.log}
    assert {GROQ_STT_PATH, ELEVEN_TTS_PATH} <= paths  # both cloud services were really tried
    (session_file,) = (data / "sessions").glob("*.json")
    doc = json.loads(session_file.read_text())
    assert doc["status"] == "completed"
    answer = doc["answers"][0]
    assert answer["provenance"]["stt"] == "local-whisper" and answer["provenance"]["voice"] == "piper"
    assert "billing system" in answer["text"]
    for what in ("notice: Speech recognition: fell back after groq-whisper",
                 "notice: Voice: fell back after elevenlabs"):
        assert text.count(what) == 1, what  # one message each, in the window and the log
    assert "gsk_test0000degraded" not in text


@pytest.fixture
def no_sound_server(monkeypatch):
    """PulseAudio unreachable, and PortAudio's device list read again (as a fresh start would)."""
    import sounddevice

    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pulse/native")
    sounddevice._terminate()
    sounddevice._initialize()
    assert not any(d["max_input_channels"] or d["max_output_channels"] for d in sounddevice.query_devices())
    yield
    monkeypatch.delenv("PULSE_SERVER")
    sounddevice._terminate()
    sounddevice._initialize()


def test_no_sound_server_means_typed_answers_and_the_interview_completes(qtbot, make_app, no_sound_server):
    """The sound server is gone: no microphone and no voice at all."""
    app = make_app("--candidate", "Quiet", "--questions", "2", voice=True)
    notices = []
    app.engine.notice.connect(lambda n: notices.append(n.text))
    app.show()
    tab = app.window.interview_tab
    with qtbot.waitSignal(app.engine.question_asked, timeout=10_000):
        tab.start_button.click()
    qtbot.waitUntil(lambda: tab.submit_button.isEnabled(), timeout=20_000)  # the question is on screen
    with qtbot.waitSignal(app.engine.session_finished, timeout=30_000) as finished:
        for n in (1, 2):
            qtbot.waitUntil(lambda n=n: tab.submit_button.isEnabled()
                            and tab.progress_label.text() == f"Question {n} of 2", timeout=20_000)
            qtbot.waitUntil(lambda n=n: sum(t.startswith("Voice unavailable") for t in notices) >= n,
                            timeout=20_000)  # the question could not be spoken, and the app said so
            tab.answer_edit.setPlainText("I rewrote our deploy pipeline and cut release time by 80%.")
            qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    session = finished.args[0]
    assert session.status is SessionStatus.COMPLETED and len(session.answers) == 2
    assert app.repository.get(session.id) is not None
    mic = [n for n in notices if n.startswith("Microphone unavailable")]
    voice = [n for n in notices if n.startswith("Voice unavailable")]
    assert mic and voice, notices  # both said, in plain words
    assert len(mic) == 1 and mic[0].count("type your answers") == 1, mic  # said once, clearly
