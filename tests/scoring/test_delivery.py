"""Delivery metrics on hand-made word timings with known answers."""

from __future__ import annotations

import json

import pytest

from interview_desktop.domain import Word
from interview_desktop.scoring.delivery import (
    FILLERS_OK_PER_100,
    LENGTH_GUIDE_S,
    PACE_COMFORTABLE_WPM,
    PAUSE_MIN_S,
    delivery_metrics,
    filler_verdict,
    length_verdict,
    pace_verdict,
)
from interview_desktop.storage.codec import decode_metrics, encode_metrics


def evenly_timed(text: str, duration_s: float) -> list[Word]:
    """Whitespace tokens of ``text`` back to back, filling exactly ``duration_s`` seconds."""
    tokens = text.split()
    step = duration_s / len(tokens)
    return [Word(f" {t}", i * step, (i + 1) * step) for i, t in enumerate(tokens)]


def timed(*items: tuple[str, float, float]) -> list[Word]:
    return [Word(text, start, end) for text, start, end in items]


def filler_counts(text: str) -> dict[str, int]:
    return dict(delivery_metrics([], text=text).fillers)


# ------------------------------------------------------------------------------------------- pace


def test_150_words_over_60_seconds_is_150_wpm():
    words = evenly_timed(" ".join(f"word{i}" for i in range(150)), 60.0)
    m = delivery_metrics(words)
    assert m.word_count == 150
    assert m.speaking_time_s == pytest.approx(60.0)
    assert m.words_per_minute == pytest.approx(150.0)
    assert m.pace_verdict == "comfortable"
    assert m.length_verdict == "good"
    assert (m.pause_count, m.longest_pause_s, m.total_pause_s) == (0, 0.0, 0.0)


def test_speaking_time_runs_from_first_word_start_to_last_word_end():
    words = timed((" We", 2.0, 2.3), (" shipped", 2.3, 2.9), (" it.", 2.9, 3.0))
    m = delivery_metrics(words)
    assert m.speaking_time_s == pytest.approx(1.0)
    assert m.words_per_minute == pytest.approx(180.0)
    assert m.pace_verdict == "fast"


def test_vad_segments_set_the_speaking_time():
    words = evenly_timed(" ".join(["talk"] * 75), 29.0)
    m = delivery_metrics(words, speech_segments=[(12.0, 30.5), (0.5, 10.0)])
    assert m.speaking_time_s == pytest.approx(30.0)
    assert m.words_per_minute == pytest.approx(150.0)
    assert m.length_verdict == "short"


def test_pace_flags_slow_and_fast():
    slow = delivery_metrics(evenly_timed(" ".join(["so"] * 100), 60.0))
    fast = delivery_metrics(evenly_timed(" ".join(["go"] * 200), 60.0))
    assert slow.words_per_minute == pytest.approx(100.0)
    assert slow.pace_verdict == "too slow"
    assert fast.words_per_minute == pytest.approx(200.0)
    assert fast.pace_verdict == "too fast"


@pytest.mark.parametrize(
    ("wpm", "verdict"),
    [(109.9, "too slow"), (110, "slow"), (129.9, "slow"), (130, "comfortable"), (165, "comfortable"),
     (165.1, "fast"), (180, "fast"), (180.1, "too fast"), (None, None)],
)
def test_pace_verdict_boundaries(wpm, verdict):
    assert PACE_COMFORTABLE_WPM == (130.0, 165.0)
    assert pace_verdict(wpm) == verdict


@pytest.mark.parametrize(
    ("seconds", "verdict"),
    [(29.9, "too short"), (30, "short"), (59.9, "short"), (60, "good"), (120, "good"), (120.1, "long"),
     (180, "long"), (180.1, "too long"), (None, None)],
)
def test_length_verdict_boundaries(seconds, verdict):
    assert LENGTH_GUIDE_S == (60.0, 120.0)
    assert length_verdict(seconds) == verdict


# ----------------------------------------------------------------------------------------- pauses


def test_pauses_count_longest_and_total_are_exact():
    words = timed(
        (" I", 0.0, 0.3), (" started", 0.3, 0.8),
        (" the", 2.0, 2.2),  # 1.2 s pause
        (" project", 2.2, 2.8),
        (" in", 5.8, 6.0),  # 3.0 s pause
        (" March,", 6.0, 6.5),
        (" and", 7.4, 7.6),  # 0.9 s: not a pause
        (" then", 8.6, 9.0),  # exactly 1.0 s: a pause
    )
    m = delivery_metrics(words)
    assert PAUSE_MIN_S == 1.0
    assert m.pause_count == 3
    assert m.longest_pause_s == pytest.approx(3.0)
    assert m.total_pause_s == pytest.approx(5.2)
    assert m.speaking_time_s == pytest.approx(9.0)
    assert m.words_per_minute == pytest.approx(8 / 9.0 * 60)


def test_pauses_from_vad_segments_when_there_are_no_words():
    m = delivery_metrics([], speech_segments=[(0.0, 4.0), (5.5, 9.0), (9.5, 12.0)], text="a b c d e f")
    assert m.speaking_time_s == pytest.approx(12.0)
    assert m.words_per_minute == pytest.approx(30.0)
    assert (m.pause_count, m.longest_pause_s, m.total_pause_s) == (1, pytest.approx(1.5), pytest.approx(1.5))


# ---------------------------------------------------------------------------------------- fillers


