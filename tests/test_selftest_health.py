"""--selftest checks what a bundle could miss: the speech model, the voice activity detector and the
offline voice work; a missing one fails the self-test with the reason."""

from __future__ import annotations

import pytest

from interview_desktop import health
from interview_desktop.health import HealthError
from interview_desktop.selftest import Selftest
from tests.test_cli import run_app


def test_the_real_checks_pass_and_say_what_they_checked(tmp_path):
    result = run_app("--selftest", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for found in ("ok — speech model tiny.en loaded", "ok — voice activity detector: speech in",
                  "ok — offline voice en_US-joe-medium"):
        assert found in result.stdout, result.stdout


@pytest.mark.parametrize("broken", ["speech model", "voice activity detector", "offline voice"])
def test_a_missing_part_fails_the_selftest_with_the_reason(qtbot, make_app, monkeypatch, broken, tmp_path):
    def missing():
        raise HealthError(f"the {broken} is not in this bundle")

    checks = [(name, missing if name == broken else (lambda name=name: f"{name} fine"))
              for name, _ in health.health_checks()]
    app = make_app()
    verdicts = []
    selftest = Selftest(app.engine, app.history, lambda ok, why: verdicts.append((ok, why)), checks)
    selftest.run()
    qtbot.waitUntil(lambda: bool(verdicts), timeout=10_000)
    assert verdicts == [(False, f"{broken}: the {broken} is not in this bundle")]


def test_a_model_folder_without_its_files_is_found_by_the_speech_model_check(tmp_path, monkeypatch):
    from interview_desktop.providers.stt import local_whisper

    monkeypatch.setattr(local_whisper.LocalWhisperSTT, "_default_model_path", lambda self: str(tmp_path),
                        raising=False)
    original = local_whisper.LocalWhisperSTT.__init__

    def empty_folder(self, *args, **kwargs):
        original(self, str(tmp_path))  # an empty folder where the model should be

    monkeypatch.setattr(local_whisper.LocalWhisperSTT, "__init__", empty_folder)
    with pytest.raises(HealthError, match="does not work"):
        health.check_speech_model()
