"""What the local HTTP server says when it plays Groq and ElevenLabs, and the fault cases.

The real ``groq`` and ``elevenlabs`` SDKs are pointed at it (``base_url``). ``Cloud.install`` puts
a fault (or a success) on an endpoint. The slow handler used for timeouts waits on a
``threading.Event`` that the ``cloud`` fixture sets at teardown, so no handler stays blocked.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

GROQ_STT_PATH = "/openai/v1/audio/transcriptions"
GROQ_CHAT_PATH = "/openai/v1/chat/completions"
GROQ_MODELS_PATH = "/openai/v1/models"
ELEVEN_VOICE = "JBFqnCBsd6RMkjVDRZzb"
ELEVEN_TTS_PATH = f"/v1/text-to-speech/{ELEVEN_VOICE}"
ELEVEN_MODELS_PATH = "/v1/models"

TEST_TIMEOUT_S = 0.5  # provider timeout in the fault tests
SLOW_HANDLER_MAX_S = 10.0  # a slow handler gives up by itself after this (teardown releases it sooner)
RETRY_AFTER_S = 7

FAKE_GROQ_KEY = "gsk_FAKEtestKEY0000groq1234"
FAKE_ELEVEN_KEY = "sk_FAKEtestKEY0000eleven5678"


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status=status, headers=headers, content_type="application/json")


def truncated_response(body: bytes, claimed: int, content_type: str) -> Response:
    """A 200 whose Content-Length promises more than is sent; the connection is then closed."""
    return Response(
        iter([body]),
        status=200,
        headers={"Content-Length": str(claimed), "Connection": "close"},
        content_type=content_type,
        direct_passthrough=True,
    )


def chat_completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "llama-3.3-70b-versatile",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def verbose_json(text: str, duration: float, *, no_speech_prob: float = 0.01,
                 avg_logprob: float = -0.2) -> dict[str, Any]:
    """A Groq ``verbose_json`` transcription of ``text`` spread evenly over ``duration``."""
    tokens = text.split()
    step = duration / max(1, len(tokens))
    words = [
        {"word": w, "start": round(i * step, 3), "end": round((i + 0.8) * step, 3)}
        for i, w in enumerate(tokens)
    ]
    return {
        "task": "transcribe",
        "language": "English",
        "duration": duration,
        "text": " " + text,
        "segments": [
            {
                "id": 0, "seek": 0, "start": 0.0, "end": round(duration, 3), "text": " " + text,
                "tokens": [1, 2, 3], "temperature": 0.0, "avg_logprob": avg_logprob,
                "compression_ratio": 1.1, "no_speech_prob": no_speech_prob,
            }
        ],
        "words": words,
        "x_groq": {"id": "req_test"},
    }


def pcm_bytes(seconds: float, rate: int = 16_000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 220 * t) * 8000).astype("<i2").tobytes()


# --------------------------------------------------------------------------------------------------
# Fault cases

GROQ_ERRORS = {
    401: {"error": {"message": "Invalid API Key", "type": "invalid_request_error",
                    "code": "invalid_api_key"}},
    429: {"error": {"message": "Rate limit reached for model. Please try again in 7s.", "type": "tokens",
                    "code": "rate_limit_exceeded"}},
    500: {"error": {"message": "Internal Server Error", "type": "internal_server_error"}},
}
ELEVEN_ERRORS = {
    401: {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}},
    429: {"detail": {"status": "too_many_concurrent_requests", "message": "Too many concurrent requests"}},
    500: {"detail": {"status": "internal_error", "message": "Internal server error"}},
}


@dataclass
class Cloud:
    """The local cloud: the server, its base URL, a closed port, and the release event."""

    server: HTTPServer
    release: threading.Event
    closed_port_url: str
    received: list[dict[str, Any]] = field(default_factory=list)  # what handlers parsed
    started: list[str] = field(default_factory=list)  # path of every request, when it arrives
    slow_handler_max_s: float = SLOW_HANDLER_MAX_S  # must exceed the client timeout under test

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def requests(self, path: str | None = None) -> list[Request]:
        """Requests answered so far (the server logs a request once its handler returned)."""
        return [req for req, _ in self.server.log if path is None or req.path == path]

    def hits(self, path: str | None = None) -> int:
        """Requests that reached a handler, including one still waiting (a timeout case)."""
        return sum(1 for p in self.started if path is None or p == path)

    def install(
        self,
        path: str,
        fault: str,
        success: Callable[[Request], Response],
        *,
        service: str = "groq",
        malformed: Callable[[Request], Response] | None = None,
        truncated: tuple[bytes, str] = (b'{"text": "I led a tea', "application/json"),
    ) -> None:
        """Serve ``fault`` on ``path`` ("ok", "401", "429", "500", "timeout", "truncated",
        "malformed"; "refused" needs nothing here: use ``closed_port_url``)."""
        errors = GROQ_ERRORS if service == "groq" else ELEVEN_ERRORS

        def handler(request: Request) -> Response:
            self.started.append(request.path)
            if fault == "ok":
                return success(request)
            if fault in ("401", "500"):
                return json_response(errors[int(fault)], int(fault))
            if fault == "429":
                return json_response(errors[429], 429, {"Retry-After": str(RETRY_AFTER_S)})
            if fault == "timeout":
                self.release.wait(self.slow_handler_max_s)
                return success(request)
            if fault == "truncated":
                return truncated_response(truncated[0], len(truncated[0]) + 4096, truncated[1])
            if fault == "malformed":
                if malformed is not None:
                    return malformed(request)
                return Response("<html><body>502 Bad Gateway</body></html>", 200, content_type="text/html")
            raise AssertionError(f"unknown fault {fault}")

        self.server.expect_request(path).respond_with_handler(handler)

    def base_url(self, fault: str) -> str:
        return self.closed_port_url if fault == "refused" else self.url


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed on exit: nothing listens there


# --------------------------------------------------------------------------------------------------
# Assertions

#: fault → (provider error cause as logged by the chain, words the failure message must contain)
EXPECTED: dict[str, tuple[str, str]] = {
    "401": ("bad key", "rejected the API key"),
    "429": ("quota or rate limit", f"try again in {RETRY_AFTER_S}s"),
    "500": ("server error", "server error 500"),
    "timeout": ("timeout", f"within {TEST_TIMEOUT_S:g}s"),
    "refused": ("unavailable", "connection refused"),
    "truncated": ("bad response", "cut off"),
}
FAULTS = ("401", "429", "500", "timeout", "refused", "truncated", "malformed")


def warnings_of(caplog) -> list[Any]:
    import logging

    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def assert_fell_back(result, caplog, cloud_name: str, offline_name: str, cause: str, text: str) -> None:
    """The offline provider answered; the chain recorded and logged the cloud failure exactly once."""
    assert result.provider == offline_name
    assert result.cloud is False
    assert len(result.failures) == 1, result.failures
    name, message = result.failures[0]
    assert name == cloud_name
    assert text in message, message
    warnings = warnings_of(caplog)
    assert len(warnings) == 1, [w.getMessage() for w in warnings]
    logged = warnings[0].getMessage()
    assert f"provider={cloud_name}" in logged, logged
    assert f"cause={cause}" in logged, logged
    assert text in logged, logged
