"""JSON export: a JSON array of the session documents, exactly ``Session.to_document()``
(the schema in docs/session-schema.md), so an export can be read back with ``Session.from_document``."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from interview_desktop.domain import Session
from interview_desktop.reports.errors import atomic_write_bytes


def write_json(sessions: Sequence[Session], path: str | os.PathLike[str]) -> Path:
    docs = [session.to_document() for session in sessions]
    text = json.dumps(docs, ensure_ascii=False, indent=2, allow_nan=False)
    return atomic_write_bytes(path, text.encode("utf-8") + b"\n")
