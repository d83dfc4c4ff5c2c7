"""End to end: the real app as a subprocess, answers spoken into the virtual microphone.

test.sh starts a user-space PulseAudio whose default source ``vmic`` hears whatever is played into
the null sink ``vspk``. The helper waits for each ``state=listening`` log line, then plays a spoken
answer into ``vspk``; the saved session must hold what was said.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interview_desktop.audio.wav import write_wav
from tests.speech import espeak_clip, word_error_rate

pytestmark = [pytest.mark.audio, pytest.mark.slow]

ANSWERS = [
    "In my last role I led a team of four engineers and we shipped the new billing system on time.",
    "I want to work here because I care about building reliable software for customers.",
]


@pytest.fixture
def vmic():
    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        pytest.skip("virtual microphone not running (test.sh starts it: scripts/test-services.sh)")


def test_spoken_interview_through_the_virtual_microphone(vmic, tmp_path):
    wavs = []
    for i, text in enumerate(ANSWERS, 1):
        wavs.append(write_wav(tmp_path / f"answer{i}.wav", espeak_clip(text, wpm=150, lead_s=0.3)))
    data = tmp_path / "data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    log = []
    played = 0
    with subprocess.Popen(
        [sys.executable, "-m", "interview_desktop", "--data-dir", str(data), "--candidate", "E2E",
         "--role", "Software Engineer", "--auto-start", "--quit-when-done", "--questions", "2"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    ) as app:
        try:
            for line in app.stderr:  # bounded by pytest-timeout
                log.append(line)
                if "state=listening" in line:
                    subprocess.run(["paplay", "--device=vspk", str(wavs[played])], check=True, timeout=30)
                    played += 1
            assert app.wait(timeout=60) == 0, "".join(log[-30:])
        finally:
            if app.poll() is None:
                app.kill()
    assert played == 2
    sessions = list((data / "sessions").glob("*.json"))
    assert len(sessions) == 1
    doc = json.loads(sessions[0].read_text())
    assert doc["status"] == "completed" and doc["candidate"] == "E2E"
    for answer, said in zip(doc["answers"], ANSWERS, strict=True):
        assert answer["input"] == "voice"
        assert word_error_rate(said, answer["text"]) <= 0.3, (said, answer["text"])
        assert (data / answer["audio_path"]).is_file()
        assert answer["provenance"]["stt"] == "local-whisper"
        assert answer["provenance"]["voice"] == "pyttsx3"
    states = [line.split("state=")[1].split()[0] for line in log if "state=" in line]
    assert states == ["asking", "listening", "transcribing", "evaluating"] * 2 + ["finished"]
    assert Path(data / "audio").is_dir()
