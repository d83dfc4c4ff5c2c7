"""Settings → Offline voice, speed and volume: saved, and the voice chain rebuilt from them."""

from __future__ import annotations


def test_the_offline_voice_choice_rebuilds_the_voice_chain(qtbot, make_app):
    app = make_app(voice=True)
    settings = app.window.settings_tab
    assert settings.offline_voice_combo.currentData() == "piper"  # the default

    settings.voice_speed_spin.setValue(1.3)
    settings.voice_volume_spin.setValue(0.8)
    settings.save_button.click()
    qtbot.waitUntil(lambda: app.settings_store.load().voice_speed == 1.3, timeout=5000)
    saved = app.settings_store.load()
    assert (saved.offline_voice, saved.voice_volume) == ("piper", 0.8)
    assert (app.providers.piper.speed, app.providers.piper.volume) == (1.3, 0.8)
    assert "voice: piper → pyttsx3" in app.window.statusBar().currentMessage()  # the chain rebuilt

    settings.offline_voice_combo.setCurrentIndex(settings.offline_voice_combo.findData("system"))
    assert not settings.voice_speed_spin.isEnabled()  # the system voice has its own rate
    settings.save_button.click()
    qtbot.waitUntil(lambda: app.settings_store.load().offline_voice == "system", timeout=5000)
    assert "voice: pyttsx3;" in app.window.statusBar().currentMessage()


def test_try_speaks_a_sample_on_the_speaker_and_measures_the_voice(qtbot, make_app, tmp_path):
    """The sample is really played: the virtual speaker's monitor is recorded while it speaks."""
    import os
    import subprocess

    import numpy as np
    import pytest

    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        pytest.skip("virtual sound server not running (test.sh starts it: scripts/test-services.sh)")
    app = make_app(voice=True)
    settings = app.window.settings_tab
    raw = tmp_path / "speaker.raw"
    with open(raw, "wb") as out:
        recorder = subprocess.Popen(["parec", "--device=vspk.monitor", "--format=s16le", "--rate=16000",
                                     "--channels=1", "--raw"], stdout=out)
        try:
            settings.try_voice_button.click()
            assert not settings.try_voice_button.isEnabled()
            qtbot.waitUntil(lambda: settings.try_voice_button.isEnabled(), timeout=60_000)
        finally:
            recorder.terminate()
            recorder.wait(10)
    text = settings.voice_label.text()
    assert "s of speech made in" in text and "faster than spoken" in text and "played on" in text, text
    heard = np.frombuffer(raw.read_bytes(), dtype=np.int16).astype(np.float32) / 32768
    loud_s = np.count_nonzero(np.abs(heard) > 0.05) / 16000
    assert loud_s > 0.2, f"the speaker's monitor heard {loud_s:.2f} s above -26 dBFS"
