"""The offline rubric: a deterministic 0–100 score for one answer, with feedback.

``score_answer`` combines five parts, each 0–100:

* relevance   — how many of the question's key words the answer uses (stemmed, stop-words removed);
* coverage    — how many of the question's "what a strong answer covers" points it touches;
* specificity — numbers, measured results, timescales, names and tools, outcome verbs;
* structure   — STAR for behavioural/situational questions, reasoning/example/trade-off for
  technical ones, reasons/link to the role/evidence for motivation ones;
* concision   — length in words against the 120–300 word sweet spot, minus a filler-word penalty.

The overall score is the weighted mean of the rounded parts (``WEIGHTS_WITH_COVERS``, or
``WEIGHTS_WITHOUT_COVERS`` for a custom question that has no covers points). Every number here is
documented for users in ``docs/scoring.md``; change both together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from interview_desktop.domain import (
    OFFLINE_SCORER,
    DeliveryMetrics,
    Evaluation,
    Question,
    QuestionKind,
    StarResult,
    is_empty_answer,
)
from interview_desktop.scoring import embeddings, meaning
from interview_desktop.scoring.delivery import (
    FILLERS_OK_PER_100,
    PACE_COMFORTABLE_WPM,
    delivery_metrics,
)
from interview_desktop.scoring.structure import detect_star
from interview_desktop.scoring.text import (
    content_stems,
    sentences,
    stem,
    word_set,
    words,
)

SCORER = OFFLINE_SCORER

PARTS = ("relevance", "coverage", "specificity", "structure", "concision")

WEIGHTS_WITH_COVERS: Mapping[str, int] = {
    "relevance": 20, "coverage": 30, "specificity": 20, "structure": 20, "concision": 10,
}
WEIGHTS_WITHOUT_COVERS: Mapping[str, int] = {
    "relevance": 30, "specificity": 30, "structure": 30, "concision": 10,
}

RELEVANCE_SHARE = 0.4
"""Share of the question's key words an answer needs for full relevance."""

COVER_SHARE = 0.6
"""Share of a covers point's key words an answer needs for that point to count as covered."""

WORDS_TOO_FEW = 40
WORDS_SWEET_SPOT = (120, 300)
WORDS_TOO_MANY = 450
WORDS_FLOOR = 900  # at and beyond this many words concision bottoms out at CONCISION_FLOOR
CONCISION_FLOOR = 30
FILLER_PENALTY_PER_EXTRA = 5.0  # points per filler per 100 words at or above FILLERS_OK_PER_100
FILLER_PENALTY_MAX = 30.0

STAR_WEIGHTS: Mapping[str, int] = {"situation": 20, "task": 20, "action": 30, "result": 30}
STAR_WEIGHTS_SITUATIONAL: Mapping[str, int] = {"situation": 15, "task": 20, "action": 40, "result": 25}

# --------------------------------------------------------------------------------------------------
# Vocabulary

SYNONYM_GROUPS: tuple[str, ...] = (
    "outcome result results impact effect consequence",
    "learn lesson takeaway",
    "conflict disagreement disagree disagreed argument dispute tension clash",
    "colleague teammate coworker co-worker peer",
    "manager boss supervisor",
    "customer client",
    "priority prioritise prioritize prioritising urgent urgency",
    "deadline timeline due",
    "mistake error slip",
    "fix resolve solve repair",
    "listen hear",
    "empathy empathise empathize sympathise sympathize understand acknowledge",
    "feedback criticism critique",
    "improve improvement better",
    "measure metric metrics kpi track tracking",
    "plan planning schedule roadmap",
    "compromise agreement agree agreed consensus middle",
    "help support assist",
    "tell inform update notify",
    "escalate escalation",
    "test tests testing verify validate validation check checks",
    "document documentation write-up wiki",
    "calm composed patient",
    "angry upset frustrated annoyed furious",
    "early immediately promptly quickly",
    "goal objective target aim",
    "skill skills ability strength",
    "reduce cut decrease lower",
    "increase grow boost",
    "research investigate investigation study",
    "stakeholder sponsor",
    "cause reason",
    "company organisation organization employer firm business",
    "role position job",
    "career profession",
    "team squad group",
)
"""Words treated as the same concept when matching the question and covers points."""

COVER_NOISE = word_set(
    "specific clear concrete brief key relevant realistic honest named example such etc e.g "
    "something someone way ways good take taken end afterwards again other others new person point view "
    "make made work"
)
"""Words in covers points that describe quality rather than content; ignored when matching."""

NUMBER_WORDS = word_set(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "hundreds thousand thousands million millions billion dozen dozens half double twice triple"
)

