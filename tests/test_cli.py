"""The real ``interview-desktop`` executable as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from interview_desktop import __version__


def run_app(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "interview_desktop", *args],
        capture_output=True, text=True, timeout=timeout, env=env, check=False,
    )


def test_selftest_passes(tmp_path):
    result = run_app("--selftest", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "selftest passed" in result.stdout
    assert "state=" not in result.stderr  # no interview was started


def test_version():
    result = run_app("--version")
    assert result.returncode == 0 and __version__ in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "Astronaut"], "unknown role 'Astronaut'"),
        (["--questions", "0"], "must be between 1 and 20"),
        (["--questions", "many"], "is not a whole number"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(args, message):
    result = run_app(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_corrupt_session_file_does_not_stop_the_app(tmp_path):
    sessions = tmp_path / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "broken.json").write_text('{"id": "broken", "answ')
    result = run_app("--selftest", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "quarantine").glob("broken*.json"))
    assert not (sessions / "broken.json").exists()
    assert "broken" in result.stderr  # the warning names the file


def test_log_file_is_written_in_the_platform_log_folder(tmp_path):
    result = run_app("--selftest", "--data-dir", str(tmp_path))
    assert result.returncode == 0
    state_home = Path(os.environ["XDG_STATE_HOME"])
    logs = list(state_home.rglob("interview-desktop.log"))
    assert logs and "selftest passed" in logs[0].read_text()
