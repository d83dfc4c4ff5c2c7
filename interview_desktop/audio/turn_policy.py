"""When is the candidate done? The end-of-turn decision from the pause so far and the words of the
answer so far (figures and the reasoning: docs/conversation.md).

A pause after words that cannot end an answer (a trailing "and", "because", "um", "the", a clause
cut off with "…" or ",") waits up to ``unfinished_limit_s``; a pause after a finished sentence ends
the turn after ``finished_silence_s``, or a little longer than this candidate's pauses between
sentences; while the words of the last stretch are still being
transcribed the policy waits for them (up to the same limit). Pure functions, no Qt.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class EndOfTurn(str, enum.Enum):
    """Why an answer ended (stored in the session's turn timings; a public interface)."""

    FINISHED = "finished"  # the words looked finished and the candidate paused
    PAUSE_LIMIT = "pause_limit"  # a pause longer than the limit (even after unfinished words)
    SILENCE = "silence"  # the fixed silence rule (turn-taking "fixed", or no transcript to judge)
    MANUAL = "manual"  # the Done key
    MAX_LENGTH = "max_length"
    DEVICE_LOST = "device_lost"


@dataclass(frozen=True)
class TurnConfig:
    finished_silence_s: float = 0.6
    unfinished_limit_s: float = 4.0  # configurable in Settings (the longest thinking pause waited for)
    short_answer_words: int = 6  # fewer words than this: probably just getting started
    short_answer_silence_s: float = 2.0
    no_transcript_silence_s: float = 1.5  # the words could not be transcribed: the fixed rule
    resume_window_s: float = 3.0  # after the decision, speech within this long reopens the answer
    # after a finished sentence the answer may end at 0.6 s, but the next question starts only once
    # the silence is this long: a pause between two sentences (0.74–0.81 s in bench/turn_latency.py's
    # answers) then reopens the answer without the app having said a word over the candidate
    question_gap_s: float = 0.9

    def __post_init__(self) -> None:
        if not 0 < self.finished_silence_s <= self.unfinished_limit_s:
            raise ValueError("TurnConfig: 0 < finished_silence_s <= unfinished_limit_s")


#: Words an answer never ends on: conjunctions, articles, possessives, fillers, subject pronouns.
CONTINUATION_WORDS = frozenset([
    "and", "but", "or", "so", "because", "since", "although", "though", "whereas", "unless", "if",
    "than", "which", "who", "whose", "whether", "um", "uh", "er", "erm", "ah", "hmm", "the", "a", "an",
    "my", "our", "their", "your", "his", "its", "every", "each", "another", "such", "also", "plus", "i",
    "we", "they", "he", "she"
])

#: Words an answer rarely ends on: prepositions, a few auxiliaries and adverbs (not "that", "it", "is":
#: "…exactly that." ends answers; measured: a 4 s wait on a finished answer). They count as unfinished
#: even when the transcript puts a full stop after them (measured: "…most of them came from." was cut
#: off in every voice); an answer that really ends "…the team I worked with." waits for the limit.
OPEN_WORDS = frozenset([
    "to", "of", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "about", "over", "under",
    "between", "through", "during", "after", "before", "without", "within", "against", "towards",
    "toward", "like", "when", "where", "while", "as", "the", "was", "were", "been", "being", "very",
    "really", "basically",
])

MAX_LEARNED_S = 1.5  # pauses longer than this are thinking pauses, not the gap between sentences

_TRAILING_OPEN = re.compile(r"(\.\.\.|…|,|;|:|-|—|–)\s*$")
_WORD = re.compile(r"[A-Za-z0-9']+")  # a number is a word: "…dropped by 90%." ends on "90", not "by"


def looks_unfinished(text: str) -> bool | None:
    """True when the words so far cannot end an answer, False when they end a sentence, None when
    there are no words to judge."""
    text = text.strip()
    words = _WORD.findall(text)
    if not words:
        return None
    if _TRAILING_OPEN.search(text):
        return True
    last = words[-1].lower()
    if last in CONTINUATION_WORDS:
        return True
    if last in OPEN_WORDS:  # Whisper writes "…came from." for "…came from — [pause]"
        return not text.endswith(("!", "?"))
    return not text.endswith((".", "!", "?"))


@dataclass(frozen=True)
class Verdict:
    end: bool
    reason: EndOfTurn | None = None
    waiting_for: str = ""  # "words" (transcription pending), "thinking" (unfinished), "end" (finished)


def finished_silence(config: TurnConfig, pauses: list[float]) -> float:
    """The silence that ends a finished-looking answer for this candidate: a little longer than the
    pauses they made between sentences and then went on (``pauses``, this interview), so someone who
    pauses 0.8 s between sentences is not cut off at each one; never above ``MAX_LEARNED_S``."""
    between = sorted(p for p in pauses if p < MAX_LEARNED_S)
    if not between:
        return config.finished_silence_s
    p90 = between[min(len(between) - 1, int(0.9 * len(between)))]
    return min(MAX_LEARNED_S, max(config.finished_silence_s, p90 + 0.1))


def decide(
    config: TurnConfig, silence_s: float, words_ready: bool, text: str, transcription_failed: bool = False,
    finished_s: float | None = None,
) -> Verdict:
    """The verdict after ``silence_s`` of silence, given the answer's words so far (``finished_s``:
    the learned :func:`finished_silence`, default the configured one)."""
    if silence_s >= config.unfinished_limit_s:
        return Verdict(True, EndOfTurn.PAUSE_LIMIT)
    if transcription_failed:
        if silence_s >= config.no_transcript_silence_s:
            return Verdict(True, EndOfTurn.SILENCE)
        return Verdict(False, None, "end")
    if not words_ready:
        return Verdict(False, None, "words")
    unfinished = looks_unfinished(text)
    if unfinished is None:  # a cough or noise after nothing: the fixed rule
        if silence_s >= config.no_transcript_silence_s:
            return Verdict(True, EndOfTurn.SILENCE)
        return Verdict(False, None, "end")
    if unfinished:
        return Verdict(False, None, "thinking")
    short = len(_WORD.findall(text)) < config.short_answer_words
    finished = config.finished_silence_s if finished_s is None else finished_s
    needed = max(config.short_answer_silence_s, finished) if short else finished
    if silence_s >= needed:
        return Verdict(True, EndOfTurn.FINISHED)
    return Verdict(False, None, "end")
