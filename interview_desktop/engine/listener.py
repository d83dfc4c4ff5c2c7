"""The microphone side of an interview: capture, the current answer's turn, echo skip and level meter.

The owner (the engine, or the Settings mic check) calls :meth:`Listener.poll` from a QTimer on its
own thread and acts on what comes back; the Listener emits nothing and knows no state machine.
One microphone stream per interview (opening one can take ~2 s), a new :class:`AnswerTurn` per
answer; a turn that was decided stays fed until the next one starts (the candidate may go on).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from interview_desktop.audio.capture import MicCapture
from interview_desktop.audio.errors import AudioError
from interview_desktop.audio.meter import Throttle, meter_level
from interview_desktop.audio.vad import Endpointer, EndpointEvent, EndReason
from interview_desktop.engine.turn import AnswerTurn
from interview_desktop.providers.voice import VoiceIO

log = logging.getLogger("interview_desktop.engine")

SAMPLE_RATE = 16000
METER_HZ = 30


@dataclass(frozen=True)
class Heard:
    """What one poll found."""

    level: float | None = None  # microphone level 0..1 when a meter update is due, else None
    events: list[EndpointEvent] = field(default_factory=list)
    lost: str | None = None  # the microphone stopped (the answer so far is in ``events``): why
    fed: np.ndarray | None = None  # the samples given to the answer's turn (for the safety recording)


class Listener:
    """Opens the microphone, feeds the endpointer of the current answer, skips the echo of the
    question that just played, and rate-limits the level meter."""

    def __init__(self, voice: VoiceIO, meter_hz: int = METER_HZ):
        self.voice = voice
        self._mic: MicCapture | None = None
        self.turn: AnswerTurn | None = None
        self._make_turn: Callable[[Endpointer], AnswerTurn] = lambda ep: AnswerTurn(ep, None, None)
        self._echo_skip = 0  # samples still to ignore after the question was played
        self._carried: np.ndarray | None = None  # heard before the turn started, fed to it first
        self._meter = Throttle(meter_hz)

    @property
    def is_open(self) -> bool:
        return self._mic is not None

    @property
    def answering(self) -> bool:
        """An answer is being listened to (its turn is open)."""
        return self.turn is not None and not self.turn.decided

    def open(self, open_mic: Callable[[], MicCapture] | None = None) -> str | None:
        """Open (or reopen) the microphone; the reason in plain words when it cannot be opened."""
        self.close()
        opener = open_mic or self.voice.open_mic
        if opener is None:
            return None
        try:
            mic = opener()
            mic.start()
        except AudioError as err:
            log.warning("microphone unavailable: %s", err)
            return str(err)
        self._mic = mic
        return None

    def close(self) -> None:
        if self._mic is not None:
            self._mic.close()
            self._mic = None
        self.stop_answer()

    def start_answer(self, make_turn: Callable[[Endpointer], AnswerTurn] | None = None,
                     carry_from_s: float | None = None) -> str | None:
        """Listen for a new answer; reopens a microphone that was missing. Error text or None.
        ``carry_from_s``: the question stopped playing at this stream time of the turn before, which
        was still being heard; what it heard since (after the echo tail) starts the new answer."""
        problem = None
        carried = self._heard_since(carry_from_s) if carry_from_s is not None else None
        self.stop_answer()
        if make_turn is not None:
            self._make_turn = make_turn
        if self._mic is None and self.voice.can_listen:
            problem = self.open()  # it may have been plugged in (again) since the last question
        if self._mic is not None:
            self.turn = self._make_turn(self.voice.new_endpointer())
            self._echo_skip = int(self.voice.echo_tail_s * SAMPLE_RATE)
            drained = self._mic.drain()  # what was captured while the question played is its own voice
            if carried is not None:
                self._echo_skip, self._carried = 0, np.concatenate([carried, drained]).astype(np.float32)
        return problem

    def _heard_since(self, stream_s: float) -> np.ndarray | None:
        turn = self.turn
        if turn is None or self._mic is None:
            return None
        ep = turn.endpointer
        start = stream_s + self.voice.echo_tail_s
        log.info("the answer starts with %.2fs heard since the question ended", max(0.0, ep.fed_s - start))
        return ep.audio(start, ep.fed_s) if ep.fed_s > start else np.zeros(0, np.float32)

    def keep_waiting(self) -> None:
        """Nothing was said within the no-speech timeout: keep listening without one (a late answer
        still counts; Done, Repeat or Skip end the wait)."""
        self.stop_answer()
        self.turn = self._make_turn(self.voice.new_endpointer(no_speech_timeout=False))

    def stop_answer(self) -> None:
        self._carried = None
        if self.turn is not None and self.turn.stretches is not None:
            self.turn.stretches.cancel()
        self.turn = None

    def finish(self, reason: EndReason) -> list[EndpointEvent]:
        """End the current answer now (the Done key)."""
        return self.turn.endpointer.finish(reason) if self.answering else []  # type: ignore[union-attr]

    def poll(self) -> Heard:
        if self._mic is None:
            return Heard()
        samples = self._mic.drain()
        if self._carried is not None:
            samples, self._carried = np.concatenate([self._carried, samples]), None
        level = meter_level(samples) if self._meter.ready() else None
        if self.turn is None:
            return Heard(level)
        if self._echo_skip:
            skipped = min(self._echo_skip, len(samples))
            samples, self._echo_skip = samples[skipped:], self._echo_skip - skipped
        events = self.turn.feed(samples)
        lost = None
        if self._mic.lost:
            lost = str(self._mic.lost_error)
            log.warning("microphone lost during the answer: %s", lost)
            events += self.turn.endpointer.finish(EndReason.DEVICE_LOST)
            self._mic.close()
            self._mic = None
        return Heard(level, events, lost, samples)
