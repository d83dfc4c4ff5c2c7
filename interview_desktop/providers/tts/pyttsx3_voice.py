"""Offline text-to-speech through pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS):
synthesize to a WAV, validate it, serialize every call. How pyttsx3's espeak driver really behaves,
and why the waits: docs/providers.md.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview_desktop.audio.errors import InvalidWavError
from interview_desktop.audio.wav import validate_wav
from interview_desktop.domain import AudioClip
from interview_desktop.providers.base import ProviderBadResponse, ProviderUnavailable

log = logging.getLogger("interview_desktop.tts")

_UNAVAILABLE = (
    "voice unavailable: espeak-ng is not installed or cannot be started "
    "(on Debian/Ubuntu: sudo apt install espeak-ng libespeak-ng1). Questions are shown as text."
)


@dataclass
class _Shared:
    engine: Any
    finished: threading.Event  # set by finished-utterance
    outcomes: list[bool]  # the ``completed`` flag of each finished-utterance since the last clear
    is_playing: Callable[[], bool]
    default_voice: str | None
    applied: dict[str, Any] = field(default_factory=dict)  # rate/voice last set on the engine

    def wait_until_idle(self, deadline: float) -> None:
        """Wait (bounded) until espeak has no command in flight. See the module docstring."""
        while self.is_playing() and time.monotonic() < deadline:
            time.sleep(0.002)


#: pyttsx3 and espeak hold process-wide state: one synthesis at a time in the whole process.
_PROCESS_LOCK = threading.Lock()
_shared: dict[str, _Shared] = {}  # {"engine": …} once started; guarded by _PROCESS_LOCK


def _shared_engine() -> _Shared:
    """The process's pyttsx3 engine and its completion signals (call with _PROCESS_LOCK held)."""
    if "engine" not in _shared:
        try:
            import pyttsx3

            engine = pyttsx3.init()
        except (ImportError, RuntimeError, OSError) as err:
            raise ProviderUnavailable(f"{_UNAVAILABLE} ({err})") from err
        finished = threading.Event()
        outcomes: list[bool] = []

        def on_finished(name: str | None = None, completed: bool = True) -> None:
            outcomes.append(bool(completed))  # on the calling thread or on espeak's own thread
            finished.set()

        engine.connect("finished-utterance", on_finished)
        shared = _Shared(engine, finished, outcomes, _playing_probe(engine), engine.getProperty("voice"))
        # A fresh engine queues commands until its first run loop; run an empty one now (after the
        # driver's own start-up commands are done) so that from here on commands run immediately.
        shared.wait_until_idle(time.monotonic() + 5.0)
        engine.runAndWait()
        shared.wait_until_idle(time.monotonic() + 5.0)
        _shared["engine"] = shared
        log.info("pyttsx3 engine started (driver %s)", engine)
    return _shared["engine"]


def _playing_probe(engine: Any) -> Callable[[], bool]:
    if str(engine) != "espeak":
        return lambda: False
    from pyttsx3.drivers import _espeak  # loaded already by the espeak driver

    return lambda: bool(_espeak.IsPlaying())


