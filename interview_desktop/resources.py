"""Where the read-only resources (question bank, prompts, icons) live, in a checkout and frozen."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_root() -> Path:
    """A bundle's, else a checkout's (``resources/`` beside the package), else an installed wheel's
    (``<prefix>/share/interview-desktop/resources``, pyproject.toml's data-files)."""
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller onedir/onefile
    if frozen:
        return Path(frozen) / "resources"
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "interview-desktop" / "resources"


def resource_path(*parts: str) -> Path:
    return resources_root().joinpath(*parts)
