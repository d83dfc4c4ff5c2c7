"""Light and dark: "system" leaves the look to the desktop (Qt follows the OS colour scheme where the
platform tells it); "light" and "dark" use Qt's Fusion style with a palette of their own, so they
look the same everywhere. Text sizes are never fixed: they scale with the system font."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = ("system", "light", "dark")

_DARK = {
    QPalette.ColorRole.Window: "#2b2b2e", QPalette.ColorRole.WindowText: "#e8e8ea",
    QPalette.ColorRole.Base: "#1f1f22", QPalette.ColorRole.AlternateBase: "#29292d",
    QPalette.ColorRole.Text: "#e8e8ea", QPalette.ColorRole.Button: "#36363a",
    QPalette.ColorRole.ButtonText: "#e8e8ea", QPalette.ColorRole.Highlight: "#2f6fde",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#3a3a3f",
    QPalette.ColorRole.ToolTipText: "#e8e8ea", QPalette.ColorRole.PlaceholderText: "#8e8e93",
    QPalette.ColorRole.Link: "#7aa7ff", QPalette.ColorRole.Mid: "#8e8e93",
}


def apply_theme(app: QApplication, theme: str) -> None:
    """Use ``theme`` (one of ``THEMES``) for the whole application, now."""
    if not hasattr(app, "_system_look"):
        app._system_look = (app.style().name(), QPalette(app.palette()))  # type: ignore[attr-defined]
    style, palette = app._system_look  # type: ignore[attr-defined]
    if theme == "system":
        app.setStyle(QStyleFactory.create(style))
        app.setPalette(palette)
        return
    app.setStyle(QStyleFactory.create("Fusion"))
    fusion = app.style().standardPalette()
    if theme == "dark":
        for role, colour in _DARK.items():
            fusion.setColor(role, QColor(colour))
            fusion.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour).darker(140)
                            if role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                                        QPalette.ColorRole.WindowText) else QColor(colour))
    app.setPalette(fusion)
