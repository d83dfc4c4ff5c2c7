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
