"""The Settings "Test connection" button: one cheap authenticated request, a plain verdict.

Groq: ``GET /openai/v1/models`` (``client.models.list()``). ElevenLabs: ``GET /v1/models``
(``client.models.list()``; needs no extra key permission, unlike ``user.get()`` or
``voices.get_all()``). No retries. Run it on a worker thread: it can take up to ``timeout_s``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import httpx

from interview_desktop.config.keys import SERVICE_TITLES
from interview_desktop.providers.base import ProviderBadResponse, ProviderError
from interview_desktop.providers.cloud.clients import (
    ELEVENLABS_NO_RETRY,
    make_elevenlabs_client,
    make_groq_client,
    new_http_client,
    resolve_base_url,
)
from interview_desktop.providers.cloud.errors import (
    CloudConfigError,
    json_body,
    map_elevenlabs_error,
    map_groq_error,
    no_key,
)

log = logging.getLogger("interview_desktop.providers.connection")


@dataclass(frozen=True)
class ConnectionReport:
    ok: bool
    message: str  # one sentence for the user; never contains the key
    cause: str = ""  # "" when ok, else the provider error cause ("bad key", "timeout" …)
    seconds: float = 0.0


def test_connection(
    service: str, api_key: str | None, base_url: str | None = None, timeout_s: float = 8.0
) -> ConnectionReport:
    """Check that ``api_key`` works for ``service`` ("groq" or "elevenlabs") at ``base_url``."""
    if service not in SERVICE_TITLES:
        raise ValueError(f"unknown service {service!r}")
    title = SERVICE_TITLES[service]
    started = time.perf_counter()
    key = (api_key or "").strip()
    try:
        url = resolve_base_url(service, base_url)
        if not key:
            raise no_key(title)
        detail = _CHECKS[service](key, url, timeout_s)
    except CloudConfigError as err:
        return ConnectionReport(False, str(err), "configuration", time.perf_counter() - started)
    except ProviderError as err:
        elapsed = time.perf_counter() - started
        log.info("%s connection test failed after %.2fs: %s", service, elapsed, err)
        return ConnectionReport(False, str(err), err.cause, elapsed)
    elapsed = time.perf_counter() - started
    log.info("%s connection test passed in %.2fs", service, elapsed)
    return ConnectionReport(True, f"Connected to {title} at {url}{detail}.", "", elapsed)


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite its name


def _check_groq(key: str, url: str, timeout_s: float) -> str:
    import groq

    client = make_groq_client(key, url, timeout_s)
    try:
        raw = client.models.with_raw_response.list()
    except (groq.APIError, httpx.TransportError) as err:
        raise map_groq_error(err, base_url=url, timeout_s=timeout_s, secrets=(key,)) from err
    finally:
        client.close()
    body = json_body(raw.http_response, "Groq")
    models = body.get("data") if isinstance(body, dict) else None
    if not isinstance(models, list):
        raise ProviderBadResponse("Groq's model list is not in the expected shape")
    return f" ({len(models)} models available)"


def _check_elevenlabs(key: str, url: str, timeout_s: float) -> str:
    from elevenlabs.core.api_error import ApiError
    from elevenlabs.core.parse_error import ParsingError

    with new_http_client(timeout_s) as http:
        client = make_elevenlabs_client(key, url, timeout_s, http)
        try:
            raw = client.models.with_raw_response.list(request_options=ELEVENLABS_NO_RETRY)
        except (ApiError, ParsingError, httpx.TransportError) as err:
            raise map_elevenlabs_error(err, base_url=url, timeout_s=timeout_s, secrets=(key,)) from err
    models = raw.data
    if not isinstance(models, list):
        raise ProviderBadResponse("ElevenLabs' model list is not in the expected shape")
    return f" ({len(models)} models available)"


#: One cheap authenticated request per service.
_CHECKS = {"groq": _check_groq, "elevenlabs": _check_elevenlabs}
