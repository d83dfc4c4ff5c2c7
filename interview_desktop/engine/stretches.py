"""Transcription while the candidate speaks: closed stretches of the answer go to the speech-to-text
chain one at a time, so at the end only the last stretch is left (docs/conversation.md).

A stretch is cut at a pause of the voice activity detector, or after ``max_stretch_s`` of speech
without one (at the quietest moment of the last second; the words that end near such a cut are
transcribed again with the next stretch, so a word cut in two is neither lost nor doubled). When
silence begins, the stretch so far is transcribed at once (speculatively); it is kept if no speech
follows, and dropped when the candidate goes on and it was too short to stand alone. Runs on the
engine thread; the transcription itself runs on a worker through ``submit``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from interview_desktop.audio.vad import SAMPLE_RATE, Endpointer
from interview_desktop.domain import AudioClip, Transcript, Word
from interview_desktop.providers.base import AllProvidersFailed, ChainResult, FallbackChain, SpeechToText

log = logging.getLogger("interview_desktop.engine")

Submit = Callable[..., None]  # BackgroundTasks.submit(job, on_done, on_error)


@dataclass(frozen=True)
class StretchConfig:
    """- ``pause_s``: quiet after speech that starts the pass over the stretch so far (a stretch is
      kept for good only at a pause the voice detector closes: ``min_pause_s``, 0.3 s).
    - ``min_stretch_s``: a stretch closed at a pause is kept for good only from this length on;
      shorter ones are transcribed again with what follows (more context, fewer misheard words).
    - ``max_stretch_s``: continuous speech is cut after this long.
    - ``cut_guard_s``: after a cut inside speech, words ending this close to it are redone.
    - ``trailing_s``: audio kept after the last speech of a stretch.
    - ``context_s``: audio before a stretch that follows a cut inside speech, heard again with it.
    - ``ending_from_s``: a stretch at least this long when silence begins has its last words (about
      ``ending_s``, from the start of a sentence when there is one) transcribed alone first, for the
      end-of-turn decision only: the pass over all of it takes 0.8–1.5 s on 2 cores."""

    pause_s: float = 0.2
    min_stretch_s: float = 12.0  # 5–8 s stretches raise tiny.en's word error rate (docs/conversation.md)
    max_stretch_s: float = 20.0  # Whisper hears 30 s at a time
    cut_guard_s: float = 0.6
    trailing_s: float = 0.2
    context_s: float = 1.0  # heard again before each stretch after the first
    ending_from_s: float = 10.0
    ending_s: float = 4.0


@dataclass(frozen=True)
class Piece:
    """A transcribed stretch: stream times [start_s, end_s) and its words in stream time."""

    start_s: float
    end_s: float
    text: str
    words: tuple[Word, ...]
    result: ChainResult[Transcript]


@dataclass
class _Job:
    start_s: float
    end_s: float
    speculative: bool
    forced: bool  # cut inside speech: words near the end are redone with the next stretch
    generation: int
    join_s: float  # words before this (the lead-in heard again) belong to the previous stretch
    ending: bool = False  # the last words only, for the decision: never part of the transcript
    at_pause: bool = False  # (ending) the detector counted the quiet after it as a pause meanwhile


class StretchTranscriber:
    """Keeps the transcript of one answer up to date while it is being spoken."""

    def __init__(self, stt: FallbackChain[SpeechToText], submit: Submit, config: StretchConfig | None = None,
                 on_change: Callable[[], None] | None = None):
        self._stt = stt
        self._submit = submit
        self.config = config or StretchConfig()
        self._on_change = on_change or (lambda: None)
        self._pieces: list[Piece] = []
        self._done_until = 0.0  # stream time up to which the transcript is kept for good
        self._spec: Piece | None = None  # the speculative pass over the rest, while it still holds
        self._dropped = ""  # the words of a dropped speculative pass, until they are heard again
        self._after_cut = False  # the last kept stretch ended inside speech
        self._job: _Job | None = None
        self._generation = 0
        self._failed: str | None = None  # the last stretch could not be transcribed: why
        self._waiters: list[Callable[[], None]] = []
        self._muted: list[tuple[float, float]] = []  # stream spans heard as silence (the app's voice)
        self._before_end: tuple[int, float, bool] | None = None  # (pieces, done until, after cut)
        self._end: tuple[float | None, float] = (None, 0.0)  # (last voice, fed) when finish() began
        self._ending: Piece | None = None  # the last words heard alone, while the stretch's pass runs
        self._ending_tried_s = 0.0  # the end of the last stretch whose last words were heard alone
        self._keep_next: float | None = None  # a stretch end to transcribe for good after the ending
        self.passes = 0
        self.ending_passes = 0

    # ------------------------------------------------------------------ what is known
    @property
    def draft(self) -> str:
        """The words transcribed so far (the kept stretches and the speculative pass)."""
        parts = [p.text for p in self._pieces]
        if self._spec is not None:
            parts.append(self._spec.text)
        elif self._dropped:
            parts.append(self._dropped)  # shown until it is heard again with what followed
        return " ".join(t for t in parts if t)

    @property
    def ending_words(self) -> str:
        """The words the end-of-turn decision judges: the draft, or the kept stretches and the last
        words heard alone while the pass over the last stretch still runs."""
        if self._spec is None and self._ending is not None and self._ending.end_s > self._done_until:
            return " ".join(t for t in [*(p.text for p in self._pieces), self._ending.text] if t)
        return self.draft

    @property
    def failed(self) -> str | None:
        return self._failed

    def covers(self, endpointer: Endpointer) -> bool:
        """Everything the candidate said so far is transcribed (the tail too). "Said" ends at the last
        voice, not the last confirmed speech: a soft "and" too short to count as speech must be heard
        before the answer can end."""
        last = endpointer.last_voice_end_s
        if last is None:
            return True
        done = self._spec.end_s if self._spec is not None else self._done_until
        if self._ending is not None:
            done = max(done, self._ending.end_s)
        return done >= last - 1e-6 and (endpointer.silence_s or 0.0) > 0.0

    # ------------------------------------------------------------------ driving
    def update(self, endpointer: Endpointer) -> None:
        """Called on every poll: submit the next stretch when one is ready and none is running."""
        self._drop_stale_spec(endpointer.last_voice_end_s)
        if self._job is not None:
            return self._confirm_running(endpointer)
        if self._failed or endpointer.last_speech_end_s is None:
            return  # after a failure only the end of the answer tries again
        keep, self._keep_next = self._keep_next, None
        if keep is not None and keep > self._done_until:  # closed by a pause while its ending ran
            return self._start(endpointer, self._done_until, keep, speculative=False, forced=False)
        silence = endpointer.silence_s or 0.0
        last_speech = endpointer.last_voice_end_s or 0.0
        quiet = endpointer.fed_s - last_speech
        if quiet >= self.config.pause_s and last_speech > self._done_until:
            if self._spec is not None and self._spec.end_s >= last_speech:
                if self._kept_at_pause(self._spec.end_s, endpointer):
                    self._keep_spec()
                return  # the speculative pass already covers it
            end = min(endpointer.fed_s, last_speech + self.config.trailing_s)
            if end - self._done_until >= self.config.ending_from_s and end > self._ending_tried_s:
                self._ending_tried_s = end
                return self._start(endpointer, self._ending_start(endpointer, end), end, speculative=True,
                                   forced=False, ending=True)
            # otherwise the pass starts speculatively at once (at the end of the answer this is the
            # last pass: it must not wait the moment the detector takes)
            keep = self._kept_at_pause(end, endpointer)
            return self._start(endpointer, self._done_until, end, speculative=not keep, forced=False)
        if silence == 0.0 and endpointer.fed_s - self._done_until >= self.config.max_stretch_s:
            cut = _quietest_point(endpointer, endpointer.fed_s - 1.0, endpointer.fed_s)
            self._start(endpointer, self._done_until, cut, speculative=False, forced=True)

    def finish(self, endpointer: Endpointer, on_final: Callable[[], None]) -> None:
        """The answer is over: call ``on_final`` once everything up to its end is transcribed. Its end
        is where the voice was when it was first called: what the microphone hears after that (the
        next question's echo, while this pass still runs) is not this answer's."""
        if self._before_end is None:
            self._before_end = (len(self._pieces), self._done_until, self._after_cut)
            self._end = (endpointer.last_voice_end_s, endpointer.fed_s)
        last, fed = self._end
        self._drop_stale_spec(last)
        self._keep_next = None
        if self._job is not None and self._job.ending:  # the pass over the whole stretch is needed now
            self._generation += 1
            self._job = None
        if self._spec is not None and not self._spec_short_of(last):
            self._keep_spec()
        if self._job is None and self._needs_more(last):
            self._start(endpointer, self._done_until, min(fed, (last or fed) + self.config.trailing_s),
                        speculative=False, forced=False)
        if self._job is None:
            return on_final()
        self._waiters.append(lambda: on_final() if self._failed else self.finish(endpointer, on_final))

    def transcript(self, clip_start_s: float, duration_s: float) -> ChainResult[Transcript] | None:
        """The whole answer as one transcript (words on the clip's clock); None if nothing worked."""
        pieces = list(self._pieces) + ([self._spec] if self._spec is not None else [])
        if not pieces:
            return None
        words = tuple(
            replace(w, start=round(max(0.0, w.start - clip_start_s), 3),
                    end=round(max(0.0, w.end - clip_start_s), 3))
            for p in pieces for w in p.words
        )
        text = " ".join(p.text for p in pieces if p.text)
        providers = list(dict.fromkeys(p.result.provider for p in pieces))
        transcript = Transcript(text, "+".join(providers), words, duration_s, no_speech=not text)
        failures = tuple(dict.fromkeys(f for p in pieces for f in p.result.failures))
        cloud = any(p.result.cloud for p in pieces)
        return ChainResult(transcript, "+".join(providers), cloud, failures)

    def reopen(self, mute_from_s: float, mute_to_s: float) -> None:
        """The candidate went on after the end was decided. What :meth:`finish` kept only because the
        answer seemed over is transcribed again with what follows when it is shorter than a kept
        stretch (the first sentence alone is misheard more often); a final pass still running is
        dropped and redone. The audio in [mute_from_s, mute_to_s) is heard as silence from now on (it
        may hold the app's voice); nothing before it is skipped."""
        if mute_to_s > mute_from_s:
            self._muted.append((mute_from_s, mute_to_s))
        self.cancel()
        self._ending, self._keep_next = None, None
        before, self._before_end = self._before_end, None
        if self._spec is not None:
            self._dropped, self._spec = self._spec.text, None
        if before is None:
            return
        count, done_until, after_cut = before
        if self._done_until - done_until < self.config.min_stretch_s:
            self._dropped = " ".join(t for t in [*(p.text for p in self._pieces[count:]), self._dropped] if t)
            del self._pieces[count:]
            self._done_until, self._after_cut = done_until, after_cut

    def cancel(self) -> None:
        """The answer was taken back (typed, skipped): results still running are ignored."""
        self._generation += 1
        self._job = None
        self._waiters.clear()

    # ------------------------------------------------------------------ internals
    def _confirm_running(self, endpointer: Endpointer) -> None:
        """A speculative pass over a long stretch, started at 0.2 s of quiet, is kept for good once the
        detector counts the quiet as a pause (while the pass runs): the candidate usually goes on
        before it returns, and dropping it then cut the next stretches inside speech at 20 s."""
        job = self._job
        assert job is not None
        if job.ending:  # the pause it ends at is remembered: the stretch is kept after it
            job.at_pause = job.at_pause or (_covers_voice(job.end_s, endpointer)
                                            and self._kept_at_pause(job.end_s, endpointer))
            return
        covers = _covers_voice(job.end_s, endpointer)
        if job.speculative and not job.forced and covers and self._kept_at_pause(job.end_s, endpointer):
            job.speculative = False
            log.debug("stretch %.2f-%.2fs ends at a pause: kept for good", job.join_s, job.end_s)

    def _kept_at_pause(self, end_s: float, endpointer: Endpointer) -> bool:
        """A stretch ending at ``end_s`` is kept for good: long enough, and closed by a real pause (a
        gap the detector counts as one)."""
        return end_s - self._done_until >= self.config.min_stretch_s and (endpointer.silence_s or 0.0) > 0.0

    def _needs_more(self, last: float | None) -> bool:
        """Voice up to ``last`` (stream time) is not transcribed yet."""
        done = self._spec.end_s if self._spec is not None else self._done_until
        return last is not None and last > done + 1e-6

    def _spec_short_of(self, last: float | None) -> bool:
        return self._spec is None or (last is not None and last > self._spec.end_s + 1e-6)

    def _drop_stale_spec(self, last: float | None) -> None:
        """Voice after the speculative pass (up to ``last``): it no longer ends the answer, so it is
        redone with what follows (a long one is kept: it ended at a real pause)."""
        if self._spec is not None and self._spec_short_of(last):
            log.info("speculative pass over %.1f-%.1fs dropped: the candidate went on",
                     self._spec.start_s, self._spec.end_s)
            self._dropped, self._spec = self._spec.text, None
        if self._ending is not None and last is not None and last > self._ending.end_s + 1e-6:
            self._ending = None  # the candidate went on: those were not the last words

    def _ending_start(self, endpointer: Endpointer, end_s: float) -> float:
        """Where the last words heard alone start: at the start of the last sentence that leaves at
        least half of ``ending_s`` before ``end_s`` (not more than twice ``ending_s``), else at the
        quietest moment near ``ending_s`` before the end."""
        want = self.config.ending_s
        starts = [s for s, _ in endpointer.speech_segments(relative_to_clip=False)
                  if end_s - 2 * want <= s <= end_s - want / 2 and s >= self._done_until]
        if starts:
            return max(self._done_until, starts[-1] - 0.1)
        return _quietest_point(endpointer, end_s - want - 0.5, end_s - want + 0.5)

    def _keep_spec(self) -> None:
        assert self._spec is not None
        self._pieces.append(self._spec)
        self._done_until = self._spec.end_s
        self._spec = None

    def _start(self, endpointer: Endpointer, start_s: float, end_s: float, speculative: bool,
               forced: bool, ending: bool = False) -> None:
        # after a cut inside speech the stretch is heard with a little of what came before it (a word
        # cut at the join is heard whole); words mostly in that lead-in belong to the previous stretch.
        # After a pause there is nothing to hear again: a lead-in starting inside a word made Whisper
        # fall back to slower decoding (4.6 s instead of 0.8 s for 19 s of speech).
        lead = 0.0
        if self._pieces and self._after_cut and not ending:
            lead = min(self.config.context_s, max(0.0, start_s - endpointer.clip_start_s))
        samples = silence_spans(endpointer.audio(start_s - lead, end_s), start_s - lead, self._muted)
        if end_s - start_s <= 0 or not len(samples):
            return
        self._generation += 1
        job = self._job = _Job(start_s - lead, end_s, speculative, forced, self._generation, start_s, ending)
        clip = AudioClip(samples, SAMPLE_RATE)
        stt = self._stt
        if ending:
            self.ending_passes += 1
        else:
            self.passes += 1
        log.debug("stretch %.2f-%.2fs submitted (%s)", start_s, end_s,
                  "its last words alone" if ending else "speculative" if speculative
                  else "forced cut" if forced else "pause")
        self._submit(lambda: stt.run(lambda provider: provider.transcribe(clip)),
                     lambda result: self._done(job, result), lambda error: self._error(job, error))

    def _done(self, job: _Job, result: ChainResult[Transcript]) -> None:
        if job.generation != self._generation:
            return
        self._job = None
        if job.ending:
            self._ending = Piece(job.start_s, job.end_s, result.value.text.strip(), (), result)
            self._keep_next = job.end_s if job.at_pause else None
            log.debug("last words %.2f-%.2fs: %r", job.start_s, job.end_s, self._ending.text)
            return self._settle()
        self._failed = None
        words = tuple(replace(w, start=w.start + job.start_s, end=w.end + job.start_s)
                      for w in result.value.words)
        text, end_s = result.value.text.strip(), job.end_s
        if job.join_s > job.start_s:
            words = tuple(w for w in words if (w.start + w.end) / 2 >= job.join_s)
            text = " ".join(w.text for w in words)
        if job.forced:
            # the last words before a cut inside speech are often a fragment with a made-up timing
            keep = [w for w in words[:-2] if w.end <= job.end_s - self.config.cut_guard_s]
            if keep and len(keep) < len(words):  # the rest is redone with the next stretch
                words, text, end_s = tuple(keep), " ".join(w.text for w in keep), keep[-1].end + 0.01
        piece = Piece(job.join_s, end_s, text, words, result)
        self._dropped = ""
        if job.speculative:
            self._spec = piece
        else:
            self._pieces.append(piece)
            self._done_until = end_s
            self._after_cut = job.forced
        self._settle()

    def _error(self, job: _Job, error: BaseException) -> None:
        if not isinstance(error, AllProvidersFailed):
            raise error
        if job.generation != self._generation:
            return
        self._job = None
        if job.ending:  # the pass over the whole stretch follows; it reports a failure
            self._keep_next = job.end_s if job.at_pause else None
            return log.info("the last words of %.1f-%.1fs could not be transcribed alone: %s",
                            job.start_s, job.end_s, error)
        log.warning("stretch %.1f-%.1fs could not be transcribed: %s", job.start_s, job.end_s, error)
        self._failed = str(error)
        self._settle()

    def _settle(self) -> None:
        self._on_change()
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter()


def _covers_voice(end_s: float, endpointer: Endpointer) -> bool:
    """A stretch ending at ``end_s`` holds all the voice heard so far."""
    return end_s >= (endpointer.last_voice_end_s or 0.0)


def silence_spans(samples: np.ndarray, start_s: float, spans: list[tuple[float, float]]) -> np.ndarray:
    """``samples`` (audio from stream time ``start_s``) with the stream ``spans`` set to silence, in
    place: they may hold the app's own voice."""
    for a, b in spans:
        samples[max(0, round((a - start_s) * SAMPLE_RATE)):max(0, round((b - start_s) * SAMPLE_RATE))] = 0.0
    return samples


def _quietest_point(endpointer: Endpointer, start_s: float, end_s: float) -> float:
    """The stream time of the quietest 20 ms in [start_s, end_s): the least likely to split a word."""
    samples = endpointer.audio(start_s, end_s)
    frame = SAMPLE_RATE // 50
    if len(samples) < frame:
        return end_s
    n = len(samples) // frame
    energy = np.square(samples[: n * frame].reshape(n, frame)).mean(axis=1)
    return start_s + (int(np.argmin(energy)) + 0.5) * frame / SAMPLE_RATE
