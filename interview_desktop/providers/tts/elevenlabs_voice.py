"""Text-to-speech with ElevenLabs (``eleven_flash_v2_5``, the low-latency model, by default).

The request asks for ``output_format="pcm_16000"``: raw little-endian 16-bit mono PCM at 16 kHz, no
header, available on every plan (44.1 kHz PCM needs a Pro plan) and no decoder needed. A reply that
is empty, has an odd number of bytes (cut mid-sample), is shorter than ``min_duration_s``, or is
obviously not PCM (JSON, HTML, an MP3 or WAV header) is a :class:`ProviderBadResponse`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
import numpy as np

from interview_desktop.domain import AudioClip
from interview_desktop.providers.base import ProviderBadResponse
from interview_desktop.providers.cloud.circuit import CircuitBreaker, key_fingerprint
from interview_desktop.providers.cloud.clients import (
    ELEVENLABS_NO_RETRY,
    make_elevenlabs_client,
    new_http_client,
    resolve_base_url,
)
from interview_desktop.providers.cloud.errors import map_elevenlabs_error, no_key

if TYPE_CHECKING:
    from elevenlabs.client import ElevenLabs

log = logging.getLogger("interview_desktop.tts.elevenlabs")

SAMPLE_RATE = 16_000
OUTPUT_FORMAT = "pcm_16000"
DEFAULT_MODEL = "eleven_flash_v2_5"
DEFAULT_VOICE_ID = "JBFqnCBsd6RMkjVDRZzb"  # "George", a premade voice every account has

#: Container signatures long enough not to occur by chance at the start of raw PCM.
_CONTAINER_MAGIC = (b"ID3", b"RIFF", b"OggS", b"fLaC", b"<!DOCTYPE", b"<!doctype", b"<html", b"<HTML")


class ElevenLabsTextToSpeech:
    """:class:`~interview_desktop.providers.base.TextToSpeech` on the ElevenLabs API."""

    name = "elevenlabs"
    cloud = True

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None = None,
        *,
        voice_id: str = DEFAULT_VOICE_ID,
        model_id: str = DEFAULT_MODEL,
        timeout_s: float = 5.0,
        min_duration_s: float = 0.05,
        breaker: CircuitBreaker | None = None,
        client: ElevenLabs | None = None,
        client_factory: Callable[[str, str, float, httpx.Client], ElevenLabs] = make_elevenlabs_client,
    ) -> None:
        self._api_key = (api_key or "").strip() or None
        self.base_url = resolve_base_url("elevenlabs", base_url)
        self.voice_id = voice_id or DEFAULT_VOICE_ID
        self.model_id = model_id or DEFAULT_MODEL
        self.timeout_s = timeout_s
        self.min_duration_s = min_duration_s
        self.breaker = breaker or CircuitBreaker(name=self.name)
        self._client = client
        self._client_factory = client_factory
        self._http: httpx.Client | None = None  # ours to close (when we made the client)
        self._lock = threading.Lock()

    def _get_client(self) -> ElevenLabs:
        if self._api_key is None:
            raise no_key("ElevenLabs")
        with self._lock:
            if self._client is None:
                self._http = new_http_client(self.timeout_s)
                self._client = self._client_factory(self._api_key, self.base_url, self.timeout_s, self._http)
            return self._client

    def close(self) -> None:
        """Close the HTTP connections this provider opened (it can still be used afterwards)."""
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None
                self._client = None

    def synthesize(self, text: str) -> AudioClip:
        """Speak ``text`` into a 16 kHz clip. ``text`` must not be blank."""
        if not text or not text.strip():
            raise ValueError("synthesize() needs some text")
        return self.breaker.call(lambda: self._synthesize(text), key_fingerprint(self._api_key))

    def _synthesize(self, text: str) -> AudioClip:
        from elevenlabs.core.api_error import ApiError

        client = self._get_client()
        started = time.perf_counter()
        try:
            with client.text_to_speech.with_raw_response.convert(
                self.voice_id,
                text=text,
                model_id=self.model_id,
                output_format=OUTPUT_FORMAT,
                request_options={**ELEVENLABS_NO_RETRY, "chunk_size": 16384},
            ) as response:
                content_type = response.headers.get("content-type", "")
                data = b"".join(response.data)
        except (ApiError, httpx.TransportError) as err:
            raise map_elevenlabs_error(err, base_url=self.base_url, timeout_s=self.timeout_s,
                                       secrets=(self._api_key,)) from err
        clip = pcm16_clip(data, content_type, self.min_duration_s)
        log.debug("elevenlabs spoke %d chars as %.2fs of audio in %.2fs", len(text), clip.duration_s,
                  time.perf_counter() - started)
        return clip


def pcm16_clip(data: bytes, content_type: str = "", min_duration_s: float = 0.05) -> AudioClip:
    """A clip from raw 16 kHz 16-bit PCM, or ProviderBadResponse for anything else."""
    kind = content_type.split(";")[0].strip().lower()
    if not data:
        raise ProviderBadResponse("ElevenLabs sent no audio (empty reply)")
    if kind.startswith(("application/json", "text/")) or data.startswith(_CONTAINER_MAGIC) or _is_json(data):
        raise ProviderBadResponse(
            f"ElevenLabs sent {kind or 'something'} instead of raw PCM audio ({len(data)} bytes)"
        )
    if len(data) % 2:
        raise ProviderBadResponse(f"ElevenLabs' audio was cut off mid-sample ({len(data)} bytes)")
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    clip = AudioClip(samples, SAMPLE_RATE)
    if clip.duration_s < min_duration_s:
        raise ProviderBadResponse(f"ElevenLabs' audio is too short ({clip.duration_s * 1000:.0f} ms)")
    return clip


def _is_json(data: bytes) -> bool:
    """A (small) reply that parses as JSON is an error document, not audio."""
    if len(data) > 65536 or data[:1] not in (b"{", b"["):
        return False
    try:
        json.loads(data)
    except ValueError:
        return False
    return True
