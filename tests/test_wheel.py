"""The wheel (``pip install .``) carries the resources and runs: built, installed into a fresh virtual
environment (the dependencies borrowed from this one, so nothing is downloaded), self-tested."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_the_installed_wheel_finds_its_resources_and_passes_the_selftest(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    str(ROOT), "-w", str(tmp_path / "wheel")], check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "wheel").glob("interview_desktop-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.run([str(python), "-c", purelib], check=True, capture_output=True,
                               text=True).stdout.strip())
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([str(venv / "bin" / "interview-desktop"), "--selftest", "--data-dir",
                             str(tmp_path / "data")], capture_output=True, text=True, timeout=180, env=env,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    where = subprocess.run([str(python), "-c", "import interview_desktop.resources as r, interview_desktop "
                            "as p; print(r.resources_root()); print(p.__file__)"],
                           check=True, capture_output=True, text=True, env=env, cwd=tmp_path).stdout.split()
    assert where[0] == str(venv / "share" / "interview-desktop" / "resources")  # the wheel's, not ours
    assert where[1].startswith(str(venv))
    assert (venv / "share" / "interview-desktop" / "resources" / "questions" / "general.json").is_file()
