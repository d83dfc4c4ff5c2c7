"""Bad input and broken surroundings: each gives a clear message, no crash, and nothing is lost.

Through the real executable (``--selftest``, ``evaluate``) or the assembled app (typed interviews).
Settings files: tests/config/test_settings.py; typed answers, the job description and a full disk:
tests/ui/test_bad_input_app.py; cloud keys that are wrong or refused: the cloud tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.test_cli import run_app

GOOD = {"schema_version": 1, "id": "good0000", "candidate": "Ada", "role": "Sales",
        "started_at": "2026-11-01T10:00:00+00:00", "status": "completed", "answers": []}


def sessions_folder(root: Path) -> Path:
    folder = root / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good0000.json").write_text(json.dumps(GOOD), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("name", "content"), [
    ("corrupt", b'{"id": "corrupt", "answ\x00\xff'),
    ("truncated", json.dumps(GOOD | {"id": "truncated"}).encode()[:70]),
    ("wrong-schema", json.dumps({"id": 5, "answers": "none", "started_at": []}).encode()),
    ("empty", b""),
])
def test_a_damaged_session_file_is_set_aside_and_the_rest_is_kept(tmp_path, name, content):
    folder = sessions_folder(tmp_path / "data")
    (folder / f"{name}.json").write_bytes(content)
    result = run_app("--selftest", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "data" / "quarantine").glob(f"{name}*.json")), result.stderr
    assert name in result.stderr  # the warning names the file
    assert (folder / "good0000.json").exists()  # the good one is untouched


def test_a_huge_session_file_is_read_not_fatal(tmp_path):
    folder = sessions_folder(tmp_path / "data")
    answer_doc = {"index": 0, "question": {"id": "q", "text": "Why?", "kind": "motivation", "role": "x"},
                  "text": "word " * 4_000_000, "input": "typed", "asked_at": GOOD["started_at"],
                  "answered_at": GOOD["started_at"]}
    (folder / "huge0000.json").write_text(json.dumps(GOOD | {"id": "huge0000", "answers": [answer_doc]}))
    assert (folder / "huge0000.json").stat().st_size > 20_000_000
    result = run_app("--selftest", "--data-dir", str(tmp_path / "data"), timeout=120)
    assert result.returncode == 0, result.stderr
    assert (folder / "huge0000.json").exists()


def test_a_damaged_settings_file_is_repaired_at_start(tmp_path):
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "interview-desktop"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text('{"follow_ups": 7, "question_count": 3, "role": "Sal')
    result = run_app("--selftest", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert "settings file" in result.stderr and "repaired" in result.stderr
    assert (config / "settings.json.bad").exists()


def test_an_invalid_mongodb_address_keeps_the_history_local(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MONGODB_URI="mongodb://user:pw@:::not a host")
    result = subprocess.run(
        [os.sys.executable, "-m", "interview_desktop", "--selftest", "--data-dir", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=60, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert "is not valid" in result.stderr and "history stays local" in result.stderr
    assert "pw@" not in result.stderr  # the password is masked in the message


def test_a_data_folder_with_spaces_and_non_ascii_names(tmp_path):
    folder = tmp_path / "Mes entretiens — 面试 é"
    result = run_app("--selftest", "--data-dir", str(folder))
    assert result.returncode == 0, result.stderr
    assert "selftest passed" in result.stdout and (folder / "index.sqlite3").is_file()


def write_wav(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        chunk = np.zeros(16000 * 60, np.int16).tobytes()
        left = int(seconds * 16000)
        while left > 0:
            wav.writeframes(chunk[: 2 * min(left, 16000 * 60)])
            left -= 16000 * 60
    return path


@pytest.mark.parametrize(("seconds", "code", "message"), [
    (0.0, 1, "the recording is empty"),
    (3600.0, 2, "the recording is 60.0 minutes long"),
])
def test_evaluate_refuses_an_empty_or_an_hour_long_recording_clearly(tmp_path, seconds, code, message):
    wav = write_wav(tmp_path / "answer.wav", seconds)
    result = run_app("evaluate", "--question", "Tell me about a time you failed.", "--audio", str(wav),
                     timeout=120)
    assert result.returncode == code and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_evaluate_says_what_is_wrong_with_a_file_that_is_not_audio(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    result = run_app("evaluate", "--question", "Why?", "--audio", str(tmp_path / "empty.wav"))
    assert result.returncode == 1 and "empty or cut short" in result.stderr, result.stderr