TOOL_NAMES = word_set(
    "python java javascript typescript c++ c# go golang rust kotlin swift ruby php sql nosql postgres "
    "postgresql mysql mongodb redis kafka spark hadoop airflow dbt snowflake bigquery excel sheets "
    "powerpoint word outlook tableau looker powerbi power-bi jira confluence trello asana notion slack "
    "teams zoom git github gitlab jenkins docker kubernetes terraform ansible aws azure gcp linux "
    "react angular vue django flask fastapi node.js node graphql rest api apis grpc pandas numpy "
    "scikit-learn pytorch tensorflow figma miro salesforce hubspot zendesk freshdesk intercom "
    "servicenow sap quickbooks xero shopify wordpress ga4 analytics mixpanel amplitude segment "
    "datadog grafana prometheus sentry splunk pagerduty ms-project smartsheet monday.com linkedin "
    "crm erp okr okrs kanban scrum agile prince2 pmp six-sigma lean sprint retrospective a/b"
)
"""Named tools and methods counted as specifics even when typed in lower case."""

OUTCOME_VERBS = word_set(
    "reduced increased improved saved cut grew doubled halved tripled boosted lowered exceeded "
    "achieved won delivered launched shipped retained recovered raised generated closed resolved"
)

BUZZWORDS = (
    "leverage", "leveraging", "synergy", "synergies", "results-oriented", "results-driven",
    "results oriented", "results driven", "team player", "self-starter", "self starter", "go-getter",
    "best-in-class", "best in class", "world-class", "world class", "game-changing", "game changer",
    "move the needle", "moves the needle", "add value", "adds value", "value-add", "growth mindset",
    "think outside the box", "paradigm", "holistic", "holistically", "win-win", "north star",
    "north-star", "circle back", "low-hanging fruit", "best practices", "shift-left", "end-to-end",
    "enterprise-grade", "cutting-edge", "cutting edge", "innovative", "dynamic", "passionate",
    "proactively", "empower", "empowering", "disruptive", "at scale", "delightful", "impactful",
    "customer-centric", "cross-functional", "radical transparency", "across the board",
)
"""Phrases that sound like substance and carry none: each counts against specificity and is named."""
_BUZZ_RE = re.compile(r"\b(?:" + "|".join(re.escape(b) for b in sorted(BUZZWORDS, key=len, reverse=True))
                      + r")\b", re.IGNORECASE)
BUZZWORD_PENALTY = (10, 40)  # points off specificity per buzzword, and the most taken off

VAGUE_PHRASES = (
    r"lots? of", r"a lot", r"some (?:things?|stuff|problems?|issues?|people|point)", r"stuff", r"things?",
    r"kind of", r"sort of", r"fairly", r"quite", r"mostly", r"I think", r"maybe", r"somehow", r"whatever",
    r"anyway", r"etc", r"and so on", r"various", r"something", r"sometimes", r"generally", r"usually",
    r"basically", r"pretty (?:much|good|well)", r"more or less", r"seemed", r"okay", r"fine", r"a while",
    r"a few", r"which happens", r"or so", r"someone", r"somewhere", r"a bit", r"in general", r"overall",
    r"just", r"really", r"very",
)
"""Words that stand in for what happened ("lots of things", "it was mostly fine"). Measured on the
labelled set: strong answers use under 2 per 100 words, vague and rambling ones 7–16."""
_VAGUE_RE = re.compile(r"\b(?:" + "|".join(VAGUE_PHRASES) + r")\b", re.IGNORECASE)
VAGUE_FLAG = (6.0, 3)  # per 100 words, and at least this many: the answer says little
VAGUE_SCALE = 0.6  # the overall score of an answer that says little is multiplied by this
RAMBLING_WORDS = 100  # from this length an answer that says little is "long but says little"

ECHO_FLAG_SHARE = 0.5  # from this share of restated words the feedback says so
OFF_TOPIC_RELEVANCE = 50  # below this relevance the overall score is scaled down (relevance ÷ this)
OFF_TOPIC_FLOOR = 0.1


def vague_phrases(text: str) -> list[str]:
    """Every vague phrase used, as written, in order (repeats kept: the rate is what counts)."""
    return [m.group(0) for m in _VAGUE_RE.finditer(text)]


def says_little(text: str, word_count: int) -> bool:
    """Vague phrases stand in for the substance: at least ``VAGUE_FLAG`` per 100 words."""
    rate, least = VAGUE_FLAG
    found = len(vague_phrases(text))
    return word_count > 0 and found >= least and 100 * found / word_count >= rate


def buzzwords(text: str) -> list[str]:
    """The buzzwords used, once each, in order."""
    return list(dict.fromkeys(m.group(0).lower() for m in _BUZZ_RE.finditer(text)))


_MONTHS_DAYS = word_set(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday"
)
_NOT_NAMES = word_set("I I'm I've I'd I'll OK Okay Mr Mrs Ms Dr")

