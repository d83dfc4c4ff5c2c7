"""End to end through the virtual PulseAudio microphone: paplay → vspk → vmic → MicCapture → Endpointer."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from interview_desktop.audio import backend
from interview_desktop.audio.capture import MicCapture, warm_up
from interview_desktop.audio.meter import rms_dbfs
from interview_desktop.audio.vad import SAMPLE_RATE, Endpointer, EndpointEvent, EndpointEventKind, EndReason
from interview_desktop.audio.wav import write_wav
from interview_desktop.domain import AudioClip
from tests.audio.helpers import SPEECH_A, SPEECH_B, needs_vmic, silence, wait_until

pytestmark = [pytest.mark.audio, needs_vmic]


def test_devices_are_listed_and_the_default_resolves():
    assert backend.list_input_devices()
    assert backend.list_output_devices()
    assert backend.resolve_input_device(None) is None  # the system default (vmic)
    name = backend.list_input_devices()[0]
    assert isinstance(backend.resolve_input_device(name), int)


def test_warm_up_waits_for_the_first_block_and_capture_then_delivers():
    """warm_up() returns how long the throw-away stream took to deliver its first block.

    No bound on the next stream's start-up is asserted: on this null-sink setup a new stream
    waits 0.04 s or ~2.05 s (the sink's 2 s render timer), warm-up or not (measured).
    """
    waited = warm_up(timeout_s=5.0)
    assert waited is not None and 0.0 < waited < 5.0
    mic = MicCapture()
    mic.start()
    try:
        assert wait_until(lambda: mic.blocks_received >= 10, 8.0)
        assert not mic.lost
    finally:
        mic.close()
    assert mic.drain().size >= 10 * 512  # drainable after close


def test_spoken_answer_is_captured_and_ends_on_silence(speech, tmp_path):
    if shutil.which("paplay") is None:
        pytest.skip("paplay not installed (apt-get install pulseaudio-utils)")
    a, b = speech(SPEECH_A), speech(SPEECH_B)
    answer = np.concatenate([silence(0.3), a, silence(1.0), b])
    wav = write_wav(tmp_path / "answer.wav", AudioClip(answer, SAMPLE_RATE))

    mic = MicCapture()
    ep = Endpointer()
    events: list[EndpointEvent] = []
    mic.start()
    try:
        assert wait_until(lambda: mic.first_block_received, 5.0), "the virtual mic delivered nothing"
        player = subprocess.Popen(["paplay", "--device=vspk", str(wav)])
        try:

            def step() -> bool:
                events.extend(ep.feed(mic.drain()))
                return mic.lost or any(e.kind is EndpointEventKind.ANSWER_ENDED for e in events)

            deadline = len(answer) / SAMPLE_RATE + ep.config.hangover_s + 8.0
            assert wait_until(step, deadline), f"no end of answer; events={events}"
            assert player.wait(timeout=10) == 0
        finally:
            if player.poll() is None:
                player.kill()
                player.wait()
    finally:
        mic.close()

    assert not mic.lost
    assert mic.dropped_blocks == 0
    kinds = [e.kind for e in events]
    assert kinds == [EndpointEventKind.SPEECH_STARTED, EndpointEventKind.ANSWER_ENDED], events
    assert events[-1].reason is EndReason.SILENCE
    clip = ep.clip()
    spoken = (len(a) + len(b)) / SAMPLE_RATE + 1.0
    # pre-roll + both parts + trailing; wide margin: real-time audio through a sound server
    assert spoken <= clip.duration_s <= spoken + 1.0
    assert rms_dbfs(clip.samples) > -35.0  # it is the speech, at about the level played
    assert len(ep.speech_segments()) >= 2
