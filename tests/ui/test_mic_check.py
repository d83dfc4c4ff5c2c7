"""Settings → Mic check on the virtual microphone: silence is reported, speech is heard."""

from __future__ import annotations

import os
import subprocess

import pytest

from interview_desktop.audio.wav import write_wav
from tests.speech import espeak_clip

pytestmark = pytest.mark.audio


@pytest.fixture
def vmic():
    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        pytest.skip("virtual microphone not running (test.sh starts it: scripts/test-services.sh)")


def test_mic_check_warns_when_silent_and_lists_devices(qtbot, make_app, vmic):
    app = make_app(voice=True)
    app.show()
    settings = app.window.settings_tab
    app.window.tabs.setCurrentWidget(settings)  # asks the engine for the device list
    qtbot.waitUntil(lambda: settings.input_combo.count() > 1, timeout=10000)
    names = [settings.input_combo.itemText(i) for i in range(settings.input_combo.count())]
    assert any("vmic" in n or "pulse" in n.lower() or "default" in n.lower() for n in names[1:]), names
    settings.mic_check_button.click()
    qtbot.waitUntil(lambda: settings.mic_check_button.isEnabled(), timeout=15000)
    assert settings.mic_label.text().startswith("⚠ No sound from this microphone")


def test_mic_check_hears_speech(qtbot, make_app, vmic, tmp_path):
    wav = write_wav(tmp_path / "hello.wav", espeak_clip("Testing, one two three, testing.", lead_s=0.3))
    app = make_app(voice=True)
    app.show()
    settings = app.window.settings_tab
    settings.mic_check_button.click()
    with subprocess.Popen(["paplay", "--device=vspk", str(wav)]) as player:
        qtbot.waitUntil(lambda: settings.mic_check_button.isEnabled(), timeout=15000)
        player.wait(timeout=10)
    assert settings.mic_label.text().startswith("The microphone works"), settings.mic_label.text()