_NUM_WORD = (
    r"(?:\d+(?:[.,]\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|few|several"
    r"|couple of)"
)
_UNIT = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|quarters?|years?|sprints?)"
_FIGURE = (
    r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    r"|hundred|thousand|million|billion|half)"
)
_MEASURE_RE = re.compile(
    r"\d+(?:[.,]\d+)?\s*%|[$£€]\s?\d[\d,.]*\s*(?:k|m|bn)?\b"
    rf"|\b{_FIGURE}\s*(?:percent|per cent|dollars|pounds|euros|times|x|k)\b"
    r"|\b\d+(?:[.,]\d+)?\s*(?:ms|milliseconds)\b",
    re.IGNORECASE,
)
_TIME_RE = re.compile(
    rf"\b{_NUM_WORD}[\s-]{_UNIT}\b|\b(?:19|20)\d\d\b|\bQ[1-4]\b"
    r"|\b(?:by|before|until|on) (?:the end of|monday|tuesday|wednesday|thursday|friday|\w+day)\b"
    r"|\b(?:january|february|march|april|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)
_DIGIT_RE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w.]*\d)")

SPECIFICITY_POINTS: Mapping[str, tuple[int, int]] = {
    "quantities": (12, 36),
    "measures": (15, 30),
    "timescales": (10, 20),
    "names": (8, 24),
    "outcomes": (8, 16),
}
"""Points per item found and the cap for each kind of specific detail (total capped at 100)."""

EXPLANATION_CUES: Mapping[str, tuple[int, tuple[str, ...]]] = {
    "reasoning": (30, (
        r"\bbecause\b", r"\bso that\b", r"\bwhich means\b", r"\bthat'?s why\b", r"\btherefore\b",
        r"\bthe reason\b", r"\bin order to\b", r"\bthis means\b", r"\botherwise\b", r"\bsince\b",
        r",\s*so\b",
    )),
    "example": (30, (
        r"\bfor example\b", r"\bfor instance\b", r"\bsuch as\b", r"\be\.g\.",
        r"\bin my (?:last|previous|current|recent) (?:job|role|project|team|company)\b",
        r"\b(?:I|we) (?:used|use|have used|'ve used)\b",
        r"\bat my (?:last|previous|current) \w+\b", r"\bwhen I\b", r"\bin practice\b", r"\bI once\b",
        r"\bfor a (?:recent|previous|past|real)\b",
        r"\bon (?:that|one|a recent|my last) (?:project|feature|team)\b",
        r"\blast (?:year|quarter|month|week)\b",
    )),
    "trade_off": (25, (
        r"\btrade[- ]?offs?\b", r"\bhowever\b", r"\bwhereas\b", r"\bon the other hand\b", r"\bdownsides?\b",
        r"\bdrawbacks?\b", r"\b(?:dis)?advantages?\b", r"\bpros\b", r"\bcons\b", r"\bcompared (?:to|with)\b",
        r"\bvs\.?\b", r"\bversus\b", r"\binstead of\b", r"\brather than\b", r"\bit depends\b",
        r"\bdepending on\b", r"\bthe cost\b", r"\blimitations?\b", r"\brisks?\b",
        r"\bchoices? between\b", r"\bchoose between\b", r",\s*while\b",
        r"\bif (?:it'?s|there'?s|they|the|none|not|that)\b",
    )),
    "steps": (15, (
        r"\bfirst(?:ly)?\b", r"\bsecond(?:ly)?\b", r"\bthen\b", r"\bnext\b", r"\bfinally\b",
        r"\bafter that\b", r"\bsteps?\b",
    )),
}
"""Technical answers: points for reasoning, an example, a trade-off or condition, and ordered steps.
A first-person past action ("I wrote…", found by the STAR action cues) also counts as an example."""

MOTIVATION_CUES: Mapping[str, tuple[int, tuple[str, ...]]] = {
    "reasons": (35, (
        r"\bbecause\b", r"\bI (?:really )?(?:enjoy|love|like|care|value)\b", r"\bpassion(?:ate)?\b",
        r"\bexcit(?:es|ed|ing)\b", r"\bI(?:'d| would) like to\b", r"\bI want to\b",
        r"\binterest(?:ed|s|ing)?\b",
        r"\bmotivat(?:es|ed|ion)\b", r"\bdrawn to\b", r"\bappeals?\b", r"\bmeaningful\b", r"\bfascinat",
        r"\bcurious\b", r"\bthe reason\b", r"\bmatters? to me\b",
    )),
    "link": (35, (
        r"\b(?:this|the) (?:role|position|job|team|company|opportunity)\b",
        r"\byour (?:company|team|products?|mission|customers|values|culture|work|platform|services?)\b",
        r"\bcompany'?s\b", r"\bjoin(?:ing)?\b", r"\bhere\b", r"\byou (?:are|do|build|make|offer|serve)\b",
        r"\bfit\b", r"\bnext step\b",
    )),
    "evidence": (30, (
        r"\bin my (?:previous|last|current|first) (?:job|role|position|team|company)\b",
        r"\bat my (?:previous|last|current) \w+\b",
        r"\bI(?:'ve| have) (?:been|worked|led|built|spent|learned)\b",
        r"\byears? of experience\b", r"\bexperience (?:in|with)\b",
        r"\bI (?:led|built|managed|delivered|grew|created|launched|ran|taught|trained|worked)\b", r"\d",
    )),
}
"""Motivation answers: points for clear reasons, a link to this role/company, and own evidence."""


