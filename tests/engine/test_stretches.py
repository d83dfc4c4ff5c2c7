"""Transcription while the candidate speaks, on real espeak-ng speech and the bundled Whisper model:
joins at pauses and inside words lose and double no words, the speculative pass is dropped when the
candidate goes on and kept when they stop, and the result is as good as one pass over the answer."""

from __future__ import annotations

import logging
import re

import numpy as np
import pytest

from interview_desktop.audio.turn_policy import looks_unfinished
from interview_desktop.audio.vad import EndpointConfig, Endpointer
from interview_desktop.domain import AudioClip
from interview_desktop.engine import stretches as stretches_module
from interview_desktop.engine.stretches import StretchConfig, StretchTranscriber
from interview_desktop.providers.base import FallbackChain
from tests.speech import espeak_clip, piper_clip, word_error_rate

SENTENCES = [
    "In my last role I led the migration of our billing service to a new queue.",
    "The old system failed about twice a week and every failure paged the engineer on call.",
    "We moved one job type at a time and the failures dropped by ninety percent.",
]
CHUNK = 480  # 30 ms, as the engine's poll


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), dtype=np.float32)


def inline_submit(job, on_done=None, on_error=None):
    """BackgroundTasks.submit, but the job runs now (stream time stands still while it runs)."""
    try:
        result = job()
    except Exception as err:  # noqa: BLE001 - handed to the error handler as BackgroundTasks does
        return on_error(err)
    on_done(result)


def feed_on_time(endpointer, transcriber, audio, pending, after_each=lambda: None):
    """Feed ``audio`` 30 ms at a time; a pass in ``pending`` ((stream time it returns at, job,
    on_done, on_error)) returns once the stream has reached that time."""
    for start in range(0, len(audio), CHUNK):
        endpointer.feed(audio[start:start + CHUNK])
        while pending and pending[0][0] <= endpointer.fed_s:
            inline_submit(*pending.pop(0)[1:])
        transcriber.update(endpointer)
        after_each()


def speak(stt, audio: np.ndarray, config: StretchConfig):
    """Feed ``audio`` 30 ms at a time as the engine does; the words when the answer is over."""
    endpointer = Endpointer(EndpointConfig(hangover_s=30.0, no_speech_timeout_s=None))
    transcriber = StretchTranscriber(stt, inline_submit, config)
    drafts = []
    for start in range(0, len(audio), CHUNK):
        endpointer.feed(audio[start:start + CHUNK])
        transcriber.update(endpointer)
        if not drafts or drafts[-1] != transcriber.draft:
            drafts.append(transcriber.draft)
    finals = []
    transcriber.finish(endpointer, lambda: finals.append(True))
    assert finals == [True]
    clip = endpointer.clip()
    result = transcriber.transcript(endpointer.clip_start_s, clip.duration_s)
    assert result is not None
    return result.value, transcriber, drafts


@pytest.fixture(scope="module")
def stt(whisper):
    return FallbackChain("speech-to-text", [whisper])


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def assert_no_word_lost_or_doubled(reference: str, text: str, slack: int = 2) -> None:
    """As many words as were said (± ``slack``: a misheard word can split or merge), and no run of
    three words heard twice in a row (what a doubled join looks like)."""
    said, heard = words_of(reference), words_of(text)
    assert abs(len(heard) - len(said)) <= slack, (len(said), len(heard), text)
    grams = [tuple(heard[i:i + 3]) for i in range(len(heard) - 2)]
    doubled = [g for i, g in enumerate(grams) if g in grams[i + 1:i + 6] and g not in
               [tuple(words_of(reference)[j:j + 3]) for j in range(len(said) - 2)]]
    assert not doubled, (doubled, text)


