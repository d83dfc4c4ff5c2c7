"""Light and dark: Settings → Theme changes the whole window at once and is remembered; "As the
system" gives the desktop's own look back."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication


def window_lightness() -> int:
    return QApplication.instance().palette().color(QPalette.ColorRole.Window).lightness()


def test_dark_light_and_back_to_the_system_look(qtbot, make_app):
    app = make_app()
    settings = app.window.settings_tab
    system = window_lightness()
    try:
        settings.theme_combo.setCurrentIndex(settings.theme_combo.findData("dark"))
        with qtbot.waitSignal(settings.settings_saved, timeout=5000):
            settings.save_button.click()
        assert window_lightness() < 80 and QApplication.instance().style().name() == "fusion"
        assert app.settings_store.load().theme == "dark"  # remembered
        settings.theme_combo.setCurrentIndex(settings.theme_combo.findData("light"))
        with qtbot.waitSignal(settings.settings_saved, timeout=5000):
            settings.save_button.click()
        assert window_lightness() > 180
    finally:
        settings.theme_combo.setCurrentIndex(settings.theme_combo.findData("system"))
        with qtbot.waitSignal(settings.settings_saved, timeout=5000):
            settings.save_button.click()
    assert window_lightness() == system  # the other tests see the usual look