def test_simple_fillers_and_drawn_out_spellings():
    assert filler_counts("Um, so, uh, I think erm we er did it. Ummm, hmmm, ah, right.") == {
        "um": 2, "uh": 1, "er": 1, "erm": 1, "ah": 1, "hmm": 1,
    }


def test_basically_actually_literally_always_count():
    assert filler_counts("Basically I actually literally rewrote it.") == {
        "basically": 1, "actually": 1, "literally": 1,
    }


@pytest.mark.parametrize(
    ("text", "fillers"),
    [
        ("I would like to lead the team.", 0),
        ("I like working in teams.", 0),
        ("It looks like rain.", 0),
        ("We used tools like Jenkins and Git.", 0),
        ("We tried something like that before.", 0),
        ("They like the new process.", 0),
        ("I'd like more feedback.", 0),
        ("Like, I was nervous.", 1),
        ("It was, like, a disaster.", 1),
        ("So like we just shipped it.", 1),
        ("And like, the client, like, hated it.", 2),
    ],
)
def test_like_as_filler_versus_verb_or_comparison(text, fillers):
    assert filler_counts(text).get("like", 0) == fillers


def test_like_after_a_pause_is_a_filler_but_not_without_the_pause():
    with_pause = timed((" We", 0.0, 0.2), (" went", 0.2, 0.5), (" like", 1.1, 1.3), (" three", 1.3, 1.6),
                       (" times", 1.6, 2.0))
    no_pause = timed((" We", 0.0, 0.2), (" went", 0.2, 0.5), (" like", 0.5, 0.7), (" three", 0.7, 1.0),
                     (" times", 1.0, 1.4))
    assert dict(delivery_metrics(with_pause).fillers) == {"like": 1}
    assert dict(delivery_metrics(no_pause).fillers) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You know, it was sort of hard.", {"you know": 1, "sort of": 1}),
        ("Do you know how it works?", {}),
        ("What kind of database did you use?", {}),
        ("It was a kind of queue.", {}),
        ("It was kind of slow, you know.", {"kind of": 1, "you know": 1}),
        ("I mean, the deadline moved.", {"i mean": 1}),
        ("I mean it when I say thanks.", {}),
        ("That is what I mean.", {}),
        ("If you know the answer, say it.", {}),
    ],
)
def test_multiword_fillers(text, expected):
    assert filler_counts(text) == expected


def test_fillers_per_100_words_and_verdict():
    text = "um " + " ".join(["word"] * 24) + " uh " + " ".join(["word"] * 24)  # 2 fillers in 50 words
    m = delivery_metrics([], text=text)
    assert m.word_count == 50
    assert m.filler_count == 2
    assert m.fillers_per_100_words == pytest.approx(4.0)
    assert m.filler_verdict == "too many"
    assert FILLERS_OK_PER_100 == 4.0
    assert filler_verdict(3.99) == "fine"


def test_fillers_counted_from_timed_words_with_punctuation_attached():
    words = timed((" Um,", 0.0, 0.3), (" I", 0.4, 0.5), (" mean,", 0.5, 0.8), (" we", 0.9, 1.0),
                  (" basically", 1.0, 1.5), (" shipped", 1.5, 1.9), (" it", 1.9, 2.0), (".", 2.0, 2.0))
    m = delivery_metrics(words)
    assert dict(m.fillers) == {"um": 1, "i mean": 1, "basically": 1}
    assert m.word_count == 7


# ------------------------------------------------------------------------------------ repetitions


def test_immediate_repetitions():
    text = "I I think the the plan had had a problem. Done. Done and, and it worked 20 20."
    m = delivery_metrics([], text=text)
    assert m.repeated_words == ("i", "the", "and")
    assert m.repeated_count == 3


def test_repeated_fillers_count_as_fillers_not_repetitions():
    m = delivery_metrics([], text="um um we we did it")
    assert m.filler_count == 2
    assert m.repeated_words == ("we",)


# -------------------------------------------------------------------------------------- text only


def test_typed_answer_has_no_timing_but_counts_fillers():
    m = delivery_metrics([], text="Basically, I led the migration, you know, in six weeks.")
    assert not m.timed
    assert m.speaking_time_s is None
    assert m.words_per_minute is None
    assert m.pace_verdict is None
    assert m.pause_count is None and m.longest_pause_s is None and m.total_pause_s is None
    assert m.length_verdict is None
    assert m.word_count == 10
    assert dict(m.fillers) == {"you know": 1, "basically": 1}
    assert m.fillers_per_100_words == pytest.approx(20.0)


def test_nothing_said():
    m = delivery_metrics([])
    assert m.word_count == 0
    assert m.words_per_minute is None
    assert m.fillers_per_100_words == 0.0
    assert m.filler_verdict == "fine"


def test_verdicts_of_a_short_fast_answer_with_fillers():
    m = delivery_metrics(evenly_timed(" ".join(["um"] + ["word"] * 9), 3.0))
    assert m.pace_verdict == "too fast"
    assert m.fillers_per_100_words == pytest.approx(10.0) and m.filler_verdict == "too many"
    assert m.length_verdict == "too short"


def test_document_round_trip_is_json_able():
    words = timed((" Um,", 0.0, 0.3), (" I", 1.5, 1.6), (" I", 1.6, 1.7), (" did", 1.7, 2.0))
    m = delivery_metrics(words)
    doc = json.loads(json.dumps(encode_metrics(m)))
    assert decode_metrics(doc) == m
