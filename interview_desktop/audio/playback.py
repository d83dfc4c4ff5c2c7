"""Non-blocking playback of an AudioClip on an explicit PortAudio output stream.

``sd.play`` is not used: it drives one global stream shared by the whole process. The
:class:`Player` owns its own ``OutputStream`` whose callback copies the next samples out of the
clip; when the clip is exhausted the callback raises ``CallbackStop`` and the stream's finished
callback sets :attr:`Player.done`. The engine polls ``player.done.is_set()`` on its QTimer.
:meth:`Player.extend` appends to the clip being played, without a gap (the rest of a question
spoken sentence by sentence).
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

import numpy as np

from interview_desktop.audio.backend import (
    device_default_samplerate,
    load_sounddevice,
    resolve_output_device,
)
from interview_desktop.audio.errors import PlaybackError
from interview_desktop.audio.wav import resample
from interview_desktop.domain import AudioClip

logger = logging.getLogger("interview_desktop.audio")


class Player:
    """Plays one clip at a time on ``device`` (remembered name; None = system default).

    Use from one thread (the engine's). ``done`` is a ``threading.Event``: set while idle and
    once a clip has played out, was stopped, or the stream failed (then ``error`` is set).
    The finished stream is released by the next ``play()``/``stop()``/``close()``.
    """

    def __init__(self, device: str | None = None):
        self.device = device
        self._stream: Any = None
        self._data = np.zeros(0, dtype=np.float32)
        self._pos = 0
        self._rate = 0
        self._stopping = False
        self._finished_early = False
        self._underflows = 0
        self._generation = 0  # which play() a finished callback belongs to
        self._callback_stop: type[BaseException] = Exception  # sd.CallbackStop, set by _load()
        self._done = threading.Event()
        self._done.set()
        self._lock = threading.Lock()  # the callback against extend()
        self._ended = True  # the callback has handed out the last sample of the clip

    # ----------------------------------------------------------------- PortAudio thread
    def callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """The PortAudio callback: copy the next ``frames`` samples, pad the last block with 0."""
        if status.output_underflow:
            self._underflows += 1
        with self._lock:
            data, pos = self._data, self._pos
            n = min(frames, len(data) - pos)
            outdata[:n, 0] = data[pos : pos + n]
            if n < frames:
                outdata[n:] = 0.0
            self._pos = pos + n
            if self._pos >= len(data):
                self._ended = True
                raise self._callback_stop

    def _on_finished(self, generation: int) -> None:
        if generation != self._generation:
            return  # a late callback of a previous, already released stream
        if not self._stopping and self._pos < len(self._data):
            self._finished_early = True
        self._done.set()

    # ----------------------------------------------------------------- engine thread
    @property
    def done(self) -> threading.Event:
        return self._done

    @property
    def is_playing(self) -> bool:
        return not self._done.is_set()

    @property
    def position_s(self) -> float:
        """Seconds of the current clip handed to the device so far."""
        return self._pos / self._rate if self._rate else 0.0

    @property
    def underflows(self) -> int:
        return self._underflows

    @property
    def error(self) -> PlaybackError | None:
        """Set when the stream stopped before the clip was played out (device gone …)."""
        if self._finished_early:
            return PlaybackError(
                "Playback stopped unexpectedly; the speaker may have been disconnected."
            )
        return None

    def play(self, clip: AudioClip) -> None:
        """Start playing ``clip`` (stopping any clip still playing) and return at once.

        Tries the clip's sample rate first and falls back to the device's default rate
        (resampled) when the device refuses it. Raises PlaybackError (no speaker / no sound
        server / device refused) or NoAudioBackendError (no PortAudio).
        """
        self._release()
        sd = load_sounddevice()
        index = resolve_output_device(self.device)
        data = np.ascontiguousarray(clip.samples, dtype=np.float32).reshape(-1)
        rate = int(clip.sample_rate)
        try:
            sd.check_output_settings(device=index, channels=1, dtype="float32", samplerate=rate)
        except (sd.PortAudioError, ValueError) as err:
            fallback = device_default_samplerate(index, "output")
            if not fallback or fallback == rate:
                raise PlaybackError(f"The speaker cannot play this sound: {err}") from err
            logger.info("output device refuses %d Hz (%s); resampling to %d Hz", rate, err, fallback)
            data = resample(AudioClip(data, rate), fallback).samples
            rate = fallback
        self._load(data, rate, sd.CallbackStop)
        if len(data) == 0:
            self._done.set()
            return
        try:
            stream = sd.OutputStream(
                device=index,
                samplerate=rate,
                channels=1,
                dtype="float32",
                callback=self.callback,
                finished_callback=functools.partial(self._on_finished, self._generation),
            )
        except (sd.PortAudioError, ValueError) as err:
            self._done.set()
            raise PlaybackError(f"Could not open the speaker: {err}") from err
        try:
            stream.start()
        except sd.PortAudioError as err:
            self._done.set()
            stream.close(ignore_errors=True)
            raise PlaybackError(f"Could not start playback: {err}") from err
        self._stream = stream

    def extend(self, clip: AudioClip) -> bool:
        """Play ``clip`` right after the one playing now, with no gap. False when that one has already
        played out (or none plays): then :meth:`play` it."""
        data = np.ascontiguousarray(clip.samples, dtype=np.float32).reshape(-1)
        if self._rate and clip.sample_rate != self._rate:
            data = resample(AudioClip(data, clip.sample_rate), self._rate).samples
        with self._lock:
            if self._stream is None or self._ended or self._stopping:
                return False
            self._data = np.concatenate([self._data, data])
        return True

    def _load(self, data: np.ndarray, rate: int, callback_stop: type[BaseException]) -> None:
        self._generation += 1
        self._ended = len(data) == 0
        self._data, self._pos, self._rate = data, 0, rate
        self._stopping = self._finished_early = False
        self._callback_stop = callback_stop
        self._done.clear()

    def stop(self) -> None:
        """Stop playing at once (idempotent); ``done`` is set afterwards."""
        self._release()

    def close(self) -> None:
        self._release()

    def _release(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        self._stopping = True
        stream.abort(ignore_errors=True)
        stream.close(ignore_errors=True)
        self._done.set()  # finished_callback normally did this; make sure after a failed stream

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
