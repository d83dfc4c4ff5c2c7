"""Error mapping details that the local server cannot act out, and the upload encoder."""

from __future__ import annotations

import email.utils
import socket
import time

import httpx
import numpy as np
import pytest

from interview_desktop.audio.encode import encode_clip
from interview_desktop.domain import AudioClip
from interview_desktop.providers.base import (
    ProviderAuthError,
    ProviderBadResponse,
    ProviderTimeout,
    ProviderUnavailable,
)
from interview_desktop.providers.cloud.errors import (
    CloudQuotaError,
    CloudServerError,
    network_reason,
    retry_after_seconds,
    status_error,
    transport_error,
)


def wrapped(inner: OSError) -> httpx.ConnectError:
    """An httpx.ConnectError caused by ``inner``, as httpx raises it."""
    try:
        try:
            raise inner
        except OSError as err:
            raise httpx.ConnectError(str(err)) from err
    except httpx.ConnectError as err:
        return err


@pytest.mark.parametrize(
    ("inner", "reason"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (socket.gaierror(-2, "Name or service not known"), "host name not found (DNS)"),
        (ConnectionResetError(104, "Connection reset by peer"), "connection reset"),
        (OSError(101, "Network is unreachable"), "network unreachable"),
    ],
)
def test_network_reasons(inner, reason):
    err = transport_error("Groq", wrapped(inner), base_url="https://api.groq.com", timeout_s=8)
    assert isinstance(err, ProviderUnavailable)
    assert str(err) == f"cannot reach Groq at https://api.groq.com: {reason}"


def test_network_reason_follows_the_exception_types_not_the_words():
    misleading = httpx.ConnectError("Connection refused, SSL certificate, network unreachable")
    misleading.__cause__ = socket.gaierror(-2, "Name or service not known")
    assert network_reason(misleading) == "host name not found (DNS)"
    # words alone classify nothing: the message is shown as it is
    assert network_reason(httpx.ConnectError("Connection refused")) == "Connection refused"


def test_timeouts():
    assert str(transport_error("Groq", httpx.ReadTimeout("x"), base_url="u", timeout_s=8.0)) == (
        "no answer from Groq within 8s"
    )
    connect = transport_error("ElevenLabs", httpx.ConnectTimeout("x"), base_url="https://e", timeout_s=5)
    assert isinstance(connect, ProviderTimeout) and "cannot reach ElevenLabs at https://e" in str(connect)


def test_retry_after_forms():
    assert retry_after_seconds({"Retry-After": "7"}) == 7
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    future = email.utils.formatdate(time.time() + 120, usegmt=True)
    assert 100 < retry_after_seconds({"Retry-After": future}) <= 120
    assert retry_after_seconds({"Retry-After": "soon"}) is None and retry_after_seconds(None) is None


def test_status_mapping():
    assert isinstance(status_error("Groq", 401), ProviderAuthError)
    quota = status_error("Groq", 429, headers={"retry-after": "3"})
    assert isinstance(quota, CloudQuotaError) and quota.retry_after_s == 3
    server = status_error("Groq", 503, body={"error": {"message": "over capacity"}})
    assert isinstance(server, CloudServerError) and server.status == 503
    assert str(server) == "Groq server error 503: over capacity"
    assert isinstance(status_error("Groq", 404), ProviderUnavailable)
    assert isinstance(status_error("Groq", 413), ProviderBadResponse)
    eleven = status_error("ElevenLabs", 401, body={"detail": {"status": "quota_exceeded", "message": "q"}})
    assert isinstance(eleven, CloudQuotaError)
    long_detail = status_error("Groq", 400, body={"error": {"message": "x" * 500}})
    assert len(str(long_detail)) < 200


def test_encoder_formats_and_resampling():
    t = np.arange(22_050 * 2) / 22_050
    clip = AudioClip((0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), 22_050)  # 2 s at 22 kHz
    sizes = {}
    for fmt in ("opus", "flac", "wav"):
        audio = encode_clip(clip, fmt)
        assert audio.format == fmt and audio.duration_s == pytest.approx(2.0, abs=1e-3)
        sizes[fmt] = len(audio.data)
    assert sizes["opus"] < sizes["flac"] < sizes["wav"]
    assert sizes["wav"] == 44 + 2 * 32_000  # resampled to 16 kHz mono 16-bit
    with pytest.raises(ValueError):
        encode_clip(clip, "mp3")
