"""Root of the error hierarchy.

Known environment problems (no microphone, no key, server down, disk full …) are subclasses of
:class:`InterviewDesktopError` and carry a message written for the user. Anything else is a bug and
must not be swallowed. :func:`describe_os_error` is the one place OS errors become plain words.
"""

from __future__ import annotations

import errno
from pathlib import Path


class InterviewDesktopError(Exception):
    """A known, user-explainable problem. ``str(err)`` is shown in the window as is."""


def describe_os_error(exc: OSError, target: Path | None = None) -> str:
    """The one OSError → plain words rule, for the problems a user can fix. ``target``: the file
    being written (names its folder)."""
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
