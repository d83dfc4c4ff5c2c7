"""Audio error family: known environment problems with messages written for the user."""

from interview_desktop.errors import InterviewDesktopError


class AudioError(InterviewDesktopError):
    """Base of every audio problem."""


class NoAudioBackendError(AudioError):
    """PortAudio (libportaudio2) is not installed or cannot be loaded."""


class NoInputDeviceError(AudioError):
    """No microphone is available (or the chosen one is gone)."""


class DeviceLostError(AudioError):
    """The input device stopped delivering audio in the middle of an answer."""


class PlaybackError(AudioError):
    """Sound could not be played (no output device, no sound server)."""


class InvalidWavError(AudioError):
    """A WAV file is missing, truncated or not audio."""


class VadUnavailableError(AudioError):
    """The speech-detection model (Silero VAD via onnxruntime) cannot be loaded."""
