"""Where answer recordings live in the data folder: ``audio/<session id>/<answer number>.wav``."""

from __future__ import annotations

from pathlib import Path

AUDIO_FOLDER = "audio"


def answer_audio_path(session_id: str, number: int) -> str:
    """The recording of answer ``number`` (1-based), relative to the data folder (as stored)."""
    return f"{AUDIO_FOLDER}/{session_id}/{number}.wav"


def session_audio_dir(data_dir: Path, session_id: str) -> Path:
    """The folder holding every recording of one session."""
    return Path(data_dir) / AUDIO_FOLDER / session_id
