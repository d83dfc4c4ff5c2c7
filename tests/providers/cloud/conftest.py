"""Fixtures: the local cloud server (see ``helpers``), and the real offline providers.

Package-scoped: the server thread and the Whisper model are released when these tests end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from tests.providers.cloud.helpers import Cloud, closed_port


@pytest.fixture(scope="package")
def cloud_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def cloud(cloud_server: HTTPServer) -> Iterator[Cloud]:
    """The server, cleared; slow handlers are released at teardown."""
    cloud_server.clear()
    release = threading.Event()
    yield Cloud(cloud_server, release, f"http://127.0.0.1:{closed_port()}")
    release.set()
    cloud_server.clear()


@pytest.fixture(scope="package")
def answer_text() -> str:
    return "In my last role I led a team of five engineers and we cut the release time by half."


@pytest.fixture(scope="package")
def answer_clip(answer_text):
    from tests.speech import espeak_clip

    return espeak_clip(answer_text, lead_s=0.2, tail_s=0.2)


@pytest.fixture(scope="package")
def local_stt():
    from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT

    stt = LocalWhisperSTT()
    stt.load()
    return stt


@pytest.fixture(scope="package")
def offline_tts(tmp_path_factory):
    from interview_desktop.providers.tts.pyttsx3_voice import Pyttsx3TTS

    return Pyttsx3TTS(tmp_dir=tmp_path_factory.mktemp("tts"))


@pytest.fixture(scope="package")
def offline_brain():
    import random

    from interview_desktop.providers.brains.offline import OfflineBrain
    from interview_desktop.providers.brains.question_bank import QuestionBank

    return OfflineBrain(QuestionBank.load(), random.Random(7))
