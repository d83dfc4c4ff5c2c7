"""One app per data folder: a second copy on the same folder brings the first to the front and exits
with a clear message; a copy that was killed does not keep the folder locked."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading

from tests.test_cli import run_app


def start_app(*args: str) -> tuple[subprocess.Popen, queue.Queue]:
    """The app as a subprocess; its log lines arrive in the queue (read by a thread until it exits)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    app = subprocess.Popen([sys.executable, "-m", "interview_desktop", *args], stderr=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, text=True, env=env)
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        with app.stderr:
            for line in app.stderr:
                lines.put(line)

    app.reader = threading.Thread(target=read, daemon=True)  # type: ignore[attr-defined]
    app.reader.start()  # type: ignore[attr-defined]
    return app, lines


def wait_for(lines: queue.Queue, text: str, timeout: float = 60) -> str:
    seen = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"{text!r} not logged; last lines: {''.join(seen[-10:])}") from None
        seen.append(line)
        if text in line:
            return line


def test_a_second_copy_on_the_same_folder_raises_the_first_and_exits(tmp_path):
    data = tmp_path / "data with spaces é"
    first, lines = start_app("--typed", "--data-dir", str(data))
    try:
        wait_for(lines, "history store=")
        second = run_app("--typed", "--data-dir", str(data))
        assert second.returncode == 3, second.stderr
        assert "already open on the data folder" in second.stderr
        assert "brought to the front" in second.stderr
        wait_for(lines, "bringing the window to the front")
        other = run_app("--selftest", "--data-dir", str(tmp_path / "another folder"))
        assert other.returncode == 0, other.stderr  # another folder is another history
    finally:
        first.send_signal(signal.SIGKILL)  # killed: its lock file stays behind, stale
        first.wait(timeout=30)
        first.reader.join(timeout=30)
    again = run_app("--selftest", "--data-dir", str(data))
    assert again.returncode == 0, again.stderr