def _compile(cues: Mapping[str, tuple[int, tuple[str, ...]]]) -> dict[str, tuple[int, list[re.Pattern[str]]]]:
    return {k: (w, [re.compile(p, re.IGNORECASE) for p in pats]) for k, (w, pats) in cues.items()}


_EXPLANATION = _compile(EXPLANATION_CUES)
_MOTIVATION = _compile(MOTIVATION_CUES)


def _build_synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in SYNONYM_GROUPS:
        members = [stem(w) for w in group.split()]
        for member in members:
            table.setdefault(member, members[0])
    return table


_SYNONYMS = _build_synonyms()


def concept(stem_: str) -> str:
    """The canonical stem of ``stem_``'s synonym group (or ``stem_`` itself)."""
    return _SYNONYMS.get(stem_, stem_)


def _concepts(
    text: str, *, drop_prompt_words: bool = False, noise: frozenset[str] = frozenset()
) -> list[str]:
    noise_stems = {stem(w) for w in noise}
    out: list[str] = []
    for s in content_stems(text, drop_prompt_words=drop_prompt_words):
        if s in noise_stems:
            continue
        c = concept(s)
        if c not in out:
            out.append(c)
    return out


# --------------------------------------------------------------------------------------------------
# Evaluation


# --------------------------------------------------------------------------------------------------
# Parts


def _share_score(hits: int, total: int, share: float) -> float:
    needed = max(1, math.ceil(total * share))
    return min(1.0, hits / needed)


def relevance_score(question: Question, answer_text: str) -> tuple[int, list[str]]:
    """Relevance 0–100 and the question key concepts the answer did not use."""
    keys = _concepts(question.text, drop_prompt_words=True)
    if not keys:
        return 100, []
    answer = set(_concepts(answer_text))
    hits = [k for k in keys if k in answer]
    score = _round(100 * _share_score(len(hits), len(keys), RELEVANCE_SHARE))
    return score, [k for k in keys if k not in answer]


def _point_credit(point: str, answer: set[str]) -> float | None:
    """0–1: the share of a covers point's key words the answer uses (over the share needed); None
    when the point has no key words to look for."""
    keys = _concepts(point, noise=COVER_NOISE) or _concepts(point)
    if not keys:
        return None
    return _share_score(sum(1 for k in keys if k in answer), len(keys), COVER_SHARE)


def coverage_score(covers: Sequence[str], answer_text: str) -> tuple[int, list[str], list[str]]:
    """Coverage 0–100, the covered points, and the not fully covered points (least covered first)."""
    answer = set(_concepts(answer_text))
    credits = [(c, i, point) for i, point in enumerate(covers)
               if (c := _point_credit(point, answer)) is not None]
    if not credits:
        return 100, [], []
    score = _round(100 * sum(c for c, _, _ in credits) / len(credits))
    covered = [p for c, _, p in credits if c >= 1.0]
    missed = [p for c, _, p in sorted(credits) if c < 1.0]
    return score, covered, missed


def specificity_details(answer_text: str) -> dict[str, int]:
    """How many of each kind of specific detail the answer has."""
    measures = _MEASURE_RE.findall(answer_text)
    times = _TIME_RE.findall(answer_text)
    lower_words = words(answer_text)
    digits = [m for m in _DIGIT_RE.findall(answer_text) if not re.fullmatch(r"(?:19|20)\d\d", m)]
    quantities = len(digits) + sum(1 for w in lower_words if w in NUMBER_WORDS)
    names: set[str] = {w for w in lower_words if w in TOOL_NAMES}
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", answer_text):
        tokens = re.findall(r"[A-Za-z][\w'’&.+-]*", sentence)
        for tok in tokens[1:]:
            clean = tok.rstrip(".")
            if clean[:1].isupper() and clean not in _NOT_NAMES and clean.lower() not in _MONTHS_DAYS:
                names.add(clean.lower())
    outcomes = {w for w in lower_words if w in OUTCOME_VERBS}
    return {
        "quantities": quantities,
        "measures": len(measures),
        "timescales": len(times),
        "names": len(names),
        "outcomes": len(outcomes),
    }


_FIRST_PERSON_RE = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|myself|we|we're|we've|we'd|we'll|our|"
                              r"ours|us|ourselves)\b", re.IGNORECASE)


def about_the_candidate(answer_text: str) -> str:
    """The sentences that say what the candidate (or their team) did: a first-person word in them.
    Numbers and names in the others ("companies lose 20 % of customers a year") are general talk."""
    return " ".join(s for s in sentences(answer_text) if _FIRST_PERSON_RE.search(s))


SPECIFIC_KINDS: Mapping[str, tuple[str, ...]] = {
    "numbers": ("quantities", "measures"), "names or tools": ("names",), "timescales": ("timescales",),
    "results": ("outcomes",),
}
"""The kinds of detail a "to improve" line names when they are missing."""


