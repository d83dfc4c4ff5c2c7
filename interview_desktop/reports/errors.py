"""Errors of the report writers, and the atomic file writing they share."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from interview_desktop.atomic import atomic_write_bytes as write_atomically
from interview_desktop.errors import InterviewDesktopError


class ReportError(InterviewDesktopError):
    """An export could not be written (disk full, permission, folder missing …)."""


def describe_os_error(exc: OSError, target: Path | None = None) -> str:
    """Plain words for the problems a user can fix; ``target`` is the file being written."""
    folder = str(target.parent) if target is not None else (exc.filename or "the chosen folder")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied ({folder})"
    if exc.errno == errno.EROFS:
        return "the folder is on a read-only disk"
    if exc.errno == errno.ENOENT:
        return f"the folder does not exist ({folder})"
    return exc.strerror or str(exc)


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
