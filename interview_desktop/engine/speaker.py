"""The app's voice during an interview: a question is synthesized on a worker (the text-to-speech
chain) and played on the player; the engine asks :meth:`Speaker.poll` on its timer whether it is over.

Results for a question that is no longer current (repeated, answered by typing, skipped) are
dropped: every :meth:`Speaker.speak` and :meth:`Speaker.stop` starts a new generation.
:meth:`Speaker.prepare` synthesizes a question ahead (the next one, while the candidate answers), so
that asking it only starts the playback. A question that was not prepared (the first, a follow-up)
starts playing as soon as its first sentence is synthesized; the rest follows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import numpy as np

from interview_desktop.audio.errors import AudioError
from interview_desktop.audio.wav import resample, trim_leading_silence
from interview_desktop.domain import AudioClip
from interview_desktop.providers.base import ChainResult, ProviderError
from interview_desktop.providers.voice import VoiceIO
from interview_desktop.tasks import BackgroundTasks

log = logging.getLogger("interview_desktop.engine")

Failures = tuple[tuple[str, str], ...]


class Speaker:
    """Speaks one question at a time for the engine (engine thread)."""

    def __init__(self, voice: VoiceIO, tasks: BackgroundTasks,
                 on_play: Callable[[AudioClip, float], None] | None = None):
        self._voice = voice
        self._tasks = tasks
        # a question started playing: its audio, and how much of it had played already (the rest of
        # a question appended to its first sentence is announced with the first, partly played)
        self._on_play = on_play or (lambda clip, played_s: None)
        self._current: AudioClip | None = None  # what plays now
        self._prepared: dict[str, ChainResult | None] = {}  # text → audio (None: being synthesized)
        self._waiting: dict[str, Callable[[ChainResult | BaseException], None]] = {}
        self._generation = 0
        self._playing = False
        self._rest: AudioClip | None = None  # the rest of a question spoken sentence by sentence
        self._rest_pending = False
        self.provider: str | None = None  # which voice spoke the current question
        self.cloud = False

    @property
    def voice(self) -> VoiceIO:
        return self._voice

    @voice.setter
    def voice(self, voice: VoiceIO) -> None:
        """New voice settings: audio prepared with the old ones is dropped."""
        self._voice = voice
        self.forget_prepared()

    @property
    def can_speak(self) -> bool:
        return self.voice.can_speak

    def prepare(self, text: str) -> None:
        """Synthesize ``text`` now on a worker, to be spoken later without waiting for the voice."""
        if not self.can_speak or text in self._prepared:
            return
        self._prepared[text] = None
        tts, voice = self.voice.tts, self.voice
        assert tts is not None

        def settle(outcome: ChainResult | BaseException) -> None:
            if self._voice is not voice or text not in self._prepared:
                return  # the voice changed or the interview ended meanwhile
            if isinstance(outcome, ChainResult):
                self._prepared[text] = outcome
            else:
                del self._prepared[text]
            waiter = self._waiting.pop(text, None)
            if waiter is not None:
                waiter(outcome)

        def failed(error: BaseException) -> None:
            if not isinstance(error, ProviderError):
                raise error
            settle(error)

        self._tasks.submit(lambda: tts.run(lambda provider: provider.synthesize(text)), settle, failed)

    def is_prepared(self, text: str) -> bool:
        """``text`` was synthesized ahead and is ready to play."""
        return self._prepared.get(text) is not None

    def forget_prepared(self) -> None:
        self._prepared.clear()
        self._waiting.clear()

    def speak(
        self,
        text: str,
        on_voice: Callable[[Failures], None],
        on_silent: Callable[[str], None],
    ) -> None:
        """Synthesize and play ``text``. ``on_voice(failures)`` when a voice produced it (failures: the
        voices that fell back first); ``on_silent(why)`` when it cannot be heard (no voice could say
        it, or the speaker failed): the question stays on screen."""
        self.stop()
        generation = self._generation
        tts = self.voice.tts
        assert tts is not None

        def synthesized(result: ChainResult) -> None:
            if generation != self._generation:
                return
            self.provider, self.cloud = result.provider, result.cloud
            on_voice(result.failures)
            clip = trim_leading_silence(result.value)  # the question starts at its first sound
            try:
                assert self.voice.player is not None
                self.voice.player.play(clip)
            except AudioError as err:
                log.warning("cannot play the question: %s", err)
                on_silent(f"{err}")
                return
            self._playing = True
            self._current = clip
            self._on_play(clip, 0.0)

        def failed(error: BaseException) -> None:
            if not isinstance(error, ProviderError):
                raise error
            if generation == self._generation:
                on_silent(f"{error}.")

        first, rest = split_first_sentence(text)
        if text not in self._prepared and rest:  # not ready: speak as soon as the first sentence is
            log.info("question spoken sentence by sentence (%d + %d characters)", len(first), len(rest))
            self._rest_pending = True

            def first_said(result: ChainResult) -> None:
                synthesized(result)
                if generation == self._generation:  # the rest is synthesized while the first plays
                    self._tasks.submit(lambda: tts.run(lambda provider: provider.synthesize(rest)),
                                       lambda more: self._rest_ready(generation, more),
                                       lambda error: self._rest_failed(generation, error))

            return self._tasks.submit(lambda: tts.run(lambda provider: provider.synthesize(first)),
                                      first_said, failed)
        if text in self._prepared:  # synthesized ahead (kept for a repeat): ready, or on its way
            ready = self._prepared[text]
            if ready is not None:
                log.info("question spoken from audio prepared ahead")
                return synthesized(ready)
            log.info("question waits for the audio being prepared ahead")
            self._waiting[text] = lambda outcome: (
                synthesized(outcome) if isinstance(outcome, ChainResult) else failed(outcome)
            )
            return
        self._tasks.submit(lambda: tts.run(lambda provider: provider.synthesize(text)), synthesized, failed)

    def poll(self) -> tuple[bool, str | None]:
        """(finished, error): True once the question has played out (error: why it stopped early)."""
        player = self.voice.player
        if not self._playing or player is None or not player.done.is_set():
            return False, None
        if player.error is None and self._rest is not None:
            rest, self._rest = self._rest, None
            self._play(rest)
            return False, None
        if player.error is None and self._rest_pending:
            return False, None  # the rest of the question is still being synthesized
        self._playing = False
        return True, None if player.error is None else str(player.error)

    def _rest_ready(self, generation: int, result: ChainResult) -> None:
        if generation != self._generation:
            return
        self._rest_pending = False
        player, first = self.voice.player, self._current
        if self._playing and player is not None and first is not None and player.extend(result.value):
            # no gap: it follows the first sentence in the same stream; echo checks hear both
            rest = result.value
            if rest.sample_rate != first.sample_rate:
                rest = resample(rest, first.sample_rate)
            self._current = AudioClip(np.concatenate([first.samples, rest.samples]), first.sample_rate)
            return self._on_play(self._current, player.position_s)
        self._rest = result.value  # the first sentence has played out: played next

    def _rest_failed(self, generation: int, error: BaseException) -> None:
        if not isinstance(error, ProviderError):
            raise error
        if generation == self._generation:
            log.warning("the rest of the question could not be spoken: %s", error)
            self._rest_pending = False

    def _play(self, clip: AudioClip) -> None:
        assert self.voice.player is not None
        try:
            self.voice.player.play(clip)
        except AudioError as err:
            log.warning("cannot play the rest of the question: %s", err)
            return
        self._current = clip
        self._on_play(clip, 0.0)

    def stop(self, forget_prepared: bool = False) -> None:
        """Stop speaking now; a synthesis still running is dropped, and nothing is known any more of
        the voice that spoke (what was prepared ahead is dropped too with ``forget_prepared``: the
        interview is over)."""
        if forget_prepared:
            self.forget_prepared()
        self._generation += 1
        if self._playing and self.voice.player is not None:
            self.voice.player.stop()
        self._playing = False
        self._current = self._rest = None
        self._rest_pending = False
        self.provider, self.cloud = None, False


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def split_first_sentence(text: str) -> tuple[str, str]:
    """("First sentence.", "The rest.") — the rest is "" for a single sentence."""
    parts = _SENTENCE_END.split(text.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (text.strip(), "")