def missing_specifics(answer_text: str, question: Question | None = None) -> list[str]:
    """The kinds of specific detail the answer (its sentences about the candidate) has none of."""
    technical = question is not None and question.kind is QuestionKind.TECHNICAL
    details = specificity_details(answer_text if technical else about_the_candidate(answer_text))
    return [label for label, keys in SPECIFIC_KINDS.items() if not any(details[k] for k in keys)]


def specificity_score(answer_text: str, question: Question | None = None) -> int:
    """Specific details, counted in the sentences about the candidate (all sentences of a technical
    answer, where an explanation's figures are its substance), minus buzzwords."""
    technical = question is not None and question.kind is QuestionKind.TECHNICAL
    details = specificity_details(answer_text if technical else about_the_candidate(answer_text))
    total = sum(min(cap, per * details[k]) for k, (per, cap) in SPECIFICITY_POINTS.items())
    per, most = BUZZWORD_PENALTY
    total -= min(most, per * len(buzzwords(answer_text)))
    return max(0, min(100, total))


def _cue_categories(text: str, cues: Mapping[str, tuple[int, list[re.Pattern[str]]]]) -> dict[str, int]:
    return {k: (w if any(p.search(text) for p in pats) else 0) for k, (w, pats) in cues.items()}


def structure_score(question: Question, answer_text: str) -> tuple[int, StarResult, dict[str, int]]:
    """Structure 0–100, the STAR detection, and the points per structure element found."""
    hypothetical = question.kind is QuestionKind.SITUATIONAL
    star = detect_star(answer_text, hypothetical=hypothetical, question=question.text)
    if question.kind in (QuestionKind.BEHAVIOURAL, QuestionKind.SITUATIONAL):
        weights = STAR_WEIGHTS_SITUATIONAL if hypothetical else STAR_WEIGHTS
        found = {part: (w if getattr(star, part) else 0) for part, w in weights.items()}
    elif question.kind is QuestionKind.TECHNICAL:
        found = _cue_categories(answer_text, _EXPLANATION)
        if star.action:
            found["example"] = EXPLANATION_CUES["example"][0]
    else:
        found = _cue_categories(answer_text, _MOTIVATION)
        role_words = {stem(w) for w in words(question.role) if w not in ("general", "hr", "behavioural")}
        if role_words & set(content_stems(answer_text)):
            found["link"] = MOTIVATION_CUES["link"][0]
    return min(100, sum(found.values())), star, found


def concision_score(word_count: int, fillers_per_100_words: float = 0.0) -> int:
    """Length in words against the sweet spot, minus the filler penalty."""
    lo, hi = WORDS_SWEET_SPOT
    n = word_count
    if n <= 0:
        base = 0.0
    elif n < WORDS_TOO_FEW:
        base = 70.0 * n / WORDS_TOO_FEW
    elif n < lo:
        base = 70.0 + 30.0 * (n - WORDS_TOO_FEW) / (lo - WORDS_TOO_FEW)
    elif n <= hi:
        base = 100.0
    elif n <= WORDS_TOO_MANY:
        base = 100.0 - 20.0 * (n - hi) / (WORDS_TOO_MANY - hi)
    else:
        base = max(CONCISION_FLOOR, 80.0 - 50.0 * (n - WORDS_TOO_MANY) / (WORDS_FLOOR - WORDS_TOO_MANY))
    penalty = 0.0
    if fillers_per_100_words >= FILLERS_OK_PER_100:
        excess = fillers_per_100_words - FILLERS_OK_PER_100
        penalty = min(FILLER_PENALTY_MAX, FILLER_PENALTY_PER_EXTRA * excess)
    return _round(max(0.0, base - penalty))


def _round(x: float) -> int:
    """Round half up (Python's round() rounds half to even)."""
    return int(math.floor(x + 0.5))


# --------------------------------------------------------------------------------------------------
# Feedback text (stable strings so the session report can count them across answers)

STRENGTH_RELEVANT = "Answers the question that was asked"
STRENGTH_COVERAGE = "Covers the key points a strong answer needs"
STRENGTH_SPECIFIC = "Concrete details: numbers, names and timescales"
STRENGTH_STAR = "Clear story: situation, task, action and result"
STRENGTH_RESULT = "Ends with a concrete result"
STRENGTH_EXPLAINS = "Explains the reasoning, with examples and trade-offs"
STRENGTH_MOTIVATION = "Gives real reasons and links them to the role"
STRENGTH_LENGTH = "Good length: detailed but to the point"
STRENGTH_PACE = "Comfortable speaking pace"
STRENGTH_FEW_FILLERS = "Few filler words"

