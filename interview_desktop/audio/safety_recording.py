"""The answer being spoken, on disk as it is heard: if the app is killed or the power goes mid-answer,
what was said up to the last second is there on the next start.

While the candidate answers, the audio is appended to ``audio/<session>/<n>.recording.pcm`` (16 kHz
mono, signed 16-bit little-endian: a file cut anywhere is still readable up to its last whole
sample) beside ``<n>.recording.json``, which says whose answer it is. Both are flushed to disk at
least every second and removed once the answer is in the session. ``find`` lists the ones left by an
app that stopped.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interview_desktop.audio.recordings import AUDIO_FOLDER
from interview_desktop.domain import AudioClip

log = logging.getLogger("interview_desktop.audio")

SAMPLE_RATE = 16_000
SUFFIX_AUDIO = ".recording.pcm"
SUFFIX_META = ".recording.json"
FLUSH_EVERY_S = 1.0


class SafetyRecording:
    """Appends one answer's audio to disk while it is heard (engine thread).

    A write error (disk full) is logged once and recording stops; the answer itself is unaffected
    (it is still held in memory and saved as usual)."""

    def __init__(self, path: Path, meta: Mapping[str, Any], flush_every_s: float = FLUSH_EVERY_S,
                 clock: Callable[[], float] = time.monotonic):
        self.path = path
        self.meta_path = path.with_name(path.name.removesuffix(SUFFIX_AUDIO) + SUFFIX_META)
        self._flush_every_s = flush_every_s
        self._clock = clock
        self._last_flush = clock()
        self.error: str | None = None
        self.samples = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.meta_path.write_text(json.dumps(dict(meta, sample_rate=SAMPLE_RATE, format="s16le")),
                                  encoding="utf-8")
        self._file = open(path, "wb")  # noqa: SIM115 - held open for the whole answer
        self._sync(self.meta_path)

    def append(self, samples: np.ndarray) -> None:
        if self._file is None or not len(samples):
            return
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
        try:
            self._file.write(pcm.tobytes())
            self.samples += len(pcm)
            if self._clock() - self._last_flush >= self._flush_every_s:
                self.flush()
        except OSError as err:
            self._give_up(err)

    def flush(self) -> None:
        """Everything appended so far is on the disk (survives a power cut)."""
        if self._file is None:
            return
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as err:
            return self._give_up(err)
        self._last_flush = self._clock()

    def keep(self) -> None:
        """Close the files and leave them for the next start (the app is closing mid-answer)."""
        self.flush()
        self._close()

    def discard(self) -> None:
        """The answer is in the session: the safety copy is no longer needed."""
        self._close()
        for path in (self.path, self.meta_path):
            path.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError as err:
                log.warning("safety recording %s: %s", self.path.name, err)
            self._file = None

    def _give_up(self, err: OSError) -> None:
        self.error = str(err)
        log.error("the safety copy of the answer could not be written (%s): it is kept in memory only", err)
        self._close()

    @staticmethod
    def _sync(path: Path) -> None:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class Interrupted:
    """A safety recording left behind by an app that stopped mid-answer."""

    audio_path: Path
    meta_path: Path
    meta: Mapping[str, Any]

    def clip(self) -> AudioClip:
        data = self.audio_path.read_bytes()
        samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float32) / 32767.0
        return AudioClip(samples, int(self.meta.get("sample_rate", SAMPLE_RATE)))

    def discard(self) -> None:
        for path in (self.audio_path, self.meta_path):
            path.unlink(missing_ok=True)


def safety_path(data_dir: Path, session_id: str, number: int) -> Path:
    """Where the answer ``number`` (1-based) of a session is recorded while it is spoken."""
    return Path(data_dir) / AUDIO_FOLDER / session_id / f"{number}{SUFFIX_AUDIO}"


def find(data_dir: Path) -> Iterator[Interrupted]:
    """The safety recordings in the data folder (oldest first); unreadable ones are logged and skipped."""
    folder = Path(data_dir) / AUDIO_FOLDER
    if not folder.is_dir():
        return
    for meta_path in sorted(folder.glob(f"*/*{SUFFIX_META}"), key=lambda p: p.stat().st_mtime):
        audio = meta_path.with_name(meta_path.name.removesuffix(SUFFIX_META) + SUFFIX_AUDIO)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or not audio.is_file():
                raise ValueError("incomplete")
        except (OSError, ValueError) as err:
            log.warning("safety recording %s cannot be read (%s): left as it is", meta_path, err)
            continue
        yield Interrupted(audio, meta_path, meta)