@pytest.mark.parametrize("voice", ["espeak", "piper"])
def test_stretches_joined_at_pauses_read_as_one_pass_over_the_answer(stt, whisper, voice):
    speak_one = (lambda s: espeak_clip(s, wpm=160)) if voice == "espeak" else (lambda s: piper_clip(s))
    audio = np.concatenate([part for s in SENTENCES for part in (speak_one(s).samples, silence(0.6))])
    transcript, transcriber, drafts = speak(stt, audio, StretchConfig(min_stretch_s=8.0))
    whole = whisper.transcribe(AudioClip(audio, 16000)).text
    reference = " ".join(SENTENCES)
    assert transcriber.passes >= 3  # a pass at each pause: only the last sentence was left at the end
    assert_no_word_lost_or_doubled(reference, transcript.text)
    # tiny.en hears a sentence alone worse than in context: the +0.02 target is for the app's default
    # stretches (20 s, see bench/turn_latency.py); these 8 s stretches are held to +0.12
    assert word_error_rate(reference, transcript.text) <= word_error_rate(reference, whole) + 0.12, (
        transcript.text, whole)
    assert len(drafts) >= 3 and all(drafts[1:])  # captions grow and never go blank
    times = [w.start for w in transcript.words]
    assert times == sorted(times) and transcript.words[-1].end <= transcript.duration_s + 0.01


@pytest.mark.parametrize("cut_in", ["billing", "migration"])
def test_a_cut_inside_a_word_neither_loses_nor_doubles_it(stt, whisper, monkeypatch, cut_in):
    audio = espeak_clip(SENTENCES[0] + " " + SENTENCES[1], wpm=170).samples  # no pause between them
    timed = whisper.transcribe(AudioClip(audio, 16000))
    word = next(w for w in timed.words if cut_in in w.text.lower())
    middle = (word.start + word.end) / 2
    cuts = []
    quietest = stretches_module._quietest_point

    def first_cut_inside_the_word(endpointer, start_s, end_s):
        cuts.append(middle if not cuts else quietest(endpointer, start_s, end_s))
        return cuts[-1]

    monkeypatch.setattr(stretches_module, "_quietest_point", first_cut_inside_the_word)
    transcript, transcriber, _ = speak(stt, np.concatenate([audio, silence(1.0)]),
                                       StretchConfig(max_stretch_s=4.0, min_stretch_s=30.0))
    assert cuts and cuts[0] == middle, "no cut was made inside the word"
    assert len(cuts) >= 2  # and more cuts inside speech, where the speech is quietest
    reference = SENTENCES[0] + " " + SENTENCES[1]
    assert_no_word_lost_or_doubled(reference, transcript.text, slack=2 * len(cuts))  # a garbled word a cut
    assert word_error_rate(reference, transcript.text) <= 0.5, (transcript.text, timed.text)


def test_the_speculative_pass_is_dropped_when_the_candidate_goes_on(stt, caplog):
    first = espeak_clip("We moved everything to the cloud, and", wpm=160).samples
    second = espeak_clip("we cut the costs by thirty percent.", wpm=160).samples
    audio = np.concatenate([first, silence(1.2), second, silence(1.0)])
    with caplog.at_level(logging.INFO, logger="interview_desktop.engine"):
        transcript, transcriber, drafts = speak(stt, audio, StretchConfig(min_stretch_s=10.0))
    assert any("cloud" in d and "thirty" not in d and "30" not in d for d in drafts)  # the pass ran
    assert "speculative pass" in caplog.text and "dropped" in caplog.text
    assert transcriber.passes == 2  # the dropped pass, then the whole answer once at the end
    said = words_of(transcript.text)
    assert said.count("cloud") == 1 and ("thirty" in said or "30" in transcript.text), transcript.text


def test_the_speculative_pass_is_kept_when_no_speech_follows(stt):
    spoken = espeak_clip("We cut the costs by thirty percent.", wpm=160).samples
    audio = np.concatenate([spoken, silence(1.5)])
    transcript, transcriber, _ = speak(stt, audio, StretchConfig(min_stretch_s=10.0))
    assert transcriber.passes == 1  # the pass started at the pause was the final one
    assert "cost" in transcript.text.lower()


def test_a_failed_stretch_is_tried_again_at_the_end_and_then_reported(whisper):
    class Failing:
        name, cloud = "broken", False
        calls = 0

        def transcribe(self, clip):
            from interview_desktop.providers.base import ProviderUnavailable

            Failing.calls += 1
            raise ProviderUnavailable("the speech service is down")

    chain = FallbackChain("speech-to-text", [Failing()])
    audio = np.concatenate([espeak_clip(SENTENCES[0], wpm=160).samples, silence(1.0)])
    endpointer = Endpointer(EndpointConfig(hangover_s=30.0, no_speech_timeout_s=None))
    transcriber = StretchTranscriber(chain, inline_submit, StretchConfig(min_stretch_s=2.0))
    for start in range(0, len(audio), CHUNK):
        endpointer.feed(audio[start:start + CHUNK])
        transcriber.update(endpointer)
    assert Failing.calls == 1 and transcriber.failed  # not retried on every poll
    done = []
    transcriber.finish(endpointer, lambda: done.append(True))
    assert done == [True] and Failing.calls == 2
    assert transcriber.transcript(endpointer.clip_start_s, 5.0) is None


