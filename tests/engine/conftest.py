"""Fixtures shared by the engine tests (the bundled speech model is in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _engines_shut_down(monkeypatch):
    """Every engine a test makes has its worker pool stopped before it is garbage-collected, as the
    app does at exit (a worker finishing after its engine is gone would signal a deleted object)."""
    from interview_desktop.engine.interview_engine import InterviewEngine

    made = []
    original = InterviewEngine.__init__

    def tracking_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(InterviewEngine, "__init__", tracking_init)
    yield
    for engine in made:
        engine.shutdown()
