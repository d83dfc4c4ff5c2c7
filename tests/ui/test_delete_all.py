"""Delete all my data: sessions, recordings, outbox, index, settings, logs and keys go, after a
confirmation; the team's MongoDB copies are not touched; the app then closes."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication, QMessageBox

from interview_desktop.audio.wav import write_wav
from interview_desktop.domain import AudioClip
from tests.ui.test_typed_interview import answer


def test_delete_all_my_data_after_confirming(qtbot, make_app, tmp_path, monkeypatch):
    app = make_app("--candidate", "Ada", "--questions", "1", "--auto-start")
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        app.show()
    with qtbot.waitSignal(app.engine.session_finished, timeout=10_000):
        answer(qtbot, app, "I rewrote our deploy pipeline and cut release time from 2 hours to 15 minutes.")
    data = tmp_path / "data"
    write_wav(data / "audio" / "x" / "1.wav", AudioClip(np.zeros(1600, np.float32), 16000))
    app.settings_store.save(app.settings)
    app.keys.set("groq", "gsk_test_0123456789")
    assert list((data / "sessions").glob("*.json")) and app.settings_store.path.exists()
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    quits = []
    monkeypatch.setattr(QApplication, "quit", lambda: quits.append(True))
    with qtbot.waitSignal(app.all_data_deleted, timeout=10_000) as deleted:
        app.window.settings_tab.delete_all_button.click()
    assert "cannot be undone" in asked[0] and "MongoDB" in asked[0]
    assert deleted.args[0] == "All your data on this computer was deleted."
    left = [p.name for p in data.iterdir()]
    assert left in ([], [".interview-desktop.lock"]), left  # only the running app's lock, if any
    assert not app.settings_store.path.exists()
    assert app.keys.get("groq") is None
    assert quits == [True]


def test_cancel_deletes_nothing(qtbot, make_app, tmp_path, monkeypatch):
    app = make_app()
    app.settings_store.save(app.settings)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    app.window.settings_tab.delete_all_button.click()
    # nothing was started (starting disables the button), nothing was deleted
    assert app.window.settings_tab.delete_all_button.isEnabled()
    assert app.settings_store.path.exists()
