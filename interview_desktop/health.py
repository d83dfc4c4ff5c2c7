"""What ``--selftest`` checks beyond the window: the pieces a bundle could miss. The speech model loads
and hears a bundled recording, the voice activity detector finds the speech in it, and the offline
voice speaks a sentence. Each check returns what it found, in words, or raises ``HealthError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from interview_desktop.audio.vad import SileroVad
from interview_desktop.audio.wav import read_wav, resample
from interview_desktop.domain import AudioClip
from interview_desktop.errors import InterviewDesktopError
from interview_desktop.providers.base import ProviderError
from interview_desktop.providers.stt.accuracy import word_error_rate
from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT
from interview_desktop.providers.stt.model_check import check_recordings
from interview_desktop.providers.tts.piper_voice import PiperTTS

MAX_WER = 0.35  # the bundled Piper recording is heard almost word for word (tiny.en: 0.00)
Check = tuple[str, Callable[[], str]]


class HealthError(InterviewDesktopError):
    """A part of the app does not work here: why, in words."""


def _recording() -> tuple[np.ndarray, str]:
    path, text = check_recordings()[-1]  # the Piper one: a human-like voice
    return resample(read_wav(path), 16000).samples, text


def check_speech_model(model_id: str = "tiny.en") -> str:
    samples, text = _recording()
    stt = LocalWhisperSTT(model_id=model_id)
    started = time.perf_counter()
    try:
        stt.load()
        loaded = time.perf_counter() - started
        heard = stt.transcribe(AudioClip(samples, 16000)).text
    except (ProviderError, OSError) as err:
        raise HealthError(f"the speech model {model_id} does not work: {err}") from err
    wer = word_error_rate(text, heard)
    if wer > MAX_WER:
        raise HealthError(f"the speech model {model_id} misheard the test recording: {heard!r}")
    return f"speech model {model_id} loaded in {loaded:.1f} s, heard the test recording (WER {wer:.2f})"


def check_vad() -> str:
    samples, _ = _recording()
    try:
        vad = SileroVad()
    except (OSError, RuntimeError, ValueError) as err:
        raise HealthError(f"the voice activity detector cannot load: {err}") from err
    windows = len(samples) // 512
    speech = sum(vad.probability(samples[i * 512:(i + 1) * 512]) > 0.5 for i in range(windows))
    silence = SileroVad()
    quiet = sum(silence.probability(np.zeros(512, np.float32)) > 0.5 for _ in range(30))
    if speech < windows // 3 or quiet:
        raise HealthError(f"the voice activity detector is wrong: speech in {speech} of {windows} windows "
                          f"of the test recording, in {quiet} of 30 silent ones")
    return f"voice activity detector: speech in {speech} of {windows} windows, none in silence"


def check_offline_voice() -> str:
    voice = PiperTTS()
    started = time.perf_counter()
    try:
        clip = voice.synthesize("This is Interview Desktop checking its voice.")
    except ProviderError as err:
        raise HealthError(f"the offline voice does not work: {err}") from err
    if clip.duration_s < 1.0 or float(np.max(np.abs(clip.samples))) < 0.01:
        raise HealthError(f"the offline voice produced no speech ({clip.duration_s:.2f} s)")
    return f"offline voice {voice.voice_name}: a sentence in {time.perf_counter() - started:.1f} s " \
           f"({clip.duration_s:.1f} s of speech)"


def health_checks(model_id: str = "tiny.en") -> list[Check]:
    return [("speech model", lambda: check_speech_model(model_id)), ("voice activity detector", check_vad),
            ("offline voice", check_offline_voice)]