class Heard:
    """The speech-to-text chain around the real model, remembering each clip it was given."""

    def __init__(self, whisper):
        self.whisper, self.clips = whisper, []
        self.name, self.cloud = "local-whisper", False

    def transcribe(self, clip):
        self.clips.append(clip.samples.copy())
        return self.whisper.transcribe(clip)


def test_going_on_after_an_end_hears_the_short_first_sentence_again_and_silences_the_echo(whisper):
    """A wrong end after the first sentence: when the candidate goes on, the sentence finish() kept is
    transcribed again with what follows, and the app's voice in between is heard as silence."""
    heard = Heard(whisper)
    transcriber = StretchTranscriber(FallbackChain("speech-to-text", [heard]), inline_submit)
    endpointer = Endpointer(EndpointConfig(hangover_s=30.0, no_speech_timeout_s=None))

    def feed(audio):
        for start in range(0, len(audio), CHUNK):
            endpointer.feed(audio[start:start + CHUNK])
            transcriber.update(endpointer)

    # the candidate in Piper's voice (espeak's words sit at tiny.en's limit: whether "led the
    # migration" is heard changed with the CPU's int8 kernels), the app's question in espeak's
    feed(np.concatenate([silence(0.3), piper_clip(SENTENCES[0]).samples, silence(0.7)]))
    finals = []
    transcriber.finish(endpointer, lambda: finals.append(True))
    assert finals == [True] and "migration" in transcriber.draft
    echo_from = endpointer.fed_s
    feed(espeak_clip("Tell me about a time you disagreed with your manager.", voice="en-us").samples * 0.5)
    echo_to = endpointer.fed_s
    transcriber.reopen(echo_from, echo_to)
    assert "migration" in transcriber.draft  # still shown while it is heard again
    feed(np.concatenate([piper_clip(SENTENCES[1]).samples, silence(0.7)]))
    transcriber.finish(endpointer, lambda: finals.append(True))
    assert finals == [True, True]
    text = transcriber.transcript(endpointer.clip_start_s, endpointer.fed_s).value.text
    assert word_error_rate(f"{SENTENCES[0]} {SENTENCES[1]}", text) <= 0.25, text
    assert "manager" not in text.lower() and "disagree" not in text.lower(), text
    last = heard.clips[-1]  # one pass over both sentences, the echo between them silent
    assert len(last) / 16000 > 9.0
    gap = last[round((echo_from + 0.05) * 16000):round((echo_to - 0.05) * 16000)]
    assert len(gap) > 16000 and not np.any(gap)


class LoudIsSpeech:
    """A voice detector that takes every loud window for speech (espeak speech is loud)."""

    def probability(self, window):
        return 1.0 if float(np.sqrt(np.mean(np.square(window)))) > 0.03 else 0.0

    def reset(self):
        pass


def test_a_soft_word_too_short_to_count_as_speech_is_transcribed_before_the_answer_can_end(whisper):
    """'…to the cloud, and' with a soft, short "and": the pass that stopped at "cloud" does not cover
    the answer; the words are complete only once a pass has heard the "and" too."""
    heard = Heard(whisper)
    transcriber = StretchTranscriber(FallbackChain("speech-to-text", [heard]), inline_submit)
    endpointer = Endpointer(EndpointConfig(hangover_s=30.0, no_speech_timeout_s=None, min_speech_s=0.25),
                            vad=LoudIsSpeech())

    def feed(audio):
        for start in range(0, len(audio), CHUNK):
            endpointer.feed(audio[start:start + CHUNK])
            transcriber.update(endpointer)

    feed(np.concatenate([silence(0.3), espeak_clip("We moved the billing system to the cloud.",
                                                   wpm=160).samples, silence(0.5)]))
    assert transcriber.covers(endpointer) and "cloud" in transcriber.draft
    passes = transcriber.passes
    word = espeak_clip("and", wpm=200).samples
    voiced = np.flatnonzero(np.abs(word) > 0.05)
    soft = word[voiced[0]:voiced[0] + int(0.18 * 16000)]  # under min_speech_s: never speech
    speech_end = endpointer.last_speech_end_s
    endpointer.feed(soft)
    assert endpointer.last_speech_end_s == speech_end and not transcriber.covers(endpointer)
    feed(silence(0.6))
    assert transcriber.passes == passes + 1  # heard again, the soft word included
    assert len(heard.clips[-1]) / 16000 >= endpointer.last_voice_end_s - 0.3 - 0.05
    assert transcriber.covers(endpointer)


