"""Player: the output callback, idle state, and real playback into the virtual sink."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from interview_desktop.audio.backend import load_sounddevice
from interview_desktop.audio.errors import PlaybackError
from interview_desktop.audio.playback import Player
from interview_desktop.domain import AudioClip
from tests.audio.helpers import needs_vmic, wait_until

OK = SimpleNamespace(output_underflow=False)


def ramp(n: int) -> np.ndarray:
    return np.linspace(-0.5, 0.5, n, dtype=np.float32)


def test_idle_player_is_done_and_stop_is_idempotent():
    player = Player()
    assert player.done.is_set()
    assert not player.is_playing
    assert player.error is None
    player.stop()
    player.stop()
    player.close()


def test_callback_copies_the_clip_pads_the_last_block_and_stops():
    sd = load_sounddevice()
    player = Player()
    data = ramp(1000)
    player._load(data, 16000, sd.CallbackStop)
    out = np.full((512, 1), 9.0, dtype=np.float32)
    player.callback(out, 512, None, OK)
    np.testing.assert_array_equal(out[:, 0], data[:512])
    out[:] = 9.0
    with pytest.raises(sd.CallbackStop):
        player.callback(out, 512, None, SimpleNamespace(output_underflow=True))
    np.testing.assert_array_equal(out[:488, 0], data[512:])
    np.testing.assert_array_equal(out[488:, 0], 0.0)
    assert player.position_s == pytest.approx(1000 / 16000)
    assert player.underflows == 1


def test_stream_ending_before_the_clip_is_played_out_is_an_error():
    sd = load_sounddevice()
    player = Player()
    player._load(ramp(4000), 16000, sd.CallbackStop)
    player.callback(np.zeros((512, 1), dtype=np.float32), 512, None, OK)
    player._on_finished(player._generation - 1)  # a stale callback of an earlier stream: ignored
    assert player.error is None
    player._on_finished(player._generation)  # the device went away
    assert player.done.is_set()
    assert isinstance(player.error, PlaybackError)


def test_unknown_speaker_is_a_playback_error():
    with pytest.raises(PlaybackError):
        Player(device="Bluetooth Speaker That Is Off").play(AudioClip(ramp(800), 16000))


@pytest.mark.audio
@needs_vmic
def test_a_short_clip_plays_to_the_end_and_done_gets_set():
    clip = AudioClip(0.2 * np.sin(2 * np.pi * 440 * np.arange(8000) / 16000).astype(np.float32), 16000)
    with Player() as player:
        player.play(clip)
        assert player.is_playing
        assert player.done.wait(5.0), "playback did not finish"
        assert player.error is None
        assert player.position_s == pytest.approx(0.5)
        player.stop()  # releases the finished stream; harmless


@pytest.mark.audio
@needs_vmic
def test_stop_ends_playback_early_and_a_new_clip_can_follow():
    long = AudioClip(np.zeros(16000 * 5, dtype=np.float32), 16000)
    player = Player()
    try:
        player.play(long)
        assert wait_until(lambda: player.position_s > 0.1, 5.0)
        player.stop()
        assert player.done.is_set()
        assert player.position_s < 4.0
        assert player.error is None
        player.play(AudioClip(np.zeros(4410, dtype=np.float32), 44100))  # another rate, same player
        assert player.done.wait(5.0)
        assert player.error is None
    finally:
        player.close()


@pytest.mark.audio
@needs_vmic
def test_extend_plays_the_next_clip_in_the_same_stream_and_refuses_once_played_out():
    tone = 0.2 * np.sin(2 * np.pi * 440 * np.arange(8000) / 16000).astype(np.float32)
    with Player() as player:
        player.play(AudioClip(tone, 16000))
        assert player.extend(AudioClip(np.zeros(11025, np.float32), 22050))  # 0.5 s, resampled
        assert player.done.wait(5.0), "playback did not finish"
        assert player.error is None
        assert player.position_s == pytest.approx(1.0, abs=0.01)  # both clips, one stream
        assert not player.extend(AudioClip(tone, 16000))  # too late: play() it
    assert not Player().extend(AudioClip(tone, 16000))  # nothing playing
