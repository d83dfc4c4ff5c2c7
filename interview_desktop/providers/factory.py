"""Builds the provider chains from the settings and the keys (used by the composition root).

Chains, first to last (each ends in an offline provider, so the app always works):
  speech-to-text  groq-whisper → local-whisper
  text-to-speech  elevenlabs → piper → pyttsx3 → (the question on screen)
  interviewer     groq-llm → offline (question bank + rubric)
The offline providers are created once per run, so the Whisper model loads once; circuit-breaker
state survives a rebuild after a settings change. The cloud clients a rebuild replaces may still be in
the middle of a request on the engine's threads, so they are closed only after a grace period.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from interview_desktop.audio.capture import MicCapture
from interview_desktop.audio.capture import warm_up as warm_up_mic
from interview_desktop.audio.playback import Player
from interview_desktop.audio.turn_policy import TurnConfig
from interview_desktop.audio.vad import EndpointConfig
from interview_desktop.config.keys import KeyStore
from interview_desktop.config.settings import Settings
from interview_desktop.providers.base import FallbackChain, InterviewerBrain
from interview_desktop.providers.brains.offline import OfflineBrain
from interview_desktop.providers.brains.question_bank import QuestionBank
from interview_desktop.providers.cloud.circuit import CircuitBreaker
from interview_desktop.providers.cloud.config import CloudProviders, CloudSettings, build_cloud_providers
from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT
from interview_desktop.providers.stt.models import ALL_MODELS, TINY_EN, installed
from interview_desktop.providers.tts.piper_voice import PiperTTS
from interview_desktop.providers.tts.pyttsx3_voice import Pyttsx3TTS
from interview_desktop.providers.voice import VoiceIO

log = logging.getLogger("interview_desktop.providers")

# How long replaced cloud clients stay open: longer than any request with its retries takes.
RETIRED_GRACE_S = 300.0


def cloud_settings(settings: Settings) -> CloudSettings:
    return CloudSettings(
        offline_only=settings.offline_only,
        groq_stt_model=settings.groq_stt_model,
        groq_llm_model=settings.groq_llm_model,
        elevenlabs_voice_id=settings.elevenlabs_voice_id,
        elevenlabs_model_id=settings.elevenlabs_model_id,
        groq_base_url=settings.groq_base_url or None,
        elevenlabs_base_url=settings.elevenlabs_base_url or None,
        stt_timeout_s=settings.stt_timeout_s,
        tts_timeout_s=settings.tts_timeout_s,
        llm_timeout_s=settings.llm_timeout_s,
        follow_ups=settings.follow_ups,
    )


@dataclass(frozen=True)
class ProviderSetup:
    voice: VoiceIO
    brains: FallbackChain[InterviewerBrain]
    follow_ups: int  # only with a cloud brain: offline there is nobody to ask a real follow-up
    notes: tuple[str, ...]
    file_stt: FallbackChain  # for saved recordings (re-evaluation), whatever the live voice settings
    problems: tuple[str, ...] = ()  # what the settings ask for and cannot have, in words for the window

    def describe(self) -> str:
        names = lambda chain: " → ".join(p.name for p in chain.providers) if chain else "off"  # noqa: E731
        return (
            f"speech-to-text: {names(self.voice.stt)}; voice: {names(self.voice.tts)}; "
            f"interviewer: {names(self.brains)}"
        )


class ProviderFactory:
    def __init__(self, bank: QuestionBank, keys: KeyStore, clock: Callable[[], float] = time.monotonic):
        self.keys = keys
        self._clock = clock
        self._local_stt = {"tiny.en": LocalWhisperSTT()}  # one per speech model: loaded once per run
        self.local_stt = self._local_stt["tiny.en"]
        self.pyttsx3 = Pyttsx3TTS()
        self.piper = PiperTTS()
        self.offline_brain = OfflineBrain(bank)
        self._breakers: dict[str, CircuitBreaker] = {}
        self._cloud: CloudProviders | None = None
        self._retired: list[tuple[float, CloudProviders]] = []  # replaced, maybe still in a request

    def build(self, settings: Settings, typed_only: bool = False) -> ProviderSetup:
        self._retire_cloud()
        model = settings.speech_model if settings.speech_model in ALL_MODELS else TINY_EN.id
        problems = []
        if model != TINY_EN.id and not installed(model):
            problems.append(f"The speech model {model} is not on this computer any more: using "
                            f"{TINY_EN.label}. Download or choose another in Settings.")
            log.warning("speech model %s is not installed: using %s", model, TINY_EN.id)
            model = TINY_EN.id
        if model not in self._local_stt:
            self._local_stt[model] = LocalWhisperSTT(model_id=model)
        self.local_stt = self._local_stt[model]
        cloud = build_cloud_providers(cloud_settings(settings), self.keys, breakers=self._breakers)
        for provider in (*cloud.stt, *cloud.tts, *cloud.brain):
            breaker = getattr(provider, "breaker", None)
            if breaker is not None:
                self._breakers[provider.name] = breaker
        self._cloud = cloud
        brains = FallbackChain("interviewer", [*cloud.brain, self.offline_brain])
        voice = VoiceIO(
            endpoint=EndpointConfig(
                hangover_s=settings.hangover_s,
                no_speech_timeout_s=settings.no_speech_timeout_s,
                max_answer_s=settings.max_answer_s,
            ),
            keep_audio=settings.keep_audio,
            turn=turn_config(settings),
        )
        if not typed_only and settings.speak_questions:
            offline = [self.pyttsx3]
            if settings.offline_voice != "system":
                self.piper.speed = min(max(settings.voice_speed, 0.5), 2.0)
                self.piper.volume = min(max(settings.voice_volume, 0.0), 2.0)
                offline.insert(0, self.piper)
                voice.warm_up.append(self.piper.load)
            voice.tts = FallbackChain("text-to-speech", [*cloud.tts, *offline])
            voice.player = Player(settings.output_device or None)
        if not typed_only and settings.voice_answers:
            device = settings.input_device or None
            voice.stt = FallbackChain("speech-to-text", [*cloud.stt, self.local_stt])
            voice.open_mic = lambda: MicCapture(device)
            voice.warm_up += [self.local_stt.load, lambda: warm_up_mic(device)]
        setup = ProviderSetup(
            voice, brains, settings.follow_ups if cloud.brain else 0, cloud.notes,
            FallbackChain("speech-to-text", [*cloud.stt, self.local_stt]), tuple(problems),
        )
        log.info("providers: %s", setup.describe())
        return setup

    def _retire_cloud(self) -> None:
        """Set the current cloud clients aside (a question or a score may be on its way through them:
        closing now would fail that request) and close those replaced more than the grace ago."""
        now = self._clock()
        if self._cloud is not None:
            self._retired.append((now, self._cloud))
            self._cloud = None
        keep = []
        for retired_at, cloud in self._retired:
            if now - retired_at >= RETIRED_GRACE_S:
                cloud.close()
            else:
                keep.append((retired_at, cloud))
        self._retired = keep

    def close(self) -> None:
        """At shutdown: close every cloud client, current and replaced."""
        for _, cloud in self._retired:
            cloud.close()
        self._retired = []
        if self._cloud is not None:
            self._cloud.close()
            self._cloud = None


def turn_config(settings: Settings) -> TurnConfig | None:
    """Smart turn-taking from the settings (None: the fixed silence rule)."""
    if settings.turn_taking == "fixed":
        return None
    return TurnConfig(unfinished_limit_s=min(max(settings.unfinished_pause_s, 1.0), 15.0))
