"""A circuit breaker per cloud provider: after a failure that will likely repeat, skip the service.

A cloud provider sits in front of an offline one in a :class:`FallbackChain`. When the network is
down or the service is overloaded, every call would otherwise pay the full timeout before falling
back. The breaker remembers the failure and, while it is open, the provider raises
:class:`ProviderUnavailable` at once, with no network traffic:

* unavailable / timeout / 5xx: open for ``cooldown_s`` (60 s by default); the first call after that
  is a trial: success closes the breaker, a failure opens it again;
* quota (429): open for the server's ``Retry-After`` when it sent one, else ``cooldown_s``;
* bad key (401/403): open until the key changes (the provider reports a key fingerprint with each
  call; a new key closes the breaker);
* bad response: one bad reply does not open it (the next answer may be fine), but
  ``bad_response_limit`` in a row (3) open it for ``cooldown_s`` — e.g. a proxy answering HTML.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from interview_desktop.providers.base import (
    ProviderAuthError,
    ProviderBadResponse,
    ProviderError,
    ProviderUnavailable,
)

log = logging.getLogger("interview_desktop.providers.circuit")

T = TypeVar("T")


def key_fingerprint(key: str | None) -> str:
    """A short one-way fingerprint of a key, to notice that it changed (never the key itself)."""
    if not key:
        return ""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class CircuitBreaker:
    """Open / closed state for one provider. Thread-safe; ``clock`` is injectable for tests."""

    def __init__(
        self,
        cooldown_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        *,
        bad_response_limit: int = 3,
        name: str = "",
    ) -> None:
        self.cooldown_s = float(cooldown_s)
        self.bad_response_limit = max(1, bad_response_limit)
        self.name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until = -math.inf  # clock time; +inf = until the key changes
        self._auth_key: str | None = None  # fingerprint of the key the service rejected
        self._cause = ""
        self._bad_in_row = 0

    # -- state --------------------------------------------------------------------------------

    def is_open(self, key_id: str = "") -> bool:
        with self._lock:
            return self._blocked(key_id) is not None

    def remaining_s(self) -> float:
        """Seconds until a trial call is allowed (``inf`` while waiting for a new key, 0 when closed)."""
        with self._lock:
            return max(0.0, self._open_until - self._clock())

    @property
    def cause(self) -> str:
        """The failure that opened the breaker ("" when closed)."""
        return self._cause

    def reset(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        self._open_until = -math.inf
        self._auth_key = None
        self._cause = ""
        self._bad_in_row = 0

    def _blocked(self, key_id: str) -> str | None:
        """Why a call must be skipped now, or None (call with the lock held)."""
        if self._auth_key is not None:
            if key_id != self._auth_key:
                self._close()  # a new key: try it
                return None
            return f"skipped until the API key is changed, after: {self._cause}"
        remaining = self._open_until - self._clock()
        if remaining > 0:
            return f"skipped for {math.ceil(remaining):.0f}s after: {self._cause}"
        return None

    # -- calls --------------------------------------------------------------------------------

    def check(self, key_id: str = "") -> None:
        """Raise ProviderUnavailable (no network) while the breaker is open."""
        with self._lock:
            why = self._blocked(key_id)
        if why is not None:
            who = f"{self.name} " if self.name else ""
            raise ProviderUnavailable(f"{who}{why}")

    def record_success(self) -> None:
        with self._lock:
            if self._cause:
                log.info("%s is answering again; circuit closed", self.name or "provider")
            self._close()

    def record_failure(self, err: ProviderError, key_id: str = "") -> None:
        with self._lock:
            now = self._clock()
            if isinstance(err, ProviderAuthError):
                self._auth_key = key_id
                self._open_until = math.inf
                self._cause = f"{err.cause}: {err}"
                log.info("%s circuit open until the API key changes (%s)", self.name or "provider", err)
                return
            if isinstance(err, ProviderBadResponse):
                self._bad_in_row += 1
                if self._bad_in_row < self.bad_response_limit:
                    return
                duration = self.cooldown_s
            else:
                retry_after = getattr(err, "retry_after_s", None)
                duration = float(retry_after) if retry_after else self.cooldown_s
            self._bad_in_row = 0
            self._open_until = now + duration
            self._cause = f"{err.cause}: {err}"
            log.info("%s circuit open for %.0fs (%s)", self.name or "provider", duration, self._cause)

    def call(self, fn: Callable[[], T], key_id: str = "") -> T:
        """``fn()`` guarded: skipped while open; its ProviderError is recorded and re-raised."""
        self.check(key_id)
        try:
            result = fn()
        except ProviderError as err:
            self.record_failure(err, key_id)
            raise
        self.record_success()
        return result
