"""STAR detection on clear examples."""

from __future__ import annotations

from interview_desktop.scoring.structure import StarResult, detect_star
from interview_desktop.storage.codec import decode_star, encode_star

FULL_STAR = (
    "At my previous job we had a release that kept slipping. "
    "My goal was to get it out by the end of March. "
    "I organised daily stand-ups and I wrote a test plan with the QA lead. "
    "As a result we shipped two weeks early and cut bugs by 40%."
)


def test_full_star_answer_has_every_part_with_its_sentence():
    star = detect_star(FULL_STAR)
    assert star.present == ["situation", "task", "action", "result"]
    assert star.missing == []
    assert star.evidence == {
        "situation": "At my previous job we had a release that kept slipping.",
        "task": "My goal was to get it out by the end of March.",
        "action": "I organised daily stand-ups and I wrote a test plan with the QA lead.",
        "result": "As a result we shipped two weeks early and cut bugs by 40%.",
    }


def test_answer_without_a_result():
    star = detect_star(
        "When I was at Acme, our build took forty minutes. I was responsible for the CI pipeline. "
        "I profiled the build and I rewrote the caching layer."
    )
    assert star.missing == ["result"]
    assert star.situation and star.task and star.action
    assert "result" not in star.evidence


def test_numbers_with_units_count_as_results_but_not_time_ago():
    assert detect_star("It now takes 5 minutes instead of an hour.").result
    assert detect_star("We grew revenue to $2 million.").result
    assert not detect_star("That was 2 years ago.").result


def test_spelled_out_figures_count_as_results():
    assert detect_star("Overtime fell by about eighteen percent.").result
    assert detect_star("The deal was worth one point two million dollars.").result


def test_vague_answer_has_no_star_parts():
    star = detect_star("I am a hard worker and I always give one hundred and ten.")
    assert star.present == []
    assert star.missing == ["situation", "task", "action", "result"]


def test_hypothetical_actions_only_count_for_situational_answers():
    text = "I would talk to both managers and I'd agree priorities so that nobody is surprised."
    assert not detect_star(text).action
    hypo = detect_star(text, hypothetical=True)
    assert hypo.action and hypo.result


def test_opening_sentence_in_the_past_tense_sets_the_scene():
    star = detect_star("A customer called because her internet had been down for days. I booked a visit.")
    assert star.situation
    assert star.evidence["situation"].startswith("A customer called")


def test_document_round_trip():
    star = detect_star(FULL_STAR)
    assert decode_star(encode_star(star)) == star
    assert decode_star(None) == StarResult()
