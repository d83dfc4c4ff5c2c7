"""Loading sounddevice/PortAudio and finding devices by their (remembered) name.

``import sounddevice`` loads libportaudio and scans the devices once; the import is done lazily
here so the app starts (typed answers still work) on a machine without PortAudio. Devices are
remembered by *name*, not index: indices change when devices come and go.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Any

from interview_desktop.audio.errors import NoAudioBackendError, NoInputDeviceError, PlaybackError

logger = logging.getLogger("interview_desktop.audio")

_NO_PORTAUDIO = (
    "PortAudio is not installed (install libportaudio2), so the microphone and speakers cannot "
    "be used. You can still type your answers."
)


def load_sounddevice() -> ModuleType:
    """Import and return the ``sounddevice`` module; NoAudioBackendError if PortAudio is missing."""
    try:
        return importlib.import_module("sounddevice")
    except OSError as err:  # sounddevice raises OSError("PortAudio library not found")
        raise NoAudioBackendError(_NO_PORTAUDIO) from err
    except ImportError as err:
        raise NoAudioBackendError(
            "The sounddevice package is missing from this installation, so the microphone and "
            "speakers cannot be used. You can still type your answers."
        ) from err


def _query(sd: ModuleType) -> list[dict[str, Any]]:
    try:
        return [dict(d) for d in sd.query_devices()]
    except sd.PortAudioError as err:
        logger.warning("cannot list audio devices: %s", err)
        return []


def _unique_names(devices: list[dict[str, Any]], channels_key: str) -> list[str]:
    names: list[str] = []
    for dev in devices:
        if dev.get(channels_key, 0) > 0 and dev["name"] not in names:
            names.append(dev["name"])
    return names


def list_input_devices() -> list[str]:
    """Names of the devices that can record, in PortAudio order, without duplicates."""
    return _unique_names(_query(load_sounddevice()), "max_input_channels")


def list_output_devices() -> list[str]:
    """Names of the devices that can play, in PortAudio order, without duplicates."""
    return _unique_names(_query(load_sounddevice()), "max_output_channels")


def _default_index(sd: ModuleType, position: int) -> int:
    try:
        value = sd.default.device[position]
    except (TypeError, IndexError):
        return -1
    return value if isinstance(value, int) else -1


def _resolve(name: str | None, channels_key: str, position: int) -> tuple[int | None, bool]:
    """(index or None for the system default, whether any device of that kind exists)."""
    sd = load_sounddevice()
    devices = _query(sd)
    usable = [d for d in devices if d.get(channels_key, 0) > 0]
    if not usable:
        return None, False
    if name is None:
        default = _default_index(sd, position)
        if any(d["index"] == default for d in usable):
            return None, True
        return int(usable[0]["index"]), True  # no default set: take the first one
    matches = [d for d in usable if d["name"] == name]
    if not matches:
        raise LookupError(name)
    # The same device can be listed once per host API (Windows: MME, WASAPI …): prefer the
    # default host API's entry.
    default_hostapi = getattr(sd.default, "hostapi", -1)
    matches.sort(key=lambda d: d.get("hostapi") != default_hostapi)
    return int(matches[0]["index"]), True


def resolve_input_device(name: str | None) -> int | None:
    """PortAudio index for the microphone called ``name``; None means "the system default".

    Raises NoInputDeviceError when there is no microphone at all, or when ``name`` is not
    connected any more; NoAudioBackendError without PortAudio.
    """
    try:
        index, any_device = _resolve(name, "max_input_channels", 0)
    except LookupError:
        raise NoInputDeviceError(
            f'The microphone "{name}" is not connected. Plug it in, or choose another microphone '
            "in Settings."
        ) from None
    if not any_device:
        raise NoInputDeviceError(
            "No microphone found. Connect a microphone (or start the sound server), or type your "
            "answers instead."
        )
    return index


def resolve_output_device(name: str | None) -> int | None:
    """Like :func:`resolve_input_device` for speakers; raises PlaybackError."""
    try:
        index, any_device = _resolve(name, "max_output_channels", 1)
    except LookupError:
        raise PlaybackError(
            f'The speaker "{name}" is not connected. Plug it in, or choose another output in '
            "Settings."
        ) from None
    if not any_device:
        raise PlaybackError("No speaker or headphones found, so the questions cannot be read aloud.")
    return index


def device_default_samplerate(index: int | None, kind: str) -> int | None:
    """The device's default sample rate (``kind`` is "input" or "output"), None if unknown."""
    sd = load_sounddevice()
    try:
        info = sd.query_devices(index, kind)
    except (sd.PortAudioError, ValueError):
        return None
    rate = info.get("default_samplerate") if isinstance(info, dict) else None
    return int(rate) if rate else None
