"""Linux desktop integration: the menu entry and its icons are installed by one documented command."""

from __future__ import annotations

import configparser
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_menu_entry_and_icons_are_installed_and_removed(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    subprocess.run([str(ROOT / "scripts" / "install-desktop-entry.sh")], env=env, check=True,
                   capture_output=True, timeout=60)
    entry = tmp_path / "applications" / "interview-desktop.desktop"
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read(entry, encoding="utf-8")
    desktop = parsed["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Icon"] == "interview-desktop"
    assert desktop["Exec"] == f'"{ROOT / "run.sh"}" %U'
    for size in (16, 32, 48, 64, 128, 256):
        icon = tmp_path / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "interview-desktop.png"
        assert icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    subprocess.run([str(ROOT / "scripts" / "install-desktop-entry.sh"), "--remove"], env=env, check=True,
                   capture_output=True, timeout=60)
    assert not entry.exists()


def test_the_icons_exist_at_every_size_the_app_loads(qapp):
    from interview_desktop.app import app_icon

    sizes = sorted(s.width() for s in app_icon().availableSizes())
    assert sizes == [16, 32, 48, 64, 128, 256]
