"""API keys for the cloud services, kept in the system keyring.

* Keys live in the platform keyring (Secret Service / KWallet on Linux, Keychain on macOS, Credential
  Manager on Windows) under the service name ``interview-desktop`` with the service id ("groq",
  "elevenlabs") as the user name.
* An environment variable (``GROQ_API_KEY`` / ``ELEVENLABS_API_KEY``) wins over the keyring while it
  is set; it is read, never written anywhere.
* With no working keyring (``keyring.errors.NoKeyringError``, the "fail" or "null" backend, or a
  keyring that errors at run time, e.g. a locked or absent Secret Service) a key set in Settings is
  kept in memory for this run only: :attr:`KeyStore.persistent` is False and :attr:`KeyStore.message`
  says so in plain words.
* A key is never logged. Use :func:`mask` to show one ("gsk_…abcd").
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import keyring
import keyring.errors

log = logging.getLogger("interview_desktop.keys")

KEYRING_SERVICE = "interview-desktop"
SERVICES: tuple[str, ...] = ("groq", "elevenlabs", "mongodb")  # mongodb: the URI (it holds a password)
ENV_VARS: Mapping[str, str] = {
    "groq": "GROQ_API_KEY", "elevenlabs": "ELEVENLABS_API_KEY", "mongodb": "MONGODB_URI",
}
SERVICE_TITLES: Mapping[str, str] = {"groq": "Groq", "elevenlabs": "ElevenLabs"}

#: What a keyring backend raises when it cannot work (locked, no D-Bus, no Secret Service …).
_KEYRING_FAILURES = (keyring.errors.KeyringError, OSError, RuntimeError)

NO_KEYRING_MESSAGE = "no system keyring: the key is kept only until you close the app"


def mask(key: str | None) -> str:
    """A display form of a key that shows its prefix and last four characters: ``gsk_…abcd``.

    Keys shorter than 12 characters show nothing but their length class (``••••``); ``None`` or a
    blank key gives "".
    """
    if not key or not key.strip():
        return ""
    key = key.strip()
    if len(key) < 12:
        return "••••"
    cut = key.find("_")
    prefix = key[: cut + 1] if 0 < cut <= 4 else ""
    return f"{prefix}…{key[-4:]}"


@dataclass(frozen=True)
class KeyInfo:
    """What Settings shows for one service (no secret in it)."""

    service: str
    present: bool
    source: str  # "env", "keyring", "memory" or "" (none)
    masked: str


def _backend_usable(backend: Any) -> bool:
    """False for keyring's "fail" and "null" backends (and a chainer holding no real backend)."""
    module = type(backend).__module__
    if module in ("keyring.backends.fail", "keyring.backends.null"):
        return False
    inner = getattr(backend, "backends", None)
    if module == "keyring.backends.chainer" and inner is not None:
        return any(_backend_usable(b) for b in inner)
    return True


class KeyStore:
    """Get, set and delete the API keys of :data:`SERVICES`.

    ``backend`` is a ``keyring`` backend object (default: ``keyring.get_keyring()``); ``environ``
    is the environment to read (default ``os.environ``); ``maskers`` show a service's secret in a
    form of its own (a MongoDB URI with its password hidden) instead of :func:`mask`. Thread-safe;
    a real keyring may block (D-Bus), so the app calls it from worker threads.
    """

    def __init__(
        self,
        backend: Any | None = None,
        environ: Mapping[str, str] | None = None,
        maskers: Mapping[str, Callable[[str], str]] | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._maskers = dict(maskers or {})
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        self._backend: Any | None
        if backend is None:
            try:
                backend = keyring.get_keyring()
            except _KEYRING_FAILURES as err:
                log.info("system keyring unavailable: %s", type(err).__name__)
                backend = None
        self._backend = backend if backend is not None and _backend_usable(backend) else None
        if self._backend is None:
            log.info("no usable system keyring; API keys are kept in memory for this run")
        else:
            log.debug("keyring backend: %s", type(self._backend).__name__)

    # -- state --------------------------------------------------------------------------------

    @property
    def persistent(self) -> bool:
        """True when keys set here survive a restart (a working system keyring)."""
        return self._backend is not None

    @property
    def message(self) -> str:
        """A plain sentence for Settings when keys are not persistent, else ""."""
        return "" if self.persistent else NO_KEYRING_MESSAGE

    def _fall_back_to_memory(self, err: Exception) -> None:
        # the error text of a keyring backend does not contain the secret; its type is enough
        log.warning("the system keyring failed (%s); keys are kept in memory for this run",
                    type(err).__name__)
        self._backend = None

    # -- keys ---------------------------------------------------------------------------------

    @staticmethod
    def _check(service: str) -> None:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}; expected one of {SERVICES}")

    def env_key(self, service: str) -> str | None:
        self._check(service)
        value = self._environ.get(ENV_VARS[service], "").strip()
        return value or None

    def get(self, service: str) -> str | None:
        """The key to use: the environment variable, else the keyring, else this run's memory."""
        env = self.env_key(service)
        if env:
            return env
        return self._stored(service)[0]

    def _stored(self, service: str) -> tuple[str | None, str]:
        with self._lock:
            if service in self._memory:
                return self._memory[service], "memory"
            if self._backend is None:
                return None, ""
            try:
                value = self._backend.get_password(KEYRING_SERVICE, service)
            except _KEYRING_FAILURES as err:
                self._fall_back_to_memory(err)
                return None, ""
        return (value, "keyring") if value else (None, "")

    def info(self, service: str) -> KeyInfo:
        env = self.env_key(service)
        if env:
            return KeyInfo(service, True, "env", self._mask(service, env))
        value, source = self._stored(service)
        return KeyInfo(service, bool(value), source, self._mask(service, value))

    def _mask(self, service: str, value: str | None) -> str:
        return self._maskers.get(service, mask)(value or "") if value else ""

    def set(self, service: str, key: str) -> None:
        """Store ``key`` (stripped; blank deletes). An environment variable still takes precedence."""
        self._check(service)
        key = (key or "").strip()
        if not key:
            self.delete(service)
            return
        with self._lock:
            if self._backend is not None:
                try:
                    self._backend.set_password(KEYRING_SERVICE, service, key)
                except _KEYRING_FAILURES as err:
                    self._fall_back_to_memory(err)
                else:
                    self._memory.pop(service, None)
                    log.info("%s API key saved in the system keyring (%s)", service, mask(key))
                    return
            self._memory[service] = key
        log.info("%s API key kept in memory for this run (%s)", service, mask(key))

    def delete(self, service: str) -> None:
        """Forget the stored key (the environment variable, if any, is left alone)."""
        self._check(service)
        with self._lock:
            self._memory.pop(service, None)
            if self._backend is None:
                return
            try:
                self._backend.delete_password(KEYRING_SERVICE, service)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing stored
            except _KEYRING_FAILURES as err:
                self._fall_back_to_memory(err)
        log.info("%s API key removed", service)
