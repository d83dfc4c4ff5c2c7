"""The voice side of an interview as the provider factory builds it (plain objects, no Qt).

:class:`VoiceIO` bundles what the engine needs to speak and listen: the text-to-speech chain, a
player, a way to open the microphone, the end-of-answer rules and the speech-to-text chain.
Anything left out (``None``) degrades: no TTS → the question is only shown; no microphone or no STT
→ typed answers only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from interview_desktop.audio.capture import MicCapture
from interview_desktop.audio.turn_policy import TurnConfig
from interview_desktop.audio.vad import EndpointConfig, Endpointer
from interview_desktop.domain import AudioClip
from interview_desktop.providers.base import FallbackChain, SpeechToText, TextToSpeech


class PlayerLike(Protocol):
    @property
    def done(self): ...  # threading.Event

    @property
    def error(self): ...

    @property
    def position_s(self) -> float: ...  # seconds of the clip played so far

    def play(self, clip: AudioClip) -> None: ...

    def extend(self, clip: AudioClip) -> bool: ...  # True: appended to the clip playing, no gap

    def stop(self) -> None: ...


@dataclass
class VoiceIO:
    tts: FallbackChain[TextToSpeech] | None = None
    player: PlayerLike | None = None
    stt: FallbackChain[SpeechToText] | None = None
    open_mic: Callable[[], MicCapture] | None = None
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    turn: TurnConfig | None = None  # smart turn-taking (transcribe while spoken); None: the fixed rule
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
        if self.turn is not None:  # the turn policy ends the answer, never the endpointer's silence
            config = replace(config, hangover_s=max(config.hangover_s, config.max_answer_s))
        return Endpointer(config)