def test_the_last_pass_over_a_long_stretch_starts_at_once_and_is_kept(stt):
    """At the end of a long answer the last stretch is long enough to keep: its pass starts as soon
    as the quiet is ``pause_s`` long, not once the detector has confirmed the pause (0.1 s later,
    every turn), and it is kept, not redone."""
    spoken = np.concatenate([espeak_clip(s, wpm=160).samples for s in SENTENCES[:2]])
    audio = np.concatenate([spoken, silence(1.5)])
    endpointer = Endpointer(EndpointConfig(hangover_s=30.0, no_speech_timeout_s=None))
    submitted_at = []

    def submit(job, on_done=None, on_error=None):
        submitted_at.append((endpointer.last_voice_end_s, endpointer.fed_s - endpointer.last_voice_end_s))
        inline_submit(job, on_done, on_error)

    config = StretchConfig(min_stretch_s=5.0)
    transcriber = StretchTranscriber(stt, submit, config)
    for start in range(0, len(audio), CHUNK):
        endpointer.feed(audio[start:start + CHUNK])
        transcriber.update(endpointer)
    # the passes after the last word
    submitted_at = [quiet for last, quiet in submitted_at if last == endpointer.last_voice_end_s]
    assert len(submitted_at) == 1, submitted_at  # one pass: started in the quiet, then kept
    assert config.pause_s <= submitted_at[0] < 0.3, submitted_at  # before the detector's 0.3 s pause
    assert transcriber.draft and transcriber._spec is None  # kept for good once the pause was confirmed
    passes = transcriber.passes
    finals = []
    transcriber.finish(endpointer, lambda: finals.append(True))
    assert finals == [True] and transcriber.passes == passes  # nothing left to transcribe


def test_a_long_stretch_closed_by_a_short_pause_is_kept_though_the_candidate_goes_on_before_its_pass_returns(
        stt, caplog):
    """A pass takes longer than a 0.4 s pause between sentences: the pass over a long stretch starts
    speculatively at 0.2 s of quiet and returns once the candidate is speaking again. It is kept
    (the detector counted the pause while it ran), not dropped and redone, so the next stretches are
    not cut inside speech at ``max_stretch_s``."""
    long_part = np.concatenate([espeak_clip(s, wpm=160).samples for s in SENTENCES[:2]])
    last = espeak_clip(SENTENCES[2], wpm=160).samples
    audio = np.concatenate([long_part, silence(0.4), last, silence(1.5)])
    endpointer = Endpointer(EndpointConfig(hangover_s=30.0, no_speech_timeout_s=None))
    pending = []

    def slow_submit(job, on_done=None, on_error=None):  # the pass returns 0.8 s of audio later
        pending.append((endpointer.fed_s + 0.8, job, on_done, on_error))

    transcriber = StretchTranscriber(stt, slow_submit, StretchConfig(min_stretch_s=5.0))
    with caplog.at_level(logging.DEBUG, logger="interview_desktop.engine"):
        feed_on_time(endpointer, transcriber, audio, pending)
        finals = []
        transcriber.finish(endpointer, lambda: finals.append(True))
        while pending:
            inline_submit(*pending.pop(0)[1:])
    assert finals == [True]
    dropped = [float(b) - float(a) for a, b in re.findall(r"over ([\d.]+)-([\d.]+)s dropped", caplog.text)]
    assert all(length < 5.0 for length in dropped), caplog.text  # only a stretch too short to keep
    assert "ends at a pause: kept for good" in caplog.text, caplog.text
    assert transcriber.passes == len(dropped) + 2  # the long stretch once, the last sentence once
    result = transcriber.transcript(endpointer.clip_start_s, endpointer.clip().duration_s)
    assert_no_word_lost_or_doubled(" ".join(SENTENCES), result.value.text)


