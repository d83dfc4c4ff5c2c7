"""One app per data folder: never two writers of the same history.

The first copy holds a lock file in the data folder (``QLockFile``: a copy that was killed leaves a
stale lock, taken over on the next start) and listens on a local socket named after the folder. A
second copy on the same folder finds the lock, asks the first one to bring its window to the front,
and exits with a message.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger("interview_desktop.app")

LOCK_NAME = ".interview-desktop.lock"
_RAISE = b"raise\n"


def server_name(data_dir: Path) -> str:
    folder = os.path.realpath(data_dir)
    digest = hashlib.sha256(folder.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"interview-desktop-{digest}"


class InstanceGuard(QObject):
    """The lock on one data folder. Signals: ``raise_requested()`` (another copy was started)."""

    raise_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self._lock = QLockFile(str(data_dir / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, however long it ran
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this copy is the one on the folder (then it listens for later copies)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self._lock.tryLock(200):
            return False
        name = server_name(self.data_dir)
        QLocalServer.removeServer(name)  # a socket file left by a copy that was killed
        self._server = QLocalServer(self)
        if self._server.listen(name):
            self._server.newConnection.connect(self._on_server_new_connection)
        else:
            log.warning("cannot listen for other copies (%s): they will exit without raising this window",
                        self._server.errorString())
        return True

    def holder(self) -> str:
        """Who holds the lock, in words (for the message of a second copy)."""
        info = self._lock.getLockInfo()  # (pid, host name, app name), or nothing when unreadable
        known = isinstance(info, tuple) and len(info) == 3 and info[0]
        return f"process {info[0]}" if known else "another copy"

    def ask_first_to_raise(self, timeout_ms: int = 2000) -> bool:
        """Ask the copy that holds the folder to bring its window to the front."""
        socket = QLocalSocket()
        socket.connectToServer(server_name(self.data_dir))
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(_RAISE)
        ok = socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        return ok

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()

    @Slot()
    def _on_server_new_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(_RAISE.strip()):
            log.info("another copy was started on this data folder: bringing the window to the front")
            self.raise_requested.emit()