IMPROVE_EMPTY = "Give an answer, even a short one: one real example is better than silence"
IMPROVE_RELEVANCE = "Answer the question more directly: use its key words early on"
IMPROVE_SPECIFIC = "Add specifics: numbers, names, tools and timescales"
IMPROVE_STAR = {
    "situation": "Set the scene: where you were and what was going on",
    "task": "Say what your goal or responsibility was",
    "action": "Describe the steps you took yourself, using “I”",
    "result": "Finish with the result: what changed, ideally with a number",
}
IMPROVE_EXPLANATION = {
    "reasoning": "Explain why, not only what (“because…”)",
    "example": "Give a concrete example from your own work",
    "trade_off": "Mention a trade-off or a limitation",
    "steps": "Walk through it in clear steps (first, then, finally)",
}
IMPROVE_MOTIVATION = {
    "reasons": "Give a clear reason why this appeals to you",
    "link": "Link your reasons to this role and company",
    "evidence": "Back it up with something you have done",
}
IMPROVE_TOO_SHORT = "Too short: aim for 1–2 minutes, about 150–300 words"
IMPROVE_SHORT = "Develop the answer a little more: aim for 1–2 minutes"
IMPROVE_LONG = "Tighten the answer: cut background detail"
IMPROVE_TOO_LONG = "Too long: keep to one story and finish within 2 minutes"
IMPROVE_FILLERS = "Cut filler words such as “um”, “like” and “you know”"
_PACE = f"{PACE_COMFORTABLE_WPM[0]:g}–{PACE_COMFORTABLE_WPM[1]:g} words per minute"
IMPROVE_SLOW = f"Speak a little faster: aim for {_PACE}"
IMPROVE_FAST = f"Slow down: aim for {_PACE}"
IMPROVE_COVER_PREFIX = "Also cover: "
IMPROVE_ECHO = "Most of the answer restates the question: say what you actually did, with an example"
IMPROVE_OFF_TOPIC = "This answer is about something else: answer the question that was asked"
IMPROVE_BUZZWORDS = "Replace buzzwords with what you did: "
IMPROVE_RAMBLING = ("Long, but it says little: cut the background and say what you did and what changed, "
                    "instead of ")
IMPROVE_VAGUE = "Too vague: say what actually happened, instead of "

_EXAMPLE_STAR = {
    "situation": "“At my previous job, [team and context], we were facing [the problem], "
                 "and [what was at stake].”",
    "task": "“My goal was to [objective] by [deadline], and I was the one responsible for it.”",
    "action": "“I [first concrete step], then I [second step], because [reason].”",
    "result": "“As a result, [what changed — e.g. we cut the time from 3 days to 4 hours], "
              "and I learned [one lesson].”",
}
_EXAMPLE_EXPLANATION = {
    "reasoning": "“I'd choose [option] because [reason], which means [benefit].”",
    "example": "“For example, in my last project I [used it for a real task], and it [concrete result].”",
    "trade_off": "“The trade-off is [cost or limitation], so I'd use [option] when [condition] "
                 "and [alternative] when [other condition].”",
    "steps": "“First I [step], then I [step], and finally I [check or measure].”",
}
_EXAMPLE_MOTIVATION = {
    "reasons": "“What draws me to this work is [specific reason], because [what it means to you].”",
    "link": "“That's why this {role} fits: you [what the company does], and I want to [contribution].”",
    "evidence": "“At my last job I [achievement with a number], and I'd bring that here.”",
}
_EXAMPLE_SPECIFIC = "“That cut [the time or cost] from [X] to [Y] within [timescale].”"
_EXAMPLE_COVER = "On {point}, add one concrete sentence: “[what you did] … which [what it changed].”"
_EXAMPLE_POLISH = "To finish strongly: “So in short, [your key action] led to [your result], and [lesson].”"


def _role_phrase(question: Question) -> str:
    role = question.role.strip()
    if not role or "general" in role.lower():
        return "role"
    return f"{role} role"


def _example(question: Question, star: StarResult, found: Mapping[str, int], missed: Sequence[str],
             specificity: int) -> str:
    missing = [k for k, v in found.items() if not v]
    if question.kind in (QuestionKind.BEHAVIOURAL, QuestionKind.SITUATIONAL):
        for part in ("result", "action", "task", "situation"):
            if part in missing:
                return _EXAMPLE_STAR[part]
    elif question.kind is QuestionKind.TECHNICAL:
        for part in ("example", "reasoning", "trade_off", "steps"):
            if part in missing:
                return _EXAMPLE_EXPLANATION[part]
    else:
        for part in ("link", "reasons", "evidence"):
            if part in missing:
                return _EXAMPLE_MOTIVATION[part].format(role=_role_phrase(question))
    if missed:
        return _EXAMPLE_COVER.format(point=missed[0])
    if specificity < 50:
        return _EXAMPLE_SPECIFIC
    return _EXAMPLE_POLISH


