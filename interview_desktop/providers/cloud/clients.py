"""SDK clients, configured the same way everywhere: explicit key and base URL, one timeout, no retries.

The SDKs retry by default (groq: 2 retries with back-off on 408/409/429/5xx and connection errors;
elevenlabs: 2 retries on 429/5xx for non-streaming calls). Here ``max_retries=0``: the fallback
chain and the circuit breaker handle failures, so a failure costs one request and one timeout.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from interview_desktop.providers.cloud.errors import CloudConfigError, no_key

if TYPE_CHECKING:
    import groq
    from elevenlabs.client import ElevenLabs

GROQ_DEFAULT_BASE_URL = "https://api.groq.com"  # the groq SDK's default
ELEVENLABS_DEFAULT_BASE_URL = "https://api.elevenlabs.io"  # ElevenLabsEnvironment.PRODUCTION

DEFAULT_BASE_URLS = {"groq": GROQ_DEFAULT_BASE_URL, "elevenlabs": ELEVENLABS_DEFAULT_BASE_URL}
BASE_URL_ENV = {"groq": "GROQ_BASE_URL", "elevenlabs": "ELEVENLABS_BASE_URL"}


def resolve_base_url(service: str, explicit: str | None = None) -> str:
    """The base URL for ``service``: the explicit setting, else ``GROQ_BASE_URL`` /
    ``ELEVENLABS_BASE_URL``, else the SDK default. No trailing slash. Raises CloudConfigError
    for something that is not an http(s) URL."""
    if service not in DEFAULT_BASE_URLS:
        raise ValueError(f"unknown service {service!r}")
    value = (explicit or "").strip() or os.environ.get(BASE_URL_ENV[service], "").strip()
    url = (value or DEFAULT_BASE_URLS[service]).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CloudConfigError(
            f"the {service} base URL {url!r} is not valid: it must start with https:// (or http://)"
        )
    return url


def make_groq_client(api_key: str, base_url: str, timeout_s: float) -> groq.Groq:
    import groq

    return groq.Groq(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0)


def make_elevenlabs_client(
    api_key: str, base_url: str, timeout_s: float, http_client: httpx.Client | None = None
) -> ElevenLabs:
    """An ElevenLabs client. Pass ``http_client`` to be able to close it: the SDK object has no
    public ``close()``."""
    from elevenlabs.client import ElevenLabs

    return ElevenLabs(api_key=api_key, base_url=base_url, timeout=timeout_s, httpx_client=http_client)


def new_http_client(timeout_s: float) -> httpx.Client:
    return httpx.Client(timeout=timeout_s, follow_redirects=True)


#: Pass as ``request_options`` to every ElevenLabs call (its retries are per call, not per client).
ELEVENLABS_NO_RETRY = {"max_retries": 0}


class GroqClientOwner:
    """Mixin for the Groq providers: the SDK client is created on first use (once, thread-safe),
    and ``close`` closes only a client the provider created itself (not one passed in).

    The provider sets ``_api_key``, ``base_url``, ``timeout_s``, ``_client``, ``_owns_client``,
    ``_lock`` and ``_client_factory`` in its ``__init__``.
    """

    _api_key: str | None
    base_url: str
    timeout_s: float
    _client: groq.Groq | None
    _owns_client: bool
    _lock: threading.Lock
    _client_factory: Callable[..., Any]

    def _get_client(self) -> groq.Groq:
        if self._api_key is None:
            raise no_key("Groq")
        with self._lock:
            if self._client is None:
                self._client = self._client_factory(self._api_key, self.base_url, self.timeout_s)
                self._owns_client = True
            return self._client

    def close(self) -> None:
        """Close the HTTP connections this provider opened (it can still be used afterwards)."""
        with self._lock:
            if self._client is not None and self._owns_client:
                self._client.close()
                self._client = None
