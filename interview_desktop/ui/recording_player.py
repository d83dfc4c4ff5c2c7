"""Play a saved answer recording from the History tab on the app's own audio path.

The interview already plays speech through :class:`~interview_desktop.audio.playback.Player`
(one PortAudio output stream, the output device chosen in Settings). The History tab uses the
same player instead of QtMultimedia: one audio stack to configure and test, the same speaker
the interview uses, and no FFmpeg backend threads (QMediaPlayer hung a CI run in ``stop()``).

Reading the WAV and opening, stopping and closing the output stream run on one worker thread (the
Player is used from that thread only); this QObject polls ``Player.done`` on a GUI-thread QTimer, so
every signal arrives on the GUI thread and a slow disk or sound server never freezes the window.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from interview_desktop.audio.errors import AudioError
from interview_desktop.audio.playback import Player
from interview_desktop.audio.wav import read_wav
from interview_desktop.domain import AudioClip
from interview_desktop.tasks import BackgroundTasks

logger = logging.getLogger("interview_desktop.ui")

POLL_MS = 50


class RecordingPlayer(QObject):
    """Plays one WAV at a time. ``started``/``finished``/``failed`` tell the pane what happened.

    ``finished`` is emitted when a recording played out or was stopped; ``failed(message)``
    when it could not be read or played (the message is written for the user); ``progressed``
    each time the position passes a whole second.
    """

    started = Signal(object)  # Path
    finished = Signal()
    failed = Signal(str)
    progressed = Signal()

    def __init__(self, output_device: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._player = Player(output_device or None)
        self._path: Path | None = None
        self._duration_s = 0.0
        self._second = 0  # whole seconds played, as last reported
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._audio = BackgroundTasks("playback", workers=1, parent=self)
        self._generation = 0  # which play() a result from the worker belongs to

    @property
    def output_device(self) -> str | None:
        return self._player.device

    @output_device.setter
    def output_device(self, name: str | None) -> None:
        self._player.device = name or None

    @property
    def path(self) -> Path | None:
        """The recording being played, or None."""
        return self._path

    def is_playing(self) -> bool:
        return self._path is not None

    @property
    def position_s(self) -> float:
        return self._player.position_s if self._path is not None else 0.0

    @property
    def duration_s(self) -> float:
        return self._duration_s

    def play(self, path: Path) -> None:
        """Stop what is playing and start ``path`` (on the worker); ``started`` or ``failed`` follows."""
        self.stop()
        generation = self._generation
        player = self._player

        def load_and_play() -> AudioClip:
            clip = read_wav(path)
            if clip.sample_rate <= 0 or len(clip.samples) == 0:
                raise AudioError("the file holds no audio")
            player.play(clip)
            return clip

        def playing(clip: AudioClip) -> None:
            if generation != self._generation:
                return  # stopped or replaced meanwhile; the worker stops it in order
            self._path, self._duration_s, self._second = path, clip.duration_s, 0
            self._poll.start()
            self.started.emit(path)

        def failed(error: BaseException) -> None:
            if not isinstance(error, AudioError):
                raise error
            logger.warning("could not play %s: %s", path, error)
            if generation == self._generation:
                self.failed.emit(str(error))

        self._audio.submit(load_and_play, playing, failed)

    @Slot()
    def stop(self) -> None:
        """Stop at once (idempotent): the window updates now, the stream stops on the worker; emits
        ``finished`` if something was playing."""
        was_playing = self._path is not None
        self._generation += 1
        self._poll.stop()
        self._audio.submit(self._player.stop)
        self._path = None
        if was_playing:
            self.finished.emit()

    def close(self) -> None:
        self._generation += 1
        self._poll.stop()
        self._path = None
        self._audio.shutdown()  # waits for the worker's current job and drops the queued ones
        self._player.close()  # the worker is gone: nothing else uses the player now

    @Slot()
    def _on_poll_timeout(self) -> None:
        if not self._player.done.is_set():
            second = int(self._player.position_s)
            if second != self._second:
                self._second = second
                self.progressed.emit()
            return
        error = self._player.error
        self._poll.stop()
        self._audio.submit(self._player.stop)  # releases the finished stream
        self._path = None
        if error is not None:
            logger.warning("playback of a recording stopped: %s", error)
            self.failed.emit(str(error))
        else:
            self.finished.emit()

