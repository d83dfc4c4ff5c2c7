"""User settings: a small JSON file in the platform config folder. Never holds secrets.

API keys live in the OS keyring (see ``config/keys.py``), not here.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, fields
from pathlib import Path

import platformdirs

from interview_desktop.atomic import atomic_write_bytes

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
    speech_model: str = "tiny.en"  # the offline Whisper model: "tiny.en" or "base" (providers/stt/models.py)
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

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir).expanduser() if self.data_dir else default_data_dir()


class SettingsStore:
    def __init__(self, path: Path | None = None):
        self.path = path or default_config_dir() / "settings.json"

    def load(self) -> Settings:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Settings()
        except (OSError, ValueError) as err:
            log.warning("settings file %s is unreadable (%s); using defaults", self.path, err)
            return Settings()
        known = {f.name: f for f in fields(Settings)}
        values = {}
        for key, value in (raw.items() if isinstance(raw, dict) else ()):
            field = known.get(key)
            default = getattr(Settings(), key, None)
            if field is not None and isinstance(default, float) and isinstance(value, int):
                value = float(value)
            if field is not None and isinstance(value, type(default)):
                values[key] = value
        return Settings(**values)

    def save(self, settings: Settings) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, json.dumps(dataclasses.asdict(settings), indent=2).encode("utf-8"))
