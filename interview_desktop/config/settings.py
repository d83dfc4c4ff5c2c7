"""User settings: a small JSON file in the platform config folder. Never holds secrets.

API keys live in the OS keyring (see ``config/keys.py``), not here.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import shutil
from dataclasses import dataclass, fields
from pathlib import Path

import platformdirs

from interview_desktop.atomic import atomic_write_bytes
from interview_desktop.errors import describe_os_error

log = logging.getLogger("interview_desktop.config.settings")

APP_NAME = "interview-desktop"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class Settings:
    data_dir: str = ""  # empty: the platform data folder
    question_count: int = 5
    role: str = "General / Behavioural (HR)"
    candidate: str = ""
    # voice
    speak_questions: bool = True
    voice_answers: bool = True
    input_device: str = ""  # remembered by name; empty = system default
    output_device: str = ""
    offline_voice: str = "piper"  # "piper": the neural voice (offline default); "system": pyttsx3/espeak-ng
    voice_speed: float = 1.0  # the neural voice's pace: 1.0 as recorded, 1.2 = 20 % faster (0.5–2)
    voice_volume: float = 1.0  # the neural voice's loudness (0–2)
    speech_model: str = "tiny.en"  # the offline Whisper model (providers/stt/models.py ALL_MODELS)
    turn_taking: str = "smart"  # "smart": transcribed while spoken, ends by the words; "fixed": hangover_s
    unfinished_pause_s: float = 4.0  # smart: the longest thinking pause waited for
    hangover_s: float = 1.5  # fixed: the silence that ends an answer
    no_speech_timeout_s: float = 12.0
    max_answer_s: float = 180.0
    keep_audio: bool = True
    retention_days: int = 0  # delete sessions older than this many days; 0 = keep everything
    # cloud (keys are in the OS keyring, never here)
    offline_only: bool = False
    groq_stt_model: str = "whisper-large-v3-turbo"
    groq_llm_model: str = "llama-3.3-70b-versatile"
    elevenlabs_voice_id: str = "JBFqnCBsd6RMkjVDRZzb"
    elevenlabs_model_id: str = "eleven_flash_v2_5"
    groq_base_url: str = ""  # empty: GROQ_BASE_URL, else the SDK default
    elevenlabs_base_url: str = ""
    stt_timeout_s: float = 8.0
    tts_timeout_s: float = 5.0
    llm_timeout_s: float = 10.0
    follow_ups: int = 1  # 0–2 follow-up questions per question, asked only with the LLM
    theme: str = "system"  # "system": as the desktop; "light" / "dark": ui/theme.py

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir).expanduser() if self.data_dir else default_data_dir()


#: the values a field may take: (lowest, highest) for numbers, a tuple of choices for words. The
#: Settings tab offers the same ranges; a file edited by hand (or by an older/newer version) is
#: repaired field by field against these on load.
LIMITS: dict[str, tuple[float, float] | tuple[str, ...]] = {
    "question_count": (1, 20),
    "offline_voice": ("piper", "system"),
    "voice_speed": (0.5, 2.0),
    "voice_volume": (0.1, 2.0),
    "speech_model": ("tiny.en", "base", "base.en", "small.en", "medium.en"),  # stt/models.ALL_MODELS
    "turn_taking": ("smart", "fixed"),
    "unfinished_pause_s": (1.0, 15.0),
    "hangover_s": (0.5, 5.0),
    "no_speech_timeout_s": (3.0, 60.0),
    "max_answer_s": (15.0, 600.0),
    "retention_days": (0, 3650),
    "stt_timeout_s": (1.0, 60.0),
    "tts_timeout_s": (1.0, 60.0),
    "llm_timeout_s": (1.0, 120.0),
    "follow_ups": (0, 2),
    "theme": ("system", "light", "dark"),
}


def _checked(name: str, value: object, default: object) -> tuple[object, str | None]:
    """``value`` for field ``name`` if it is valid, else the default and why (in plain words)."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        value = float(value) if ok else value  # type: ignore[arg-type]
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, str) and "\x00" not in value and len(value) <= 4096
    if not ok:
        return default, f"{name} was {_shown(value)}, not a {type(default).__name__}"
    limits = LIMITS.get(name)
    if limits and isinstance(limits[0], str) and value not in limits:
        return default, f"{name} was {_shown(value)}, not one of {', '.join(map(str, limits))}"
    if limits and not isinstance(limits[0], str) and not limits[0] <= value <= limits[1]:  # type: ignore[operator]
        return default, f"{name} was {_shown(value)}, outside {limits[0]:g}–{limits[1]:g}"
    return value, None


def _shown(value: object) -> str:
    plain = isinstance(value, (str, int, float, bool, type(None)))
    text = json.dumps(value) if plain else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "…"


class SettingsStore:
    """Reads and writes the settings file. A damaged file never stops the app: ``load`` keeps every
    valid field, puts the default in place of each bad one, keeps the bad file beside it
    (``settings.json.bad``) and lists what it repaired in ``problems`` for the window to show."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_config_dir() / "settings.json"
        self.problems: list[str] = []

    @property
    def bad_copy(self) -> Path:
        return self.path.with_name(self.path.name + ".bad")

    def load(self) -> Settings:
        self.problems = []
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return Settings()
        except OSError as err:
            return self._repaired(Settings(), [f"the file could not be read ({describe_os_error(err)})"],
                                  keep=False)
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            return self._repaired(Settings(), [f"the file is damaged ({err.__class__.__name__}): "
                                               "every setting is back to its default"])
        if not isinstance(raw, dict):
            return self._repaired(Settings(), ["the file does not hold settings: every setting is back to "
                                               "its default"])
        defaults = Settings()
        values, problems = {}, []
        for field in fields(Settings):
            if field.name not in raw:
                continue
            value, problem = _checked(field.name, raw[field.name], getattr(defaults, field.name))
            values[field.name] = value
            if problem:
                problems.append(problem)
        settings = Settings(**values)
        return self._repaired(settings, problems) if problems else settings

    def _repaired(self, settings: Settings, problems: list[str], keep: bool = True) -> Settings:
        """Keep the bad file for support, write the repaired one, and say what was done."""
        self.problems = problems
        log.warning("settings file %s repaired: %s", self.path, "; ".join(problems))
        if keep:
            try:
                shutil.copyfile(self.path, self.bad_copy)
                self.save(settings)
            except OSError as err:
                log.warning("could not keep the damaged settings file: %s", describe_os_error(err))
        return settings

    def message(self) -> str | None:
        """One line for the window about the last load, or None when the file was fine."""
        if not self.problems:
            return None
        kept = f"; the old file is kept as {self.bad_copy.name}" if self.bad_copy.exists() else ""
        return f"Settings repaired: {'; '.join(self.problems[:3])}" + (
            f" (+{len(self.problems) - 3} more)" if len(self.problems) > 3 else "") + kept

    def save(self, settings: Settings) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, json.dumps(dataclasses.asdict(settings), indent=2).encode("utf-8"))