def _feedback(
    question: Question,
    parts: Mapping[str, int],
    weights: Mapping[str, int],
    found: Mapping[str, int],
    star: StarResult,
    missed: Sequence[str],
    word_count: int,
    metrics: DeliveryMetrics,
    missing_specifics: Sequence[str] = (),
) -> tuple[list[str], list[str]]:
    """Strengths (best first) and improvements (largest score impact first)."""
    strengths: list[tuple[float, str]] = []
    improvements: list[tuple[float, str]] = []

    def weight(name: str) -> int:
        return weights.get(name, 0)

    rel = parts["relevance"]
    if rel >= 75:
        strengths.append((rel * weight("relevance"), STRENGTH_RELEVANT))
    elif rel < 50:
        improvements.append(((100 - rel) * weight("relevance"), IMPROVE_RELEVANCE))

    if "coverage" in parts:
        cov = parts["coverage"]
        if cov >= 75:
            strengths.append((cov * weight("coverage"), STRENGTH_COVERAGE))
        if missed:
            text = IMPROVE_COVER_PREFIX + "; ".join(missed[:2])
            improvements.append(((100 - cov) * weight("coverage"), text))

    spec = parts["specificity"]
    if spec >= 60:
        strengths.append((spec * weight("specificity"), STRENGTH_SPECIFIC))
    elif spec < 50:
        line = IMPROVE_SPECIFIC  # it says which kinds of detail are still missing, when some are there
        if 0 < len(missing_specifics) < len(SPECIFIC_KINDS):
            line += " (still missing: " + ", ".join(missing_specifics) + ")"
        improvements.append(((100 - spec) * weight("specificity"), line))

    struct = parts["structure"]
    w_struct = weight("structure")
    if question.kind in (QuestionKind.BEHAVIOURAL, QuestionKind.SITUATIONAL):
        weights_star = STAR_WEIGHTS_SITUATIONAL if question.kind is QuestionKind.SITUATIONAL else STAR_WEIGHTS
        if not star.missing:
            strengths.append((struct * w_struct, STRENGTH_STAR))
        elif star.result:
            strengths.append((weights_star["result"] * w_struct, STRENGTH_RESULT))
        for part in star.missing:
            improvements.append((weights_star[part] * w_struct, IMPROVE_STAR[part]))
    else:
        table = IMPROVE_EXPLANATION if question.kind is QuestionKind.TECHNICAL else IMPROVE_MOTIVATION
        cues = EXPLANATION_CUES if question.kind is QuestionKind.TECHNICAL else MOTIVATION_CUES
        if struct >= 70:
            good = STRENGTH_EXPLAINS if question.kind is QuestionKind.TECHNICAL else STRENGTH_MOTIVATION
            strengths.append((struct * w_struct, good))
        for name, value in found.items():
            if not value:
                improvements.append((cues[name][0] * w_struct, table[name]))

    conc = parts["concision"]
    w_conc = weight("concision")
    lo, hi = WORDS_SWEET_SPOT
    if lo <= word_count <= hi and conc >= 90:
        strengths.append((conc * w_conc, STRENGTH_LENGTH))
    elif word_count < WORDS_TOO_FEW:
        improvements.append(((100 - conc) * w_conc * 2, IMPROVE_TOO_SHORT))
    elif word_count < lo:
        improvements.append(((100 - conc) * w_conc, IMPROVE_SHORT))
    elif word_count > WORDS_TOO_MANY:
        improvements.append(((100 - conc) * w_conc * 2, IMPROVE_TOO_LONG))
    elif word_count > hi:
        improvements.append(((100 - conc) * w_conc, IMPROVE_LONG))

    if metrics.filler_verdict != "fine":
        excess = metrics.fillers_per_100_words - FILLERS_OK_PER_100
        improvements.append((min(FILLER_PENALTY_MAX, 5 + FILLER_PENALTY_PER_EXTRA * excess) * w_conc,
                             IMPROVE_FILLERS))
    elif metrics.timed and metrics.word_count >= WORDS_TOO_FEW:
        strengths.append((100.0, STRENGTH_FEW_FILLERS))
    if metrics.pace_verdict in ("too slow", "slow"):
        improvements.append((600.0 if metrics.pace_verdict == "too slow" else 200.0, IMPROVE_SLOW))
    elif metrics.pace_verdict in ("too fast", "fast"):
        improvements.append((600.0 if metrics.pace_verdict == "too fast" else 200.0, IMPROVE_FAST))
    elif metrics.pace_verdict == "comfortable":
        strengths.append((150.0, STRENGTH_PACE))

    return _ordered(strengths), _ordered(improvements)


def _ordered(items: list[tuple[float, str]]) -> list[str]:
    """Texts by descending impact; ties keep insertion order; duplicates dropped."""
    out: list[str] = []
    for _, text in sorted(items, key=lambda it: -it[0]):
        if text not in out:
            out.append(text)
    return out


# --------------------------------------------------------------------------------------------------
# Entry point


