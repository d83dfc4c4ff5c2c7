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

import numpy as np
import pytest

from interview_desktop.audio.wav import write_wav
from interview_desktop.domain import AudioClip
from tests.speech import espeak_clip, normalize_words, word_error_rate

pytestmark = [pytest.mark.audio, pytest.mark.slow]

ANSWERS = [
    "In my last role I led a team of four engineers and we shipped the new billing system on time.",
    "I want to work here because I care about building reliable software for customers.",
]
# an answer with a thinking pause after an unfinished clause: saved whole
PAUSED = ("We moved the whole billing system to the cloud, and", 2.5, "we cut the costs by thirty percent.")
# an answer that looks finished, and its continuation, played once the app has started the next question
RESUMED = ("I care most about clear ownership of the work in a small team.",
           "And about writing things down so that nobody has to guess.")


@pytest.fixture
def vmic():
    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        pytest.skip("virtual microphone not running (test.sh starts it: scripts/test-services.sh)")


def test_spoken_interview_through_the_virtual_microphone(vmic, tmp_path):
    """Four questions: two plain answers, one with a 2.5 s thinking pause, and one the candidate goes
    on with after the app has started asking the next question (the question stops, the words are
    appended to the same answer)."""
    first, pause_s, rest = PAUSED
    clips = [espeak_clip(ANSWERS[0], wpm=150, lead_s=0.3),
             AudioClip(np.concatenate([espeak_clip(first, wpm=150, lead_s=0.3).samples,
                                       np.zeros(int(pause_s * 16000), np.float32),
                                       espeak_clip(rest, wpm=150).samples]), 16000),
             espeak_clip(RESUMED[0], wpm=150, lead_s=0.3),
             espeak_clip(ANSWERS[1], wpm=150, lead_s=0.3)]
    wavs = [write_wav(tmp_path / f"answer{i}.wav", c) for i, c in enumerate(clips)]
    going_on = write_wav(tmp_path / "going_on.wav", espeak_clip(RESUMED[1], wpm=150, voice="en-us"))
    data = tmp_path / "data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    log = []
    played, heard_question, went_on = 0, "", None
    with subprocess.Popen(
        [sys.executable, "-m", "interview_desktop", "--data-dir", str(data), "--candidate", "E2E",
         "--role", "Software Engineer", "--auto-start", "--quit-when-done", "--questions", "4"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    ) as app:
        try:
            for line in app.stderr:  # bounded by pytest-timeout
                log.append(line)
                question = line.split("question=")[1].split()[0] if "question=" in line else ""
                if "state=listening" in line and question != heard_question:  # a new question
                    heard_question = question
                    subprocess.run(["paplay", "--device=vspk", str(wavs[played])], check=True, timeout=30)
                    played += 1
                elif "state=asking question=4/4" in line and went_on is None:  # the app asks question 4 …
                    # … and the candidate goes on with answer 3 over it
                    went_on = subprocess.Popen(["paplay", "--device=vspk", str(going_on)])
            assert app.wait(timeout=60) == 0, "".join(log[-30:])
        finally:
            if app.poll() is None:
                app.kill()
            if went_on is not None:
                went_on.wait(timeout=30)
    assert played == 4 and went_on is not None
    sessions = list((data / "sessions").glob("*.json"))
    assert len(sessions) == 1
    doc = json.loads(sessions[0].read_text())
    assert doc["status"] == "completed" and doc["candidate"] == "E2E"
    expected = [ANSWERS[0], f"{first} {rest}", " ".join(RESUMED), ANSWERS[1]]
    assert [a["index"] for a in doc["answers"]] == [0, 1, 2, 3]
    for i, (answer, said) in enumerate(zip(doc["answers"], expected, strict=True)):
        assert answer["input"] == "voice"
        if i == 2:
            # the continuation's first second is heard over the app's own voice at full level (the
            # virtual microphone hears the sink; no echo cancellation here) and tiny.en often
            # garbles what follows it: the first sentence must be intact and the continuation kept
            # (Whisper may join them with a comma: "…in a small team, and about writing…")
            words = normalize_words(answer["text"])
            assert "ownership" in words and "team" in words, answer["text"]
            assert len(words) - words.index("team") - 1 >= 3, answer["text"]
            assert answer["duration_s"] >= clips[2].duration_s + 2.0  # the continuation's audio
        else:
            assert word_error_rate(said, answer["text"]) <= 0.3, (said, answer["text"])
        assert (data / answer["audio_path"]).is_file()
        assert answer["provenance"]["stt"] == "local-whisper"
        assert answer["provenance"]["voice"] == "piper"  # the neural voice asked it
        turn = answer["turn"]
        assert turn["mode"] == "smart" and turn["speech_end_s"] <= turn["decided_s"]
    assert doc["answers"][1]["turn"]["resumed"] == 0  # the thinking pause did not end it
    assert doc["answers"][2]["turn"]["resumed"] == 1
    states = [(line.split("state=")[1].split()[0], line.split("question=")[1].split()[0])
              for line in log if "state=" in line and "question=" in line]
    turn = ["asking", "listening", "transcribing", "evaluating"]
    expected_states = (
        [(s, "1/4") for s in turn] + [(s, "2/4") for s in turn] + [(s, "3/4") for s in turn]
        + [("asking", "4/4")] + [(s, "3/4") for s in turn[1:]] + [(s, "4/4") for s in turn]
        + [("finished", "4/4")]
    )
    assert states == expected_states
    assert "continued: the candidate went on" in "".join(log)
    assert Path(data / "audio").is_dir()
