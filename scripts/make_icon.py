"""Draws the app icon (a speech bubble with a microphone) into resources/icons/ at the sizes a
desktop needs. Run once after changing it: .venv/bin/python scripts/make_icon.py (needs no display)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    bubble = QPainterPath()
    bubble.addRoundedRect(QRectF(16 * s, 20 * s, 224 * s, 176 * s), 44 * s, 44 * s)
    tail = QPainterPath()
    tail.moveTo(QPointF(64 * s, 180 * s))
    tail.lineTo(QPointF(48 * s, 240 * s))
    tail.lineTo(QPointF(116 * s, 190 * s))
    tail.closeSubpath()
    p.fillPath(bubble.united(tail), QColor("#2f6fde"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    p.drawRoundedRect(QRectF(106 * s, 44 * s, 44 * s, 84 * s), 22 * s, 22 * s)  # the microphone
    pen = QPen(QColor("white"), 10 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(88 * s, 72 * s, 80 * s, 80 * s), 180 * 16, 180 * 16)
    p.drawLine(QPointF(128 * s, 152 * s), QPointF(128 * s, 170 * s))
    p.end()
    return image


def main() -> int:
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (16, 32, 48, 64, 128, 256):
        draw(size).save(str(OUT / f"interview-desktop-{size}.png"))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
