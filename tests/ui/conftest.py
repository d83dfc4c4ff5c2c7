from __future__ import annotations

import pytest

from interview_desktop.app import InterviewApplication
from interview_desktop.cli import build_parser
from interview_desktop.config.settings import SettingsStore
from interview_desktop.providers.brains.question_bank import QuestionBank


@pytest.fixture
def make_app(qtbot, tmp_path):
    """Build the real application (threads, engine, JSON store, window) on a temp data folder."""
    apps = []

    def make(*argv: str, voice: bool = False) -> InterviewApplication:
        """``voice=False`` adds ``--typed``: no speech, no microphone (the typed-answer tests)."""
        argv = argv if voice else ("--typed", *argv)
        args = build_parser().parse_args(["--data-dir", str(tmp_path / "data"), *argv])
        store = SettingsStore(tmp_path / "settings.json")
        app = InterviewApplication(args, store.load(), store, QuestionBank.load())
        qtbot.addWidget(app.window)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.shutdown()
