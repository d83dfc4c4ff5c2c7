from __future__ import annotations

import pytest

from interview_desktop.app import InterviewApplication
from interview_desktop.cli import build_parser
from interview_desktop.config.settings import SettingsStore
from interview_desktop.providers.brains.question_bank import QuestionBank


@pytest.fixture
def make_app_with_settings(qtbot, tmp_path):
    """The real application started on a settings file with the given content."""
    apps = []

    def make(content: str):
        store = SettingsStore(tmp_path / "settings.json")
        store.path.write_text(content, encoding="utf-8")
        args = build_parser().parse_args(["--typed", "--data-dir", str(tmp_path / "data")])
        app = InterviewApplication(args, store.load(), store, QuestionBank.load())
        qtbot.addWidget(app.window)
        apps.append(app)
        return app, store

    yield make
    for app in apps:
        app.shutdown()
