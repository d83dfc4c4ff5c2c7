"""How far this computer has read the shared history's change feed (the pull watermarks).

A small JSON file ``{"feed": "<server/db.collection>", "sessions": ISO, "deletions": ISO}``. The
watermark is the ``updated_at`` (``deleted_at``) of the last change taken; the next pull reads
from ``PULL_OVERLAP`` before it, so a change saved by a desktop whose clock is a little behind is
still seen (taking a change twice is harmless: the revision rule keeps the newer copy). A file for
another feed (the MongoDB address changed) or a damaged file starts again from the beginning:
a full pull, which is also harmless.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

from interview_desktop.atomic import atomic_write_bytes
from interview_desktop.domain import from_iso, to_iso

log = logging.getLogger("interview_desktop.storage.sync")

PULL_OVERLAP = timedelta(minutes=10)
_KINDS = ("sessions", "deletions")


class PullState:
    """Watermarks of one change feed, saved atomically. Used by one pull at a time."""

    def __init__(self, path: Path, feed: str) -> None:
        self.path = path
        self.feed = feed
        self._marks: dict[str, str | None] = dict.fromkeys(_KINDS)
        self._dirty = False
        self._load()

    def mark(self, kind: str) -> str | None:
        """The last change taken of ``kind`` ("sessions" / "deletions"), None before the first pull."""
        return self._marks[kind]

    def read_from(self, kind: str) -> str | None:
        """Where the next pull of ``kind`` starts: the mark minus the overlap (None = everything)."""
        mark = from_iso(self._marks[kind])
        return to_iso(mark - PULL_OVERLAP) if mark is not None else None

    def advance(self, kind: str, value: str | None, save: bool = True) -> None:
        """Move the mark of ``kind`` forward to ``value`` (never back); save unless told not to."""
        current = self._marks[kind]
        if value is not None and (current is None or value > current):
            self._marks[kind] = value
            self._dirty = True
        if save:
            self.save()

    def save(self) -> None:
        """Write the marks if they moved. A failure (disk full) is logged: the next pull repeats work."""
        if not self._dirty:
            return
        data = json.dumps({"feed": self.feed, **self._marks}, indent=1).encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.path, data)
        except OSError as exc:
            log.warning("could not save the sync position %s: %s", self.path, exc)
            return
        self._dirty = False

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("sync position %s is unreadable (%s); reading it all again", self.path, exc)
            return
        if not isinstance(raw, dict) or raw.get("feed") != self.feed:
            log.info("sync position %s is for another shared history; starting over", self.path)
            return
        for kind in _KINDS:
            value = raw.get(kind)
            try:
                if isinstance(value, str) and from_iso(value) is not None:
                    self._marks[kind] = value
            except ValueError:
                log.warning("sync position %s: bad %s mark %r ignored", self.path, kind, value)
