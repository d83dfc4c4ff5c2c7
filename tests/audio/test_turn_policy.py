"""The end-of-turn decision: what the words say, how long the pause is, and the limits."""

from __future__ import annotations

import pytest

from interview_desktop.audio.turn_policy import EndOfTurn, TurnConfig, decide, looks_unfinished

CONFIG = TurnConfig()


@pytest.mark.parametrize("text", [
    "We moved everything to the cloud, and...",
    "We moved everything to the cloud and",
    "So the reason was because",
    "I think, um",
    "we cut the costs by",
    "The first thing I did was",
    "and then the",
    "which meant that we,",
    "So we found that most of them came from.",  # Whisper's full stop after a pause
    "It was the team I worked with.",  # rare as a real end: waits for the limit (or Space)
])
def test_words_that_cannot_end_an_answer(text):
    assert looks_unfinished(text) is True


@pytest.mark.parametrize("text", [
    "We cut the costs by thirty percent.",
    "I told them.",
    "That was it.",
    "And this team does exactly that.",
    "That is what it is.",
    "Would I do it again? Yes!",
    "We cut the costs by 30%.",  # Whisper writes numbers as digits: the last word is "30", not "by"
    "It went live in 2021.",
])
def test_words_that_end_an_answer(text):
    assert looks_unfinished(text) is False


def test_no_words_cannot_be_judged():
    assert looks_unfinished("") is None and looks_unfinished(" ... ") is None


def test_a_finished_sentence_ends_the_turn_after_a_short_pause():
    finished = "In my last role I led a team of four and we shipped on time."
    assert not decide(CONFIG, 0.5, True, finished).end
    verdict = decide(CONFIG, 0.6, True, finished)
    assert verdict.end and verdict.reason is EndOfTurn.FINISHED


def test_an_unfinished_clause_waits_up_to_the_limit():
    unfinished = "We moved our billing to the cloud, and..."
    for pause in (0.6, 1.5, 2.5, 3.0, 3.9):
        verdict = decide(CONFIG, pause, True, unfinished)
        assert not verdict.end and verdict.waiting_for == "thinking"
    verdict = decide(CONFIG, 4.0, True, unfinished)
    assert verdict.end and verdict.reason is EndOfTurn.PAUSE_LIMIT
    assert decide(TurnConfig(unfinished_limit_s=6.0), 5.0, True, unfinished).end is False


def test_the_words_of_the_last_stretch_are_waited_for():
    verdict = decide(CONFIG, 1.2, False, "We shipped on time.")
    assert not verdict.end and verdict.waiting_for == "words"
    assert decide(CONFIG, 4.0, False, "").reason is EndOfTurn.PAUSE_LIMIT


def test_a_very_short_answer_gets_more_time():
    assert not decide(CONFIG, 1.0, True, "Sure.").end and not decide(CONFIG, 1.9, True, "Then.").end
    assert decide(CONFIG, 2.0, True, "Sure.").end


def test_without_a_transcript_the_fixed_silence_rule_applies():
    assert not decide(CONFIG, 1.2, False, "", transcription_failed=True).end
    verdict = decide(CONFIG, 1.5, False, "", transcription_failed=True)
    assert verdict.end and verdict.reason is EndOfTurn.SILENCE


def test_the_limits_are_checked():
    with pytest.raises(ValueError):
        TurnConfig(finished_silence_s=5.0, unfinished_limit_s=4.0)
