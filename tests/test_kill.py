"""Kill test: the real app on the virtual microphone is SIGKILLed at many moments of a spoken interview,
then started again with ``--resume``. Nothing said is lost: every answer that was being given or was
given is in the session (the interrupted one recovered from its safety recording), no file is
corrupt, and the interview is resumed and completed."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.speech import espeak_clip, word_error_rate

pytestmark = [pytest.mark.audio, pytest.mark.slow]

ANSWERS = [
    "In my last role I led a team of four engineers and we shipped the new billing system on time.",
    "I want to work here because I care about building reliable software for customers.",
]


@dataclass(frozen=True)
class Moment:
    name: str
    line: str  # killed after the n-th log line containing this …
    nth: int = 1
    delay_s: float = 0.0  # … and this long after it
    speak: bool = True  # the candidate answers when asked
    mongo: bool = False  # with the team's MongoDB history
    sig: int = signal.SIGKILL  # SIGTERM: closed as a window close or a logout does it


MOMENTS = [
    Moment("starting up", "starting (pid"),
    Moment("asking question 1", "state=asking question=1/2", delay_s=0.3),
    Moment("listening, nothing said yet", "state=listening question=1/2", delay_s=0.8, speak=False),
    Moment("1 s into answer 1", "speech started", delay_s=1.0),
    Moment("3 s into answer 1", "speech started", delay_s=3.0),
    Moment("answer 1 ending (transcribing)", "state=transcribing question=1/2"),
    Moment("answer 1 evaluating", "state=evaluating question=1/2"),
    Moment("answer 1 being saved", "saving session=", nth=2),
    Moment("asking question 2 (answer 1 may still go on)", "state=asking question=2/2", delay_s=0.2),
    Moment("2 s into answer 2", "speech started", nth=2, delay_s=2.0),
    Moment("answer 1 pushed to MongoDB", "saving session=", nth=2, delay_s=0.05, mongo=True),
    Moment("closed (SIGTERM) 2 s into answer 1", "speech started", delay_s=2.0, sig=signal.SIGTERM),
]


class App:
    """The app as a subprocess; its log lines arrive in a queue; it answers when asked."""

    def __init__(self, data: Path, wavs: list[Path], *args: str, mongo_uri: str | None = None):
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        env.pop("MONGODB_URI", None)
        self.sig = signal.SIGKILL
        if mongo_uri:
            env["MONGODB_URI"] = mongo_uri
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "interview_desktop", "--data-dir", str(data), "--candidate", "Kill",
             "--role", "Software Engineer", "--questions", "2", "--auto-start", "--quit-when-done", *args],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
            start_new_session=True)  # its own process group: anything it started is found after it
        self.wavs, self.lines, self.log = wavs, queue.Queue(), []
        self.players: list[subprocess.Popen] = []
        self.spoken: list[int] = []  # answers whose playing started
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        with self.proc.stderr:  # type: ignore[union-attr]
            for line in self.proc.stderr:  # type: ignore[union-attr]
                self.lines.put(line)
        self.lines.put(None)

    def run(self, until: Moment | None, speak: bool = True) -> bool:
        """Drive the app; SIGKILL it at ``until``. True when killed there, False when it ended first."""
        seen, asked, deadline = 0, set(), None
        while True:
            timeout = 120.0 if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                if deadline is None:
                    raise AssertionError("the app went quiet: " + "".join(self.log[-20:])) from None
                self.kill()
                return True
            if line is None:
                return False
            self.log.append(line)
            if until is not None and deadline is None and until.line in line:
                seen += 1
                if seen == until.nth:
                    if until.delay_s == 0:
                        self.kill()
                        return True
                    deadline = time.monotonic() + until.delay_s
            if "state=listening question=" in line and speak:
                number = int(line.split("question=")[1].split("/")[0])
                if number not in asked:  # a new question (not the same one heard again)
                    asked.add(number)
                    self.spoken.append(number)
                    self.players.append(subprocess.Popen(
                        ["paplay", "--device=vspk", str(self.wavs[(number - 1) % len(self.wavs)])]))

    def kill(self) -> None:
        self.proc.send_signal(self.sig)
        self.code = self.close()

    def close(self) -> int:
        code = self.proc.wait(timeout=60)
        self._reader.join(timeout=30)
        while True:  # what it logged after the last line ``run`` read (e.g. while closing)
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.log.append(line)
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            pass  # nothing it started outlived it
        else:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise AssertionError("a process started by the app outlived it")
        for player in self.players:
            player.kill()
            player.wait(timeout=30)
        return code


@pytest.fixture(scope="module")
def answer_wavs(tmp_path_factory, vmic):
    from interview_desktop.audio.wav import write_wav

    folder = tmp_path_factory.mktemp("answers")
    return [write_wav(folder / f"answer{i}.wav", espeak_clip(text, wpm=150, lead_s=0.3))
            for i, text in enumerate(ANSWERS)]


@pytest.fixture(scope="module")
def vmic():
    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        pytest.skip("virtual microphone not running (test.sh starts it: scripts/test-services.sh)")


@pytest.mark.parametrize("moment", MOMENTS, ids=[m.name for m in MOMENTS])
def test_killed_then_resumed_nothing_said_is_lost(moment, answer_wavs, tmp_path, request):
    mongo_uri = None
    if moment.mongo:
        base = request.getfixturevalue("mongo_uri")
        database = request.getfixturevalue("mongo_db_name")
        mongo_uri = base.rstrip("/") + "/" + database
    data = tmp_path / "data"
    first = App(data, answer_wavs, mongo_uri=mongo_uri)
    first.sig = moment.sig
    assert first.run(moment, speak=moment.speak), "the interview ended before the kill: " + "".join(
        first.log[-10:])
    if moment.sig == signal.SIGTERM:  # a clean close: exit 0, the threads stopped, the session kept
        assert first.code == 0, "".join(first.log[-20:])
        assert any("shut down in" in line for line in first.log), "".join(first.log[-20:])
    spoken_before = list(first.spoken)
    heard_before = sum("speech started" in line for line in first.log)

    second = App(data, answer_wavs, "--resume", mongo_uri=mongo_uri)
    second.run(None)
    code = second.close()
    sessions = sorted((data / "sessions").glob("*.json")) if (data / "sessions").is_dir() else []
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sessions]  # none is corrupt
    assert not list(data.glob("quarantine/*")), "a damaged file was set aside"
    assert not list(data.glob("audio/*/*.recording.*")), "a safety recording was left behind"
    if not docs:  # killed before the interview was created: nothing to resume, nothing lost
        assert code == 1 and heard_before == 0, "".join(second.log[-20:])
        return
    (doc,) = docs
    if "no unfinished interview" in "".join(second.log):  # the last answer was the one interrupted:
        assert code == 1 and doc["status"] == "completed"  # recovering it completed the interview
    else:
        assert code == 0, "".join(second.log[-30:])
        assert "interview resumed" in "".join(second.log)
    assert doc["status"] == "completed", doc["status"]
    answers = {a["index"]: a for a in doc["answers"]}
    assert sorted(answers) == [0, 1]
    lost = []
    for i in range(heard_before):  # every answer the app had started hearing before the kill
        answer = answers[i]
        if answer.get("interrupted"):  # up to the last second before the kill
            words = [w for w in answer["text"].lower().split() if w.strip(".,") in ANSWERS[i].lower()]
            if len(words) < 2:
                lost.append(i)
        elif word_error_rate(ANSWERS[i], answer["text"]) > 0.35:
            lost.append(i)
    assert lost == [], (moment.name, [answers[i]["text"] for i in lost], spoken_before)
    report = os.environ.get("INTERVIEW_KILL_REPORT")  # a JSON line per kill point, for the figures
    if report:
        with open(report, "a", encoding="utf-8") as out:
            shutdown = [float(line.split("shut down in ")[1].split()[0]) for line in first.log
                        if "shut down in " in line]
            out.write(json.dumps({"moment": moment.name, "answers_heard_before_kill": heard_before,
                                  "shutdown_s": shutdown[0] if shutdown else None,
                                  "interrupted": [i for i, a in answers.items() if a.get("interrupted")],
                                  "lost": len(lost), "texts": [answers[i]["text"] for i in sorted(answers)]})
                      + "\n")
    for answer in answers.values():
        assert answer["input"] == "voice" and answer["evaluation"] is not None
        if answer.get("audio_path"):
            assert (data / answer["audio_path"]).is_file()
    if mongo_uri:
        import pymongo

        with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
            stored = list(client[mongo_uri.rsplit("/", 1)[1]]["sessions"].find({"id": doc["id"]}))
        assert len(stored) <= 1  # never two documents for one session (pushed again after the kill)
