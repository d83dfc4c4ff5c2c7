"""End of turn: does the app wait for thinkers and answer finished speakers fast?

A labelled set built from espeak-ng speech (three voices, three speeds) and Piper's "joe" voice (three
speeds, a voice that sounds like a person): answers with a mid-thought
pause of 1–4 s after an unfinished clause ("…to the cloud, and — [pause] — we cut costs…"), and
finished answers followed by silence. Each is fed 30 ms at a time, as the engine does, to

* the fixed rule: the endpointer's 1.5 s of silence (``turn_taking: fixed``), and
* the smart policy: the app's :class:`~interview_desktop.engine.turn.AnswerTurn` with the bundled
  Whisper transcribing while the audio plays. Transcription really runs; its measured time is put on
  the audio clock (a result is usable only once the audio has advanced by as long as it took), so
  the delay includes waiting for the words, as in the app.

Reports the false cut-off rate (the answer ended inside a mid-thought pause, by pause length) and the
end-of-turn delay on finished answers (from the last voiced sample to the decision: p50, p95).
Writes bench/results/turn_taking.json and prints a table. No devices needed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interview_desktop.audio.turn_policy import TurnConfig  # noqa: E402
from interview_desktop.audio.vad import EndpointConfig, Endpointer, EndpointEventKind  # noqa: E402
from interview_desktop.engine.stretches import StretchTranscriber  # noqa: E402
from interview_desktop.engine.turn import AnswerTurn  # noqa: E402
from interview_desktop.providers.base import FallbackChain  # noqa: E402
from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT  # noqa: E402
from tests.speech import espeak_clip, piper_clip  # noqa: E402

RATE = 16000
CHUNK = 480
VOICES = ["en", "en-us", "en-gb-x-rp"]
SPEEDS = [140, 165, 190]
PIPER_SPEEDS = [0.85, 1.0, 1.2]
UNFINISHED = [
    ("In my last role we moved the billing system to the cloud, and", "we cut the costs by thirty percent."),
    ("The first thing I did was to talk to the team, because", "nobody knew who owned the alerts."),
    ("I think the hardest part was, um", "getting the two teams to agree on one plan."),
    ("So we measured the failures and we found that most of them came from", "one slow database."),
    ("After the launch I wrote a short runbook so", "new engineers could handle the alerts."),
]
FINISHED = [
    "In my last role I led a team of four and we shipped the new billing system on time.",
    "I would involve the finance team earlier next time. They knew the edge cases.",
    "The result was that failures dropped by ninety percent and nobody was paged for a month.",
    "I care about building reliable software, and this team does exactly that.",
    "We kept both systems running for two weeks and compared the results every morning.",
]
PAUSES = [1.0, 2.0, 2.5, 3.0, 4.0]


class AudioClockSubmit:
    """BackgroundTasks.submit on the audio clock: the job runs now, its result is delivered once
    the fed audio has advanced by the time the job took."""

    def __init__(self):
        self.now = 0.0
        self.pending: list[tuple[float, object, object]] = []
        self.busy_until = 0.0

    def __call__(self, job, on_done=None, on_error=None):
        started = time.perf_counter()
        try:
            result, handler = job(), on_done
        except Exception as err:  # noqa: BLE001 - delivered to the error handler, as BackgroundTasks does
            result, handler = err, on_error
        begin = max(self.now, self.busy_until)  # one worker: a job waits for the one before it
        self.busy_until = begin + time.perf_counter() - started
        self.pending.append((self.busy_until, handler, result))

    def advance(self, now: float) -> None:
        self.now = now
        due = [p for p in self.pending if p[0] <= now]
        self.pending = [p for p in self.pending if p[0] > now]
        for _, handler, result in due:
            handler(result)


def last_voiced(samples: np.ndarray) -> float:
    return float(np.flatnonzero(np.abs(samples) > 0.01)[-1]) / RATE


def run_smart(stt, audio: np.ndarray, config: TurnConfig) -> float | None:
    """Stream time of the smart decision (None: never ended)."""
    submit = AudioClockSubmit()
    endpointer = Endpointer(EndpointConfig(hangover_s=180.0, no_speech_timeout_s=None))
    turn = AnswerTurn(endpointer, StretchTranscriber(stt, submit), config)
    for start in range(0, len(audio), CHUNK):
        turn.feed(audio[start:start + CHUNK])
        submit.advance(endpointer.fed_s)
        verdict = turn.verdict()
        if verdict is not None and verdict.end:
            return endpointer.fed_s
    return None


def run_fixed(audio: np.ndarray) -> float | None:
    endpointer = Endpointer(EndpointConfig(hangover_s=1.5, no_speech_timeout_s=None))
    for start in range(0, len(audio), CHUNK):
        for event in endpointer.feed(audio[start:start + CHUNK]):
            if event.kind is EndpointEventKind.ANSWER_ENDED:
                return event.at_s
    return None


def speakers(quick: bool):
    """(voice, speed, speak): espeak-ng voices at words per minute, Piper "joe" at relative speeds."""
    voices, speeds = (VOICES[:1], SPEEDS[1:2]) if quick else (VOICES, SPEEDS)
    for voice in voices:
        for wpm in speeds:
            yield voice, wpm, lambda text, lead, v=voice, w=wpm: espeak_clip(text, wpm=w, voice=v,
                                                                              lead_s=lead)
    for speed in PIPER_SPEEDS[1:2] if quick else PIPER_SPEEDS:
        yield "piper", speed, lambda text, lead, s=speed: piper_clip(text, s, lead_s=lead)


def cases(quick: bool):
    for voice, wpm, speak in speakers(quick):
        for first, rest in UNFINISHED:
            a = speak(first, 0.3).samples
            b = speak(rest, 0.0).samples
            for pause in PAUSES:
                audio = np.concatenate([a, np.zeros(int(pause * RATE), np.float32), b,
                                        np.zeros(6 * RATE, np.float32)])
                yield {"kind": "pause", "voice": voice, "wpm": wpm, "pause_s": pause,
                       "pause_at": last_voiced(a), "resumes_at": len(a) / RATE + pause}, audio
        for text in FINISHED:
            clip = speak(text, 0.3).samples
            audio = np.concatenate([clip, np.zeros(6 * RATE, np.float32)])
            yield {"kind": "end", "voice": voice, "wpm": wpm, "ends_at": last_voiced(clip)}, audio


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(np.floor(k)), int(np.ceil(k))
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one voice, one speed")
    parser.add_argument("--model", default="tiny.en", help="the offline speech model (tiny.en, base)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "turn_taking.json")
    args = parser.parse_args()
    whisper = LocalWhisperSTT(model_id=args.model)
    whisper.load()
    stt = FallbackChain("speech-to-text", [whisper])
    config = TurnConfig()
    rows = []
    for case, audio in cases(args.quick):
        for policy in ("fixed", "smart"):
            decided = run_fixed(audio) if policy == "fixed" else run_smart(stt, audio, config)
            row = dict(case, policy=policy, decided_at=decided)
            if case["kind"] == "pause":
                row["cut_off"] = decided is not None and decided < case["resumes_at"]
            else:
                row["delay_s"] = None if decided is None else round(decided - case["ends_at"], 3)
            rows.append(row)
    summary = {}
    print(f"{'policy':>7}  " + "  ".join(f"cut off in {p:g} s pause" for p in PAUSES)
          + "  finished: end delay p50 / p95")
    for policy in ("fixed", "smart"):
        mine = [r for r in rows if r["policy"] == policy]
        cut = {str(p): statistics.mean(r["cut_off"] for r in mine
                                       if r["kind"] == "pause" and r["pause_s"] == p) for p in PAUSES}
        delays = [r["delay_s"] for r in mine if r["kind"] == "end" and r["delay_s"] is not None]
        never = sum(1 for r in mine if r["kind"] == "end" and r["delay_s"] is None)
        summary[policy] = {"false_cut_off_rate": cut, "end_delay_p50": statistics.median(delays),
                           "end_delay_p95": pct(delays, 0.95), "finished_never_ended": never}
        print(f"{policy:>7}  " + "  ".join(f"{cut[str(p)]:>19.0%}" for p in PAUSES)
              + f"  {summary[policy]['end_delay_p50']:>14.2f} / {summary[policy]['end_delay_p95']:.2f}")
    for policy in ("fixed", "smart"):  # the human-like voice on its own
        mine = [r for r in rows if r["policy"] == policy and r["voice"] == "piper"]
        if not mine:
            continue
        cut = statistics.mean(r["cut_off"] for r in mine if r["kind"] == "pause" and r["pause_s"] <= 3)
        delays = [r["delay_s"] for r in mine if r["kind"] == "end" and r["delay_s"] is not None]
        summary[policy]["piper"] = {"false_cut_off_rate_up_to_3s": cut,
                                    "end_delay_p50": statistics.median(delays)}
        print(f"{policy:>7}  Piper only: cut off in pauses of 1–3 s {cut:.0%}, finished: end delay p50 "
              f"{statistics.median(delays):.2f}")
    n_pause = sum(1 for r in rows if r["kind"] == "pause") // 2
    n_end = sum(1 for r in rows if r["kind"] == "end") // 2
    print(f"{n_pause} mid-thought pauses, {n_end} finished answers; "
          "delays in seconds from the last voiced sample")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "bench": "turn_taking", "commit": commit, "when": datetime.now().isoformat(timespec="seconds"),
        "model": args.model,
        "config": {"finished_silence_s": config.finished_silence_s,
                   "unfinished_limit_s": config.unfinished_limit_s},
        "summary": summary, "rows": rows, "machine": {"cpus": os.cpu_count(), "load_avg": os.getloadavg()},
    }, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
