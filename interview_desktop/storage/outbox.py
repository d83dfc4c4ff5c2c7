"""The sync outbox: one atomically written marker per session that must still reach the shared
history (save or delete); a token per write, so a push never removes a newer marker.
Details: docs/storage.md.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from interview_desktop.atomic import atomic_write_bytes, fsync_dir
from interview_desktop.domain import Session, to_iso, utc_now
from interview_desktop.errors import describe_os_error
from interview_desktop.storage.base import StorageError

log = logging.getLogger("interview_desktop.storage.sync")

SAVE = "save"
DELETE = "delete"
_OPS = (SAVE, DELETE)
_STALE_TEMP_S = 3600.0


@dataclass(frozen=True)
class OutboxEntry:
    session_id: str
    op: str  # SAVE or DELETE
    token: str  # changes on every write of this id's marker
    seq: int  # order of the last write: strictly increasing (ns clock, bumped on ties)
    queued_at: str  # ISO time of the last write (for people)


def is_queueable(session_id: object) -> bool:
    return Session.is_valid_id(session_id)


class Outbox:
    """Persistent set of pending operations, one per session id (see module doc)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._entries: dict[str, OutboxEntry] = {}
        self._seq = 0
        self._load()

    # ------------------------------------------------------------------ queries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, session_id: str) -> OutboxEntry | None:
        with self._lock:
            return self._entries.get(session_id)

    def entries(self) -> list[OutboxEntry]:
        """All markers, oldest first."""
        with self._lock:
            return sorted(self._entries.values(), key=lambda e: (e.seq, e.session_id))

    def snapshot(self) -> dict[str, str]:
        """``{session id: op}`` of every marker."""
        with self._lock:
            return {sid: e.op for sid, e in self._entries.items()}

    # ------------------------------------------------------------------ changes

    def put(self, session_id: str, op: str, *, durable: bool = True) -> OutboxEntry:
        """Write (or overwrite) the marker of ``session_id``. ``StorageError`` if the disk refuses.

        ``durable=False`` skips the fsyncs (bulk queueing; call :meth:`sync_folder` after): a marker
        damaged by a crash still reads as ``save``, which is what bulk queueing writes."""
        if op not in _OPS:
            raise ValueError(f"unknown outbox operation {op!r}")
        if not is_queueable(session_id):
            raise ValueError(f"session id {session_id!r:.80} cannot be queued ([A-Za-z0-9_-]{{1,128}})")
        with self._lock:
            self._seq = max(self._seq + 1, time.time_ns())
            entry = OutboxEntry(session_id, op, uuid.uuid4().hex, self._seq, to_iso(utc_now()) or "")
            data = json.dumps(
                {
                    "id": session_id,
                    "op": op,
                    "token": entry.token,
                    "seq": entry.seq,
                    "queued_at": entry.queued_at,
                }
            ).encode()
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(self._path(session_id), data, durable)
            except OSError as exc:
                raise StorageError(
                    f"could not record the session for syncing in {self.folder}: {describe_os_error(exc)}"
                ) from exc
            self._entries[session_id] = entry
        return entry

    def remove_if_unchanged(self, entry: OutboxEntry) -> bool:
        """Remove ``entry``'s marker unless it was rewritten since ``entry`` was read. True if removed."""
        with self._lock:
            current = self._entries.get(entry.session_id)
            if current is None or current.token != entry.token:
                return False
            try:
                os.unlink(self._path(entry.session_id))
            except FileNotFoundError:
                pass
            except OSError as exc:
                # kept: it will be pushed again, which is harmless
                log.warning("could not remove outbox marker %s: %s", entry.session_id, exc)
                return False
            del self._entries[entry.session_id]
            return True

    def sync_folder(self) -> None:
        fsync_dir(self.folder)

    # ------------------------------------------------------------------ files

    def _path(self, session_id: str) -> Path:
        return self.folder / f"{session_id}.json"

    def _load(self) -> None:
        try:
            files = list(os.scandir(self.folder))
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StorageError(
                f"could not read the sync outbox {self.folder}: {describe_os_error(exc)}"
            ) from exc
        for item in files:
            name = item.name
            if name.startswith(".") and name.endswith(".tmp"):
                _remove_stale_temp(item)
                continue
            sid = name[:-5] if name.endswith(".json") else ""
            if not is_queueable(sid) or not item.is_file():
                continue
            try:
                raw = json.loads(Path(item.path).read_bytes())
                op = raw["op"]
                if raw["id"] != sid or op not in _OPS:
                    raise ValueError(f"bad marker {raw!r:.200}")
                seq = raw.get("seq", 0)
                if isinstance(seq, bool) or not isinstance(seq, int):
                    raise ValueError(f"bad seq {seq!r:.40}")
                entry = OutboxEntry(sid, op, str(raw["token"]), seq, str(raw.get("queued_at", "")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("outbox marker %s is damaged (%s); it will be synced as a save", name, exc)
                entry = OutboxEntry(sid, SAVE, uuid.uuid4().hex, 0, "")
            self._entries[sid] = entry
            self._seq = max(self._seq, entry.seq)
        if self._entries:
            log.info("sync outbox %s: %d sessions waiting", self.folder, len(self._entries))


def _remove_stale_temp(entry: os.DirEntry[str]) -> None:
    try:
        if time.time() - entry.stat().st_mtime > _STALE_TEMP_S:
            os.unlink(entry.path)
    except OSError as exc:
        log.debug("cannot remove leftover outbox temp file %s: %s", entry.path, exc)
