"""The hallucination guard's pure functions, on synthetic segment lists and synthetic signals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interview_desktop.providers.stt.hallucination import (
    SegmentInfo,
    filter_segments,
    is_known_hallucination,
    is_near_silent,
    is_prompt_echo,
    normalize_text,
    repeats_itself,
    segment_drop_reason,
    speech_level_dbfs,
)
from interview_desktop.providers.stt.local_whisper import DISFLUENCY_PROMPT

RATE = 16_000


def strong(text: str, start: float = 0.0, end: float = 4.0) -> SegmentInfo:
    """What a confidently recognised segment looks like (values seen from tiny.en on speech)."""
    return SegmentInfo(text, start, end, no_speech_prob=0.08, avg_logprob=-0.25,
                       compression_ratio=1.1, word_probs=(0.9, 0.8, 0.85))


def weak(text: str, start: float = 0.0, end: float = 5.0, **kw) -> SegmentInfo:
    values = dict(no_speech_prob=0.57, avg_logprob=-0.9, compression_ratio=0.7, word_probs=(0.5, 0.45))
    values.update(kw)
    return SegmentInfo(text, start, end, **values)


# --- rule (b): per-segment scores -------------------------------------------------------------


def test_whisper_convention_needs_both_no_speech_and_low_logprob():
    both = SegmentInfo(" I'm, like, thinking.", 0, 5, no_speech_prob=0.9, avg_logprob=-1.34)
    only_no_speech = SegmentInfo(" Real words here.", 0, 5, no_speech_prob=0.9, avg_logprob=-0.3)
    only_logprob = SegmentInfo(" Real words here.", 0, 5, no_speech_prob=0.1, avg_logprob=-1.3)
    assert segment_drop_reason(both) == "no_speech_prob"
    assert segment_drop_reason(only_no_speech) is None
    assert segment_drop_reason(only_logprob) is None


def test_repetitive_segment_is_dropped():
    seg = SegmentInfo(" A" + "a" * 400, 0, 5, no_speech_prob=0.5, avg_logprob=-0.2, compression_ratio=52.3)
    assert segment_drop_reason(seg) == "compression_ratio"


def test_failed_decode_of_barely_believed_words_is_dropped():
    # tiny.en on clicks: "I'm..." with no_speech_prob 0.58 (below 0.6) but junk everywhere else
    seg = SegmentInfo(" I'm...", 0, 5, no_speech_prob=0.58, avg_logprob=-1.52, word_probs=(0.13,))
    assert segment_drop_reason(seg) == "low_confidence"
    confident = SegmentInfo(" I'm sure.", 0, 5, no_speech_prob=0.58, avg_logprob=-1.52, word_probs=(0.8, 0.7))
    assert segment_drop_reason(confident) is None


def test_noise_hallucinations_seen_from_tiny_en_all_become_no_speech():
    # (text, no_speech_prob, avg_logprob, compression_ratio, mean word prob) measured on noise
    seen = [
        (" Okay, so, let's go.", 0.919, -1.497, 0.7, 0.23),
        (" I'm, like, thinking.", 0.902, -1.342, 0.71, 0.05),
        (" .", 0.944, -1.115, 0.11, 0.06),
        (" you", 0.942, -1.165, 0.27, 0.02),
        (" I'm going to go ahead and do that.", 0.931, -1.574, 0.85, 0.32),
        (" I'm...", 0.582, -1.524, 0.43, 0.13),
    ]
    for text, nsp, lp, cr, wp in seen:
        seg = SegmentInfo(text, 0.0, 5.0, nsp, lp, cr, (wp,))
        result = filter_segments([seg], duration_s=5.0, prompt=DISFLUENCY_PROMPT)
        assert result.no_speech, text
        assert result.text == ""


# --- rule (c): stock phrases and prompt echoes ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Thank you.", "thank you", " THANKS FOR WATCHING!!", "You", "Bye.", ".", "...", "Bye-bye!",
     "Subtitles by the Amara.org community", "Thanks for watching and please subscribe!", "[BLANK_AUDIO]",
     "♪", "Thank you very much."],
)
def test_known_phrases_are_recognised_case_and_punctuation_insensitive(text):
    assert is_known_hallucination(text)


@pytest.mark.parametrize("text", ["Thank you for the question, I led a team of four.", "I think so", "Yes."])
def test_real_answers_are_not_stock_phrases(text):
    assert not is_known_hallucination(text)


def test_stock_phrase_in_short_clip_is_no_speech_even_with_good_scores():
    result = filter_segments([strong(" Thank you.", 0, 1.2)], duration_s=1.5)
    assert result.no_speech and result.reason == "stock phrase" and result.text == ""


def test_stock_phrase_in_long_clip_with_good_scores_is_kept():
    result = filter_segments([strong(" Thank you.", 0, 1.2)], duration_s=8.0)
    assert not result.no_speech
    assert result.text == "Thank you."


def test_stock_phrase_in_long_clip_with_weak_scores_is_no_speech():
    result = filter_segments([weak(" Thanks for watching!")], duration_s=8.0)
    assert result.no_speech


def test_trailing_stock_phrase_after_a_real_answer_is_dropped_when_weak():
    # measured: tiny.en appends " Thank you." (no_speech_prob 0.57, avg_logprob -1.29) after an answer
    answer = strong(" We reduced the response time by thirty percent.", 0, 5.2)
    tail = weak(" Thank you.", 5.2, 7.0, no_speech_prob=0.57, avg_logprob=-1.29, word_probs=(0.49,))
    result = filter_segments([answer, tail], duration_s=7.0)
    assert not result.no_speech
    assert result.text == "We reduced the response time by thirty percent."
    assert [(s.text, why) for s, why in result.dropped] == [(" Thank you.", "stock phrase")]


def test_trailing_thank_you_said_clearly_is_kept():
    answer = strong(" That is why I want this job.", 0, 3.0)
    thanks = strong(" Thank you.", 3.0, 4.0)
    assert filter_segments([answer, thanks], duration_s=4.5).text == "That is why I want this job. Thank you."


def test_prompt_echo_is_no_speech():
    prompt = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."
    assert is_prompt_echo("I'm, like, thinking.", prompt)
    assert is_prompt_echo("okay here's what", prompt)
    assert not is_prompt_echo("I'm thinking about it", prompt)
    assert not is_prompt_echo("anything", None)
    assert is_prompt_echo("Like, hmm. Okay.", DISFLUENCY_PROMPT)
    result = filter_segments([weak(" I'm, like, thinking.")], duration_s=5.0, prompt=prompt)
    assert result.no_speech and result.reason in {"prompt echo", "no segments left"}


@pytest.mark.parametrize(
    "text, no_speech_prob, avg_logprob, word_prob",
    # what tiny.en made of 5 s of clicks under different sampling seeds (temperature fallback)
    [(" What's going on?", 0.47, -1.27, 0.40), (" Hey, hey, hey, hey, hey.", 0.47, -0.98, 0.52),
     (" The end of the video is on the right side of the video.", 0.47, -1.47, 0.36),
     (" One, two, three.", 0.47, -1.67, 0.50), (" Mm-hmm.", 0.47, -1.48, 0.30)],
)
def test_weak_segments_are_dropped_when_no_voice_was_detected(text, no_speech_prob, avg_logprob, word_prob):
    seg = SegmentInfo(text, 0, 5, no_speech_prob, avg_logprob, 1.0, (word_prob,))
    assert filter_segments([seg], duration_s=5.0, voice_detected=False).no_speech
    if not is_known_hallucination(text):
        assert not filter_segments([seg], duration_s=5.0, voice_detected=None).no_speech
        assert not filter_segments([seg], duration_s=5.0, voice_detected=True).no_speech


def test_confident_segments_survive_a_vad_miss():
    seg = strong(" I enjoy solving hard problems.")
    result = filter_segments([seg], duration_s=5.0, voice_detected=False)
    assert result.text == "I enjoy solving hard problems."


def test_extra_phrases_are_matched_like_known_ones():
    segs = [weak(" Ask the next question.")]
    result = filter_segments(segs, duration_s=5, extra_phrases=["ask the NEXT question"])
    assert result.no_speech


def test_punctuation_only_and_empty_lists_are_no_speech():
    assert filter_segments([], duration_s=5.0).no_speech
    assert filter_segments([strong(" .")], duration_s=5.0).no_speech
    assert filter_segments([strong(" - ...")], duration_s=5.0).no_speech


def test_real_speech_passes_untouched():
    segs = [strong(" In my last role I led a team of four engineers.", 0, 4),
            strong(" We migrated billing to the cloud.", 4, 7)]
    result = filter_segments(segs, duration_s=7.5, prompt=DISFLUENCY_PROMPT)
    assert not result.no_speech and not result.dropped
    assert result.text == "In my last role I led a team of four engineers. We migrated billing to the cloud."


def test_segments_without_scores_from_a_cloud_provider():
    # A provider that gives no scores cannot vouch for a stock phrase, but real text passes.
    assert filter_segments([SegmentInfo("Thank you.")], duration_s=10).no_speech
    assert filter_segments([SegmentInfo("I enjoy solving hard problems.")], duration_s=10).text == (
        "I enjoy solving hard problems."
    )


def test_groq_verbose_json_segments_go_through_the_same_rules():
    verbose = {
        "text": " I led the migration. Thank you.",
        "segments": [
            {"id": 0, "seek": 0, "start": 0.0, "end": 2.5, "text": " I led the migration.",
             "tokens": [1, 2], "temperature": 0.0, "avg_logprob": -0.21, "compression_ratio": 0.9,
             "no_speech_prob": 0.02},
            {"id": 1, "seek": 0, "start": 2.5, "end": 6.0, "text": " Thank you.", "tokens": [3],
             "temperature": 0.0, "avg_logprob": -1.4, "compression_ratio": 0.6, "no_speech_prob": 0.8},
        ],
    }
    segs = [SegmentInfo.from_mapping(s) for s in verbose["segments"]]
    assert segs[1] == SegmentInfo(" Thank you.", 2.5, 6.0, 0.8, -1.4, 0.6, ())
    result = filter_segments(segs, duration_s=6.0)
    assert result.text == "I led the migration."
    with_words = {"text": "hi", "words": [{"word": "hi", "probability": 0.5}]}
    assert SegmentInfo.from_mapping(with_words).word_probs == (0.5,)


def test_normalize_text():
    assert normalize_text("  Thanks for WATCHING!!  ") == "thanks for watching"
    assert normalize_text("I’m, like… 'thinking'") == "i'm like thinking"
    assert normalize_text("...") == ""


# --- rule (a): energy gate -----------------------------------------------------------------------


def tone(amplitude: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_speech_level_of_a_sine_is_its_rms():
    assert speech_level_dbfs(tone(0.5), RATE) == pytest.approx(20 * math.log10(0.5 / math.sqrt(2)), abs=0.1)


def test_digital_silence_and_no_audio_are_minus_infinity():
    assert speech_level_dbfs(np.zeros(RATE, np.float32), RATE) == -math.inf
    assert speech_level_dbfs(np.zeros(0, np.float32), RATE) == -math.inf
    assert is_near_silent(np.zeros(RATE, np.float32), RATE)


def test_quiet_noise_is_gated_and_moderate_noise_is_not():
    rng = np.random.default_rng(1)
    noise = rng.standard_normal(5 * RATE)
    assert is_near_silent(noise * 10 ** (-60 / 20), RATE)
    assert not is_near_silent(noise * 10 ** (-40 / 20), RATE)


def test_dc_offset_is_not_energy():
    assert is_near_silent(np.full(RATE, 0.2, np.float32), RATE)


def test_a_short_loud_word_in_a_long_quiet_clip_is_not_silence():
    clip = np.zeros(30 * RATE, np.float32)
    clip[RATE : RATE + RATE // 2] = tone(0.05, 0.5)  # half a second at about -29 dBFS
    assert speech_level_dbfs(clip, RATE) > -32
    assert not is_near_silent(clip, RATE)


@pytest.mark.parametrize(("text", "loop"), [
    ("I want to work here because you help. I want to work here because you help.", True),
    ("so that new engineers could handle the remaining alerts. And engineers could handle the remaining "
     "alerts. And engineers could handle the remaining alerts.", True),  # measured
    ("I think, I think we shipped it on time.", False),  # a speaker repeats two words, not four
    ("We tested it, then we tested it again in staging.", False),
    ("", False),
])
def test_a_run_of_words_said_twice_in_a_row_is_a_decoder_loop(text, loop):
    assert repeats_itself(text) is loop


def test_a_long_answer_that_goes_over_the_same_ground_is_not_a_loop():
    """The turn benches' 120 s answer says its eight sentences twice (90 words apart): a whole-answer
    pass over it was taken for a loop and decoded three more times."""
    from tests.speech import LONG_ANSWER_SENTENCES

    block = " ".join(LONG_ANSWER_SENTENCES)
    assert not repeats_itself(f"{block} {block}")
    assert repeats_itself(f"{block} we shipped it on time we shipped it on time")
