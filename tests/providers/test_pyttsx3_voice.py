"""Pyttsx3TTS with the real pyttsx3 + libespeak-ng, and the WAV validation it relies on."""

from __future__ import annotations

import gc
import logging
import sys
import threading
import wave
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from interview_desktop.audio.errors import InvalidWavError
from interview_desktop.audio.wav import validate_wav, write_wav
from interview_desktop.domain import AudioClip
from interview_desktop.providers.base import ProviderBadResponse, ProviderUnavailable, TextToSpeech
from interview_desktop.providers.tts import pyttsx3_voice as tts_pyttsx3
from interview_desktop.providers.tts.pyttsx3_voice import Pyttsx3TTS

QUESTIONS = [
    "Tell me about yourself.",
    "Describe a time you disagreed with a colleague and how you resolved it.",
    "Why do you want to work for our company?",
    "What is your greatest weakness, and what are you doing about it?",
    "Walk me through a project you are proud of, from the first idea to the launch.",
]


def expected_seconds(text: str, rate: int) -> float:
    return len(text.split()) / rate * 60.0


def assert_speech(clip: AudioClip, text: str, rate: int) -> None:
    assert clip.sample_rate == 22_050
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    # espeak-ng speaks ~15 % faster than the nominal rate (measured: 3.95 s for 4.7 s nominal)
    assert 0.5 * expected_seconds(text, rate) <= clip.duration_s <= 1.5 * expected_seconds(text, rate) + 0.5
    assert float(np.sqrt(np.mean(clip.samples**2))) > 0.01  # not silence
    assert float(np.max(np.abs(clip.samples))) <= 1.0


def test_is_a_local_text_to_speech_provider():
    tts = Pyttsx3TTS()
    assert isinstance(tts, TextToSpeech)
    assert (tts.name, tts.cloud, tts.rate) == ("pyttsx3", False, 165)


def test_synthesize_returns_plausible_speech():
    text = QUESTIONS[1]
    assert_speech(Pyttsx3TTS().synthesize(text), text, 165)


def test_rate_changes_the_duration():
    text = QUESTIONS[4]
    slow = Pyttsx3TTS(rate=120).synthesize(text)
    fast = Pyttsx3TTS(rate=220).synthesize(text)
    assert_speech(slow, text, 120)
    assert_speech(fast, text, 220)
    assert slow.duration_s > 1.4 * fast.duration_s


def test_ten_consecutive_calls_from_a_worker_thread_are_all_valid():
    """The engine calls synthesize from a ThreadPoolExecutor(max_workers=1), not the creating thread."""
    tts = Pyttsx3TTS()
    tts.load()  # created on this (the test's) thread
    durations: dict[str, set[float]] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        for i in range(10):
            text = QUESTIONS[i % len(QUESTIONS)]
            clip = pool.submit(tts.synthesize, text).result(timeout=30)
            assert_speech(clip, text, 165)
            durations.setdefault(text, set()).add(round(clip.duration_s, 2))
    for text, seen in durations.items():  # the same text gives the same audio every time
        assert max(seen) - min(seen) <= 0.05, (text, seen)


def test_long_text_is_complete(caplog):
    """A 30 s text: espeak writes the file on its own thread, after runAndWait() may have returned
    (measured on a fresh engine); synthesize must hand back the complete audio, first time."""
    text = " ".join(QUESTIONS * 4)
    with caplog.at_level(logging.WARNING, logger="interview_desktop.tts"):
        clips = [Pyttsx3TTS().synthesize(text) for _ in range(3)]
    for clip in clips:
        assert_speech(clip, text, 165)
    assert not [r for r in caplog.records if "attempt" in r.getMessage()]  # no retry was needed


def test_alternating_rates_and_voices_in_one_process(caplog):
    """Rate and voice are process-wide espeak settings; each provider still gets its own."""
    text = QUESTIONS[1]
    providers = [Pyttsx3TTS(rate=120), Pyttsx3TTS(rate=220, voice="gmw/en-us"), Pyttsx3TTS(rate=165)]
    seen: dict[int, set[float]] = {0: set(), 1: set(), 2: set()}
    with caplog.at_level(logging.WARNING, logger="interview_desktop.tts"):
        for i in range(30):
            seen[i % 3].add(round(providers[i % 3].synthesize(text).duration_s, 1))
    assert all(len(s) == 1 for s in seen.values()), seen
    assert min(seen[0]) > min(seen[2]) > min(seen[1])
    assert not caplog.records


def test_temp_files_are_removed(tmp_path):
    Pyttsx3TTS(tmp_dir=tmp_path).synthesize("Hello.")
    assert list(tmp_path.iterdir()) == []


def test_blank_text_is_a_caller_bug():
    with pytest.raises(ValueError):
        Pyttsx3TTS().synthesize("   ")


def test_voices_are_listed_and_an_unknown_voice_falls_back(caplog):
    tts = Pyttsx3TTS(voice="no-such-voice")
    ids = [vid for vid, _ in tts.voices()]
    assert "gmw/en" in ids or any(v.endswith("/en") for v in ids)
    with caplog.at_level(logging.WARNING, logger="interview_desktop.tts"):
        clip = tts.synthesize(QUESTIONS[0])
    assert_speech(clip, QUESTIONS[0], 165)
    assert "no-such-voice" in caplog.text and tts.voice is None


