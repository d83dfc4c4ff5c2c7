"""JSON export: a JSON array of the session documents, exactly as stored (the schema in
docs/session-schema.md, built by ``storage/codec.py``), so an export can be read back."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from interview_desktop.domain import Session
from interview_desktop.reports.errors import atomic_write_bytes
from interview_desktop.storage.codec import encode_session


def write_json(sessions: Sequence[Session], path: str | os.PathLike[str]) -> Path:
    docs = [encode_session(session) for session in sessions]
    text = json.dumps(docs, ensure_ascii=False, indent=2, allow_nan=False)
    return atomic_write_bytes(path, text.encode("utf-8") + b"\n")
