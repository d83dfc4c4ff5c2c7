"""The answer being spoken is on disk as it is heard, flushed every second, readable after a kill."""

from __future__ import annotations

import os

import numpy as np

from interview_desktop.audio import safety_recording
from interview_desktop.audio.safety_recording import SafetyRecording, safety_path


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_what_was_heard_is_on_disk_within_a_second_and_found_again(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(safety_recording.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    clock = Clock()
    path = safety_path(tmp_path, "a" * 32, 2)
    recording = SafetyRecording(path, {"session_id": "a" * 32, "index": 1}, clock=clock)
    assert len(synced) == 1  # the description is on disk before any audio
    audio = tone(1.5)
    recording.append(audio[:8000])
    clock.now = 0.5
    recording.append(audio[8000:16000])
    assert len(synced) == 1  # under a second since the last flush
    clock.now = 1.0
    recording.append(audio[16000:])  # a second since the last flush: written and synced
    assert len(synced) == 2 and path.stat().st_size == 2 * len(audio)
    found = list(safety_recording.find(tmp_path))
    assert [f.meta["index"] for f in found] == [1]
    np.testing.assert_allclose(found[0].clip().samples, audio, atol=1 / 32767 + 1e-6)
    recording.discard()
    assert list(safety_recording.find(tmp_path)) == [] and not path.exists()


def test_a_file_cut_mid_sample_reads_up_to_its_last_whole_sample(tmp_path):
    path = safety_path(tmp_path, "b" * 32, 1)
    recording = SafetyRecording(path, {"session_id": "b" * 32, "index": 0})
    recording.append(tone(0.5))
    recording.keep()  # as the app leaves it when it closes mid-answer
    with open(path, "ab") as f:
        f.write(b"\x01")  # half a sample: the power went in the middle of a write
    (found,) = safety_recording.find(tmp_path)
    assert len(found.clip().samples) == 8000


def test_an_unreadable_description_is_left_alone(tmp_path, caplog):
    path = safety_path(tmp_path, "c" * 32, 1)
    recording = SafetyRecording(path, {"session_id": "c" * 32, "index": 0})
    recording.append(tone(0.1))
    recording.keep()
    path.with_name("1.recording.json").write_text("{not json")
    assert list(safety_recording.find(tmp_path)) == []
    assert path.exists() and "cannot be read" in caplog.text


def test_a_full_disk_stops_the_safety_copy_without_stopping_the_answer(small_tmpfs, caplog):
    path = safety_path(small_tmpfs("64k"), "d" * 32, 1)
    recording = SafetyRecording(path, {"session_id": "d" * 32, "index": 0}, flush_every_s=0.0)
    for _ in range(10):
        recording.append(tone(0.5))  # 16 KB each: the disk fills on the 4th
    assert recording.error is not None and "No space left" in recording.error
    assert "could not be written" in caplog.text
    recording.discard()  # nothing left behind
    assert not path.exists() and not path.with_name("1.recording.json").exists()
