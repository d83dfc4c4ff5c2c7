"""KeyStore: keyring first, environment wins, memory when there is no keyring; mask()."""

from __future__ import annotations

import logging

import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from interview_desktop.config.keys import KEYRING_SERVICE, NO_KEYRING_MESSAGE, KeyStore, mask

KEY = "gsk_abcdefghijklmnopqrstuvwxyz0123456789wxyz"


class DictKeyring(KeyringBackend):
    """A working keyring held in a dict (the real backends need a desktop session)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self):
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


class LockedKeyring(DictKeyring):
    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("the collection is locked")


def test_mask():
    assert mask(KEY) == "gsk_…wxyz"
    assert mask("sk_0123456789abcdef9876") == "sk_…9876"
    assert mask("abcdefghijklmnop") == "…mnop"
    assert mask("short") == "••••"
    assert mask(None) == "" and mask("  ") == ""


def test_keyring_round_trip_is_persistent(caplog):
    caplog.set_level(logging.DEBUG)
    backend = DictKeyring()
    keys = KeyStore(backend, environ={})
    assert keys.persistent and keys.message == ""
    assert keys.get("groq") is None
    keys.set("groq", f"  {KEY}\n")
    assert backend.store == {(KEYRING_SERVICE, "groq"): KEY}
    assert KeyStore(backend, environ={}).get("groq") == KEY  # survives a "restart"
    info = keys.info("groq")
    assert (info.present, info.source, info.masked) == (True, "keyring", "gsk_…wxyz")
    keys.delete("groq")
    keys.delete("groq")  # deleting twice is fine
    assert keys.get("groq") is None and backend.store == {}
    assert all(KEY not in r.getMessage() for r in caplog.records)


def test_environment_wins_and_is_never_written():
    backend = DictKeyring()
    keys = KeyStore(backend, environ={"GROQ_API_KEY": "gsk_fromTheEnvironment1234"})
    keys.set("groq", KEY)
    assert keys.get("groq") == "gsk_fromTheEnvironment1234"
    assert keys.info("groq").source == "env"
    assert backend.store == {(KEYRING_SERVICE, "groq"): KEY}  # only what was set explicitly
    keys.delete("groq")
    assert keys.get("groq") == "gsk_fromTheEnvironment1234"
    assert keys.get("elevenlabs") is None


@pytest.mark.parametrize("backend", [keyring.backends.null.Keyring(), keyring.backends.fail.Keyring()],
                         ids=["null", "fail"])
def test_no_keyring_keeps_the_key_in_memory(backend):
    keys = KeyStore(backend, environ={})
    assert not keys.persistent and keys.message == NO_KEYRING_MESSAGE
    keys.set("elevenlabs", KEY)
    assert keys.get("elevenlabs") == KEY
    assert keys.info("elevenlabs").source == "memory"
    assert KeyStore(backend, environ={}).get("elevenlabs") is None  # gone after a "restart"


def test_default_backend_in_tests_is_the_null_keyring():
    """conftest sets PYTHON_KEYRING_BACKEND to the null keyring: never the user's real keyring."""
    keys = KeyStore()
    assert not keys.persistent


def test_keyring_failing_at_run_time_falls_back_to_memory(caplog):
    keys = KeyStore(LockedKeyring(), environ={})
    assert keys.persistent
    keys.set("groq", KEY)
    assert keys.get("groq") == KEY and not keys.persistent and keys.message == NO_KEYRING_MESSAGE
    assert any("KeyringLocked" in r.getMessage() for r in caplog.records)
    assert all(KEY not in r.getMessage() for r in caplog.records)


def test_unknown_service_is_a_bug():
    with pytest.raises(ValueError):
        KeyStore(DictKeyring(), environ={}).get("openai")
