"""Cloud settings and the composition of the cloud providers.

``build_cloud_providers(settings, keys)`` returns the cloud providers to put *in front of* the
offline ones (the lead's chains: STT ``[groq-whisper, local-whisper]``, TTS ``[elevenlabs,
pyttsx3]``, brain ``[groq-llm, offline]``). Every list is empty when ``offline_only`` is set, and a
service without a key contributes nothing, so an offline-only run never opens a connection.

Base URLs: the explicit setting, else ``GROQ_BASE_URL`` / ``ELEVENLABS_BASE_URL``, else the SDK
default (see :func:`~interview_desktop.providers.cloud.clients.resolve_base_url`).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from interview_desktop.config.keys import KeyStore
from interview_desktop.providers.cloud.circuit import CircuitBreaker
from interview_desktop.providers.cloud.clients import (
    ELEVENLABS_DEFAULT_BASE_URL,
    GROQ_DEFAULT_BASE_URL,
    resolve_base_url,
)
from interview_desktop.providers.cloud.errors import CloudConfigError

log = logging.getLogger("interview_desktop.providers.cloud")

__all__ = [
    "ELEVENLABS_DEFAULT_BASE_URL",
    "GROQ_DEFAULT_BASE_URL",
    "CloudProviders",
    "CloudSettings",
    "build_cloud_providers",
    "resolve_base_url",
]


@dataclass(frozen=True)
class CloudSettings:
    """What Settings → Cloud holds. ``None``/"" base URLs mean "environment variable or default"."""

    offline_only: bool = False
    groq_stt_model: str = "whisper-large-v3-turbo"
    groq_llm_model: str = "llama-3.3-70b-versatile"
    elevenlabs_voice_id: str = "JBFqnCBsd6RMkjVDRZzb"
    elevenlabs_model_id: str = "eleven_flash_v2_5"
    groq_base_url: str | None = None
    elevenlabs_base_url: str | None = None
    stt_timeout_s: float = 8.0
    tts_timeout_s: float = 5.0
    llm_timeout_s: float = 10.0
    follow_ups: int = 1  # at most this many follow-ups per question, 0–2 (the engine counts them)
    cooldown_s: float = 60.0  # circuit breaker: skip a failing service this long
    stt_audio_format: str = "opus"  # "opus", "flac" or "wav" upload

    def __post_init__(self) -> None:
        if not 0 <= self.follow_ups <= 2:
            raise ValueError(f"follow_ups must be 0, 1 or 2, not {self.follow_ups}")
        for name in ("stt_timeout_s", "tts_timeout_s", "llm_timeout_s", "cooldown_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CloudSettings:
        """From a settings document: unknown keys ignored, missing keys defaulted."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class CloudProviders:
    stt: list[Any] = field(default_factory=list)
    tts: list[Any] = field(default_factory=list)
    brain: list[Any] = field(default_factory=list)
    notes: tuple[str, ...] = ()  # why a service is not used ("no ElevenLabs API key", …)
    follow_ups: int = 0

    @property
    def any(self) -> bool:
        return bool(self.stt or self.tts or self.brain)

    def close(self) -> None:
        """Close every provider's HTTP connections (at shutdown or before rebuilding)."""
        for provider in (*self.stt, *self.tts, *self.brain):
            provider.close()


def build_cloud_providers(
    settings: CloudSettings,
    keys: KeyStore,
    *,
    breakers: Mapping[str, CircuitBreaker] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> CloudProviders:
    """The cloud providers for ``settings`` and the keys in ``keys``.

    ``breakers`` (by provider name) lets circuit-breaker state survive a rebuild after a settings
    change; by default each provider gets a fresh breaker with ``settings.cooldown_s``.
    """
    if settings.offline_only:
        return CloudProviders(notes=("offline only: cloud services are off",))
    from interview_desktop.providers.brains.groq import GroqBrain
    from interview_desktop.providers.stt.groq_whisper import GroqSpeechToText
    from interview_desktop.providers.tts.elevenlabs_voice import ElevenLabsTextToSpeech

    breakers = dict(breakers or {})

    def breaker(name: str) -> CircuitBreaker:
        return breakers.get(name) or CircuitBreaker(settings.cooldown_s, clock, name=name)

    out = CloudProviders(follow_ups=settings.follow_ups)
    notes: list[str] = []
    groq_key = keys.get("groq")
    if not groq_key:
        notes.append("no Groq API key: speech recognition and questions stay offline")
    else:
        try:
            groq_url = resolve_base_url("groq", settings.groq_base_url)
        except CloudConfigError as err:
            log.warning("Groq disabled: %s", err)
            notes.append(str(err))
        else:
            out.stt.append(GroqSpeechToText(
                groq_key, groq_url, model=settings.groq_stt_model, timeout_s=settings.stt_timeout_s,
                audio_format=settings.stt_audio_format, breaker=breaker(GroqSpeechToText.name),
            ))
            out.brain.append(GroqBrain(
                groq_key, groq_url, model=settings.groq_llm_model, timeout_s=settings.llm_timeout_s,
                breaker=breaker(GroqBrain.name),
            ))
    eleven_key = keys.get("elevenlabs")
    if not eleven_key:
        notes.append("no ElevenLabs API key: the offline voice is used")
    else:
        try:
            eleven_url = resolve_base_url("elevenlabs", settings.elevenlabs_base_url)
        except CloudConfigError as err:
            log.warning("ElevenLabs disabled: %s", err)
            notes.append(str(err))
        else:
            out.tts.append(ElevenLabsTextToSpeech(
                eleven_key, eleven_url, voice_id=settings.elevenlabs_voice_id,
                model_id=settings.elevenlabs_model_id, timeout_s=settings.tts_timeout_s,
                breaker=breaker(ElevenLabsTextToSpeech.name),
            ))
    out.notes = tuple(notes)
    return out
