"""Downloading a larger speech model on request, against a local server playing the hub (never the
real one): checked files, resume after an interruption or a cancel, damaged files refused, the disk
checked for room first."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from werkzeug import Request, Response

from interview_desktop.providers.stt.download import Cancelled, DownloadError, ModelDownload

REPO = "Systran/faster-whisper-fake.en"
FILES = {
    "model.bin": os.urandom(3 * 1024 * 1024 + 123),
    "config.json": json.dumps({"alignment_heads": [], "lang_ids": []}).encode(),
    "tokenizer.json": b'{"model": {}}',
    "vocabulary.txt": b"a\nb\n",
}


def tree(files=FILES, damaged: str | None = None) -> list[dict]:
    listed = []
    for path, data in files.items():
        item = {"type": "file", "path": path, "size": len(data)}
        if path == "model.bin":
            sha = hashlib.sha256(data).hexdigest()
            item["lfs"] = {"oid": "0" * 64 if damaged == path else sha, "size": len(data)}
        else:
            item["oid"] = hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()  # noqa: S324
        listed.append(item)
    ignored = [{"type": "directory", "path": "sub"}, {"type": "file", "path": ".gitattributes", "size": 9}]
    return [*ignored, *listed]


class Hub:
    """Serves the tree and the files, honours Range, and can cut one response short."""

    def __init__(self, httpserver, damaged: str | None = None):
        self.server, self.cut_next = httpserver, 0
        httpserver.expect_request(f"/api/models/{REPO}/tree/main").respond_with_json(tree(damaged=damaged))
        for path in FILES:
            httpserver.expect_request(f"/{REPO}/resolve/main/{path}").respond_with_handler(self.serve)

    def serve(self, request: Request) -> Response:
        data = FILES[request.path.rsplit("/", 1)[1]]
        start = 0
        if "Range" in request.headers:
            start = int(request.headers["Range"].removeprefix("bytes=").split("-")[0])
        body = data[start:]
        if self.cut_next and len(body) > self.cut_next:  # the connection drops mid-file
            cut, self.cut_next = self.cut_next, 0
            return Response(iter([body[:cut]]), status=206 if start else 200, direct_passthrough=True,
                            headers={"Content-Length": str(len(body)), "Connection": "close"})
        headers = {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"} if start else {}
        return Response(body, status=206 if start else 200, headers=headers)

    def ranges(self) -> list[str]:
        asked = [r for r, _ in self.server.log if "resolve" in r.path]
        return [r.headers["Range"] for r in asked if "Range" in r.headers]


def download(httpserver, tmp_path) -> ModelDownload:
    return ModelDownload(REPO, tmp_path / "models" / "fake.en", base_url=httpserver.url_for("/").rstrip("/"))


def test_the_model_is_fetched_checked_and_put_in_place_with_progress(httpserver, tmp_path):
    Hub(httpserver)
    seen = []
    folder = download(httpserver, tmp_path).run(progress=seen.append)
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    assert all((folder / name).read_bytes() == data for name, data in FILES.items())
    assert not folder.with_name("fake.en.partial").exists()
    total = sum(len(d) for d in FILES.values())
    assert seen[-1].done == total and all(p.total == total for p in seen)
    assert [p.done for p in seen] == sorted(p.done for p in seen) and seen[-1].eta_s == 0
    assert "of 3 MB" in seen[-1].describe() and "MB/s" in seen[-1].describe()


def test_an_interrupted_download_goes_on_where_it_stopped(httpserver, tmp_path):
    hub = Hub(httpserver)
    hub.cut_next = 1024 * 1024  # the first response stops after 1 MiB
    folder = download(httpserver, tmp_path).run()
    assert (folder / "model.bin").read_bytes() == FILES["model.bin"]
    assert hub.ranges() == [f"bytes={1024 * 1024}-"]  # only the rest was asked for


def test_cancel_keeps_what_was_fetched_and_a_new_try_resumes_it(httpserver, tmp_path):
    hub = Hub(httpserver)
    job, moved = download(httpserver, tmp_path), []
    with pytest.raises(Cancelled):  # cancelled once the first chunk is on disk
        job.run(progress=moved.append, cancelled=lambda: bool(moved))
    partial = tmp_path / "models" / "fake.en.partial" / "model.bin"
    kept = partial.stat().st_size
    assert 0 < kept < len(FILES["model.bin"])
    folder = download(httpserver, tmp_path).run()
    assert (folder / "model.bin").read_bytes() == FILES["model.bin"]
    assert hub.ranges() == [f"bytes={kept}-"]


def test_cancel_then_discard_leaves_nothing_behind(httpserver, tmp_path):
    Hub(httpserver)
    job = download(httpserver, tmp_path)
    with pytest.raises(Cancelled):
        job.run(cancelled=lambda: True)
    job.discard()
    assert list((tmp_path / "models").iterdir()) == []


def test_a_damaged_file_is_refused_and_removed(httpserver, tmp_path):
    Hub(httpserver, damaged="model.bin")
    with pytest.raises(DownloadError, match="model.bin is damaged"):
        download(httpserver, tmp_path).run()
    assert not (tmp_path / "models" / "fake.en").exists()
    assert not (tmp_path / "models" / "fake.en.partial" / "model.bin").exists()


def test_the_disk_is_checked_before_anything_is_fetched(httpserver, small_tmpfs):
    hub = Hub(httpserver)
    folder = small_tmpfs("2m")
    job = ModelDownload(REPO, folder / "fake.en", base_url=httpserver.url_for("/").rstrip("/"))
    with pytest.raises(DownloadError, match="not enough disk space"):
        job.run()
    assert not any("resolve" in r.path for r, _ in hub.server.log)


def test_a_repository_without_a_model_is_refused(httpserver, tmp_path):
    httpserver.expect_request(f"/api/models/{REPO}/tree/main").respond_with_json([{"type": "file",
                                                                                    "path": "README.md"}])
    with pytest.raises(DownloadError, match="no faster-whisper model"):
        download(httpserver, tmp_path).run()
