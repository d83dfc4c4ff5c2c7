"""Named loggers to stderr and a rotating file in the platform log folder."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_dir: Path | None, level: int = logging.INFO) -> Path | None:
    """Configure the ``interview_desktop`` logger tree; returns the log file path (or None)."""
    root = logging.getLogger("interview_desktop")
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter(FORMAT)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(formatter)
    root.addHandler(stderr)
    log_file = None
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            log_file = log_dir / "interview-desktop.log"
            file_handler = logging.handlers.RotatingFileHandler(
                log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
            )
            file_handler.setFormatter(formatter)
            root.addHandler(file_handler)
        except OSError as err:
            root.warning("cannot write the log file in %s: %s", log_dir, err)
            log_file = None
    root.propagate = False
    return log_file


def current_log_file() -> Path | None:
    """The log file the ``interview_desktop`` loggers write to, if any."""
    for handler in logging.getLogger("interview_desktop").handlers:
        if isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None
