"""Turn what the groq / elevenlabs SDKs and httpx raise into the provider error family, in words
for the user and never with the API key in them. The mapping: docs/providers.md.
"""

from __future__ import annotations

import email.utils
import errno
import json
import socket
import ssl
import time
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from interview_desktop.errors import InterviewDesktopError
from interview_desktop.providers.base import (
    ProviderAuthError,
    ProviderBadResponse,
    ProviderError,
    ProviderQuotaError,
    ProviderTimeout,
    ProviderUnavailable,
)

DETAIL_MAX_CHARS = 160


class CloudConfigError(InterviewDesktopError):
    """A cloud setting cannot be used (for example a base URL that is not http(s))."""


class CloudQuotaError(ProviderQuotaError):
    """429 / quota exhausted. ``retry_after_s`` is the server's Retry-After, when it sent one."""

    def __init__(self, message: str, retry_after_s: float | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class CloudServerError(ProviderUnavailable):
    """The service answered with a 5xx status."""

    cause = "server error"

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def no_key(title: str) -> ProviderUnavailable:
    return ProviderUnavailable(f"no {title} API key — add one in Settings")


# --------------------------------------------------------------------------------------------------
# Small helpers


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret (of 6+ characters) replaced by "[key]"."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "[key]")
    return text


def _short(text: str, secrets: Iterable[str | None]) -> str:
    text = " ".join(redact(str(text), secrets).split())
    return text if len(text) <= DETAIL_MAX_CHARS else text[: DETAIL_MAX_CHARS - 1] + "…"


def retry_after_seconds(headers: Mapping[str, str] | httpx.Headers | None) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date); None if absent."""
    if not headers:
        return None
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    try:
        ms = float(lower["retry-after-ms"])
        return max(0.0, ms / 1000.0)
    except (KeyError, ValueError):
        pass
    value = lower.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return max(0.0, float(email.utils.mktime_tz(parsed) - time.time()))


def error_detail(body: Any) -> str:
    """The human part of an error body: ``{"error": {"message": …}}`` (Groq/OpenAI style),
    ``{"detail": {"message": …}}`` / ``{"detail": "…"}`` / ``{"detail": [{"msg": …}]}`` (ElevenLabs)."""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return body.strip()
    if isinstance(body, Mapping):
        for key in ("error", "detail"):
            inner = body.get(key)
            if isinstance(inner, str):
                return inner
            if isinstance(inner, Mapping):
                for field in ("message", "msg", "status"):
                    if isinstance(inner.get(field), str):
                        return inner[field]
            if isinstance(inner, list) and inner and isinstance(inner[0], Mapping):
                return str(inner[0].get("msg") or inner[0].get("message") or "")
        if isinstance(body.get("message"), str):
            return body["message"]
    return ""


def _detail_status(body: Any) -> str:
    """ElevenLabs puts a machine-readable reason in ``detail.status`` (e.g. "quota_exceeded")."""
    if isinstance(body, (bytes, bytearray, str)):
        try:
            body = json.loads(body)
        except ValueError:
            return ""
    if isinstance(body, Mapping) and isinstance(body.get("detail"), Mapping):
        status = body["detail"].get("status") or body["detail"].get("code")
        return str(status) if status else ""
    return ""


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in out:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


_REFUSED = (errno.ECONNREFUSED,)
_UNREACHABLE = (errno.ENETUNREACH, errno.EHOSTUNREACH)
_RESET = (errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE)


def network_reason(exc: BaseException) -> str:
    """A short, plain reason for a failed connection: "connection refused", "host name not found
    (DNS)", "TLS/certificate problem", "network unreachable", "connection reset", "timed out".

    Classified by the exception types (and OS error numbers) in the cause chain, never by the
    words of a message (they differ between platforms and languages)."""
    chain = _chain(exc)
    for e in chain:
        if isinstance(e, ConnectionRefusedError) or (isinstance(e, OSError) and e.errno in _REFUSED):
            return "connection refused"
        if isinstance(e, socket.gaierror):
            return "host name not found (DNS)"
        if isinstance(e, ssl.SSLCertVerificationError):
            return "TLS certificate not trusted"
        if isinstance(e, ssl.SSLError):
            return "TLS/SSL handshake failed"
        if isinstance(e, ConnectionResetError) or (isinstance(e, OSError) and e.errno in _RESET):
            return "connection reset"
        if isinstance(e, OSError) and e.errno in _UNREACHABLE:
            return "network unreachable"
        if isinstance(e, (TimeoutError, httpx.TimeoutException)):
            return "timed out"
    return _short(str(exc) or type(exc).__name__, ())


# --------------------------------------------------------------------------------------------------
# Mapping


def status_error(
    title: str,
    status: int,
    *,
    headers: Mapping[str, str] | httpx.Headers | None = None,
    body: Any = None,
    secrets: Iterable[str | None] = (),
) -> ProviderError:
    """The provider error for an HTTP error status from ``title`` ("Groq", "ElevenLabs")."""
    secrets = tuple(secrets)
    detail = _short(error_detail(body), secrets)
    suffix = f": {detail}" if detail else ""
    reason = _detail_status(body)
    if status == 429 or reason in ("quota_exceeded", "too_many_concurrent_requests", "system_busy"):
        after = retry_after_seconds(headers)
        when = f"; try again in {after:.0f}s" if after is not None else ""
        return CloudQuotaError(f"{title} rate limit or quota reached ({status}{suffix}){when}", after)
    if status == 401:
        return ProviderAuthError(f"{title} rejected the API key")
    if status == 403:
        return ProviderAuthError(f"{title} refused access with this API key (403{suffix})")
    if status >= 500:
        return CloudServerError(f"{title} server error {status}{suffix}", status)
    if status == 404:
        return ProviderUnavailable(
            f"{title} answered 404 Not Found{suffix} (check the base URL, model or voice)"
        )
    return ProviderBadResponse(f"{title} refused the request ({status}{suffix})")


def transport_error(
    title: str, exc: BaseException, *, base_url: str, timeout_s: float | None
) -> ProviderError:
    """The provider error for an httpx transport failure (timeout, refused, cut-off body …)."""
    chain = _chain(exc)
    if any(isinstance(e, httpx.ConnectTimeout) for e in chain):
        return ProviderTimeout(f"cannot reach {title} at {base_url}: connection timed out")
    if any(isinstance(e, httpx.TimeoutException) for e in chain):
        within = f" within {timeout_s:g}s" if timeout_s else ""
        return ProviderTimeout(f"no answer from {title}{within}")
    for e in chain:
        if isinstance(e, httpx.RemoteProtocolError):
            text = str(e)
            if "complete message body" in text or "incomplete" in text.lower():
                return ProviderBadResponse(f"{title}'s reply was cut off ({_short(text, ())})")
            return ProviderUnavailable(f"{title} at {base_url} closed the connection without answering")
        if isinstance(e, httpx.DecodingError):
            return ProviderBadResponse(f"{title}'s reply could not be decoded ({_short(str(e), ())})")
    return ProviderUnavailable(f"cannot reach {title} at {base_url}: {network_reason(exc)}")


def map_groq_error(
    err: BaseException, *, base_url: str, timeout_s: float | None, secrets: Iterable[str | None] = ()
) -> ProviderError:
    """Map an exception raised by the ``groq`` SDK (or httpx under it) to a provider error."""
    import groq

    if isinstance(err, ProviderError):
        return err
    if isinstance(err, groq.APIStatusError):
        return status_error(
            "Groq", err.status_code, headers=err.response.headers, body=err.body, secrets=secrets
        )
    if isinstance(err, groq.APIResponseValidationError):
        return ProviderBadResponse(f"Groq's reply did not have the expected shape ({err.message})")
    if isinstance(err, groq.APIConnectionError):  # APITimeoutError included
        cause = err.__cause__
        if cause is None:
            if isinstance(err, groq.APITimeoutError):
                within = f" within {timeout_s:g}s" if timeout_s else ""
                return ProviderTimeout(f"no answer from Groq{within}")
            cause = err
        return transport_error("Groq", cause, base_url=base_url, timeout_s=timeout_s)
    if isinstance(err, httpx.TransportError):
        return transport_error("Groq", err, base_url=base_url, timeout_s=timeout_s)
    raise TypeError(f"not a Groq SDK error: {type(err).__name__}") from err


def map_elevenlabs_error(
    err: BaseException, *, base_url: str, timeout_s: float | None, secrets: Iterable[str | None] = ()
) -> ProviderError:
    """Map an exception raised by the ``elevenlabs`` SDK (ApiError, httpx errors) to a provider error."""
    from elevenlabs.core.api_error import ApiError
    from elevenlabs.core.parse_error import ParsingError

    if isinstance(err, ProviderError):
        return err
    if isinstance(err, ParsingError) or (
        isinstance(err, ApiError) and (err.status_code is None or 200 <= int(err.status_code) < 300)
    ):
        return ProviderBadResponse("ElevenLabs' reply could not be understood (not the expected JSON)")
    if isinstance(err, ApiError):
        return status_error(
            "ElevenLabs", int(err.status_code), headers=err.headers, body=err.body, secrets=secrets
        )
    if isinstance(err, httpx.TransportError):
        return transport_error("ElevenLabs", err, base_url=base_url, timeout_s=timeout_s)
    raise TypeError(f"not an ElevenLabs SDK error: {type(err).__name__}") from err


def json_body(response: httpx.Response, title: str) -> Any:
    """The decoded JSON body of a 2xx response, or ProviderBadResponse."""
    try:
        return json.loads(response.content)
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        size = len(response.content)
        kind = response.headers.get("content-type", "no content type")
        raise ProviderBadResponse(
            f"{title}'s reply is not valid JSON ({size} bytes, {kind})"
        ) from err
