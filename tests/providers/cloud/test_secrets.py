"""A recognisable fake key must appear in no log record (ours or the SDKs', at DEBUG) and in no
message shown to the user, in success and failure cases — even when a server echoes it back."""

from __future__ import annotations

import logging

import pytest
from werkzeug import Request, Response

from interview_desktop.providers.base import FallbackChain
from interview_desktop.providers.brains.groq import GroqBrain
from interview_desktop.providers.cloud.connection import test_connection as check_connection
from interview_desktop.providers.stt.groq_whisper import GroqSpeechToText
from interview_desktop.providers.tts.elevenlabs_voice import ElevenLabsTextToSpeech
from tests.providers.cloud.helpers import (
    ELEVEN_MODELS_PATH,
    ELEVEN_TTS_PATH,
    GROQ_CHAT_PATH,
    GROQ_MODELS_PATH,
    GROQ_STT_PATH,
    chat_completion,
    json_response,
    pcm_bytes,
    verbose_json,
)

pytestmark = pytest.mark.timeout(60)

GROQ_KEY = "gsk_SECRETSECRETgroq0123456789abcdefXYZW"
ELEVEN_KEY = "sk_SECRETSECRETeleven0123456789abcdefQRST"
SDK_LOGGERS = ("groq", "groq._base_client", "httpx", "httpcore", "elevenlabs", "fern", "werkzeug")


def sent_key(request: Request) -> str:
    return request.headers.get("Authorization", "").removeprefix("Bearer ") or request.headers["xi-api-key"]


def echo_401(request: Request) -> Response:
    """A hostile/buggy server: 401 whose body repeats the key it was sent."""
    sent = sent_key(request)
    return json_response({"error": {"message": f"Invalid API Key: {sent}"},
                          "detail": {"status": "invalid_api_key", "message": f"bad key {sent}"}}, 401)


def echo_403(request: Request) -> Response:
    sent = sent_key(request)
    return json_response({"error": {"message": f"Forbidden for {sent}"},
                          "detail": {"status": "forbidden", "message": f"forbidden for {sent}"}}, 403)


def records_text(caplog) -> str:
    out = []
    for record in caplog.records:
        out.append(record.getMessage())
        out.append(repr(record.args))
        out.append(repr(record.__dict__))  # includes "extra" fields and exc_text
        if record.exc_info:
            out.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(out)


@pytest.fixture
def debug_logs(caplog):
    caplog.set_level(logging.DEBUG)
    for name in SDK_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_key_never_logged_or_shown(cloud, answer_clip, local_stt, offline_tts, offline_brain, debug_logs):
    from interview_desktop.domain import Question, QuestionKind

    question = Question("q", "Why this role?", QuestionKind.MOTIVATION, "Sales")
    messages: list[str] = []

    # successes
    cloud.install(GROQ_STT_PATH, "ok", lambda r: json_response(verbose_json("I like selling things", 3.0)))
    cloud.install(GROQ_CHAT_PATH, "ok", lambda r: json_response(chat_completion('{"follow_up": null}')))
    cloud.install(ELEVEN_TTS_PATH, "ok", lambda r: Response(pcm_bytes(1.0), content_type="audio/pcm"),
                  service="elevenlabs")
    cloud.install(GROQ_MODELS_PATH, "ok", lambda r: json_response({"data": []}))
    cloud.install(ELEVEN_MODELS_PATH, "ok", lambda r: json_response([]), service="elevenlabs")
    stt = GroqSpeechToText(GROQ_KEY, cloud.url)
    tts = ElevenLabsTextToSpeech(ELEVEN_KEY, cloud.url)
    brain = GroqBrain(GROQ_KEY, cloud.url)
    assert stt.transcribe(answer_clip).provider == "groq-whisper"
    assert tts.synthesize("Why this role?").duration_s == 1.0
    assert brain.follow_up(question, "Because.") is None
    for service, key in (("groq", GROQ_KEY), ("elevenlabs", ELEVEN_KEY)):
        report = check_connection(service, key, cloud.url)
        assert report.ok
        messages.append(report.message)

    # failures, with servers that echo the key back
    for handler in (echo_401, echo_403):
        cloud.server.clear()
        for path in (GROQ_STT_PATH, GROQ_CHAT_PATH, ELEVEN_TTS_PATH, GROQ_MODELS_PATH, ELEVEN_MODELS_PATH):
            cloud.server.expect_request(path).respond_with_handler(handler)
        fresh = (GroqSpeechToText(GROQ_KEY, cloud.url), ElevenLabsTextToSpeech(ELEVEN_KEY, cloud.url),
                 GroqBrain(GROQ_KEY, cloud.url))
        results = [
            FallbackChain("stt", [fresh[0], local_stt]).run(lambda p: p.transcribe(answer_clip)),
            FallbackChain("tts", [fresh[1], offline_tts]).run(lambda p: p.synthesize("Why this role?")),
            FallbackChain("brain", [fresh[2], offline_brain]).run(
                lambda b: b.follow_up(question, "Because.")
            ),
        ]
        for result in results:
            assert len(result.failures) == 1
            messages.extend(message for _, message in result.failures)
        for service, key in (("groq", GROQ_KEY), ("elevenlabs", ELEVEN_KEY)):
            report = check_connection(service, key, cloud.url)
            assert not report.ok
            messages.append(report.message)

    # the 403 detail was shown, scrubbed
    assert any("[key]" in m for m in messages)
    logs = records_text(debug_logs)
    assert "groq" in logs.lower() and "HTTP Request" in logs  # the SDK loggers were really captured
    for secret in (GROQ_KEY, ELEVEN_KEY, GROQ_KEY[4:20], ELEVEN_KEY[3:20]):
        assert secret not in logs
        assert all(secret not in m for m in messages), messages
    for provider in (stt, tts, brain):
        provider.close()
