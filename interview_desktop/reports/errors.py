"""Errors of the report writers, and the atomic file writing they share."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from interview_desktop.atomic import atomic_write_bytes as write_atomically
from interview_desktop.errors import InterviewDesktopError, describe_os_error


class ReportError(InterviewDesktopError):
    """An export could not be written (disk full, permission, folder missing …)."""


def temp_path_for(target: Path) -> Path:
    """A new, empty temp file next to ``target`` (same folder, so ``os.replace`` is atomic)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ReportError(f"could not write {target.name}: {describe_os_error(exc, target)}") from exc
    os.close(fd)
    return Path(tmp)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; a failure becomes a ReportError in plain words."""
    target = Path(path)
    try:
        return write_atomically(target, data)
    except OSError as exc:
        raise ReportError(f"could not write {target.name}: {describe_os_error(exc, target)}") from exc
