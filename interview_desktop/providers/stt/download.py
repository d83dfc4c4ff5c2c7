"""Downloading a larger faster-whisper model, only when the user asks (Settings): nothing else in the
app ever downloads anything.

A model is a folder of a Hugging Face repository (``Systran/faster-whisper-small.en`` …). Its file
list, sizes and checksums come from the hub's tree API; the disk is checked for room first; each file
is fetched into ``<cache>/<model>.partial/`` with HTTP ``Range`` so an interrupted download goes on
where it stopped; every file is checked (size, and SHA-256 for the large ones, the git blob id for the
small ones) before the folder is renamed into place, so a partial or damaged model is never used.
Cancel stops between chunks and keeps what was fetched for the next try; ``discard`` removes it.
Runs on a worker; ``progress`` is called from it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from interview_desktop.errors import InterviewDesktopError, describe_os_error

log = logging.getLogger("interview_desktop.stt")

HUB = "https://huggingface.co"
CHUNK = 1 << 20
SPARE_BYTES = 200 * 1024 * 1024  # left free on the disk after the download


class DownloadError(InterviewDesktopError):
    """The model could not be downloaded: why, in words (what was fetched is kept to resume)."""


class Cancelled(DownloadError):
    pass


@dataclass(frozen=True)
class RemoteFile:
    path: str
    size: int
    sha256: str | None  # large (LFS) files
    git_oid: str | None  # small files: the git blob id (SHA-1 of "blob <size>\0" + content)


@dataclass(frozen=True)
class Progress:
    done: int  # bytes on disk so far (resumed ones included)
    total: int
    rate_bps: float  # this session's download rate
    eta_s: float | None

    def describe(self) -> str:
        mb = 1024 * 1024
        eta = f", {self.eta_s:.0f} s left" if self.eta_s is not None else ""
        return f"{self.done / mb:.0f} of {self.total / mb:.0f} MB ({self.rate_bps / mb:.1f} MB/s{eta})"


class ModelDownload:
    def __init__(self, repo: str, target: Path, *, base_url: str | None = None,
                 client: httpx.Client | None = None, clock: Callable[[], float] = time.monotonic):
        self.repo = repo
        self.target = Path(target)
        self.partial = self.target.with_name(self.target.name + ".partial")
        # HF_ENDPOINT: the hub's own variable for a mirror (tests point it at a local server)
        self.base_url = (base_url or os.environ.get("HF_ENDPOINT") or HUB).rstrip("/")
        self._client = client or httpx.Client(timeout=httpx.Timeout(30.0), follow_redirects=True)
        self._clock = clock

    def files(self) -> list[RemoteFile]:
        """The repository's files, from the hub's tree API."""
        url = f"{self.base_url}/api/models/{self.repo}/tree/main"
        try:
            response = self._client.get(url)
            response.raise_for_status()
            listed = response.json()
        except (httpx.HTTPError, ValueError) as err:
            raise DownloadError(f"could not list the model's files ({_why(err)})") from err
        out = []
        for item in listed if isinstance(listed, list) else ():
            hidden = isinstance(item, dict) and str(item.get("path", "")).startswith(".")
            if not isinstance(item, dict) or item.get("type") != "file" or hidden:
                continue
            lfs = item.get("lfs") or {}
            out.append(RemoteFile(str(item["path"]), int(item.get("size", 0)), lfs.get("oid") or None,
                                  None if lfs else item.get("oid")))
        if not any(f.path == "model.bin" for f in out):
            raise DownloadError(f"{self.repo} holds no faster-whisper model (no model.bin)")
        return out

    def run(self, progress: Callable[[Progress], None] = lambda p: None,
            cancelled: Callable[[], bool] = lambda: False) -> Path:
        """Download (or finish downloading) the model; its folder when it is complete and checked."""
        files = self.files()
        total = sum(f.size for f in files)
        self.partial.mkdir(parents=True, exist_ok=True)
        have = sum(min(_size(self.partial / f.path), f.size) for f in files)
        free = shutil.disk_usage(self.partial).free
        if total - have + SPARE_BYTES > free:
            raise DownloadError(f"not enough disk space: {(total - have) / 1e6:.0f} MB to download, "
                                f"{free / 1e6:.0f} MB free (keep {SPARE_BYTES / 1e6:.0f} MB spare)")
        started, fetched = self._clock(), 0
        for remote in files:
            path = self.partial / remote.path
            path.parent.mkdir(parents=True, exist_ok=True)
            while _size(path) < remote.size:
                fetched += self._fetch(remote, path, cancelled, lambda n, before=fetched: self._report(
                    progress, total, have + before + n, before + n, started))
            self._check(remote, path)
        if self.target.exists():
            shutil.rmtree(self.target)
        os.replace(self.partial, self.target)
        log.info("speech model %s downloaded into %s (%d MB)", self.repo, self.target, total // 2**20)
        return self.target

    def discard(self) -> None:
        """Remove what was fetched (after a cancel the user does not want to resume)."""
        shutil.rmtree(self.partial, ignore_errors=True)

    # ------------------------------------------------------------------ internals
    def _fetch(self, remote: RemoteFile, path: Path, cancelled: Callable[[], bool],
               moved: Callable[[int], None]) -> int:
        start = _size(path)
        headers = {"Range": f"bytes={start}-"} if start else {}
        url = f"{self.base_url}/{self.repo}/resolve/main/{remote.path}"
        got = 0
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if start and response.status_code != 206:  # the server ignored the range: start over
                    start = 0
                elif response.status_code not in (200, 206):
                    raise DownloadError(f"{remote.path}: the server answered {response.status_code}")
                with open(path, "r+b" if start else "wb") as out:
                    out.seek(start)
                    out.truncate()
                    for chunk in response.iter_bytes(CHUNK):
                        if cancelled():
                            raise Cancelled("download cancelled: what was fetched is kept to resume")
                        out.write(chunk)
                        got += len(chunk)
                        moved(got)
        except httpx.HTTPError as err:
            if got == 0:
                raise DownloadError(f"{remote.path}: {_why(err)}") from err
            log.warning("download of %s interrupted after %d bytes (%s): resuming", remote.path, got,
                        _why(err))
        except OSError as err:
            raise DownloadError(f"{remote.path} could not be written: {describe_os_error(err)}") from err
        if _size(path) > remote.size:
            path.unlink()
            raise DownloadError(f"{remote.path} is larger than the repository says: removed")
        return got

    def _check(self, remote: RemoteFile, path: Path) -> None:
        digest = _file_digest(path, remote)
        expected = remote.sha256 or remote.git_oid
        if expected and digest != expected:
            path.unlink()
            raise DownloadError(f"{remote.path} is damaged (checksum mismatch): removed, download again")

    def _report(self, progress: Callable[[Progress], None], total: int, done: int, fetched: int,
                started: float) -> None:
        elapsed = max(1e-6, self._clock() - started)
        rate = fetched / elapsed
        progress(Progress(done, total, rate, (total - done) / rate if rate > 0 else None))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _file_digest(path: Path, remote: RemoteFile) -> str:
    h = hashlib.sha256() if remote.sha256 else hashlib.sha1()  # noqa: S324 - git's blob id is SHA-1
    if not remote.sha256:
        h.update(f"blob {remote.size}\0".encode())
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _why(err: Exception) -> str:
    if isinstance(err, httpx.HTTPStatusError):
        return f"the server answered {err.response.status_code}"
    if isinstance(err, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(err, httpx.HTTPError):
        return f"network error: {err.__class__.__name__}"
    return str(err)
