"""Delivery metrics of one spoken (or typed) answer: pace, pauses, filler words, repetitions, length.

Pure functions over the transcript words (``Word`` carries start/end seconds from the speech-to-text
provider). A typed answer has no timing: its timing metrics are ``None`` and fillers are still
counted. Every threshold lives in the constants below and is documented in ``docs/scoring.md``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from interview_desktop.domain import DeliveryMetrics, Word
from interview_desktop.scoring.text import word_set

# --------------------------------------------------------------------------------------------------
# Thresholds (the one place they are defined)

PAUSE_MIN_S = 1.0
"""A gap of at least this many seconds between two consecutive words is a pause."""

PACE_COMFORTABLE_WPM = (130.0, 165.0)
"""Comfortable interview pace, words per minute (inclusive)."""

PACE_FLAG_SLOW_WPM = 110.0
PACE_FLAG_FAST_WPM = 180.0
"""Below / above these the pace is flagged as a problem ("too slow" / "too fast")."""

FILLERS_OK_PER_100 = 4.0
"""Fewer than this many filler words per 100 words is fine."""

LENGTH_GUIDE_S = (60.0, 120.0)
"""The 1–2 minute guideline for a spoken answer (inclusive)."""

LENGTH_TOO_SHORT_S = 30.0
LENGTH_TOO_LONG_S = 180.0
"""Under / over these an answer is "too short" / "too long"."""

LIKE_PAUSE_S = 0.5
"""A gap of at least this before "like" marks it as starting a new clause (a filler cue)."""

# --------------------------------------------------------------------------------------------------
# Filler words

SIMPLE_FILLERS = ("um", "uh", "er", "erm", "ah", "hmm", "basically", "actually", "literally")
"""Always counted as fillers (drawn-out spellings such as "ummm" or "hmmm" count too)."""

PHRASE_FILLERS = ("you know", "sort of", "kind of", "i mean")
"""Counted as fillers unless the context shows the literal meaning (see the ``_*_is_filler`` rules)."""

FILLERS = (*SIMPLE_FILLERS[:6], "like", *PHRASE_FILLERS, *SIMPLE_FILLERS[6:])
"""Every filler reported, in report order."""

_DRAWN_OUT = (
    (re.compile(r"^u+m+$"), "um"),
    (re.compile(r"^u+h+$"), "uh"),
    (re.compile(r"^e+r+m+$"), "erm"),
    (re.compile(r"^e+r+$"), "er"),
    (re.compile(r"^a+h+$"), "ah"),
    (re.compile(r"^h+m+$"), "hmm"),
)

LIKE_NOT_FILLER_AFTER = word_set(
    """
    would i you we they he she it i'd you'd we'd they'd he'd she'd i'll we'll don't didn't doesn't do did
    does feel feels felt look looks looked looking seem seems seemed sound sounds sounded something
    anything nothing much more less things stuff just really also still not
    """
)
""""like" straight after one of these is a verb or a comparison ("I would like", "looks like")."""

_CLAUSE_WORDS = word_set("and but so or then because um uh er erm ah hmm")
_LIKE_COMPARISON_NEXT = word_set(
    "to many most all any every this that these those my his her our their a an the"
)
_DETERMINERS = word_set(
    "a an the this that these those what which some any every each no one same different other"
)
_YOU_KNOW_LITERAL_BEFORE = word_set("do did don't didn't if as what whether")
_YOU_KNOW_LITERAL_AFTER = word_set(
    "how what where why when who whether that the a an it him her them this about about"
)
_I_MEAN_LITERAL_BEFORE = word_set("what which if do did don't didn't")
_I_MEAN_LITERAL_AFTER = word_set("it to that what this")

ALLOWED_DOUBLES = word_set("had that is very really so no bye")
"""Immediate repetitions that are normal English ("had had", "that that") and are not counted."""

_TOKEN_RE = re.compile(
    r"(?P<word>[$£€]?[A-Za-z0-9]+(?:['’][A-Za-z]+)*(?:[.,:][0-9]+)*(?:-[A-Za-z0-9]+)*%?)"
    r"|(?P<punct>[.,;:!?…—–]|\s-\s)"
)
_SENTENCE_END = frozenset(".!?…")


# --------------------------------------------------------------------------------------------------
# Verdicts


def pace_verdict(wpm: float | None) -> str | None:
    if wpm is None:
        return None
    lo, hi = PACE_COMFORTABLE_WPM
    if wpm < PACE_FLAG_SLOW_WPM:
        return "too slow"
    if wpm < lo:
        return "slow"
    if wpm <= hi:
        return "comfortable"
    if wpm <= PACE_FLAG_FAST_WPM:
        return "fast"
    return "too fast"


def length_verdict(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    lo, hi = LENGTH_GUIDE_S
    if seconds < LENGTH_TOO_SHORT_S:
        return "too short"
    if seconds < lo:
        return "short"
    if seconds <= hi:
        return "good"
    if seconds <= LENGTH_TOO_LONG_S:
        return "long"
    return "too long"


def filler_verdict(per_100_words: float) -> str:
    return "fine" if per_100_words < FILLERS_OK_PER_100 else "too many"


# --------------------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True)
class _Token:
    text: str  # lower case
    start: float | None
    end: float | None
    break_before: bool  # start of the answer, or punctuation right before
    punct_after: str  # the punctuation right after ("" if none)


def _tokens_from_text(text: str, start: float | None = None, end: float | None = None) -> list[_Token]:
    """Word tokens of ``text`` with the punctuation around them."""
    raw: list[tuple[str, str]] = []
    for m in _TOKEN_RE.finditer(text):
        if m.group("word"):
            raw.append((m.group("word").lower().replace("’", "'"), ""))
        elif raw:
            word, punct = raw[-1]
            raw[-1] = (word, punct + m.group("punct").strip())
        else:
            raw.append(("", m.group("punct").strip()))  # leading punctuation
    tokens = []
    pending_break = True
    for word, punct in raw:
        if not word:
            pending_break = True
            continue
        tokens.append(_Token(word, start, end, pending_break, punct))
        pending_break = bool(punct)
    return tokens


def _tokens_from_words(words: Sequence[Word]) -> list[_Token]:
    tokens: list[_Token] = []
    for w in words:
        parts = _tokens_from_text(w.text, w.start, w.end)
        if not parts:
            # pure punctuation: attach it to the previous token
            punct = "".join(ch for ch in w.text if not ch.isspace())
            if tokens and punct:
                last = tokens[-1]
                tokens[-1] = _Token(last.text, last.start, last.end, last.break_before,
                                    last.punct_after + punct)
            continue
        first = parts[0]
        prev_punct = bool(tokens and tokens[-1].punct_after)
        parts[0] = _Token(first.text, first.start, first.end,
                          (not tokens) or prev_punct or _leading_punct(w.text), first.punct_after)
        tokens.extend(parts)
    return tokens


def _leading_punct(text: str) -> bool:
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in ".,;:!?…—–-"


def _canonical(word: str) -> str:
    for pattern, name in _DRAWN_OUT:
        if pattern.match(word):
            return name
    return word


# --------------------------------------------------------------------------------------------------
# Fillers and repetitions


def _gap_before(tokens: Sequence[_Token], i: int) -> float:
    if i == 0:
        return 0.0
    a, b = tokens[i - 1], tokens[i]
    if a.end is None or b.start is None:
        return 0.0
    return b.start - a.end


def _like_is_filler(tokens: Sequence[_Token], i: int) -> bool:
    prev = tokens[i - 1].text if i > 0 else None
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else None
    if prev in LIKE_NOT_FILLER_AFTER:
        return False
    tok = tokens[i]
    if tok.punct_after and tok.punct_after[0] in ",—–-":
        return True  # "like, …"
    if nxt is None and prev is not None and not tok.break_before:
        return False  # "…that I like" at the very end
    clause_start = (
        tok.break_before or prev is None or prev in _CLAUSE_WORDS or _gap_before(tokens, i) >= LIKE_PAUSE_S
    )
    return clause_start and nxt not in _LIKE_COMPARISON_NEXT


def _phrase_is_filler(phrase: str, tokens: Sequence[_Token], i: int) -> bool:
    """``tokens[i]`` and ``tokens[i + 1]`` spell ``phrase``."""
    prev = tokens[i - 1].text if i > 0 and not tokens[i].break_before else None
    second = tokens[i + 1]
    nxt = tokens[i + 2].text if i + 2 < len(tokens) else None
    comma_after = bool(second.punct_after)
    if phrase in ("sort of", "kind of"):
        return prev not in _DETERMINERS  # "what kind of", "a sort of" are literal
    if phrase == "you know":
        if prev in _YOU_KNOW_LITERAL_BEFORE:
            return False
        return comma_after or nxt is None or nxt not in _YOU_KNOW_LITERAL_AFTER
    if phrase == "i mean":
        if prev in _I_MEAN_LITERAL_BEFORE:
            return False
        return comma_after or nxt is None or nxt not in _I_MEAN_LITERAL_AFTER
    return True


def _count_fillers(tokens: Sequence[_Token]) -> tuple[dict[str, int], set[int]]:
    counts: dict[str, int] = {}
    used: set[int] = set()
    i = 0
    n = len(tokens)
    while i < n:
        word = _canonical(tokens[i].text)
        if i + 1 < n and not tokens[i].punct_after:
            phrase = f"{word} {tokens[i + 1].text}"
            if phrase in PHRASE_FILLERS and _phrase_is_filler(phrase, tokens, i):
                counts[phrase] = counts.get(phrase, 0) + 1
                used.update((i, i + 1))
                i += 2
                continue
        if word in SIMPLE_FILLERS or (word == "like" and _like_is_filler(tokens, i)):
            counts[word] = counts.get(word, 0) + 1
            used.add(i)
        i += 1
    return counts, used


def _repetitions(tokens: Sequence[_Token], filler_positions: set[int]) -> list[str]:
    out = []
    for i in range(1, len(tokens)):
        prev, cur = tokens[i - 1], tokens[i]
        if cur.text != prev.text or i in filler_positions or (i - 1) in filler_positions:
            continue
        if any(ch in _SENTENCE_END for ch in prev.punct_after):
            continue
        if cur.text in ALLOWED_DOUBLES or not cur.text.replace("'", "").isalpha():
            continue  # normal English doubles, and numbers ("20 20")
        out.append(cur.text)
    return out


# --------------------------------------------------------------------------------------------------
# Public entry point


def delivery_metrics(
    words: Sequence[Word],
    speech_segments: Sequence[tuple[float, float]] | None = None,
    text: str | None = None,
) -> DeliveryMetrics:
    """Measure the delivery of one answer.

    ``words``: transcript words with timings (may be empty for a typed answer).
    ``speech_segments``: (start, end) seconds of detected speech from the VAD; when given they set
    the speaking time (first segment start → last segment end), otherwise the words do (first word
    start → last word end). ``text``: the answer text, used for word and filler counts when there
    are no words (typed answer); timing metrics are then ``None`` unless segments are given.
    """
    tokens = _tokens_from_words(words) if words else _tokens_from_text(text or "")
    word_count = len(tokens)

    speaking_time: float | None = None
    gaps: list[float] | None = None
    segments = sorted((float(a), float(b)) for a, b in speech_segments or () if b > a)
    if segments:
        speaking_time = segments[-1][1] - segments[0][0]
    elif words:
        speaking_time = max(0.0, max(w.end for w in words) - min(w.start for w in words))
    if words:
        ordered = sorted(words, key=lambda w: (w.start, w.end))
        gaps = [b.start - a.end for a, b in zip(ordered, ordered[1:], strict=False)]
    elif segments:
        gaps = [b[0] - a[1] for a, b in zip(segments, segments[1:], strict=False)]

    wpm = word_count / speaking_time * 60.0 if speaking_time and word_count else None

    pauses = [g for g in gaps or () if g >= PAUSE_MIN_S]
    counts, filler_positions = _count_fillers(tokens)
    filler_count = sum(counts.values())
    per_100 = filler_count * 100.0 / word_count if word_count else 0.0
    repeated = _repetitions(tokens, filler_positions)

    return DeliveryMetrics(
        word_count=word_count,
        speaking_time_s=speaking_time,
        words_per_minute=wpm,
        pace_verdict=pace_verdict(wpm),
        pause_count=None if gaps is None else len(pauses),
        longest_pause_s=None if gaps is None else max(pauses, default=0.0),
        total_pause_s=None if gaps is None else sum(pauses),
        filler_count=filler_count,
        fillers=tuple((name, counts[name]) for name in FILLERS if name in counts),
        fillers_per_100_words=per_100,
        filler_verdict=filler_verdict(per_100),
        repeated_count=len(repeated),
        repeated_words=tuple(repeated),
        length_verdict=length_verdict(speaking_time),
    )
