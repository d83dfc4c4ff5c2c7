"""The app's voice during an interview: a question is synthesized on a worker (the text-to-speech
chain) and played on the player; the engine asks :meth:`Speaker.poll` on its timer whether it is over.

Results for a question that is no longer current (repeated, answered by typing, skipped) are
dropped: every :meth:`Speaker.speak` and :meth:`Speaker.stop` starts a new generation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from interview_desktop.audio.errors import AudioError
from interview_desktop.providers.base import ChainResult, ProviderError
from interview_desktop.providers.voice import VoiceIO
from interview_desktop.tasks import BackgroundTasks

log = logging.getLogger("interview_desktop.engine")

Failures = tuple[tuple[str, str], ...]


class Speaker:
    """Speaks one question at a time for the engine (engine thread)."""

    def __init__(self, voice: VoiceIO, tasks: BackgroundTasks):
        self.voice = voice
        self._tasks = tasks
        self._generation = 0
        self._playing = False
        self.provider: str | None = None  # which voice spoke the current question
        self.cloud = False

    @property
    def can_speak(self) -> bool:
        return self.voice.can_speak

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
            try:
                assert self.voice.player is not None
                self.voice.player.play(result.value)
            except AudioError as err:
                log.warning("cannot play the question: %s", err)
                on_silent(f"{err}")
                return
            self._playing = True

        def failed(error: BaseException) -> None:
            if not isinstance(error, ProviderError):
                raise error
            if generation == self._generation:
                on_silent(f"{error}.")

        self._tasks.submit(lambda: tts.run(lambda provider: provider.synthesize(text)), synthesized, failed)

    def poll(self) -> tuple[bool, str | None]:
        """(finished, error): True once the question has played out (error: why it stopped early)."""
        player = self.voice.player
        if not self._playing or player is None or not player.done.is_set():
            return False, None
        self._playing = False
        return True, None if player.error is None else str(player.error)

    def stop(self) -> None:
        """Stop speaking now; a synthesis still running is dropped."""
        self._generation += 1
        if self._playing and self.voice.player is not None:
            self.voice.player.stop()
        self._playing = False

    def forget(self) -> None:
        """A new question: nothing is known yet about the voice that will speak it."""
        self.provider, self.cloud = None, False