def test_the_end_of_a_long_stretch_is_judged_on_its_last_words_before_the_pass_over_all_of_it(stt, caplog):
    """A pass over the whole last stretch of a long answer takes longer than the silence that ends a
    finished answer. Its last words are heard alone first (a short pass): the words look finished and
    cover the voice long before the whole stretch is transcribed; the transcript is the whole pass's
    (the last words are not in it twice)."""
    audio = np.concatenate([np.concatenate([espeak_clip(s, wpm=160).samples, silence(0.15)])
                            for s in SENTENCES] + [silence(2.0)])
    endpointer = Endpointer(EndpointConfig(hangover_s=30.0, no_speech_timeout_s=None))
    pending, clips = [], []

    def slow_submit(job, on_done=None, on_error=None):  # a pass takes 0.1 s per second of audio
        result = job()

        def returned(result=result):
            clips.append(result.value.duration_s)
            return result
        pending.append((endpointer.fed_s + 0.1 * result.value.duration_s, returned, on_done, on_error))

    transcriber = StretchTranscriber(stt, slow_submit, StretchConfig())
    judged = None  # (silence when the words first covered the voice, the words judged, passes done)
    def judge():
        nonlocal judged
        if judged is None and endpointer.silence_s and transcriber.covers(endpointer):
            judged = (endpointer.silence_s, transcriber.ending_words, list(clips))

    with caplog.at_level(logging.DEBUG, logger="interview_desktop.engine"):
        feed_on_time(endpointer, transcriber, audio, pending, judge)
    assert judged is not None, caplog.text
    silence_s, words, done = judged
    assert transcriber.ending_passes >= 1 and done and done[-1] <= 8.0  # judged on the last words alone
    assert looks_unfinished(words) is False and "dropped" in words, words
    assert silence_s < 1.0  # in time for a finished answer's silence (the whole pass alone takes 1.6 s)
    finals = []
    transcriber.finish(endpointer, lambda: finals.append(True))
    while pending:
        inline_submit(*pending.pop(0)[1:])
    assert finals == [True] and clips[-1] >= 14.0  # the transcript is the pass over the whole stretch
    result = transcriber.transcript(endpointer.clip_start_s, endpointer.clip().duration_s)
    assert_no_word_lost_or_doubled(" ".join(SENTENCES), result.value.text)


def test_what_is_heard_after_the_end_while_the_last_pass_runs_is_not_the_answer(stt):
    """The next question can start while the last pass still runs; the microphone then hears its
    echo. The answer ends where the voice was when it was ended: the echo is not transcribed into it."""
    answer = np.concatenate([espeak_clip(SENTENCES[0], wpm=160).samples, silence(0.25)])
    echo = np.concatenate([espeak_clip("Tell me about a time you disagreed with a teammate.",
                                       wpm=160).samples, silence(0.5)])
    endpointer = Endpointer(EndpointConfig(hangover_s=30.0, no_speech_timeout_s=None))
    pending, clips = [], []

    def held_submit(job, on_done=None, on_error=None):  # returns when the test says
        pending.append((job, on_done, on_error))

    transcriber = StretchTranscriber(stt, held_submit)

    def feed(audio):
        for start in range(0, len(audio), CHUNK):
            endpointer.feed(audio[start:start + CHUNK])

    for start in range(0, len(answer), CHUNK):
        endpointer.feed(answer[start:start + CHUNK])
        transcriber.update(endpointer)
    assert len(pending) == 1  # the last pass, started in the quiet
    finals = []
    transcriber.finish(endpointer, lambda: finals.append(True))
    feed(echo)  # the next question, heard while that pass runs
    while pending:
        job, on_done, on_error = pending.pop(0)
        result = job()
        clips.append(result.value.duration_s)
        inline_submit(lambda result=result: result, on_done, on_error)
    assert finals == [True] and len(clips) == 1, clips  # no pass over the echo
    text = transcriber.transcript(endpointer.clip_start_s, endpointer.clip().duration_s).value.text.lower()
    assert "billing" in text and "teammate" not in text, text
