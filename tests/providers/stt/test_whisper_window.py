"""The encoder window cut to the audio (the decode itself: tests/providers/test_local_whisper.py)."""

from __future__ import annotations

import numpy as np

from interview_desktop.providers.stt.whisper_window import trim_padding


def test_the_zero_padding_after_the_audio_is_cut_to_the_margin():
    features = np.zeros((80, 3000), np.float32)
    features[:, :450] = -0.6  # the audio (log-Mel of quiet is not zero)
    features[3, 449] = 0.0
    assert trim_padding(features, 200).shape == (80, 650)
    batched = trim_padding(features[None], 100)
    assert batched.shape == (1, 80, 550) and np.array_equal(batched[0], features[:, :550])


def test_a_window_full_of_audio_or_of_nothing_is_left_alone_or_cut_to_the_margin():
    full = np.full((80, 3000), -0.5, np.float32)
    assert trim_padding(full, 200) is full
    assert trim_padding(np.zeros((80, 3000), np.float32), 200).shape == (80, 200)
    near_end = np.zeros((80, 3000), np.float32)
    near_end[:, :2900] = 0.3
    assert trim_padding(near_end, 200).shape == (80, 3000)
