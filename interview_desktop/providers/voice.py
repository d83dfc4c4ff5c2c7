"""The voice side of an interview, as plain objects the engine drives (no Qt here).

:class:`VoiceIO` bundles what the engine needs to speak and listen: the text-to-speech chain, a
player, a way to open the microphone, the end-of-answer rules and the speech-to-text chain.
Anything left out (``None``) degrades: no TTS → the question is only shown; no microphone or no STT
→ typed answers only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from interview_desktop.audio.capture import MicCapture
from interview_desktop.audio.vad import EndpointConfig, Endpointer
from interview_desktop.audio.wav import write_wav
from interview_desktop.domain import AudioClip, Transcript
from interview_desktop.providers.base import ChainResult, FallbackChain, SpeechToText, TextToSpeech

log = logging.getLogger("interview_desktop.providers.voice")


class PlayerLike(Protocol):
    @property
    def done(self): ...  # threading.Event

    @property
    def error(self): ...

    def play(self, clip: AudioClip) -> None: ...

    def stop(self) -> None: ...


@dataclass
class VoiceIO:
    tts: FallbackChain[TextToSpeech] | None = None
    player: PlayerLike | None = None
    stt: FallbackChain[SpeechToText] | None = None
    open_mic: Callable[[], MicCapture] | None = None
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    keep_audio: bool = True
    echo_tail_s: float = 0.25  # microphone audio ignored right after the question finished playing
    warm_up: list[Callable[[], object]] = field(default_factory=list)

    @property
    def can_speak(self) -> bool:
        return self.tts is not None and bool(self.tts.providers) and self.player is not None

    @property
    def can_listen(self) -> bool:
        return self.stt is not None and bool(self.stt.providers) and self.open_mic is not None

    def new_endpointer(self, no_speech_timeout: bool = True) -> Endpointer:
        config = self.endpoint if no_speech_timeout else replace(self.endpoint, no_speech_timeout_s=None)
        return Endpointer(config)


@dataclass(frozen=True)
class TranscriptionJob:
    """The result of transcribing one recorded answer (built on a worker thread)."""

    clip_duration_s: float
    speech_segments: tuple[tuple[float, float], ...]
    audio_path: str | None  # relative to the data folder, None if not kept
    result: ChainResult[Transcript] | None
    error: str | None  # all speech-to-text providers failed: why (the audio is kept)


def transcribe_answer(
    stt: FallbackChain[SpeechToText],
    clip: AudioClip,
    segments: list[tuple[float, float]],
    data_dir: Path | None,
    relative_audio_path: str,
    keep_audio: bool,
) -> TranscriptionJob:
    """Save the answer audio first (so nothing said is lost), then transcribe it."""
    from interview_desktop.providers.base import AllProvidersFailed

    saved: str | None = None
    if data_dir is not None and len(clip.samples):
        write_wav(data_dir / relative_audio_path, clip)
        saved = relative_audio_path
    try:
        result = stt.run(lambda provider: provider.transcribe(clip))
        error = None
    except AllProvidersFailed as err:
        result, error = None, str(err)
    if saved and not keep_audio and result is not None:
        (data_dir / saved).unlink(missing_ok=True)  # type: ignore[operator]
        saved = None
    return TranscriptionJob(clip.duration_s, tuple(segments), saved, result, error)