class Pyttsx3TTS:
    """:class:`~interview_desktop.providers.base.TextToSpeech` with pyttsx3, fully offline.

    ``rate`` is in words per minute; ``voice`` is a pyttsx3 voice id (see :meth:`voices`), ``None``
    for the system default. An unknown voice id falls back to the default voice with a warning.
    """

    name = "pyttsx3"
    cloud = False

    def __init__(
        self,
        rate: int = 165,
        voice: str | None = None,
        *,
        timeout_s: float = 10.0,
        attempts: int = 3,
        tmp_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.rate = rate
        self.voice = voice
        self.timeout_s = timeout_s
        self.attempts = max(1, attempts)
        self._tmp_dir = tmp_dir
        self._voice_checked = False

    # -- engine -------------------------------------------------------------------------------

    def load(self) -> None:
        """Start the pyttsx3 engine (done lazily by :meth:`synthesize`)."""
        with _PROCESS_LOCK:
            _shared_engine()

    def voices(self) -> list[tuple[str, str]]:
        """``(id, name)`` of every installed voice."""
        with _PROCESS_LOCK:
            return [(v.id, v.name) for v in _shared_engine().engine.getProperty("voices")]

    def _voice_to_use(self, engine: Any) -> str | None:
        if self.voice is None or self._voice_checked:
            return self.voice
        self._voice_checked = True
        known = {v.id for v in engine.getProperty("voices")}
        if self.voice not in known:
            log.warning("voice %r is not installed; using the default voice", self.voice)
            self.voice = None
        return self.voice

    # -- synthesis ----------------------------------------------------------------------------

    def synthesize(self, text: str) -> AudioClip:
        """Speak ``text`` into a clip (22,050 Hz mono with espeak). ``text`` must not be blank."""
        if not text or not text.strip():
            raise ValueError("synthesize() needs some text")
        with _PROCESS_LOCK:
            shared = _shared_engine()
            work = Path(tempfile.mkdtemp(prefix="interview-tts-", dir=self._tmp_dir))
            try:
                problems: list[str] = []
                for attempt in range(1, self.attempts + 1):
                    target = work / f"speech-{attempt}.wav"
                    try:
                        return self._synthesize_once(shared, text, target)
                    except InvalidWavError as err:
                        problems.append(str(err))
                        log.warning("pyttsx3 attempt %d/%d failed: %s", attempt, self.attempts, err)
                raise ProviderBadResponse(
                    f"the offline voice produced no usable audio after {self.attempts} attempts "
                    f"({problems[-1]})"
                )
            finally:
                shutil.rmtree(work, ignore_errors=True)

    def _synthesize_once(self, shared: _Shared, text: str, target: Path) -> AudioClip:
        engine = shared.engine
        deadline = time.monotonic() + self.timeout_s + len(text) / 200.0
        shared.wait_until_idle(deadline)
        wanted = {"rate": int(self.rate), "voice": self._voice_to_use(engine) or shared.default_voice}
        for key, value in wanted.items():
            if value is not None and shared.applied.get(key) != value:
                engine.setProperty(key, value)  # an espeak command of its own: let it finish
                shared.applied[key] = value
                shared.wait_until_idle(deadline)
        shared.finished.clear()
        shared.outcomes.clear()
        engine.save_to_file(text, str(target))
        self._run_and_wait(engine, deadline)
        last_size = -1
        while not shared.finished.wait(0.05):
            size = target.stat().st_size if target.is_file() else -1
            if size > 44 and size == last_size:  # a driver that never reports: file has settled
                try:
                    return validate_wav(target)
                except (InvalidWavError, ValueError):  # read_wav: ValueError on an odd byte count
                    pass  # still being written
            last_size = size
            if time.monotonic() > deadline:  # the next attempt first waits for espeak to be idle
                raise InvalidWavError(f"the voice did not finish {target.name} in time")
        shared.wait_until_idle(deadline)
        if not all(shared.outcomes):
            raise InvalidWavError(f"the voice was cancelled while writing {target.name}")
        return validate_wav(target)

    @staticmethod
    def _run_and_wait(engine: Any, deadline: float) -> None:
        """``runAndWait()`` with a watchdog.

        On a reused engine ``runAndWait()`` spins until the driver callback ends the loop; a callback
        that fails (WAV not writable, disk full) never does, and ``engine.endLoop()`` cannot help
        (the queued endLoop command already marked the engine "not in loop"). So the watchdog ends
        the driver's own loop, which is all that ``endLoop`` does in every pyttsx3 driver.
        """
        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), engine.proxy._driver.endLoop)
        watchdog.daemon = True
        watchdog.start()
        try:
            engine.runAndWait()
        finally:
            watchdog.cancel()
