"""ElevenLabsTextToSpeech with the real elevenlabs SDK against the local server, before pyttsx3."""

from __future__ import annotations

import logging
import time

import numpy as np
import pytest
from werkzeug import Request, Response

from interview_desktop.providers.base import (
    AllProvidersFailed,
    FallbackChain,
    ProviderBadResponse,
    ProviderQuotaError,
)
from interview_desktop.providers.cloud.circuit import CircuitBreaker
from interview_desktop.providers.tts.elevenlabs_voice import ElevenLabsTextToSpeech, pcm16_clip
from tests.providers.cloud.helpers import (
    ELEVEN_TTS_PATH,
    EXPECTED,
    FAKE_ELEVEN_KEY,
    FAULTS,
    TEST_TIMEOUT_S,
    assert_fell_back,
    json_response,
    pcm_bytes,
)

pytestmark = pytest.mark.timeout(60)

QUESTION = "Tell me about a time you disagreed with your manager."


def speech_handler(cloud, seconds: float = 1.5):
    def handler(request: Request) -> Response:
        cloud.received.append({
            "args": dict(request.args), "json": request.get_json(),
            "has_key": "xi-api-key" in request.headers,
        })
        return Response(pcm_bytes(seconds), content_type="audio/pcm")

    return handler


def eleven(cloud, fault: str = "ok", **kwargs) -> ElevenLabsTextToSpeech:
    kwargs.setdefault("timeout_s", TEST_TIMEOUT_S)
    return ElevenLabsTextToSpeech(FAKE_ELEVEN_KEY, cloud.base_url(fault), **kwargs)


def test_success_returns_16k_pcm_clip(cloud):
    cloud.install(ELEVEN_TTS_PATH, "ok", speech_handler(cloud, 1.5), service="elevenlabs")
    tts = eleven(cloud)
    clip = tts.synthesize(QUESTION)
    assert clip.sample_rate == 16_000
    assert clip.duration_s == pytest.approx(1.5)
    assert np.max(np.abs(clip.samples)) == pytest.approx(8000 / 32768, rel=1e-3)
    [got] = cloud.received
    assert got["args"] == {"output_format": "pcm_16000"}
    assert got["json"] == {"text": QUESTION, "model_id": "eleven_flash_v2_5"}
    assert got["has_key"]
    tts.close()


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b"", "audio/pcm", "empty reply"),
        (pcm_bytes(1.0) + b"\x01", "audio/pcm", "cut off mid-sample"),
        (pcm_bytes(0.01), "audio/pcm", "too short"),
        (b'{"detail": {"status": "ok"}}', "audio/pcm", "instead of raw PCM"),
        (b"ID3\x04\x00" + bytes(4000), "audio/mpeg", "instead of raw PCM"),
        (b"<html>busy</html>", "text/html", "instead of raw PCM"),
    ],
    ids=["empty", "odd-length", "too-short", "json", "mp3", "html"],
)
def test_bad_audio_bodies_fall_back(cloud, offline_tts, caplog, body, content_type, words):
    cloud.install(ELEVEN_TTS_PATH, "ok", lambda request: Response(body, content_type=content_type),
                  service="elevenlabs")
    chain = FallbackChain("tts", [eleven(cloud), offline_tts])
    result = chain.run(lambda p: p.synthesize(QUESTION))
    assert_fell_back(result, caplog, "elevenlabs", "pyttsx3", "bad response", words)
    assert result.value.duration_s > 1.0


def test_pcm16_clip_accepts_pcm_that_happens_to_start_with_a_brace():
    data = b"{" + b"\x00" * 3199 + b"[x"  # 1,601 samples; the first one's low byte is "{"
    assert pcm16_clip(data, "audio/pcm").duration_s == pytest.approx(0.1, abs=1e-3)
    with pytest.raises(ProviderBadResponse):
        pcm16_clip(b'{"detail": "quota"}', "application/octet-stream")


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_falls_back_to_pyttsx3(cloud, offline_tts, caplog, fault):
    cloud.install(
        ELEVEN_TTS_PATH, fault, speech_handler(cloud), service="elevenlabs",
        truncated=(pcm_bytes(0.5), "audio/pcm"),
    )
    tts = eleven(cloud, fault)
    chain = FallbackChain("tts", [tts, offline_tts])
    caplog.set_level(logging.INFO)
    result = chain.run(lambda p: p.synthesize(QUESTION))

    cause, text = EXPECTED.get(fault, ("bad response", "instead of raw PCM"))
    assert_fell_back(result, caplog, "elevenlabs", "pyttsx3", cause, text)
    assert result.value.duration_s > 1.0  # pyttsx3's speech of the question
    assert cloud.hits(ELEVEN_TTS_PATH) == (0 if fault == "refused" else 1)  # SDK retries are off
    tts.close()


def test_quota_exceeded_401_is_a_quota_error(cloud):
    """ElevenLabs reports an exhausted character quota as 401 with detail.status=quota_exceeded."""
    body = {"detail": {"status": "quota_exceeded", "message": "This request exceeds your quota of 10000."}}
    cloud.install(ELEVEN_TTS_PATH, "ok", lambda request: json_response(body, 401), service="elevenlabs")
    with pytest.raises(ProviderQuotaError, match="quota"):
        eleven(cloud).synthesize(QUESTION)


def test_circuit_breaker_after_timeout_skips_without_a_request(cloud):
    cloud.install(ELEVEN_TTS_PATH, "timeout", speech_handler(cloud), service="elevenlabs")
    tts = eleven(cloud, breaker=CircuitBreaker(60.0, name="elevenlabs"))
    chain = FallbackChain("tts", [tts])
    with pytest.raises(AllProvidersFailed, match="no answer from ElevenLabs within 0.5s"):
        chain.run(lambda p: p.synthesize(QUESTION))
    started = time.perf_counter()
    with pytest.raises(AllProvidersFailed, match="skipped for 60s after: timeout"):
        chain.run(lambda p: p.synthesize(QUESTION))
    assert time.perf_counter() - started < TEST_TIMEOUT_S / 2
    assert cloud.hits(ELEVEN_TTS_PATH) == 1
    tts.close()
