"""Test-wide setup: offscreen Qt, and every folder the app writes to redirected into tmp dirs."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """A test never touches the user's real settings, data or log folders."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        path = home / sub
        path.mkdir()
        monkeypatch.setenv(var, str(path))
    for secret in ("GROQ_API_KEY", "ELEVENLABS_API_KEY", "GROQ_BASE_URL", "ELEVENLABS_BASE_URL"):
        monkeypatch.delenv(secret, raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    yield home
