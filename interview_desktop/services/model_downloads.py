"""A larger speech model downloaded when the user asks for it in Settings: one download at a time on
a worker, its progress (bytes, rate, time left) at most ten times a second, Cancel (what was fetched
is kept, so the next try resumes) and "Remove the partial download". The download itself, its checks
and its resume are ``providers/stt/download.py``; nothing here starts without a click.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal, Slot

from interview_desktop.audio.meter import Throttle
from interview_desktop.providers.stt.download import Cancelled, DownloadError, ModelDownload, Progress
from interview_desktop.providers.stt.models import DOWNLOADABLE, downloaded_folder
from interview_desktop.tasks import BackgroundTasks

log = logging.getLogger("interview_desktop.services.model_downloads")


class ModelDownloads(QObject):
    """Signals:
        progress(object)   (model id, Progress)
        finished(object)   (model id, ok, what happened in words)
    """

    progress = Signal(object)
    finished = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tasks = BackgroundTasks("model-download", workers=1, parent=self)
        self._cancel = threading.Event()
        self._running: str | None = None
        self._throttle = Throttle(10)

    @Slot(str)
    def start(self, model_id: str) -> None:
        model = DOWNLOADABLE.get(model_id)
        if model is None or self._running:
            why = f"unknown model {model_id!r}" if model is None else f"{self._running} is downloading"
            return self.finished.emit((model_id, False, f"Not started: {why}."))
        self._running = model_id
        self._cancel.clear()
        job = ModelDownload(model.repo, downloaded_folder(model_id))
        log.info("download of speech model %s from %s started (asked in Settings)", model_id, job.base_url)

        def report(p: Progress) -> None:  # on the worker
            if self._throttle.ready() or p.done >= p.total:
                self.progress.emit((model_id, p))

        self._tasks.submit(lambda: job.run(report, self._cancel.is_set),
                           lambda folder: self._done(model_id, True, f"{model.label} is ready."),
                           lambda error: self._failed(model_id, error))

    @Slot()
    def cancel(self) -> None:
        self._cancel.set()

    @Slot(str)
    def discard(self, model_id: str) -> None:
        """Remove what a cancelled or failed download left (not while it runs)."""
        model = DOWNLOADABLE.get(model_id)
        if model is not None and self._running != model_id:  # rmtree of up to 1.5 GB: on the worker
            self._tasks.submit(ModelDownload(model.repo, downloaded_folder(model_id)).discard,
                               lambda _: log.info("partial download of %s removed", model_id))

    @Slot()
    def shutdown(self) -> None:
        self._cancel.set()  # a download stops at its next chunk; what it fetched is kept
        self._tasks.shutdown()

    def _failed(self, model_id: str, error: BaseException) -> None:
        if not isinstance(error, DownloadError):
            raise error
        if isinstance(error, Cancelled):
            return self._done(model_id, False, "Cancelled. What was fetched is kept: Download resumes it.")
        log.warning("download of speech model %s failed: %s", model_id, error)
        self._done(model_id, False, f"Download failed: {error}. Download again to resume.")

    def _done(self, model_id: str, ok: bool, message: str) -> None:
        self._running = None
        if ok:
            log.info("speech model %s downloaded and checked", model_id)
        self.finished.emit((model_id, ok, message))
