"""What the Settings tab asks of the machine: the audio devices, a mic check with a live level,
"Test connection" for a cloud key or the team's MongoDB, "Measure" for a speech model and "Try" for
the offline voice (spoken on the chosen speaker, its speed measured). Lives on its own thread; slow
work (HTTP, MongoDB, the model measurement, the voice) goes to a worker.

The mic check and the measurement are refused while an interview runs (the interview owns the
microphone and needs the CPU); the mic check ends when one starts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from interview_desktop.audio import backend
from interview_desktop.audio.capture import MicCapture
from interview_desktop.audio.errors import AudioError
from interview_desktop.audio.meter import Throttle, meter_level
from interview_desktop.audio.playback import Player
from interview_desktop.audio.wav import trim_leading_silence
from interview_desktop.domain import EngineState, Notice, NoticeLevel
from interview_desktop.providers.base import ProviderError
from interview_desktop.providers.cloud.connection import ConnectionReport
from interview_desktop.providers.cloud.connection import test_connection as check_connection
from interview_desktop.providers.stt.model_check import check_model
from interview_desktop.storage.base import StorageError
from interview_desktop.storage.mongo_store import MongoHistoryRepository
from interview_desktop.tasks import BackgroundTasks

log = logging.getLogger("interview_desktop.services.devices")

POLL_MS = 30
_IDLE = (EngineState.IDLE, EngineState.FINISHED)


class DevicesService(QObject):
    """Signals:
        devices_listed(object)      (input names, output names, problem or "")
        level_changed(float)        mic check level 0..1, at most 30 times a second
        connection_tested(object)   (service, ConnectionReport)
        model_checked(object)       (model id, what was measured or why it could not be)
        voice_tried(object)         (voice id, what was measured or why it could not speak)
        notice(Notice)              a message for the status line
    """

    devices_listed = Signal(object)
    level_changed = Signal(float)
    connection_tested = Signal(object)
    model_checked = Signal(object)
    voice_tried = Signal(object)
    notice = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tasks = BackgroundTasks("devices-work", workers=1, parent=self)
        self._mic: MicCapture | None = None
        self._meter = Throttle(30)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._interview_running = False

    @Slot()
    def list_devices(self) -> None:
        try:
            self.devices_listed.emit((backend.list_input_devices(), backend.list_output_devices(), ""))
        except AudioError as err:
            self.devices_listed.emit(([], [], str(err)))

    @Slot(str, str, str)
    def test_connection(self, service: str, api_key: str, base_url: str) -> None:
        """Check a cloud key (or, for "mongodb", the history server's URI) on a worker thread (never
        blocks this thread or the GUI)."""
        check = (lambda: check_mongodb(api_key)) if service == "mongodb" else (
            lambda: check_connection(service, api_key, base_url or None))
        self._tasks.submit(
            check,
            lambda report: self.connection_tested.emit((service, report)),
        )

    @Slot(str)
    def check_speech_model(self, model_id: str) -> None:
        """Measure a speech model's speed and accuracy on this machine, on a worker."""
        if self._interview_running:
            return self.model_checked.emit((model_id, "Not during an interview: it needs the CPU."))

        def failed(error: BaseException) -> None:
            if not isinstance(error, ProviderError):
                raise error
            self.model_checked.emit((model_id, f"Cannot be used: {error}"))

        self._tasks.submit(lambda: check_model(model_id),
                           lambda check: self.model_checked.emit((model_id, check.describe())), failed)

    @Slot(str, object, str)
    def try_voice(self, voice_id: str, tts, output_device: str) -> None:
        """Speak a sample with ``tts`` (a text-to-speech provider) on ``output_device`` ("" = the
        default) on a worker, and say how fast it was."""
        if self._interview_running:
            return self.voice_tried.emit((voice_id, "Not during an interview: it would talk over it."))

        def failed(error: BaseException) -> None:
            if not isinstance(error, (ProviderError, AudioError)):
                raise error
            self.voice_tried.emit((voice_id, f"Cannot speak: {error}"))

        self._tasks.submit(lambda: speak_sample(tts, output_device or None),
                           lambda text: self.voice_tried.emit((voice_id, text)), failed)

    @Slot(object)
    def start_mic_check(self, open_mic: Callable[[], MicCapture]) -> None:
        """Stream the level of a microphone while no interview runs."""
        if self._interview_running:
            busy = "The mic check is not available during an interview."
            self.notice.emit(Notice(busy, NoticeLevel.WARNING))
            return
        self.stop_mic_check()
        try:
            mic = open_mic()
            mic.start()
        except AudioError as err:
            self.notice.emit(Notice(f"Microphone unavailable: {err}", NoticeLevel.ERROR))
            return
        self._mic = mic
        self._poll.start()

    @Slot()
    def stop_mic_check(self) -> None:
        self._poll.stop()
        if self._mic is not None:
            self._mic.close()
            self._mic = None

    @Slot(object)
    def on_engine_state(self, state: EngineState) -> None:
        self._interview_running = state not in _IDLE
        if self._interview_running:
            self.stop_mic_check()

    @Slot()
    def shutdown(self) -> None:
        self.stop_mic_check()
        self._tasks.shutdown()

    @Slot()
    def _on_poll_timeout(self) -> None:
        if self._mic is None:
            return
        samples = self._mic.drain()
        if self._meter.ready():
            self.level_changed.emit(meter_level(samples))


def check_mongodb(uri: str, timeout_ms: int = 3000) -> ConnectionReport:
    """Settings → MongoDB "Test connection": can the history be read there? The password never
    appears in the verdict (the address is masked)."""
    if not uri.strip():
        return ConnectionReport(False, "No MongoDB URI: paste one first.", "no key")
    started = time.monotonic()
    try:
        repo = MongoHistoryRepository(uri.strip(), server_selection_timeout_ms=timeout_ms)
    except StorageError as err:
        return ConnectionReport(False, f"{err}.", "invalid")
    try:
        repo.probe()
    except StorageError as err:
        return ConnectionReport(False, f"{str(err)[0].upper()}{str(err)[1:]}.", "unreachable")
    finally:
        repo.close()
    took = (time.monotonic() - started) * 1000
    return ConnectionReport(True, f"Connected to {repo.feed} ({took:.0f} ms). It is used after a restart.")


VOICE_SAMPLE = "Tell me about a project you are proud of, and what you would do differently next time."


def speak_sample(tts, device: str | None) -> str:
    """Synthesize :data:`VOICE_SAMPLE`, play it on ``device`` to the end, and describe the speed."""
    started = time.perf_counter()
    tts.load()
    loaded = time.perf_counter()
    clip = trim_leading_silence(tts.synthesize(VOICE_SAMPLE))
    took = time.perf_counter() - loaded
    with Player(device) as player:
        player.play(clip)
        player.done.wait(clip.duration_s + 10.0)
        if player.error is not None:
            raise player.error
    where, faster = device or "the default speaker", clip.duration_s / max(took, 1e-3)
    return (f"{clip.duration_s:.1f} s of speech made in {took:.2f} s ({faster:.0f}× faster than spoken; "
            f"voice ready in {loaded - started:.2f} s), played on {where}.")
