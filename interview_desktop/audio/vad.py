"""End-of-answer detection: streaming Silero VAD + an energy gate + an endpointing state machine.

Everything here runs on the caller's thread, on 16 kHz mono float32, in 512-sample (32 ms)
windows; no Qt, no devices. The engine feeds :class:`Endpointer` whatever ``MicCapture.drain()``
returned and reacts to the :class:`EndpointEvent` list it gets back.
"""

from __future__ import annotations

import enum
import functools
import importlib.util
import logging
import math
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from interview_desktop.audio.errors import VadUnavailableError
from interview_desktop.audio.meter import SILENCE_DB, rms_dbfs
from interview_desktop.domain import AudioClip

logger = logging.getLogger("interview_desktop.audio")

SAMPLE_RATE = 16000
WINDOW = 512  # samples per VAD window at 16 kHz (32 ms), what Silero v5/v6 expects
CONTEXT = 64  # samples of the previous window prepended to each window (Silero v5/v6)
_MODEL_FILE = "silero_vad_v6.onnx"


# --------------------------------------------------------------------------- Silero VAD


def silero_model_path() -> Path:
    """Path of the Silero VAD ONNX file shipped inside the faster-whisper package.

    Found through the package's import spec, so faster-whisper (and CTranslate2) is not imported.
    Works in a PyInstaller build that ran ``collect_data_files("faster_whisper")``.
    """
    spec = importlib.util.find_spec("faster_whisper")
    if spec is None or not spec.origin:
        raise VadUnavailableError(
            "Speech detection is unavailable: the faster-whisper package is not installed."
        )
    return Path(spec.origin).parent / "assets" / _MODEL_FILE


@functools.lru_cache(maxsize=4)
def _load_session(path: str) -> Any:
    """One shared InferenceSession per model file (``run`` is thread-safe; state lives outside)."""
    try:
        import onnxruntime
        from onnxruntime.capi.onnxruntime_pybind11_state import Fail, InvalidProtobuf, NoSuchFile
    except ImportError as err:
        raise VadUnavailableError("Speech detection is unavailable: onnxruntime is not installed.") from err
    if not Path(path).is_file():
        raise VadUnavailableError(f"Speech detection is unavailable: the model file {path} is missing.")
    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = 1  # one 576-sample window is far too small to parallelise
    opts.inter_op_num_threads = 1
    opts.enable_cpu_mem_arena = False
    opts.log_severity_level = 3
    try:
        session = onnxruntime.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])
    except (Fail, InvalidProtobuf, NoSuchFile) as err:
        raise VadUnavailableError(f"Speech detection is unavailable: cannot load {path}: {err}") from err
    names = sorted(i.name for i in session.get_inputs())
    if names != ["c", "h", "input"]:
        raise VadUnavailableError(
            f"Speech detection is unavailable: {path} is not a Silero VAD v5/v6 model (inputs {names})."
        )
    return session


class SileroVad:
    """Streaming Silero VAD (v6, from faster-whisper's assets) that carries its state across calls.

    Each call to :meth:`probability` takes the next 512-sample window at 16 kHz and returns the
    speech probability (0..1). The LSTM state (``h``, ``c``) and the last 64 samples (the
    context the v5/v6 model prepends to each window) are carried to the next call, exactly as
    ``faster_whisper.vad.SileroVADModel`` does inside one batch — so results equal a batch run
    over the whole signal. :meth:`reset` starts a new stream. Not thread-safe per instance.
    """

    def __init__(self, model_path: str | Path | None = None):
        self.model_path = Path(model_path) if model_path is not None else silero_model_path()
        self._session = _load_session(str(self.model_path))
        self._input = np.zeros((1, CONTEXT + WINDOW), dtype=np.float32)
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)

    def reset(self) -> None:
        self._input[:] = 0.0
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)

    def probability(self, window: np.ndarray) -> float:
        if window.shape != (WINDOW,):
            raise ValueError(f"SileroVad needs windows of {WINDOW} samples, got shape {window.shape}")
        buf = self._input
        buf[0, :CONTEXT] = buf[0, -CONTEXT:]  # context = the previous window's last 64 samples
        buf[0, CONTEXT:] = window
        prob, self._h, self._c = self._session.run(None, {"input": buf, "h": self._h, "c": self._c})
        return float(prob.reshape(-1)[0])


