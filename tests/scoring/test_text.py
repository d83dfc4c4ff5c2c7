"""The stemmer and tokenizer behind relevance and coverage matching."""

from __future__ import annotations

import pytest

from interview_desktop.scoring.text import _porter, content_stems, sentences, stem, words

# From Porter (1980), "An algorithm for suffix stripping", steps 1–5 examples.
PORTER_EXAMPLES = {
    "caresses": "caress", "ponies": "poni", "ties": "ti", "cats": "cat", "feed": "feed", "agreed": "agre",
    "plastered": "plaster", "bled": "bled", "motoring": "motor", "sing": "sing", "conflated": "conflat",
    "troubled": "troubl", "sized": "size", "hopping": "hop", "tanned": "tan", "falling": "fall",
    "hissing": "hiss", "fizzed": "fizz", "failing": "fail", "filing": "file", "happy": "happi", "sky": "sky",
    "relational": "relat", "conditional": "condit", "rational": "ration", "digitizer": "digit",
    "operator": "oper", "feudalism": "feudal", "decisiveness": "decis", "hopefulness": "hope",
    "callousness": "callous", "triplicate": "triplic", "formative": "form", "formalize": "formal",
    "electrical": "electr", "goodness": "good", "revival": "reviv", "allowance": "allow",
    "inference": "infer", "airliner": "airlin", "adjustable": "adjust", "defensible": "defens",
    "irritant": "irrit", "replacement": "replac", "adjustment": "adjust", "dependent": "depend",
    "adoption": "adopt", "communism": "commun", "activate": "activ", "homologous": "homolog",
    "effective": "effect", "bowdlerize": "bowdler", "probate": "probat", "rate": "rate", "cease": "ceas",
    "controll": "control", "roll": "roll",
}


@pytest.mark.parametrize(("word", "expected"), sorted(PORTER_EXAMPLES.items()))
def test_porter_reference_examples(word, expected):
    assert _porter(word) == expected


@pytest.mark.parametrize(
    "group",
    [
        ("organise", "organised", "organize", "organization", "organising", "organisation"),
        ("analyse", "analysed", "analysis", "analyzed", "analyses"),
        ("behaviour", "behavior", "behavioural"),
        ("learnt", "learned", "learning", "learns"),
        ("prioritise", "prioritised", "prioritizing"),
        ("install", "installed", "installing"),
        ("travelled", "traveled", "travel"),
    ],
)
def test_spelling_variants_share_a_stem(group):
    assert len({stem(w) for w in group}) == 1, {w: stem(w) for w in group}


def test_words_keep_numbers_and_contractions_whole():
    assert words("I didn't cut costs by 3.5% or 1,000 dollars.") == [
        "i", "didn't", "cut", "costs", "by", "3.5", "or", "1,000", "dollars",
    ]


def test_content_stems_drop_stop_words_and_prompt_words():
    question = "Tell me about a time you handled a conflict"
    assert content_stems(question, drop_prompt_words=True) == ["conflict"]
    assert content_stems("Tell me about the conflicts") == ["tell", "conflict"]


def test_sentences_split_on_end_punctuation_and_lines():
    assert sentences("First one. Second one!\nThird; fourth?") == [
        "First one.", "Second one!", "Third", "fourth?",
    ]
