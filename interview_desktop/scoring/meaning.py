"""Relevance and coverage by meaning: which sentences of an answer only restate the question, and how
close in meaning the rest comes to the question and to each "what a strong answer covers" point.

Sentence vectors come from :mod:`interview_desktop.scoring.embeddings`; without the model the
callers fall back to word matching (rubric.py). The calibration points are documented, with their
figures, in docs/scoring.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from interview_desktop.scoring.embeddings import SentenceEncoder
from interview_desktop.scoring.text import content_stems, sentences

ECHO_SHARE = 0.6  # a sentence whose content words come this much from the question restates it…
ECHO_NEW_WORDS = 3  # …unless it adds at least this many content words of its own
PASTE_SHARE = 0.8  # a sentence holding this much of a covers point's words, and little else, pastes it
RELEVANCE_SIM = (0.15, 0.45)  # mean similarity of the best sentences to the question: 0 → 100
COVER_SIM = (0.20, 0.45)  # best similarity of a sentence to a covers point: no credit → full credit
TOP_SENTENCES = 3


@dataclass(frozen=True)
class Substance:
    """An answer split into what restates the question and what says something of its own."""

    sentences: tuple[str, ...]
    echo: tuple[str, ...]  # sentences that only restate the question
    echo_share: float  # share of the answer's content words in those sentences


def substance(question: str, answer: str, also_given: Sequence[str] = ()) -> Substance:
    """Split ``answer`` into its own sentences and the ones that restate the question (or the
    ``also_given`` texts, e.g. its covers points)."""
    given = set(content_stems(question, drop_prompt_words=False))
    points = [set(content_stems(text)) for text in also_given]
    own: list[str] = []
    echo: list[str] = []
    words_own = words_echo = 0
    for sentence in sentences(answer):
        stems = content_stems(sentence)
        if not stems:
            continue
        distinct = set(stems)
        new = distinct - given
        pasted = any(p and len(p & distinct) >= PASTE_SHARE * len(p) and len(new - p) < ECHO_NEW_WORDS
                     for p in points)
        if pasted or (len(distinct & given) >= ECHO_SHARE * len(distinct) and len(new) < ECHO_NEW_WORDS):
            echo.append(sentence)
            words_echo += len(stems)
        else:
            own.append(sentence)
            words_own += len(stems)
    total = words_own + words_echo
    return Substance(tuple(own), tuple(echo), words_echo / total if total else 0.0)


def _scale(value: float, points: tuple[float, float]) -> float:
    lo, hi = points
    return float(min(1.0, max(0.0, (value - lo) / (hi - lo))))


def relevance(encoder: SentenceEncoder, question: str, own: Sequence[str]) -> tuple[float, str]:
    """0–1 and the sentence closest to the question (the evidence); 0 when nothing is said."""
    if not own:
        return 0.0, ""
    vectors = encoder.encode([question, *own])
    sims = vectors[1:] @ vectors[0]
    best = np.sort(sims)[::-1][:TOP_SENTENCES]
    return _scale(float(best.mean()), RELEVANCE_SIM), own[int(np.argmax(sims))]


def coverage(encoder: SentenceEncoder, points: Sequence[str], own: Sequence[str]) -> list[tuple[float, str]]:
    """Per covers point: credit 0–1 and the sentence that earned it."""
    if not own:
        return [(0.0, "") for _ in points]
    vectors = encoder.encode([*points, *own])
    sims = vectors[len(points):] @ vectors[: len(points)].T  # sentences × points
    out = []
    for j in range(len(points)):
        i = int(np.argmax(sims[:, j]))
        out.append((_scale(float(sims[i, j]), COVER_SIM), own[i]))
    return out
