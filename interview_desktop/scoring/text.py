"""Text helpers shared by the offline scorers: tokens, sentences, stop-words and a stemmer.

The stemmer is the classic Porter (1980) algorithm, written out here so the scorer has no
dependency, preceded by a spelling step that folds British and American forms together
(organise/organize, analyse/analyze, behaviour/behavior) and a few irregular forms (learnt → learn).
"""

from __future__ import annotations

import re
from functools import lru_cache


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` as a set (keeps long word lists readable)."""
    return frozenset(text.split())


_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*(?:[.,][0-9]+)?")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+|;\s+")

STOP_WORDS: frozenset[str] = word_set(
    """
    a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each even ever every few for from further get gets getting got had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm
    i've if in into is isn't it it's its itself just let's lot lots me might more most much must mustn't my
    myself no nor not now of off on once one only or other ought our ours ourselves out over own quite
    rather really said same say says shall shan't she she'd she'll she's should shouldn't so some such than
    that that's the their theirs them themselves then there there's these they they'd they'll they're
    they've thing things this those though through to too under until up upon us very was wasn't we we'd
    we'll we're we've were weren't what what's when when's where where's whether which while who who's whom
    why why's will with within without won't would wouldn't yes yet you you'd you'll you're you've your
    yours yourself yourselves
    """
)
"""English function words ignored when comparing the content of a question and an answer."""

PROMPT_WORDS: frozenset[str] = word_set(
    """
    tell describe explain give example time times talk walk share discuss think question answer please
    imagine suppose happen happened kind like want approach handle handled situation make made work
    working realise realised realize realized notice noticed
    """
)
"""Words that only frame a question ("Tell me about a time…") and say nothing about its topic."""

_IRREGULAR = {
    "learnt": "learn", "built": "build", "wrote": "write", "written": "write", "led": "lead",
    "ran": "run", "took": "take", "taken": "take", "made": "make", "spoke": "speak", "spoken": "speak",
    "chose": "choose", "chosen": "choose", "grew": "grow", "grown": "grow", "met": "meet",
    "sold": "sell", "taught": "teach", "thought": "think", "brought": "bring", "bought": "buy",
    "found": "find", "gave": "give", "given": "give", "knew": "know", "known": "know",
    "felt": "feel", "kept": "keep", "left": "leave", "lost": "lose", "went": "go", "gone": "go",
    "did": "do", "done": "do", "saw": "see", "seen": "see", "told": "tell", "won": "win",
    "began": "begin", "begun": "begin", "fell": "fall", "fallen": "fall", "rose": "rise",
    "spent": "spend", "sent": "send", "understood": "understand", "people": "person",
    "children": "child", "analysis": "analyse", "analyses": "analyse",
}

_SPELLING = (
    (re.compile(r"^(\w{3,})is(e|es|ed|ing|ation|ations|er|ers)$"), r"\1iz\2"),
    (re.compile(r"^(\w{2,})ys(e|es|ed|ing|er|ers)$"), r"\1yz\2"),
    (re.compile(r"^(\w{3,})our(s|ed|ing|ite|ites|able|al|ally)?$"), r"\1or\2"),
    (re.compile(r"^(\w{3,})tre(s)?$"), r"\1ter\2"),  # centre → center
    (re.compile(r"^(\w{3,}[aeiou]l)l(ed|ing|er|ers)$"), r"\1\2"),  # travelled → traveled
)


def words(text: str) -> list[str]:
    """Lower-case word tokens: letters/digits with inner apostrophes; "3.5" and "1,000" stay whole."""
    return [m.group(0).lower().replace("’", "'") for m in _WORD_RE.finditer(text)]


def sentences(text: str) -> list[str]:
    """Sentences split at . ! ? ; and line breaks; empty pieces dropped."""
    return [s.strip() for s in _SENTENCE_RE.split(text) if s and s.strip()]


def content_stems(text: str, *, drop_prompt_words: bool = False) -> list[str]:
    """Stems of the content words of ``text`` in order (stop-words and 1-letter tokens removed)."""
    out = []
    for word in words(text):
        if word in STOP_WORDS or len(word) < 2 or (drop_prompt_words and word in PROMPT_WORDS):
            continue
        if word.endswith("'s"):
            word = word[:-2]
        out.append(stem(word))
    return out


# --------------------------------------------------------------------------------------------------
# Porter stemmer


def _is_consonant(word: str, i: int) -> bool:
    ch = word[i]
    if ch in "aeiou":
        return False
    if ch == "y":
        return i == 0 or not _is_consonant(word, i - 1)
    return True


def _measure(stem_: str) -> int:
    """Porter's m: the number of vowel-consonant sequences in ``stem_``."""
    m = 0
    prev_vowel = False
    for i in range(len(stem_)):
        vowel = not _is_consonant(stem_, i)
        if prev_vowel and not vowel:
            m += 1
        prev_vowel = vowel
    return m


def _has_vowel(stem_: str) -> bool:
    return any(not _is_consonant(stem_, i) for i in range(len(stem_)))


def _double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _is_consonant(word, len(word) - 1)


def _cvc(word: str) -> bool:
    if len(word) < 3:
        return False
    return (
        _is_consonant(word, len(word) - 3)
        and not _is_consonant(word, len(word) - 2)
        and _is_consonant(word, len(word) - 1)
        and word[-1] not in "wxy"
    )


_STEP2 = (
    ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
    ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
    ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
    ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
    ("logi", "log"),
)
_STEP3 = (
    ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""),
    ("ness", ""),
)
_STEP4 = (
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou",
    "ism", "ate", "iti", "ous", "ive", "ize",
)


def _porter(word: str) -> str:
    if len(word) <= 2:
        return word
    # step 1a
    if word.endswith(("sses", "ies")):
        word = word[:-2]
    elif word.endswith("ss"):
        pass
    elif word.endswith("s"):
        word = word[:-1]
    # step 1b
    extra = False
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
    elif word.endswith("ed") and _has_vowel(word[:-2]):
        word, extra = word[:-2], True
    elif word.endswith("ing") and _has_vowel(word[:-3]):
        word, extra = word[:-3], True
    if extra:
        if word.endswith(("at", "bl", "iz")):
            word += "e"
        elif _double_consonant(word) and word[-1] not in "lsz":
            word = word[:-1]
        elif _measure(word) == 1 and _cvc(word):
            word += "e"
    # step 1c
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    # step 2
    for suffix, repl in _STEP2:
        if word.endswith(suffix):
            if _measure(word[: -len(suffix)]) > 0:
                word = word[: -len(suffix)] + repl
            break
    # step 3
    for suffix, repl in _STEP3:
        if word.endswith(suffix):
            if _measure(word[: -len(suffix)]) > 0:
                word = word[: -len(suffix)] + repl
            break
    # step 4
    for suffix in sorted(_STEP4, key=len, reverse=True):
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if _measure(base) > 1 and (suffix != "ion" or base.endswith(("s", "t"))):
                word = base
            break
    # step 5a
    if word.endswith("e"):
        base = word[:-1]
        m = _measure(base)
        if m > 1 or (m == 1 and not _cvc(base)):
            word = base
    # step 5b
    if _measure(word) > 1 and _double_consonant(word) and word.endswith("l"):
        word = word[:-1]
    return word


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """Porter stem of one lower-case word, after folding British/American spelling."""
    word = word.lower().replace("’", "'")
    if word.endswith("n't"):
        word = word[:-3]
    word = _IRREGULAR.get(word, word)
    if not word.isalpha():
        return word
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    return _porter(word)
