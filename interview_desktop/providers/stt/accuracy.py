"""Word error rate, the measure of a speech model's accuracy (Settings → speech model, the benches,
the tests): words are compared after normalising case, punctuation, digits and filler spellings."""

from __future__ import annotations

import re

_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words(n: int) -> str:
    """0 ≤ n < 1,000,000 as English words ("two hundred and five" → "two hundred five")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = "" if n % 100 == 0 else " " + number_words(n % 100)
        return _ONES[n // 100] + " hundred" + rest
    if n < 1_000_000:
        rest = "" if n % 1000 == 0 else " " + number_words(n % 1000)
        return number_words(n // 1000) + " thousand" + rest
    return str(n)


#: Spelling variants of fillers, mapped to one form ("Umm" and "um" are the same word).
FILLERS = {"umm": "um", "ummm": "um", "uhh": "uh", "uhm": "um", "erm": "um", "hm": "hmm", "hmmm": "hmm"}


def normalize_words(text: str) -> list[str]:
    """Lower case, no punctuation, digits spelt out ("20%" → "twenty percent"), filler spellings unified."""
    text = text.lower().replace("’", "'").replace("%", " percent ")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,000 → 1000
    text = re.sub(r"\d+", lambda m: f" {number_words(int(m.group()))} ", text)
    text = re.sub(r"[-/]", " ", text)
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    words = [w.strip("'") for w in text.split() if w.strip("'")]
    return [FILLERS.get(w, w) for w in words]


def word_error_rate(ref: str, hyp: str) -> float:
    """(substitutions + deletions + insertions) / words in ``ref``, after :func:`normalize_words`."""
    r, h = normalize_words(ref), normalize_words(hyp)
    if not r:
        return 0.0 if not h else 1.0
    prev = list(range(len(h) + 1))
    for i, rw in enumerate(r, 1):
        cur = [i] + [0] * len(h)
        for j, hw in enumerate(h, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (rw != hw))
        prev = cur
    return prev[-1] / len(r)
