"""The command line: options of the desktop app (a public interface: extend, don't rename)."""

from __future__ import annotations

import argparse
from pathlib import Path

from interview_desktop import __version__

EXIT_USAGE = 2
EXIT_ALREADY_RUNNING = 3  # another copy is open on the same data folder (it was asked to come to the front)


def positive_int(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interview-desktop",
        description="Practise and review job interviews by voice. Works offline.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", type=Path, help="folder for the session history (default: the "
                        "platform data folder, or the one chosen in Settings)")
    parser.add_argument("--candidate", help="candidate name to fill in")
    parser.add_argument("--role", help="role to interview for (id or title, e.g. 'Software Engineer')")
    parser.add_argument("--questions", type=positive_int(1, 20), help="number of questions (1-20)")
    parser.add_argument("--auto-start", action="store_true",
                        help="start the interview as soon as the window is up")
    parser.add_argument("--resume", action="store_true",
                        help="resume the most recent interview that stopped before its end (with "
                             "--auto-start --quit-when-done it runs unattended)")
    parser.add_argument("--quit-when-done", action="store_true",
                        help="exit (code 0) once the interview is finished and saved")
    parser.add_argument("--typed", action="store_true",
                        help="no speech and no microphone: questions on screen, typed answers")
    parser.add_argument("--offline", action="store_true",
                        help="offline only for this run: no audio or text leaves the computer")
    parser.add_argument("--selftest", action="store_true",
                        help="open the window, check the engine thread and the storage, exit 0")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser
