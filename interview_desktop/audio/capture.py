"""Microphone capture: a PortAudio input stream feeding a queue that the engine drains on a timer.

Threading: ``MicCapture`` is created, started, drained and closed on ONE thread (the engine's);
only :meth:`MicCapture.callback` and the finished callback run on PortAudio's thread. The
callback copies the block into a bounded queue and counts overflows/drops; nothing else.

Open one MicCapture per interview (not per answer): a new stream can take up to ~2 s to deliver
its first block (see :func:`warm_up`); discard what is drained while the question is spoken.

Typical engine use (QTimer every ~30 ms)::

    samples = mic.drain()                 # float32 mono, possibly empty
    events = endpointer.feed(samples)
    if mic.lost:                          # captured audio was still returned above
        events += endpointer.finish("device_lost")
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from interview_desktop.audio.backend import (
    device_default_samplerate,
    load_sounddevice,
    resolve_input_device,
)
from interview_desktop.audio.errors import DeviceLostError, NoInputDeviceError

logger = logging.getLogger("interview_desktop.audio")

_EMPTY = np.zeros(0, dtype=np.float32)


def _describe(device: str | None) -> str:
    return f'the microphone "{device}"' if device else "the default microphone"


class StreamResampler:
    """Streaming linear-interpolation resampler (mono float32) that keeps its phase across chunks.

    Only used when the input device refuses the requested rate (rare: PulseAudio, CoreAudio and
    Windows' shared modes convert for us).
    """

    def __init__(self, src_rate: int, dst_rate: int):
        self.src_rate, self.dst_rate = int(src_rate), int(dst_rate)
        self._step = self.src_rate / self.dst_rate
        self._next = 0.0  # position of the next output sample, in input samples from _prev
        self._prev: np.ndarray | None = None  # the last input sample of the previous chunk

    def process(self, x: np.ndarray) -> np.ndarray:
        if x.size == 0 or self.src_rate == self.dst_rate:
            return x.astype(np.float32, copy=False)
        buf = x if self._prev is None else np.concatenate((self._prev, x))
        last = len(buf) - 1
        count = int(np.floor((last - self._next) / self._step)) + 1 if last >= self._next else 0
        positions = self._next + self._step * np.arange(count, dtype=np.float64)
        out = np.interp(positions, np.arange(len(buf), dtype=np.float64), buf).astype(np.float32)
        self._next = self._next + count * self._step - last
        self._prev = buf[-1:].copy()
        return out


class MicCapture:
    """Records mono float32 from a microphone into a bounded queue.

    Parameters: ``device`` is the remembered device name (None = system default); samples come
    out at ``sample_rate`` (resampled if the device refuses it); ``block`` frames per callback;
    the queue holds ``max_queue_blocks`` blocks (default ≈ 30 s at 16 kHz/512) — when the
    engine stops draining, newer blocks are dropped and counted in ``dropped_blocks``.

    Device loss (sound server gone, USB mic unplugged) is noticed in :meth:`drain`: the stream
    finished without :meth:`stop`, ``stream.active`` became false or raised, or no block arrived
    for ``stall_timeout_s`` (``start_timeout_s`` for the very first block). ``drain()`` then still
    returns every sample captured so far and sets ``lost``/``lost_error``; it never raises.
    """

    def __init__(
        self,
        device: str | None = None,
        sample_rate: int = 16000,
        block: int = 512,
        max_queue_blocks: int = 1000,
        *,
        stall_timeout_s: float = 2.0,
        start_timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.device = device
        self.sample_rate = int(sample_rate)
        self.block = int(block)
        self.stall_timeout_s = stall_timeout_s
        self.start_timeout_s = start_timeout_s
        self._clock = clock
        self._queue: queue.Queue[np.ndarray] = queue.Queue(maxsize=max_queue_blocks)
        self._stream: Any = None
        self._resampler: StreamResampler | None = None
        self._stopping = False
        self._closed = False
        # Written only by the PortAudio thread (plain int/bool stores are atomic under the GIL).
        self._overflows = 0
        self._dropped = 0
        self._blocks = 0
        self._finished = False
        # Engine-thread bookkeeping for stall detection.
        self._seen_blocks = 0
        self._last_progress = 0.0
        self._lost_error: DeviceLostError | None = None
        self.stream_rate: int | None = None  # the rate the device actually runs at

    # ----------------------------------------------------------------- PortAudio thread
    def callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """The PortAudio callback: copy the block into the queue, count problems; nothing else."""
        if status.input_overflow:
            self._overflows += 1
        try:
            self._queue.put_nowait(indata[:, 0].copy())
        except queue.Full:
            self._dropped += 1
        self._blocks += 1

    def _on_finished(self) -> None:
        self._finished = True

    # ----------------------------------------------------------------- engine thread
    @property
    def overflows(self) -> int:
        """Callbacks that reported ``input_overflow`` (audio lost inside PortAudio/the driver)."""
        return self._overflows

    @property
    def dropped_blocks(self) -> int:
        """Blocks thrown away because the queue was full (the engine did not drain in time)."""
        return self._dropped

    @property
    def blocks_received(self) -> int:
        return self._blocks

    @property
    def first_block_received(self) -> bool:
        """True once the device delivered audio: the moment to tell the user to speak."""
        return self._blocks > 0

    @property
    def is_running(self) -> bool:
        return self._stream is not None and not self._stopping and self._lost_error is None

    @property
    def lost(self) -> bool:
        """True once the device stopped delivering audio while running."""
        return self._lost_error is not None

    @property
    def lost_error(self) -> DeviceLostError | None:
        return self._lost_error

    def start(self) -> None:
        """Open and start the input stream.

        Raises NoAudioBackendError (no PortAudio) or NoInputDeviceError (no/unknown microphone,
        or the device refused to open), each with a message for the user.
        """
        if self._stream is not None:
            raise RuntimeError("MicCapture.start() called twice; create a new MicCapture")
        if self._closed:
            raise RuntimeError("MicCapture is closed; create a new one")
        sd = load_sounddevice()
        index = resolve_input_device(self.device)
        rate = self.sample_rate
        try:
            sd.check_input_settings(device=index, channels=1, dtype="float32", samplerate=rate)
        except (sd.PortAudioError, ValueError) as err:
            fallback = device_default_samplerate(index, "input")
            if not fallback or fallback == rate:
                raise NoInputDeviceError(
                    f"Could not open {_describe(self.device)}: {err}. Choose another microphone "
                    "in Settings, or type your answers."
                ) from err
            logger.info("input device refuses %d Hz (%s); recording at %d Hz", rate, err, fallback)
            rate = fallback
        stream_block = self.block if rate == self.sample_rate else round(self.block * rate / self.sample_rate)
        try:
            stream = sd.InputStream(
                device=index,
                samplerate=rate,
                channels=1,
                dtype="float32",
                blocksize=stream_block,
                callback=self.callback,
                finished_callback=self._on_finished,
            )
        except (sd.PortAudioError, ValueError) as err:
            raise NoInputDeviceError(
                f"Could not open {_describe(self.device)}: {err}. Choose another microphone in "
                "Settings, or type your answers."
            ) from err
        try:
            stream.start()
        except sd.PortAudioError as err:
            stream.close(ignore_errors=True)
            raise NoInputDeviceError(
                f"Could not start recording from {_describe(self.device)}: {err}."
            ) from err
        self._stream = stream
        self.stream_rate = rate
        self._resampler = StreamResampler(rate, self.sample_rate) if rate != self.sample_rate else None
        self._last_progress = self._clock()
        logger.info("recording from %s at %d Hz", _describe(self.device), rate)

    def drain(self) -> np.ndarray:
        """All samples captured since the last call (float32, 1-D, possibly empty).

        Checks the stream's health *before* emptying the queue, so when ``lost`` turns True the
        returned samples hold everything the device delivered. Never raises for a lost device.
        """
        if self._stream is not None and self._lost_error is None and not self._stopping:
            self._check_health()
        chunks: list[np.ndarray] = []
        while True:
            try:
                chunks.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if not chunks:
            return _EMPTY
        samples = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
        if self._resampler is not None:
            samples = self._resampler.process(samples)
        return samples

    def _check_health(self) -> None:
        sd = load_sounddevice()
        now = self._clock()
        blocks = self._blocks
        if blocks != self._seen_blocks:
            self._seen_blocks = blocks
            self._last_progress = now
        reason = None
        if self._finished:
            reason = "the input stream stopped"
        else:
            try:
                active = self._stream.active
            except sd.PortAudioError as err:
                active, reason = False, f"PortAudio error: {err}"
            if not active and reason is None:
                reason = "the input stream became inactive"
        if reason is None:
            limit = self.stall_timeout_s if blocks else self.start_timeout_s
            if now - self._last_progress > limit:
                reason = f"no audio for {now - self._last_progress:.1f} s"
        if reason is not None:
            logger.warning("input device lost (%s) after %d blocks", reason, blocks)
            self._lost_error = DeviceLostError(
                f"{_describe(self.device).capitalize()} stopped working ({reason}). What was "
                "recorded so far is kept; check the microphone and try again."
            )

    def stop(self) -> None:
        """Stop recording (idempotent); already queued samples can still be drained."""
        stream = self._stream
        if stream is None or self._stopping:
            return
        self._stopping = True
        if self._lost_error is not None or self._finished:
            return  # a dead stream: close() releases it without blocking
        sd = load_sounddevice()
        try:
            stream.stop()
        except sd.PortAudioError as err:
            logger.warning("error while stopping the input stream: %s", err)

    def close(self) -> None:
        """Stop and release the device (idempotent).

        A lost stream is aborted and closed on a helper thread joined for at most 0.5 s: with a
        hung sound server PortAudio's abort blocks (measured with a SIGSTOPped PulseAudio), and
        the engine thread must not hang with it. Such a stream is abandoned (logged).
        """
        if self._closed:
            return
        self.stop()
        self._closed = True
        stream, self._stream = self._stream, None
        if stream is None:
            return
        if self._lost_error is None and not self._finished:
            stream.close(ignore_errors=True)
            return
        releaser = threading.Thread(
            target=_release_dead_stream, args=(stream,), name="mic-release", daemon=True
        )
        releaser.start()
        releaser.join(0.5)
        if releaser.is_alive():
            logger.warning("the lost input stream could not be closed (sound server hung); abandoned it")

    def __enter__(self) -> MicCapture:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _release_dead_stream(stream: Any) -> None:
    stream.abort(ignore_errors=True)
    stream.close(ignore_errors=True)


def warm_up(device: str | None = None, timeout_s: float = 3.0) -> float | None:
    """Open a throw-away input stream and wait for its first block; returns seconds until it came.

    Best effort against slow stream start-up. Measured on the virtual-mic setup (PulseAudio null
    sink, RECIPES.md): merely opening and closing a stream does not help; after waiting for a
    first block, the next stream usually starts within ~0.05 s, but any new stream can still
    wait ~2.05 s (the idle null sink renders every 2 s). The robust fix is to open ONE
    MicCapture for the whole interview and discard what is drained while not listening.
    Blocks for up to ``timeout_s`` (returns None if no block came): call it early on the engine
    thread, e.g. while the first question is spoken. Raises the same typed errors as
    :meth:`MicCapture.start`.
    """
    sd = load_sounddevice()
    index = resolve_input_device(device)
    first = threading.Event()

    def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        first.set()

    started = time.monotonic()
    try:
        # The device's default rate: what matters is waking the backend, not the format.
        stream = sd.InputStream(device=index, channels=1, dtype="float32", callback=callback)
    except (sd.PortAudioError, ValueError) as err:
        raise NoInputDeviceError(f"Could not open {_describe(device)}: {err}.") from err
    try:
        stream.start()
        got = first.wait(timeout_s)
    except sd.PortAudioError as err:
        raise NoInputDeviceError(f"Could not start recording from {_describe(device)}: {err}.") from err
    finally:
        stream.close(ignore_errors=True)
    return time.monotonic() - started if got else None
