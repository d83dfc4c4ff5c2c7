"""Base URL resolution, build_cloud_providers, and offline-only mode sending nothing."""

from __future__ import annotations

import keyring.backends.null
import pytest

from interview_desktop.config.keys import KeyStore
from interview_desktop.providers.base import FallbackChain
from interview_desktop.providers.cloud.circuit import CircuitBreaker
from interview_desktop.providers.cloud.config import (
    ELEVENLABS_DEFAULT_BASE_URL,
    GROQ_DEFAULT_BASE_URL,
    CloudSettings,
    build_cloud_providers,
    resolve_base_url,
)
from interview_desktop.providers.cloud.errors import CloudConfigError
from tests.providers.cloud.helpers import (
    ELEVEN_TTS_PATH,
    FAKE_ELEVEN_KEY,
    FAKE_GROQ_KEY,
    GROQ_CHAT_PATH,
    GROQ_STT_PATH,
    chat_completion,
    json_response,
    pcm_bytes,
    verbose_json,
)

pytestmark = pytest.mark.timeout(60)


def keys_with(**values: str) -> KeyStore:
    keys = KeyStore(keyring.backends.null.Keyring(), environ={})
    for service, key in values.items():
        keys.set(service, key)
    return keys


def test_resolve_base_url(monkeypatch):
    assert resolve_base_url("groq") == GROQ_DEFAULT_BASE_URL == "https://api.groq.com"
    assert resolve_base_url("elevenlabs", "") == ELEVENLABS_DEFAULT_BASE_URL
    monkeypatch.setenv("GROQ_BASE_URL", "http://127.0.0.1:9/proxy/")
    assert resolve_base_url("groq") == "http://127.0.0.1:9/proxy"
    assert resolve_base_url("groq", " https://eu.example.com/ ") == "https://eu.example.com"
    with pytest.raises(CloudConfigError, match="must start with https://"):
        resolve_base_url("elevenlabs", "api.elevenlabs.io")


def test_settings_from_mapping_and_validation():
    s = CloudSettings.from_mapping({"offline_only": True, "follow_ups": 2, "theme": "dark"})
    assert s.offline_only and s.follow_ups == 2 and s.stt_timeout_s == 8.0
    with pytest.raises(ValueError):
        CloudSettings(follow_ups=3)
    with pytest.raises(ValueError):
        CloudSettings(llm_timeout_s=0)


def install_every_endpoint(cloud):
    """Answer every cloud endpoint successfully, so any request would be seen and served."""
    cloud.install(GROQ_STT_PATH, "ok", lambda r: json_response(verbose_json("hello there", 1.0)))
    cloud.install(GROQ_CHAT_PATH, "ok", lambda r: json_response(chat_completion('{"follow_up": null}')))
    cloud.install(ELEVEN_TTS_PATH, "ok", lambda r: json_response(pcm_bytes(1.0).hex()), service="elevenlabs")


def run_every_chain(providers, answer_clip, local_stt, offline_tts, offline_brain):
    from interview_desktop.domain import Question, QuestionKind

    question = Question("q", "Why this role?", QuestionKind.MOTIVATION, "Sales")
    stt = FallbackChain("stt", [*providers.stt, local_stt]).run(lambda p: p.transcribe(answer_clip))
    tts = FallbackChain("tts", [*providers.tts, offline_tts]).run(lambda p: p.synthesize("Why this role?"))
    chain = FallbackChain("brain", [*providers.brain, offline_brain])
    qs = chain.run(lambda b: b.questions("Sales", 2, "A sales job", "My CV"))
    fu = chain.run(lambda b: b.follow_up(question, "Because."))
    ev = chain.run(lambda b: b.evaluate(question, "Because I like people.", None))
    return [stt, tts, qs, fu, ev]


@pytest.mark.slow
def test_offline_only_builds_nothing_and_sends_nothing(
    cloud, answer_clip, local_stt, offline_tts, offline_brain, caplog
):
    install_every_endpoint(cloud)
    settings = CloudSettings(offline_only=True, groq_base_url=cloud.url, elevenlabs_base_url=cloud.url)
    keys = keys_with(groq=FAKE_GROQ_KEY, elevenlabs=FAKE_ELEVEN_KEY)
    providers = build_cloud_providers(settings, keys)
    assert (providers.stt, providers.tts, providers.brain) == ([], [], [])
    assert not providers.any and providers.notes == ("offline only: cloud services are off",)

    results = run_every_chain(providers, answer_clip, local_stt, offline_tts, offline_brain)
    assert [r.provider for r in results] == ["local-whisper", "pyttsx3", "offline", "offline", "offline"]
    assert all(not r.failures and not r.cloud for r in results)
    assert cloud.hits() == 0 and cloud.server.log == []
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


@pytest.mark.slow
def test_no_keys_means_no_cloud_providers(cloud, answer_clip, local_stt, offline_tts, offline_brain):
    install_every_endpoint(cloud)
    settings = CloudSettings(groq_base_url=cloud.url, elevenlabs_base_url=cloud.url)
    providers = build_cloud_providers(settings, keys_with())
    assert not providers.any
    assert "no Groq API key" in providers.notes[0] and "no ElevenLabs API key" in providers.notes[1]
    run_every_chain(providers, answer_clip, local_stt, offline_tts, offline_brain)
    assert cloud.server.log == []


def test_keys_and_settings_build_the_cloud_providers(cloud, monkeypatch):
    monkeypatch.setenv("ELEVENLABS_BASE_URL", cloud.url)
    settings = CloudSettings(
        groq_base_url=cloud.url, groq_stt_model="whisper-large-v3", groq_llm_model="llama-3.1-8b-instant",
        elevenlabs_voice_id="voice123", stt_timeout_s=3, tts_timeout_s=2, llm_timeout_s=4, follow_ups=2,
    )
    shared = CircuitBreaker(30, name="groq-whisper")
    providers = build_cloud_providers(
        settings, keys_with(groq=FAKE_GROQ_KEY, elevenlabs=FAKE_ELEVEN_KEY), breakers={"groq-whisper": shared}
    )
    [stt], [tts], [brain] = providers.stt, providers.tts, providers.brain
    assert (stt.name, stt.cloud, stt.model, stt.timeout_s, stt.base_url) == (
        "groq-whisper", True, "whisper-large-v3", 3, cloud.url)
    assert stt.breaker is shared
    assert (tts.name, tts.voice_id, tts.timeout_s, tts.base_url) == ("elevenlabs", "voice123", 2, cloud.url)
    assert (brain.name, brain.scorer, brain.timeout_s) == ("groq-llm", "groq:llama-3.1-8b-instant", 4)
    assert brain.breaker is not stt.breaker
    assert providers.follow_ups == 2 and providers.notes == ()
    providers.close()


def test_one_key_only(cloud):
    providers = build_cloud_providers(CloudSettings(), keys_with(elevenlabs=FAKE_ELEVEN_KEY))
    assert providers.stt == [] and providers.brain == [] and len(providers.tts) == 1
    assert providers.tts[0].base_url == ELEVENLABS_DEFAULT_BASE_URL


def test_bad_base_url_disables_that_service_only(caplog):
    settings = CloudSettings(groq_base_url="ftp://groq")
    providers = build_cloud_providers(settings, keys_with(groq=FAKE_GROQ_KEY, elevenlabs=FAKE_ELEVEN_KEY))
    assert providers.stt == [] and providers.brain == [] and len(providers.tts) == 1
    assert "not valid" in providers.notes[0]