class SpeechProbability(Protocol):
    """What :class:`Endpointer` needs from a VAD (SileroVad satisfies it)."""

    def probability(self, window: np.ndarray) -> float: ...

    def reset(self) -> None: ...


class EnergyGate:
    """Treats windows quieter than ``floor_db`` dBFS as silence whatever the VAD says."""

    def __init__(self, floor_db: float = -50.0):
        self.floor_db = floor_db

    def passes(self, db: float) -> bool:
        return db >= self.floor_db


# --------------------------------------------------------------------------- endpointing


@dataclass(frozen=True)
class EndpointConfig:
    """Timing of end-of-answer detection. All durations in seconds.

    - ``hangover_s``: silence after the last speech that ends the answer (a thinking pause
      shorter than this keeps it one answer).
    - ``no_speech_timeout_s``: give up if no speech started within this time (None = never).
    - ``max_answer_s``: end the answer this long after speech started.
    - ``pre_roll_s``: audio kept before the first detected speech (VAD onset is late).
    - ``speech_threshold``: Silero probability that starts speech; ``neg_threshold`` (default
      ``speech_threshold - 0.15``, as in Silero) is what keeps it going (hysteresis).
    - ``min_speech_s``: a run of speech needs this much speech to count; shorter blips (a cough,
      a click) neither start an answer nor extend it.
    - ``min_pause_s``: gaps shorter than this inside speech join one segment (not a pause).
    - ``keep_trailing_s``: silence kept after the last speech in the clip.
    - ``energy_floor_db``: windows below this RMS level are never speech.
    """

    hangover_s: float = 1.5
    no_speech_timeout_s: float | None = 12.0
    max_answer_s: float = 180.0
    pre_roll_s: float = 0.3
    speech_threshold: float = 0.5
    min_speech_s: float = 0.25
    neg_threshold: float | None = None
    min_pause_s: float = 0.3
    keep_trailing_s: float = 0.3
    energy_floor_db: float = -50.0

    def __post_init__(self) -> None:
        for name in ("hangover_s", "max_answer_s", "min_speech_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"EndpointConfig.{name} must be positive")
        for name in ("pre_roll_s", "min_pause_s", "keep_trailing_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"EndpointConfig.{name} must not be negative")
        if self.no_speech_timeout_s is not None and not self.no_speech_timeout_s > 0:
            raise ValueError("EndpointConfig.no_speech_timeout_s must be positive or None")
        if not 0.0 < self.speech_threshold < 1.0:
            raise ValueError("EndpointConfig.speech_threshold must be within (0, 1)")

    @property
    def effective_neg_threshold(self) -> float:
        if self.neg_threshold is not None:
            return self.neg_threshold
        return max(self.speech_threshold - 0.15, 0.01)


class EndpointEventKind(str, enum.Enum):
    SPEECH_STARTED = "speech_started"
    ANSWER_ENDED = "answer_ended"
    NO_SPEECH_TIMEOUT = "no_speech_timeout"


class EndReason(str, enum.Enum):
    """Why an answer ended (a str enum: ``reason == "silence"`` works)."""

    SILENCE = "silence"
    MAX_LENGTH = "max_length"
    MANUAL = "manual"
    DEVICE_LOST = "device_lost"


class EndpointState(str, enum.Enum):
    WAITING = "waiting"  # no speech yet
    ANSWERING = "answering"  # speech started; pauses shorter than the hangover stay here
    ENDED = "ended"  # ANSWER_ENDED or NO_SPEECH_TIMEOUT was emitted; feed() ignores audio


@dataclass(frozen=True)
class EndpointEvent:
    """``at_s``: stream time (seconds of audio fed since start/reset) when the event was decided.

    ``reason`` is set for ANSWER_ENDED only. ``speech_detected`` is False for an answer ended
    (manually / device lost) before any speech was detected, and for NO_SPEECH_TIMEOUT.
    """

    kind: EndpointEventKind
    at_s: float
    reason: EndReason | None = None
    speech_detected: bool = True


class Endpointer:
    """Decides when a spoken answer starts and ends, and keeps its audio.

    ``feed(samples)`` takes any number of 16 kHz float32 samples and returns the events they
    caused (usually none). Audio is kept from the start (or the last :meth:`reset`), so
    :meth:`clip` can return the answer from ``pre_roll_s`` before the first speech to
    ``keep_trailing_s`` after the last; if no speech was detected it returns everything fed.
    Not thread-safe: use it on the engine thread. Reuse with :meth:`reset` for the next answer.
    """

    sample_rate = SAMPLE_RATE

    def __init__(self, config: EndpointConfig | None = None, vad: SpeechProbability | None = None):
        self.config = config or EndpointConfig()
        self.vad: SpeechProbability = vad if vad is not None else SileroVad()
        self.gate = EnergyGate(self.config.energy_floor_db)
        sr = SAMPLE_RATE
        c = self.config
        self._min_speech_windows = max(1, math.ceil(c.min_speech_s * sr / WINDOW - 1e-9))
        self._pause = round(c.min_pause_s * sr)
        self._hangover = round(c.hangover_s * sr)
        self._max_answer = round(c.max_answer_s * sr) if math.isfinite(c.max_answer_s) else None
        self._timeout = round(c.no_speech_timeout_s * sr) if c.no_speech_timeout_s is not None else None
        self._pre_roll = round(c.pre_roll_s * sr)
        self._trailing = round(c.keep_trailing_s * sr)
        self._pos_thr = c.speech_threshold
        self._neg_thr = c.effective_neg_threshold
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget everything (audio, VAD state, events) and wait for a new answer."""
        self.vad.reset()
        self._state = EndpointState.WAITING
        self._chunks: deque[np.ndarray] = deque()
        self._kept_from = 0  # absolute sample index of _chunks[0][0]
        self._fed = 0  # samples fed since reset
        self._pending = np.zeros(0, dtype=np.float32)  # fed but not yet a full window
        self._done = 0  # samples covered by processed windows
        self._prev_speech = False
        self._level_db = SILENCE_DB
        # the current run of speech windows (gaps < min_pause_s inside)
        self._run_start: int | None = None
        self._run_end = 0
        self._run_windows = 0
        self._run_confirmed = False
        self._segments: list[tuple[int, int]] = []  # confirmed, closed runs (samples)
        self._answer_start: int | None = None
        self._last_speech_end: int | None = None  # end of the last confirmed speech window
        self._last_voice_end: int | None = None  # end of the last speech-like window, confirmed or not
        self._clip_end: int | None = None

    @property
    def state(self) -> EndpointState:
        return self._state

    @property
    def level_db(self) -> float:
        """RMS level of the last processed window (dBFS), for the meter."""
        return self._level_db

    @property
    def fed_s(self) -> float:
        """Seconds of audio fed since the start/reset (the stream clock of the events)."""
        return self._fed / SAMPLE_RATE

    @property
    def speech_detected(self) -> bool:
        return self._answer_start is not None

    @property
    def silence_s(self) -> float | None:
        """Seconds of audio since the last confirmed speech (0 while a run of speech is open);
        None before any speech."""
        if self._last_speech_end is None:
            return None
        if self._run_start is not None:
            return 0.0
        return (self._done - self._last_speech_end) / SAMPLE_RATE

    @property
    def quiet_s(self) -> float | None:
        """Seconds since the last confirmed speech window, also while that run of speech may still
        go on (``silence_s`` is 0 until a gap of ``min_pause_s`` closes it); None before speech."""
        if self._last_speech_end is None:
            return None
        return (self._done - self._last_speech_end) / SAMPLE_RATE

    @property
    def last_speech_end_s(self) -> float | None:
        """Stream time of the end of the last confirmed speech window (None before speech)."""
        return None if self._last_speech_end is None else self._last_speech_end / SAMPLE_RATE

    @property
    def last_voice_end_s(self) -> float | None:
        """Stream time of the end of the last window that sounded like speech after the answer
        started, also in a run too short to count (a soft "and" before a pause); None before speech."""
        if self._last_speech_end is None:
            return None
        return max(self._last_speech_end, self._last_voice_end or 0) / SAMPLE_RATE

    def audio(self, start_s: float, end_s: float) -> np.ndarray:
        """A copy of the audio kept between two stream times (clamped to what is kept)."""
        start = max(self._kept_from, round(start_s * SAMPLE_RATE))
        end = min(self._fed, round(end_s * SAMPLE_RATE))
        if end <= start or not self._chunks:
            return np.zeros(0, dtype=np.float32)
        audio = self._joined()
        return audio[start - self._kept_from : end - self._kept_from].copy()

    @property
    def answer_started_at_s(self) -> float | None:
        """Stream time of the first speech of the answer (None before speech)."""
        return None if self._answer_start is None else self._answer_start / SAMPLE_RATE

    # ------------------------------------------------------------------ feeding
    def feed(self, samples: np.ndarray) -> list[EndpointEvent]:
        """Process new audio (16 kHz mono float32, any length); returns the events it caused."""
        if self._state is EndpointState.ENDED:
            return []
        x = np.array(samples, dtype=np.float32).reshape(-1)  # a copy: callers may reuse buffers
        if x.size == 0:
            return []
        self._chunks.append(x)
        self._fed += x.size
        buf = np.concatenate((self._pending, x)) if self._pending.size else x
        events: list[EndpointEvent] = []
        n_windows = buf.size // WINDOW
        for i in range(n_windows):
            events.extend(self._window(buf[i * WINDOW : (i + 1) * WINDOW]))
            if self._state is EndpointState.ENDED:
                break
        ended = self._state is EndpointState.ENDED
        self._pending = buf[:0] if ended else buf[n_windows * WINDOW :].copy()
        if self._state is EndpointState.WAITING:
            self._trim_waiting_audio()
        return events

    def finish(self, reason: EndReason | str = EndReason.MANUAL) -> list[EndpointEvent]:
        """End the answer now ("Done" key, device lost …); [] if it already ended."""
        if self._state is EndpointState.ENDED:
            return []
        reason = EndReason(reason)
        last = self._last_speech_end or 0
        if self._run_start is not None:
            last = max(last, self._run_end)
        # Nothing detected: keep everything fed, the caller decides whether to transcribe it.
        end = self._fed if self._answer_start is None else min(self._fed, last + self._trailing)
        return [self._end(reason, end)]

    # ------------------------------------------------------------------ internals
    def _window(self, w: np.ndarray) -> list[EndpointEvent]:
        start = self._done
        end = start + WINDOW
        self._done = end
        db = rms_dbfs(w)
        self._level_db = db
        prob = self.vad.probability(w)
        speech = prob >= (self._neg_thr if self._prev_speech else self._pos_thr) and self.gate.passes(db)
        self._prev_speech = speech
        events: list[EndpointEvent] = []

        if speech:
            self._last_voice_end = end
            if self._run_start is None:
                self._run_start, self._run_windows, self._run_confirmed = start, 0, False
            self._run_end = end
            self._run_windows += 1
            if not self._run_confirmed and self._run_windows >= self._min_speech_windows:
                self._run_confirmed = True
                if self._answer_start is None:
                    self._answer_start = self._run_start
                    self._state = EndpointState.ANSWERING
                    events.append(EndpointEvent(EndpointEventKind.SPEECH_STARTED, end / SAMPLE_RATE))
            if self._run_confirmed:
                self._last_speech_end = end
        elif self._run_start is not None and end - self._run_end >= self._pause:
            self._close_run()

        if self._state is EndpointState.ANSWERING:
            assert self._answer_start is not None and self._last_speech_end is not None
            candidate = self._run_start is not None and not self._run_confirmed
            if self._max_answer is not None and end - self._answer_start >= self._max_answer:
                events.append(self._end(EndReason.MAX_LENGTH, end))
            elif not candidate and end - self._last_speech_end >= self._hangover:
                events.append(self._end(EndReason.SILENCE, min(end, self._last_speech_end + self._trailing)))
        elif (
            self._state is EndpointState.WAITING
            and self._timeout is not None
            and end >= self._timeout
            and self._run_start is None  # not while a possible start of speech is being checked
        ):
            self._state = EndpointState.ENDED
            self._clip_end = end
            events.append(EndpointEvent(EndpointEventKind.NO_SPEECH_TIMEOUT, end / SAMPLE_RATE, None, False))
        return events

    def _close_run(self) -> None:
        if self._run_confirmed and self._run_start is not None:
            self._segments.append((self._run_start, self._run_end))
        self._run_start = None
        self._run_windows = 0
        self._run_confirmed = False

    def _end(self, reason: EndReason, clip_end: int) -> EndpointEvent:
        if self._run_start is not None:
            self._close_run()
        self._state = EndpointState.ENDED
        self._clip_end = clip_end
        at = max(self._done, clip_end) / SAMPLE_RATE
        return EndpointEvent(EndpointEventKind.ANSWER_ENDED, at, reason, self._answer_start is not None)

    def _trim_waiting_audio(self) -> None:
        """Without a no-speech timeout, keep at most ``max_answer_s`` of pre-speech audio."""
        if self._timeout is not None or self._max_answer is None:
            return
        keep_from = self._fed - self._max_answer - self._pre_roll
        while self._chunks and self._kept_from + len(self._chunks[0]) <= keep_from:
            self._kept_from += len(self._chunks.popleft())

    # ------------------------------------------------------------------ results
    def _clip_bounds(self) -> tuple[int, int]:
        end = self._clip_end if self._clip_end is not None else self._fed
        if self._answer_start is None:
            return self._kept_from, end
        return max(self._kept_from, self._answer_start - self._pre_roll), end

    def clip(self) -> AudioClip:
        """The answer audio (16 kHz): from ``pre_roll_s`` before the first speech to the end.

        After ANSWER_ENDED("silence") the trailing silence is trimmed to ``keep_trailing_s``;
        for "manual"/"device_lost" likewise after the last speech heard. With no speech
        detected it is all the audio fed (the caller decides whether to transcribe it).
        Callable at any time (a live answer gives the audio so far).
        """
        start, end = self._clip_bounds()
        if end <= start or not self._chunks:
            return AudioClip(np.zeros(0, dtype=np.float32), SAMPLE_RATE)
        audio = self._joined()
        return AudioClip(audio[start - self._kept_from : end - self._kept_from].copy(), SAMPLE_RATE)

    def _joined(self) -> np.ndarray:
        """All kept audio as one array (kept joined, so repeated calls during an answer are cheap)."""
        if len(self._chunks) > 1:
            joined = np.concatenate(self._chunks)
            self._chunks.clear()
            self._chunks.append(joined)
        return self._chunks[0]

    @property
    def clip_start_s(self) -> float:
        """Stream time at which :meth:`clip` starts."""
        return self._clip_bounds()[0] / SAMPLE_RATE

    def speech_segments(self, relative_to_clip: bool = True) -> list[tuple[float, float]]:
        """Confirmed speech segments as (start_s, end_s), gaps < ``min_pause_s`` merged.

        Times are relative to the start of :meth:`clip` (the same clock as Whisper's word
        timestamps) unless ``relative_to_clip`` is False (stream time). The gaps between
        segments are the pauses. Segment edges are at window (32 ms) resolution and lag the
        audio by about one window (VAD onset/offset).
        """
        segments = list(self._segments)
        if self._run_start is not None and self._run_confirmed:
            segments.append((self._run_start, self._run_end))
        start, end = self._clip_bounds()
        offset = start if relative_to_clip else 0
        out = []
        for s, e in segments:
            s, e = max(s, start), min(e, end)
            if e > s:
                out.append(((s - offset) / SAMPLE_RATE, (e - offset) / SAMPLE_RATE))
        return out
