"""Provider protocols (speech-to-text, text-to-speech, interviewer brain), the provider error family
and the fallback chain.

Each provider is a plain object with a ``name`` and a ``cloud`` flag. A provider that cannot do its
job for a known reason raises a :class:`ProviderError` subclass; anything else is a bug and
propagates out of the chain.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, runtime_checkable

from interview_desktop.domain import AudioClip, DeliveryMetrics, Evaluation, Question, Transcript
from interview_desktop.errors import InterviewDesktopError

log = logging.getLogger("interview_desktop.providers")


class ProviderError(InterviewDesktopError):
    """A provider could not produce a result for a known reason."""

    cause = "error"


class ProviderUnavailable(ProviderError):
    """Not installed, not configured (no key), network unreachable, device missing …"""

    cause = "unavailable"


class ProviderAuthError(ProviderError):
    cause = "bad key"


class ProviderQuotaError(ProviderError):
    cause = "quota or rate limit"


class ProviderTimeout(ProviderError):
    cause = "timeout"


class ProviderBadResponse(ProviderError):
    cause = "bad response"


@runtime_checkable
class SpeechToText(Protocol):
    name: str
    cloud: bool

    def transcribe(self, clip: AudioClip) -> Transcript: ...


@runtime_checkable
class TextToSpeech(Protocol):
    name: str
    cloud: bool

    def synthesize(self, text: str) -> AudioClip: ...


@runtime_checkable
class InterviewerBrain(Protocol):
    """Which questions to ask, whether to follow up, how to score an answer."""

    name: str
    cloud: bool

    def questions(
        self, role_title: str, count: int, job_description: str = "", cv_text: str = ""
    ) -> list[Question]: ...

    def follow_up(self, question: Question, answer_text: str) -> str | None: ...

    def evaluate(
        self, question: Question, answer_text: str, metrics: DeliveryMetrics | None
    ) -> Evaluation: ...


P = TypeVar("P")
R = TypeVar("R")


@dataclass(frozen=True)
class ChainResult(Generic[R]):
    value: R
    provider: str
    cloud: bool
    failures: tuple[tuple[str, str], ...] = ()  # (provider name, message) for each failed provider


class AllProvidersFailed(ProviderError):
    def __init__(self, what: str, failures: Sequence[tuple[str, str]]):
        detail = "; ".join(f"{name}: {msg}" for name, msg in failures) or "no provider configured"
        super().__init__(f"{what} unavailable ({detail})")
        self.failures = tuple(failures)


class FallbackChain(Generic[P]):
    """Tries providers in order; only :class:`ProviderError` moves on to the next one."""

    def __init__(self, what: str, providers: Sequence[P], clock: Callable[[], float] = time.monotonic):
        self.what = what
        self.providers = list(providers)
        self._clock = clock

    def run(self, call: Callable[[P], R]) -> ChainResult[R]:
        failures: list[tuple[str, str]] = []
        for provider in self.providers:
            name = getattr(provider, "name", type(provider).__name__)
            started = self._clock()
            try:
                value = call(provider)
            except ProviderError as err:
                log.warning(
                    "%s provider=%s failed cause=%s after %.2fs: %s",
                    self.what, name, err.cause, self._clock() - started, err,
                )
                failures.append((name, str(err)))
                continue
            return ChainResult(value, name, bool(getattr(provider, "cloud", False)), tuple(failures))
        raise AllProvidersFailed(self.what, failures)
