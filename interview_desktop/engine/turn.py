"""One spoken answer as a turn of the conversation: its audio (the endpointer), its words so far (the
stretch transcriber), when it ends (the turn policy), and — after the app decided it was over — whether
the candidate goes on (a real voice, not the echo of the next question), so the answer is reopened.

Engine thread only; docs/conversation.md has the timeline. ``smart`` False is the fixed rule: the
endpointer's own silence limit ends the answer and nothing is transcribed before the end.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from interview_desktop.audio.echo import echo_similarity
from interview_desktop.audio.turn_policy import EndOfTurn, TurnConfig, Verdict, decide, finished_silence
from interview_desktop.audio.vad import SAMPLE_RATE, Endpointer, EndpointEvent
from interview_desktop.audio.wav import resample
from interview_desktop.domain import AudioClip, TurnTiming
from interview_desktop.engine.stretches import StretchTranscriber, silence_spans

log = logging.getLogger("interview_desktop.engine")

ECHO_SIMILARITY = 0.7  # above this the voice heard while the app speaks is its own
MIN_RESUME_S = 0.5  # speech needed after the decision to reopen the answer
ECHO_WINDOW_S = 1.0  # while the app speaks: voice compared with what it plays
_ECHO_MAX_LAG_S = 1.5  # loudspeaker → microphone, output and input buffers included
PAUSE_SHOWN_S = 0.3  # a pause is shown ("still listening") from this long on


class TurnPhase(str, enum.Enum):
    LISTENING = "listening"  # waiting for or hearing the answer
    PAUSED = "paused"  # the candidate paused; still listening
    THINKING = "thinking"  # the answer is over; the app is working on it


@dataclass(frozen=True)
class TurnStatus:
    phase: TurnPhase
    pause_s: float = 0.0


class AnswerTurn:
    def __init__(
        self,
        endpointer: Endpointer,
        stretches: StretchTranscriber | None,
        config: TurnConfig | None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.endpointer = endpointer
        self.stretches = stretches
        self.config = config
        self._clock = clock
        self._started = clock()  # the monotonic instant of stream time 0
        self._decided_at_s: float | None = None  # stream time of the decision
        self._kept_until_s: float | None = None  # the answer's audio ends here (after a decision)
        self._speech_end_s: float | None = None  # the last speech when the answer was ended
        self._muted: list[tuple[float, float]] = []  # stream spans that are not the answer (echo)
        self._playing: tuple[np.ndarray, float] | None = None  # what the app plays, from stream time
        self._echo_until = 0.0  # stream time up to which the voice heard was the app's echo
        self._resume_from = 0.0  # where the candidate's voice came back
        self.reason: EndOfTurn | None = None
        self.resumed = 0

    @property
    def smart(self) -> bool:
        return self.stretches is not None and self.config is not None

    @property
    def decided(self) -> bool:
        return self._decided_at_s is not None

    def feed(self, samples: np.ndarray) -> list[EndpointEvent]:
        events = self.endpointer.feed(samples) if len(samples) else []
        if self.smart and not self.decided:
            self.stretches.update(self.endpointer)  # type: ignore[union-attr]
        return events

    def wall(self, stream_s: float) -> float:
        """The monotonic instant of a stream time."""
        return self._started + stream_s
    # ------------------------------------------------------------------ the decision
    def verdict(self, earlier_pauses: Sequence[float] = ()) -> Verdict | None:
        """Smart turn-taking, while the answer is open and speech was heard: end it now?
        ``earlier_pauses``: pauses between sentences the candidate made before this answer."""
        if not self.smart or self.decided or self.endpointer.silence_s is None:
            return None
        assert self.stretches is not None and self.config is not None
        finished_s = finished_silence(self.config, [*earlier_pauses, *self.pauses()])
        return decide(self.config, self.endpointer.silence_s, self.stretches.covers(self.endpointer),
                      self.stretches.ending_words, self.stretches.failed is not None, finished_s)

    def pauses(self) -> list[float]:
        """The pauses inside this answer after which the candidate went on (seconds)."""
        segments = [s for s in self.endpointer.speech_segments(relative_to_clip=False)
                    if not any(a <= s[0] < b for a, b in self._muted)]
        return [round(b[0] - a[1], 3) for a, b in zip(segments, segments[1:], strict=False)]

    def status(self) -> TurnStatus:
        if self.decided:
            return TurnStatus(TurnPhase.THINKING)
        silence = self.endpointer.silence_s or 0.0
        if silence >= PAUSE_SHOWN_S:
            return TurnStatus(TurnPhase.PAUSED, silence)
        return TurnStatus(TurnPhase.LISTENING)

    def decide(self, reason: EndOfTurn) -> None:
        ep = self.endpointer
        self.reason = reason
        self._decided_at_s = ep.fed_s
        last = self._speech_end_s = ep.last_speech_end_s
        self._kept_until_s = ep.fed_s if last is None else min(ep.fed_s, last + ep.config.keep_trailing_s)

    def clip(self) -> tuple[AudioClip, list[tuple[float, float]]]:
        """The answer's audio (echo spans silenced) and where the voice is in it (clip time)."""
        ep = self.endpointer
        if not self.smart:
            return ep.clip(), ep.speech_segments()
        start = ep.clip_start_s
        end = self._kept_until_s if self._kept_until_s is not None else ep.fed_s
        samples = silence_spans(ep.audio(start, end), start, self._muted)
        segments = [
            (round(s - start, 3), round(min(e, end) - start, 3))
            for s, e in ep.speech_segments(relative_to_clip=False)
            if s < end and not any(a <= s < b for a, b in self._muted)
        ]
        return AudioClip(samples, SAMPLE_RATE), segments

    def timing(self, asked: float, final: float | None, mode_smart: bool) -> TurnTiming:
        """The turn's instants as seconds since ``asked`` (monotonic)."""
        ep = self.endpointer
        # after the end, the microphone may hear the next question: the answer's speech ended before it
        start = ep.answer_started_at_s
        last = self._speech_end_s if self.decided else ep.last_speech_end_s

        def since(stream_s: float | None) -> float | None:
            return None if stream_s is None else round(self.wall(stream_s) - asked, 3)

        return TurnTiming(
            speech_start_s=since(start), speech_end_s=since(last), decided_s=since(self._decided_at_s),
            end_reason=self.reason.value if self.reason else None,
            transcript_final_s=None if final is None else round(final - asked, 3),
            mode="smart" if mode_smart else "fixed", resumed=self.resumed,
        )

    # ------------------------------------------------------------------ after the decision
    def playing(self, clip: AudioClip, played_s: float = 0.0) -> None:
        """The app is playing ``clip``, ``played_s`` of it already: voice heard may be its echo."""
        samples = resample(clip, SAMPLE_RATE).samples if clip.sample_rate != SAMPLE_RATE else clip.samples
        self._playing = (np.asarray(samples, dtype=np.float32), self.endpointer.fed_s - played_s)

    def went_on(self) -> bool:
        """After the decision: has the candidate started speaking again (not the app's echo)?
        Voice that starts within the resume window counts; while the app's voice is audible, a
        second of it is compared with what is playing first."""
        if not self.decided or self.config is None:
            return False
        ep = self.endpointer
        assert self._decided_at_s is not None
        latest = self._decided_at_s + self.config.resume_window_s
        new = [s for s in ep.speech_segments(relative_to_clip=False)
               if self._decided_at_s - 0.05 <= s[0] <= latest]
        if not new or new[-1][1] - new[-1][0] < MIN_RESUME_S:
            return False
        start, end = new[-1]
        if self._audible(end - ECHO_WINDOW_S, end):
            if end - start < ECHO_WINDOW_S:
                return False  # a second of voice tells the candidate from the echo
            if self._is_echo(end - ECHO_WINDOW_S, end):
                self._echo_until = end
                return False
        self._resume_from = max(start, self._echo_until)
        log.info("the candidate went on %.2fs after the answer was ended",
                 self._resume_from - self._decided_at_s)
        return True

    def watch_over(self) -> bool:
        """The resume window has passed (and voice that started in it has been judged)."""
        if not self.decided or self.config is None:
            return True
        assert self._decided_at_s is not None
        return self.endpointer.fed_s > self._decided_at_s + self.config.resume_window_s + ECHO_WINDOW_S + 0.5

    def reopen(self) -> None:
        """Continue the same answer: the audio between the old end and the new speech is not part of
        it (it may hold the app's own voice)."""
        ep = self.endpointer
        assert self._kept_until_s is not None
        mute_end = max(self._kept_until_s, self._resume_from - ep.config.pre_roll_s)
        if mute_end > self._kept_until_s:
            self._muted.append((self._kept_until_s, mute_end))
        if self.stretches is not None:
            self.stretches.reopen(self._kept_until_s, mute_end)
        self._decided_at_s = self._kept_until_s = None
        self._playing = None
        self.reason = None
        self.resumed += 1

    def _audible(self, start_s: float, end_s: float) -> bool:
        """Something the app played could be heard in the microphone between these stream times."""
        reference = self._reference(start_s, end_s)
        return reference is not None and float(np.max(np.abs(reference), initial=0.0)) > 10 ** (-50 / 20)

    def _reference(self, start_s: float, end_s: float) -> np.ndarray | None:
        """What was played from the longest echo delay before ``start_s`` to ``end_s`` (zeros where
        nothing played); None when nothing was played in that span."""
        if self._playing is None:
            return None
        played, played_at = self._playing
        a = round((start_s - played_at - _ECHO_MAX_LAG_S) * SAMPLE_RATE)
        b = round((end_s - played_at) * SAMPLE_RATE)
        if b <= 0 or a >= len(played):
            return None
        reference = np.zeros(b - a, dtype=np.float32)
        lo, hi = max(a, 0), min(b, len(played))
        reference[lo - a : hi - a] = played[lo:hi]
        return reference

    def _is_echo(self, start_s: float, end_s: float) -> bool:
        reference = self._reference(start_s, end_s)
        if reference is None:
            return False
        similarity = echo_similarity(self.endpointer.audio(start_s, end_s), reference, _ECHO_MAX_LAG_S)
        log.debug("voice heard while the app speaks: echo similarity %.2f", similarity)
        return similarity >= ECHO_SIMILARITY