def score_answer(question: Question, answer_text: str, metrics: DeliveryMetrics | None = None) -> Evaluation:
    """Score one answer to ``question`` (deterministic; same input → same output).

    ``metrics`` (from :func:`delivery_metrics`) adds the spoken-delivery feedback and supplies the
    filler rate; without it fillers are counted from the text.
    """
    covers = tuple(c for c in question.covers if c and c.strip())
    weights = dict(WEIGHTS_WITH_COVERS if covers else WEIGHTS_WITHOUT_COVERS)
    if is_empty_answer(answer_text):
        return Evaluation(
            overall=0,
            parts={name: 0 for name in weights},
            weights=weights,
            improvements=(IMPROVE_EMPTY,),
            example=_EXAMPLE_STAR["situation"]
            if question.kind in (QuestionKind.BEHAVIOURAL, QuestionKind.SITUATIONAL)
            else _EXAMPLE_EXPLANATION["example"]
            if question.kind is QuestionKind.TECHNICAL
            else _EXAMPLE_MOTIVATION["reasons"],
            question_id=question.id,
            answered=False,
            missed_points=covers,
        )

    if metrics is None:
        metrics = delivery_metrics((), text=answer_text)
    word_count = len(words(answer_text))

    # what only restates the question (or pastes its covers points) earns nothing
    sub = meaning.substance(question.text, answer_text, covers)
    own_text = " ".join(sub.sentences)
    encoder = embeddings.encoder()
    evidence: dict[str, list[str]] = {}
    parts: dict[str, int] = {}
    covered: list[str] = []
    missed: list[str] = []
    if encoder is not None:
        share, best = meaning.relevance(encoder, question.text, sub.sentences)
        lexical, _ = relevance_score(question, own_text) if sub.sentences else (0, [])
        parts["relevance"] = _round((100 * share + lexical) / 2)  # meaning and the words, half each
        evidence["relevance"] = [best] if best else []
        if covers:
            credits = meaning.coverage(encoder, covers, sub.sentences)
            answer_concepts = set(_concepts(own_text))
            blended = []
            for point, (by_meaning, sentence) in zip(covers, credits, strict=True):
                by_words = _point_credit(point, answer_concepts)
                blended.append(((by_meaning + (1.0 if by_words is None else by_words)) / 2, sentence))
            credits = blended  # meaning and words, half each
            parts["coverage"] = _round(100 * sum(c for c, _ in credits) / len(credits))
            covered = [p for p, (c, _) in zip(covers, credits, strict=True) if c >= 1.0]
            missed = [p for (c, _), p in sorted(zip(credits, covers, strict=True), key=lambda x: x[0][0])
                      if c < 1.0]
            evidence["coverage"] = list(dict.fromkeys(e for c, e in credits if c > 0 and e))
    else:
        parts["relevance"], _ = relevance_score(question, own_text)
        if covers:
            parts["coverage"], covered, missed = coverage_score(covers, own_text)
    parts["specificity"] = specificity_score(own_text, question)
    parts["structure"], star, found = structure_score(question, own_text)
    parts["concision"] = concision_score(word_count, metrics.fillers_per_100_words)
    parts = {name: parts[name] for name in PARTS if name in weights}
    evidence["structure"] = list(dict.fromkeys(star.evidence.values()))

    overall = sum(parts[k] * weights[k] for k in weights) / sum(weights.values())
    off_topic = parts["relevance"] < OFF_TOPIC_RELEVANCE
    if off_topic:  # a polished answer to another question is not a good answer to this one
        overall *= max(OFF_TOPIC_FLOOR, parts["relevance"] / OFF_TOPIC_RELEVANCE)
    empty = says_little(own_text, word_count)
    if empty:  # many words, little said: vague phrases stand in for what happened
        overall *= VAGUE_SCALE
    overall = _round(overall)
    strengths, improvements = _feedback(question, parts, weights, found, star, missed, word_count, metrics,
                                        missing_specifics(own_text, question))
    flags: list[str] = []
    if sub.echo_share >= ECHO_FLAG_SHARE:
        flags.append(IMPROVE_ECHO)
    elif off_topic and sub.sentences:
        flags.append(IMPROVE_OFF_TOPIC)
    if empty:
        first: dict[str, str] = {}
        for phrase in vague_phrases(own_text):
            first.setdefault(phrase.lower(), phrase)  # each once, as first written
        quoted = ", ".join(f"“{v}”" for v in list(first.values())[:3])
        flags.append((IMPROVE_RAMBLING if word_count >= RAMBLING_WORDS else IMPROVE_VAGUE) + quoted)
    used = buzzwords(answer_text)
    if used:
        flags.append(IMPROVE_BUZZWORDS + ", ".join(f"“{b}”" for b in used[:4]))
    improvements = [*flags, *(i for i in improvements if i not in flags)]
    notes = {"evidence": evidence, "restated": list(sub.echo)}
    if encoder is None:
        notes["meaning"] = embeddings.unavailable_reason()
    return Evaluation(
        overall=overall,
        parts=parts,
        weights=weights,
        strengths=tuple(strengths),
        improvements=tuple(improvements),
        example=_example(question, star, found, missed, parts["specificity"]),
        structure=star,
        question_id=question.id,
        word_count=word_count,
        covered_points=tuple(covered),
        missed_points=tuple(missed),
        extra=notes,
    )
