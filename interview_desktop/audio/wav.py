"""WAV reading, atomic writing, validation, resampling (16-bit PCM mono) and trimming lead-in silence."""

from __future__ import annotations

import io
import os
import wave
from pathlib import Path

import numpy as np

from interview_desktop.atomic import atomic_write_bytes
from interview_desktop.audio.errors import InvalidWavError
from interview_desktop.domain import AudioClip


def read_wav(path: str | os.PathLike[str]) -> AudioClip:
    """Read a PCM WAV (8/16/32-bit, any channel count) as mono float32."""
    try:
        with wave.open(str(path), "rb") as wav:
            rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
            raw = wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error) as err:
        why = str(err) or "the file is empty or cut short"
        raise InvalidWavError(f"cannot read audio file {path}: {why}") from err
    raw = raw[: len(raw) - len(raw) % (width * channels)] if width and channels else b""
    if width == 2:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 4:
        samples = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    elif width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    else:
        raise InvalidWavError(f"unsupported sample width {width} in {path}")
    usable = len(samples) - len(samples) % channels
    if channels > 1:
        samples = samples[:usable].reshape(-1, channels).mean(axis=1)
    return AudioClip(np.ascontiguousarray(samples, dtype=np.float32), rate)


def validate_wav(path: str | os.PathLike[str], min_duration_s: float = 0.05) -> AudioClip:
    """Read a WAV and make sure it is complete, non-empty audio; raise InvalidWavError if not."""
    p = Path(path)
    if not p.is_file() or p.stat().st_size <= 44:
        raise InvalidWavError(f"audio file {p} is missing or empty")
    clip = read_wav(p)
    if clip.sample_rate <= 0 or clip.duration_s < min_duration_s:
        raise InvalidWavError(f"audio file {p} holds {clip.duration_s:.3f}s of audio")
    with wave.open(str(p), "rb") as wav:
        expected = 44 + wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
    if p.stat().st_size < expected:
        raise InvalidWavError(f"audio file {p} is truncated")
    return clip


def clip_to_pcm16(clip: AudioClip) -> bytes:
    return (np.clip(clip.samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def write_wav(path: str | os.PathLike[str], clip: AudioClip) -> Path:
    """Write a 16-bit mono WAV atomically (temp file + fsync + os.replace)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(clip.sample_rate)
        wav.writeframes(clip_to_pcm16(clip))
    return atomic_write_bytes(target, buffer.getvalue())


def resample(clip: AudioClip, rate: int) -> AudioClip:
    """Linear-interpolation resampling; good enough for speech recognition input."""
    if clip.sample_rate == rate or len(clip.samples) == 0:
        return AudioClip(clip.samples.astype(np.float32, copy=False), rate)
    n_out = int(round(len(clip.samples) * rate / clip.sample_rate))
    x_old = np.arange(len(clip.samples), dtype=np.float64) / clip.sample_rate
    x_new = np.arange(n_out, dtype=np.float64) / rate
    return AudioClip(np.interp(x_new, x_old, clip.samples).astype(np.float32), rate)


def trim_leading_silence(clip: AudioClip, floor_dbfs: float = -50.0, keep_s: float = 0.02) -> AudioClip:
    """``clip`` from ``keep_s`` before its first 10 ms above ``floor_dbfs``: a voice's lead-in silence
    (Piper starts 40–160 ms late) is time the candidate waits for the question. Unchanged when it is
    all quiet."""
    frame = max(1, clip.sample_rate // 100)
    samples = np.asarray(clip.samples, dtype=np.float32)
    n = len(samples) // frame
    if n == 0:
        return clip
    power = np.square(samples[: n * frame].reshape(n, frame), dtype=np.float64).mean(axis=1)
    loud = np.flatnonzero(power > 10.0 ** (floor_dbfs / 10.0))
    if not len(loud):
        return clip
    start = max(0, int(loud[0]) * frame - int(keep_s * clip.sample_rate))
    return clip if start == 0 else AudioClip(samples[start:], clip.sample_rate)
