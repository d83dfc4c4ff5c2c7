"""A microphone that replays a recorded clip, for engine tests that need exact, repeatable audio.

It has the part of :class:`interview_desktop.audio.capture.MicCapture` the engine uses. The real
capture path is covered by tests/audio and by the end-to-end test through the virtual microphone.
"""

from __future__ import annotations

import numpy as np

from interview_desktop.audio.errors import DeviceLostError
from interview_desktop.domain import AudioClip


class ReplayMic:
    def __init__(self, clip: AudioClip, *, chunk: int = 480, lose_after_s: float | None = None):
        assert clip.sample_rate == 16000
        self._samples = clip.samples
        self._chunk = chunk
        self._pos = 0
        self._lose_at = None if lose_after_s is None else int(lose_after_s * 16000)
        self.lost = False
        self.lost_error: DeviceLostError | None = None
        self.started = False
        self.closed = False

    def start(self) -> None:
        self.started = True

    def drain(self) -> np.ndarray:
        """Each call returns the next chunk of the clip, then silence (or nothing once lost)."""
        if self.lost:
            return np.zeros(0, dtype=np.float32)
        end = self._pos + self._chunk
        if self._lose_at is not None and end >= self._lose_at:
            end = self._lose_at
            self.lost = True
            self.lost_error = DeviceLostError("The microphone was disconnected.")
        out = self._samples[self._pos:end]
        if len(out) < end - self._pos:
            out = np.concatenate([out, np.zeros(end - self._pos - len(out), dtype=np.float32)])
        self._pos = end
        return out.astype(np.float32)

    def close(self) -> None:
        self.closed = True
