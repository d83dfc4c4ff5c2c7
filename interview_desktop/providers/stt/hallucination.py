"""Hallucination guard for speech-to-text results: silence and noise must never become words.
Pure functions shared by the local and the cloud speech-to-text; the rules: docs/providers.md.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Phrases Whisper is known to produce from silence or noise (compared after :func:`normalize_text`).
KNOWN_HALLUCINATIONS: frozenset[str] = frozenset(
    {
        "you",
        "thank you",
        "thank you very much",
        "thank you so much",
        "thanks",
        "thanks for watching",
        "thank you for watching",
        "thanks for watching and see you next time",
        "thank you for listening",
        "please subscribe",
        "like and subscribe",
        "please like and subscribe",
        "subscribe to my channel",
        "bye",
        "bye bye",
        "goodbye",
        "see you next time",
        "see you in the next video",
        "i'll see you next time",
        "so",
        "okay",
        "oh",
        "uh",
        "um",
        "hmm",
        "mm",
        "mm hmm",
        "mhm",
        "uh huh",
        "music",
        "applause",
        "laughter",
        "silence",
        "blank audio",
        "no audio",
        "inaudible",
    }
)

#: Phrase patterns (regular expressions over normalized text) that are hallucinations at any length.
KNOWN_HALLUCINATION_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"^(subtitles|subtitle|captions|captioning|transcription|transcript|translated|transcribed)"
        r"( are| is)? (by|provided by|made by|from)\b.*",
        r"^www [a-z0-9 ]+$",
        r"^(thanks|thank you) for watching\b.*",
    )
)


@dataclass(frozen=True)
class SegmentInfo:
    """One recognised segment, provider-neutral. ``None`` means the provider did not say."""

    text: str
    start: float = 0.0
    end: float = 0.0
    no_speech_prob: float | None = None
    avg_logprob: float | None = None
    compression_ratio: float | None = None
    word_probs: tuple[float, ...] = ()

    @property
    def mean_word_prob(self) -> float | None:
        return float(sum(self.word_probs) / len(self.word_probs)) if self.word_probs else None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SegmentInfo:
        """Build from a Whisper-API style segment dict (OpenAI / Groq ``verbose_json``)."""

        def opt(key: str) -> float | None:
            value = data.get(key)
            return None if value is None else float(value)

        words = data.get("words") or ()
        probs = tuple(float(w["probability"]) for w in words if w.get("probability") is not None)
        return cls(
            text=str(data.get("text") or ""),
            start=float(data.get("start") or 0.0),
            end=float(data.get("end") or 0.0),
            no_speech_prob=opt("no_speech_prob"),
            avg_logprob=opt("avg_logprob"),
            compression_ratio=opt("compression_ratio"),
            word_probs=probs,
        )


@dataclass(frozen=True)
class GuardThresholds:
    no_speech_prob: float = 0.6  # Whisper's no_speech_threshold
    logprob: float = -1.0  # Whisper's logprob_threshold
    compression_ratio: float = 2.4  # Whisper's compression_ratio_threshold
    junk_word_prob: float = 0.3  # rule (b): failed decode made of words with this mean prob or less
    short_clip_s: float = 3.0  # rule (c): a stock phrase in a clip this short is not trusted
    weak_no_speech_prob: float = 0.3  # rule (c): "weak scores" thresholds
    weak_logprob: float = -0.7
    weak_word_prob: float = 0.5


DEFAULT_THRESHOLDS = GuardThresholds()


@dataclass(frozen=True)
class FilterResult:
    kept: tuple[SegmentInfo, ...]
    dropped: tuple[tuple[SegmentInfo, str], ...]  # (segment, reason)
    no_speech: bool
    reason: str = ""  # why the whole result was judged "no speech" ("" when it was not)

    @property
    def text(self) -> str:
        return "" if self.no_speech else join_segment_text(self.kept)


def join_segment_text(segments: Iterable[SegmentInfo]) -> str:
    return " ".join(t for t in (s.text.strip() for s in segments) if t)


_NON_WORD = re.compile(r"[^\w' ]+")
_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Lower case, no punctuation (apostrophes kept), single spaces. Used to compare phrases."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("_", " ")
    text = _NON_WORD.sub(" ", text)
    text = " ".join(w.strip("'") for w in text.split())
    return _SPACES.sub(" ", text).strip()


def is_known_hallucination(text: str, extra_phrases: Iterable[str] = ()) -> bool:
    """True when the whole ``text`` is a stock phrase (case- and punctuation-insensitive)."""
    norm = normalize_text(text)
    if not norm:
        return True
    if norm in KNOWN_HALLUCINATIONS or norm in {normalize_text(p) for p in extra_phrases}:
        return True
    return any(p.match(norm) for p in KNOWN_HALLUCINATION_PATTERNS)


#: Words said twice in a row that make a decoder loop, not a speaker ("I think, I think" is two).
REPEAT_MIN_WORDS = 4
#: Loops repeat a phrase or a sentence (7–15 words measured); a longer run said twice is the speaker
#: (a long answer that goes over the same ground), and checking it would cost O(n³).
REPEAT_MAX_WORDS = 30


def repeats_itself(text: str, min_words: int = REPEAT_MIN_WORDS, max_words: int = REPEAT_MAX_WORDS) -> bool:
    """True when a run of ``min_words`` to ``max_words`` words comes twice in a row: Whisper writing a
    sentence again ("…alerts. And engineers could handle the remaining alerts. And engineers could
    handle…")."""
    words = normalize_text(text).split()
    for n in range(min_words, min(max_words, len(words) // 2) + 1):
        if any(words[i:i + n] == words[i + n:i + 2 * n] for i in range(len(words) - 2 * n + 1)):
            return True
    return False


def is_prompt_echo(text: str, prompt: str | None) -> bool:
    """True when the words of ``text`` are a contiguous run of the words of ``prompt``."""
    if not prompt:
        return False
    words, prompt_words = normalize_text(text).split(), normalize_text(prompt).split()
    if not words or len(words) > len(prompt_words):
        return False
    n = len(words)
    return any(prompt_words[i : i + n] == words for i in range(len(prompt_words) - n + 1))


def speech_level_dbfs(
    samples: np.ndarray, sample_rate: int, window_s: float = 0.03, top_fraction: float = 0.1,
    max_top_s: float = 1.0,
) -> float:
    """RMS level (dBFS) of the loudest ``window_s`` windows of a clip (DC offset removed).

    The loudest ``top_fraction`` of the windows are used, but never more than ``max_top_s`` seconds
    of them, so a short "yes" in a long clip still counts as loud. Returns ``-inf`` for no audio.
    """
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if x.size == 0 or sample_rate <= 0:
        return -math.inf
    x = x - x.mean()
    win = max(1, int(round(window_s * sample_rate)))
    n_win = max(1, x.size // win)
    frames = x[: n_win * win].reshape(n_win, win) if x.size >= win else x.reshape(1, -1)
    power = np.mean(frames * frames, axis=1)
    k = int(round(top_fraction * len(power)))
    k = max(1, min(k, len(power), max(1, int(round(max_top_s / window_s)))))
    top = np.partition(power, len(power) - k)[len(power) - k :]
    mean_power = float(np.mean(top))
    return 10.0 * math.log10(mean_power) if mean_power > 0 else -math.inf


def is_near_silent(samples: np.ndarray, sample_rate: int, floor_dbfs: float = -45.0) -> bool:
    """Rule (a): the clip's speech energy is below ``floor_dbfs`` (don't even run the model)."""
    return speech_level_dbfs(samples, sample_rate) < floor_dbfs


def segment_drop_reason(seg: SegmentInfo, th: GuardThresholds = DEFAULT_THRESHOLDS) -> str | None:
    """Rule (b): why this segment should be dropped, or ``None`` to keep it."""
    if not normalize_text(seg.text):
        return "empty"
    failed_decode = seg.avg_logprob is not None and seg.avg_logprob < th.logprob
    if failed_decode and seg.no_speech_prob is not None and seg.no_speech_prob > th.no_speech_prob:
        return "no_speech_prob"
    if seg.compression_ratio is not None and seg.compression_ratio > th.compression_ratio:
        return "compression_ratio"
    mean_prob = seg.mean_word_prob
    if failed_decode and mean_prob is not None and mean_prob <= th.junk_word_prob:
        return "low_confidence"
    return None


def _scores_weak(segments: Sequence[SegmentInfo], th: GuardThresholds) -> bool:
    """Do the scores of the remaining segments look unconvincing (or are they unknown)?"""
    known = False
    for seg in segments:
        if seg.no_speech_prob is not None:
            known = True
            if seg.no_speech_prob > th.weak_no_speech_prob:
                return True
        if seg.avg_logprob is not None:
            known = True
            if seg.avg_logprob < th.weak_logprob:
                return True
        mean_prob = seg.mean_word_prob
        if mean_prob is not None:
            known = True
            if mean_prob < th.weak_word_prob:
                return True
    return not known  # a provider that gives no scores cannot vouch for a stock phrase


def filter_segments(
    segments: Sequence[SegmentInfo],
    *,
    duration_s: float | None = None,
    prompt: str | None = None,
    extra_phrases: Iterable[str] = (),
    voice_detected: bool | None = None,
    thresholds: GuardThresholds = DEFAULT_THRESHOLDS,
) -> FilterResult:
    """Apply rules (b), (c) and (d) to a recognised segment list.

    ``duration_s`` is the clip length (``None``: unknown, taken from the last segment end);
    ``prompt`` is the initial prompt the model was given, whose echo counts as a stock phrase;
    ``voice_detected`` is a VAD's verdict on the whole clip (``None``: not known).
    """
    kept: list[SegmentInfo] = []
    dropped: list[tuple[SegmentInfo, str]] = []
    phrases = tuple(extra_phrases)
    for seg in segments:
        reason = segment_drop_reason(seg, thresholds)
        if reason is None and _scores_weak((seg,), thresholds):
            if is_known_hallucination(seg.text, phrases):
                reason = "stock phrase"  # e.g. "Thank you." tacked on after the real answer
            elif is_prompt_echo(seg.text, prompt):
                reason = "prompt echo"
            elif voice_detected is False:
                reason = "no voice"
        if reason is None:
            kept.append(seg)
        else:
            dropped.append((seg, reason))

    def result(no_speech: bool, why: str = "") -> FilterResult:
        return FilterResult(tuple(kept), tuple(dropped), no_speech, why)

    text = join_segment_text(kept)
    if not normalize_text(text):
        return result(True, "no segments left" if not kept else "punctuation only")
    stock = is_known_hallucination(text, phrases)
    echo = is_prompt_echo(text, prompt)
    if stock or echo:
        if duration_s is None:
            duration_s = max((s.end for s in segments), default=0.0)
        if duration_s <= thresholds.short_clip_s or _scores_weak(kept, thresholds):
            return result(True, "stock phrase" if stock else "prompt echo")
    return result(False)
