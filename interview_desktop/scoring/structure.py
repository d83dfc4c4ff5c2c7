"""STAR structure detection (Situation, Task, Action, Result) — an offline heuristic.

Each sentence of the answer is checked against the cue patterns of each part; a part is present when
at least one sentence has one of its cues, and the sentence with the most cues (the first on a tie)
is kept as evidence. Without a situation cue, an opening sentence in the past tense ("A customer
called because her internet had been down…") counts as the situation. The cue lists are in
``docs/scoring.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from interview_desktop.domain import STAR_PARTS, StarResult
from interview_desktop.scoring.text import content_stems, sentences, stem, word_set

_NUM = (
    r"(?:\d+(?:[.,]\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
    r"|twenty|thirty|forty|fifty|a few|few|several|a couple of)"
)
_NUMBER_WORDS = (
    r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    r"|hundred|thousand|million|billion|half)"
)
_TIME_UNIT = r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|quarters?|years?|sprints?)"

ACTION_VERBS = sorted(word_set(
    "added analysed analyzed approached arranged asked automated booked brainstormed broke brought built "
    "called changed chose coached collected compared completed contacted convinced coordinated created "
    "dealt debugged decided delegated delivered designed developed documented drafted drove emailed "
    "encouraged escalated established estimated explained facilitated fixed focused followed gathered "
    "guided helped hired identified implemented improved initiated interviewed introduced investigated "
    "launched led listened made managed mapped measured mentored met migrated monitored moved negotiated "
    "offered opened optimised optimized organised organized paired persuaded phoned picked pitched "
    "planned presented prioritised prioritized profiled proposed prototyped pushed put raised ran "
    "reached rebuilt recommended redesigned refactored reorganised reorganized replaced reported "
    "researched resolved restructured reviewed rewrote scheduled set shared showed simplified sketched "
    "solved spent split spoke started streamlined suggested supported surveyed talked taught tested "
    "took tracked trained traced tried updated volunteered walked worked wrote"
))
"""Past-tense verbs that describe something the speaker did ("I built", "we decided")."""

ACTION_BASE_VERBS = sorted(word_set(
    "add analyse analyze ask book break bring build call change check choose clarify collect compare "
    "contact coordinate create deal decide delegate document draft email escalate estimate explain "
    "find fix focus follow gather go help identify implement introduce investigate involve keep let "
    "listen look make map measure meet offer organise organize plan prioritise prioritize propose "
    "put raise reach reply research review run schedule send set share sit speak split start suggest "
    "summarise summarize talk test track try update use walk work write"
))
"""Base forms accepted after "I would / I'd / I will / I'll" (hypothetical answers)."""

_ADVERB = (
    r"(?:\w+ly\s+|then\s+|also\s+|first\s+|immediately\s+|personally\s+|eventually\s+|just\s+"
    r"|actually\s+)?"
)

CUES: dict[str, tuple[str, ...]] = {
    "situation": (
        r"\bwhen I (?:was|worked|joined|started)\b",
        r"\b(?:at|in) my (?:previous|last|current|former|old|first|second) "
        r"(?:job|role|company|team|position|employer|internship|workplace)\b",
        r"\bat my previous\b",
        r"\bwhile (?:I was )?(?:working|studying|interning)\b",
        r"\b(?:last|this past) (?:year|month|quarter|summer|spring|autumn|fall|winter|week|semester)\b",
        rf"\b{_NUM} {_TIME_UNIT} ago\b",
        r"\bin (?:19|20)\d\d\b",
        r"\bwe had\b",
        r"(?<!if )\bthere (?:was|were)\b",
        r"\b(?:I was|I worked) (?:working )?(?:at|as|on|in)\b",
        r"\bour (?:team|company|department|client|product|project)\b",
        r"\bthe (?:situation|context|background) was\b",
        r"\bone time\b",
        r"\bI was (?!going\b)\w+ing\b",  # past progressive sets the scene: "I was managing…"
        r"\bduring (?:my|a|the|an|our)\b",
        r"\bat the time\b",
    ),
    "task": (
        r"\b(?:my|our|the) (?:goal|aim|objective|task|job|challenge|responsibility|brief|mission|target) "
        r"(?:was|is|would be)\b",
        r"\bmy (?:goal|aim|objective|task|responsibility|role)\b",
        r"\bI was (?:responsible|in charge|accountable|tasked|asked|assigned|given|expected|supposed)\b",
        r"\bresponsible for\b",
        r"\bin charge of\b",
        r"\b(?:I|we) (?:needed|had|wanted|was asked|were asked) to\b",
        r"\bneeded to\b",
        r"\bhad to\b",
        r"\bit was (?:up to me|my job)\b",
        r"\bthe (?:problem|issue) was\b",
        r"\bwas to\b",
    ),
    "action": (
        rf"\b(?:I|we)\s+{_ADVERB}(?:{'|'.join(ACTION_VERBS)})\b",
        r"\bI (?:then|first|immediately) \w+ed\b",
        r"\bmy (?:first|next) step\b",
        r"\bso I\b",
        r"\bwhat I did\b",
        r"\bI (?:started|began|decided|chose|offered|tried) (?:to|by)\b",
    ),
    "result": (
        r"\bas a result\b",
        r"\b(?:which|that|this|it) (?:led|lead|leads) to\b",
        r"\bled to\b",
        r"\bresulted in\b",
        r"\b(?:the|our|my) (?:result|outcome|impact|effect) (?:was|is)\b",
        r"\bin the end\b",
        r"\bended up\b",
        r"\bin the long run\b",
        r"\bafterwards?\b",
        r"\beventually\b",
        r"\b(?:reduced|reducing|increased|improved|saved|cut|grew|doubled|halved|tripled|boosted|lowered|raised|dropped|fell|rose|exceeded|beat|achieved|won|recovered|retained)\b",
        r"\bwent (?:up|down|from)\b",
        r"\bfrom \S+ (?:\S+ )?to \S+",
        r"\b(?:learn(?:ed|t)|lesson|takeaway|taught me|realised|realized)\b",
        r"\bsince then\b",
        r"\bfrom then on\b",
        r"\bon time\b",
        r"\b(?:successfully|successful|success)\b",
        r"\b(?:delivered|shipped|launched|finished|completed|solved|resolved|closed|fixed)\b",
        r"\b(?:promoted|praised|thanked|recognised|recognized|award|renewed|signed|went live)\b",
        r"\b\w+ out of (?:ten|10|five|5|a hundred|100)\b",
        r"\bsatisf(?:ied|action)\b",
        r"\bfeedback was\b",
        r"\d+(?:[.,]\d+)?\s*%",
        rf"\b{_NUMBER_WORDS}\s+(?:percent|per cent|dollars|pounds|euros|times)\b",
        r"[$£€]\s?\d",
        r"\b\d+(?:[.,]\d+)?\s*(?:k|thousand|million|billion|x|times)\b",
        rf"\b\d+(?:[.,]\d+)?\s*(?:ms|milliseconds|{_TIME_UNIT})\b(?!\s+ago)",
    ),
}
"""Cue patterns per STAR part, matched case-insensitively against each sentence."""

HYPOTHETICAL_CUES: dict[str, tuple[str, ...]] = {
    "situation": (
        r"\b(?:if|when) (?:that|this) (?:happened|happens|were to happen)\b",
        r"\bin (?:that|this) (?:case|situation)\b",
        r"\bin a situation like\b",
    ),
    "task": (
        r"\bmy (?:priority|first priority|aim|goal) would be\b",
        r"\bI would need to\b",
        r"\bthe (?:key|important thing|priority) (?:is|would be)\b",
    ),
    "action": (
        rf"\bI(?:\s+would|'d|’d|\s+will|'ll|’ll)\s+{_ADVERB}(?:{'|'.join(ACTION_BASE_VERBS)})\b",
        r"\b(?:first|then|next|after that),? I(?:'d| would| will|'ll)\b",
    ),
    "result": (
        r"\bso that\b",
        r"\b(?:that|this) way\b",
        r"\bto (?:make sure|ensure)\b",
        r"\bwhich (?:would|should|will) (?:help|mean|keep|make|give)\b",
        r"\bthe (?:outcome|result|goal) (?:would be|should be|is)\b",
    ),
}
"""Extra cues for situational ("what would you do…") answers, added when ``hypothetical=True``."""

_OPENING_SCENE = re.compile(r"\b(?:was|were|had|had been|used to)\b", re.IGNORECASE)
"""An opening sentence in the past tense sets the scene even without a cue phrase."""


def _compile(cues: Mapping[str, tuple[str, ...]]) -> dict[str, list[re.Pattern[str]]]:
    return {part: [re.compile(p, re.IGNORECASE) for p in pats] for part, pats in cues.items()}


_COMPILED = _compile(CUES)
_COMPILED_HYPO = _compile(HYPOTHETICAL_CUES)


def _cue_hits(sentence: str, patterns: list[re.Pattern[str]]) -> int:
    return sum(1 for p in patterns if p.search(sentence))


TEMPLATE_WORDS = word_set(
    "situation task action actions result results outcome outcomes step steps thing things something "
    "everything everyone everybody anything problem issue deal dealt good great fine well done needed "
    "need needs what whatever way happy positive work job role took take taken made make did do lot"
)
"""Words a template fills its STAR labels with; a part counts only when its sentence says more."""
MIN_CONTENT_WORDS = 2
_TEMPLATE_STEMS = frozenset(stem(w) for w in TEMPLATE_WORDS)


def carries_content(sentence: str, given: frozenset[str] = frozenset()) -> bool:
    """Does the sentence say something (who, what, which numbers) beyond cue and template words and
    the question's own words (``given``: their stems)?"""
    own = set(content_stems(sentence)) - _TEMPLATE_STEMS - given
    return len(own) >= MIN_CONTENT_WORDS or bool(re.search(r"\d", sentence))


def detect_star(text: str, *, hypothetical: bool = False, question: str = "") -> StarResult:
    """Detect the STAR parts in ``text``.

    ``hypothetical=True`` (situational questions) also accepts "I would …" actions and
    "so that / to make sure" outcomes. A sentence counts only when it :func:`carries_content`
    beyond the words of ``question``.
    """
    found: dict[str, bool] = {}
    evidence: dict[str, str] = {}
    given = frozenset(content_stems(question))
    parts = [s for s in sentences(text) if carries_content(s, given)]
    opening = parts[0] if parts else ""
    for part in STAR_PARTS:
        patterns = _COMPILED[part] + (_COMPILED_HYPO[part] if hypothetical else [])
        best, best_hits = "", 0
        for sentence in parts:
            hits = _cue_hits(sentence, patterns)
            if hits > best_hits:
                best, best_hits = sentence, hits
        if not best_hits and part == "situation" and _OPENING_SCENE.search(opening):
            best, best_hits = opening, 1
        found[part] = best_hits > 0
        if best_hits:
            evidence[part] = best
    return StarResult(**found, evidence=evidence)