def test_a_voice_that_never_finishes_is_a_bounded_provider_error(monkeypatch):
    """No file and no finished-utterance: every attempt times out, then ProviderBadResponse."""
    tts = Pyttsx3TTS(timeout_s=0.2, attempts=2)
    tts.load()
    engine = tts_pyttsx3._shared["engine"].engine
    monkeypatch.setattr(engine, "save_to_file", lambda text, path, name=None: None)
    monkeypatch.setattr(engine, "runAndWait", lambda: None)
    with pytest.raises(ProviderBadResponse, match="after 2 attempts"):
        tts.synthesize("This will never be spoken.")
    monkeypatch.undo()
    assert_speech(tts.synthesize(QUESTIONS[0]), QUESTIONS[0], 165)  # and the engine still works


@pytest.mark.parametrize("error", [RuntimeError("could not initialize espeak"), OSError("libespeak-ng.so.1")])
def test_espeak_missing_is_unavailable(monkeypatch, error):
    import pyttsx3

    def broken_init(*args, **kwargs):
        raise error

    monkeypatch.setattr(tts_pyttsx3, "_shared", {})  # as in a process that has no engine yet
    monkeypatch.setattr(pyttsx3, "init", broken_init)
    with pytest.raises(ProviderUnavailable, match="voice unavailable: espeak-ng is not installed") as info:
        Pyttsx3TTS().synthesize("Hello.")
    assert "apt install espeak-ng" in str(info.value)


def test_pyttsx3_not_installed_is_unavailable(monkeypatch):
    monkeypatch.setattr(tts_pyttsx3, "_shared", {})
    monkeypatch.setitem(sys.modules, "pyttsx3", None)  # import now raises ImportError
    with pytest.raises(ProviderUnavailable, match="voice unavailable"):
        Pyttsx3TTS().load()


def test_synthesis_is_serialised_across_threads():
    """Two providers used from two threads at once: the process lock keeps espeak sane."""
    results: list[AudioClip] = []
    errors: list[BaseException] = []

    def speak(tts: Pyttsx3TTS, text: str) -> None:
        try:
            for _ in range(5):
                results.append(tts.synthesize(text))
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [
        threading.Thread(target=speak, args=(Pyttsx3TTS(rate=140), QUESTIONS[2])),
        threading.Thread(target=speak, args=(Pyttsx3TTS(rate=200), QUESTIONS[3])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(results) == 10


# --- validate_wav, which synthesize relies on -----------------------------------------------------


def _speech_wav(tmp_path):
    path = tmp_path / "ok.wav"
    clip = Pyttsx3TTS().synthesize(QUESTIONS[0])
    write_wav(path, clip)
    return path


def test_validate_wav_accepts_a_complete_file(tmp_path):
    clip = validate_wav(_speech_wav(tmp_path))
    assert clip.duration_s > 0.5


def test_validate_wav_rejects_a_truncated_file(tmp_path):
    path = _speech_wav(tmp_path)
    data = path.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 4 * 2])  # whole samples; the header still promises them all
    with wave.open(str(cut), "rb") as w:
        assert w.getnframes() * 2 + 44 > cut.stat().st_size
    with pytest.raises(InvalidWavError, match="truncated"):
        validate_wav(cut)


def test_validate_wav_rejects_a_file_cut_mid_sample(tmp_path):
    data = _speech_wav(tmp_path).read_bytes()
    cut = tmp_path / "odd.wav"
    cut.write_bytes(data[:1001])
    with pytest.raises(InvalidWavError):
        validate_wav(cut)


def test_validate_wav_rejects_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(InvalidWavError, match="missing or empty"):
        validate_wav(empty)
    header_only = tmp_path / "header.wav"
    header_only.write_bytes(_speech_wav(tmp_path).read_bytes()[:44])
    with pytest.raises(InvalidWavError):
        validate_wav(header_only)
    with pytest.raises(InvalidWavError):
        validate_wav(tmp_path / "missing.wav")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_unwritable_output_does_not_hang(monkeypatch, tmp_path):
    """pyttsx3's callback raises when it cannot write the WAV and never ends runAndWait()'s loop:
    the watchdog must end it, and the provider must report a bounded ProviderBadResponse."""
    tts = Pyttsx3TTS(timeout_s=0.5, attempts=2)
    tts.load()
    gone = tmp_path / "gone"  # a folder that does not exist: wave.open fails inside the callback
    monkeypatch.setattr(tts_pyttsx3.tempfile, "mkdtemp", lambda **kw: str(gone))
    with pytest.raises(ProviderBadResponse):
        tts.synthesize(QUESTIONS[1])
    gc.collect()  # wave.Wave_write.__del__ of pyttsx3's failed open complains: keep it in this test
    monkeypatch.undo()
    assert_speech(tts.synthesize(QUESTIONS[0]), QUESTIONS[0], 165)  # and the engine still works
