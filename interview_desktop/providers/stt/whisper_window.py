"""Whisper's encoder over the audio, not over 30 s of padding.

faster-whisper pads every window to 30 s before the encoder, so a 4 s stretch costs as much as a full
window. CTranslate2 encodes shorter input too: cut to the audio plus ``MARGIN_FRAMES`` of the padding,
the same words come out (69 clips, word error rate 0.145 either way) in half the time per pass.
Figures and the failure it brings (a repeated sentence): docs/conversation.md.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

#: Padding kept after the audio (10 ms frames). With none, tiny.en loses or repeats the last words
#: (word error rate 0.215 against 0.145 for the full window); 1–2.5 s all measured 0.143–0.150.
MARGIN_FRAMES = 200


def trim_padding(features: np.ndarray, margin: int = MARGIN_FRAMES) -> np.ndarray:
    """``features`` (log-Mel, frames last) without the zero frames after the audio but ``margin``."""
    frames = features.shape[-1]
    nonzero = np.flatnonzero(np.any(features != 0, axis=tuple(range(features.ndim - 1))))
    keep = min(frames, (int(nonzero[-1]) + 1 if len(nonzero) else 0) + margin)
    return features[..., :keep] if keep < frames else features


@functools.cache
def windowed_model_class() -> type:
    """faster-whisper's ``WhisperModel`` whose encoder window can be cut to the audio, per thread."""
    from faster_whisper import WhisperModel

    class WindowedWhisperModel(WhisperModel):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._short = threading.local()

        @contextmanager
        def window(self, short: bool) -> Iterator[None]:
            """Decodes in this block (on this thread) encode the audio only (``short``) or 30 s."""
            before = getattr(self._short, "on", False)
            self._short.on = short
            try:
                yield
            finally:
                self._short.on = before

        def encode(self, features: np.ndarray) -> Any:
            if getattr(self._short, "on", False):
                features = trim_padding(features)
            return super().encode(features)

    return WindowedWhisperModel
