"""Compress an answer clip for upload, in memory, with PyAV (installed with faster-whisper):
Ogg Opus 24 kb/s, else FLAC, else WAV. Why Opus 24 kb/s (sizes, times, word error rates):
docs/providers.md.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np

from interview_desktop.audio.wav import resample
from interview_desktop.domain import AudioClip

log = logging.getLogger("interview_desktop.providers.encode")

SAMPLE_RATE = 16_000
OPUS_BITRATE = 24_000
FORMATS = ("opus", "flac", "wav")


@dataclass(frozen=True)
class EncodedAudio:
    data: bytes
    filename: str
    mime: str
    format: str
    duration_s: float


def to_pcm16_16k(clip: AudioClip) -> np.ndarray:
    """Mono int16 samples at 16 kHz (what every Whisper service resamples to anyway)."""
    samples = np.asarray(clip.samples, dtype=np.float32).reshape(-1)
    if clip.sample_rate != SAMPLE_RATE and len(samples):
        samples = resample(AudioClip(samples, clip.sample_rate), SAMPLE_RATE).samples
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")


def _wav(pcm: np.ndarray) -> bytes:
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm.tobytes())
    return buf.getvalue()


def _pyav(
    pcm: np.ndarray, container: str, codec: str, bit_rate: int | None, options: dict[str, str]
) -> bytes:
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format=container) as out:
        stream = out.add_stream(codec, rate=SAMPLE_RATE, layout="mono")
        if bit_rate:
            stream.bit_rate = bit_rate
        for key, value in options.items():
            stream.options[key] = value
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def _encoder_errors() -> tuple[type[BaseException], ...]:
    try:
        import av
    except ImportError:
        return (ImportError,)
    return (ImportError, ValueError, OSError, av.FFmpegError)


def encode_clip(clip: AudioClip, preferred: str = "opus") -> EncodedAudio:
    """Encode ``clip`` as ``preferred`` ("opus", "flac" or "wav"), falling back along that list
    when PyAV or a codec is missing."""
    return encode_pcm16(to_pcm16_16k(clip), preferred)


def encode_pcm16(pcm: np.ndarray, preferred: str = "opus") -> EncodedAudio:
    """Like :func:`encode_clip`, for samples already from :func:`to_pcm16_16k`."""
    if preferred not in FORMATS:
        raise ValueError(f"unknown audio format {preferred!r}; expected one of {FORMATS}")
    duration = len(pcm) / SAMPLE_RATE
    errors = _encoder_errors()
    for fmt in FORMATS[FORMATS.index(preferred):]:
        try:
            if fmt == "opus":
                data = _pyav(pcm, "ogg", "libopus", OPUS_BITRATE,
                             {"application": "voip", "compression_level": "0"})
                return EncodedAudio(data, "answer.ogg", "audio/ogg", fmt, duration)
            if fmt == "flac":
                data = _pyav(pcm, "flac", "flac", None, {})
                return EncodedAudio(data, "answer.flac", "audio/flac", fmt, duration)
        except errors as err:
            log.info("cannot encode %s (%s); trying the next format", fmt, err)
            continue
    return EncodedAudio(_wav(pcm), "answer.wav", "audio/wav", "wav", duration)
