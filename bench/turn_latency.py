"""The turn gap as the candidate hears it: end of their speech → the next question audible.

Runs the real app (``--auto-start --quit-when-done``) on the virtual microphone and records the
virtual sink's monitor with ``parec`` the whole time, so the spoken answers (played into the sink at
each ``state=listening``) and the app's own questions land in one recording, on one clock:

* end of speech: where the answer's last voiced sample lands in the recording (the answer is found by
  cross-correlation; the null sink passes samples unchanged);
* next question audible: the first 10 ms frame after that louder than -45 dBFS;
* end of speech → transcript saved: the app's ``state=evaluating`` log line (the answer is saved just
  before it), mapped to the recording through the moment ``paplay`` started that answer.

The words saved are scored against what was said (word error rate, the same recordings in both
modes), and answers the candidate "went on" with are counted.

Answers of 10, 30, 60 and 120 s (espeak-ng sentences with 0.35 s pauses, one answer each) are asked
in one interview, ``--runs`` times each; medians and p95 per length, and the 120 s / 10 s ratio.
``--modes`` runs the app once per turn-taking mode, side by side in one run: "smart" (transcribed
while spoken, the end of the turn decided from the words; the default) and "fixed" (1.5 s of silence,
the whole answer transcribed at the end: the behaviour before). The mode goes in through the app's
settings file (``turn_taking``), under a private XDG_CONFIG_HOME.

Needs the virtual microphone: eval "$(scripts/test-services.sh start)" first.
Writes bench/results/turn_latency.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interview_desktop.audio.wav import write_wav  # noqa: E402
from interview_desktop.domain import AudioClip  # noqa: E402
from tests.speech import long_answer_clip as answer_clip  # noqa: E402
from tests.speech import long_answer_text as answer_text  # noqa: E402
from tests.speech import word_error_rate  # noqa: E402

RATE = 16000
LOUD_DBFS = -45.0


def log_time(line: str) -> float:
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()


def frame_db(x: np.ndarray, frame: int = RATE // 100) -> np.ndarray:
    n = len(x) // frame
    f = x[: n * frame].reshape(n, frame).astype(np.float64)
    return 10 * np.log10(np.mean(f * f, axis=1) + 1e-12)


def locate(recording: np.ndarray, clip: np.ndarray, after: int, within_s: float = 40.0) -> int:
    """Sample offset of ``clip`` in ``recording`` (it starts within ``within_s`` after ``after``), by
    FFT cross-correlation of its first two voiced seconds."""
    voiced = np.flatnonzero(np.abs(clip) > 0.02)
    start = int(voiced[0])
    probe = clip[start : start + 2 * RATE].astype(np.float64)
    hay = recording[after : after + int(within_s * RATE) + len(clip)].astype(np.float64)
    n = 1 << int(np.ceil(np.log2(len(hay) + len(probe))))
    corr = np.fft.irfft(np.fft.rfft(hay, n) * np.conj(np.fft.rfft(probe, n)), n)[: int(within_s * RATE)]
    return after + int(np.argmax(corr)) - start  # the first match: later ones are repeats inside it


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(np.floor(k)), int(np.ceil(k))
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run(lengths: list[float], runs: int, mode: str, tmp: Path, model: str = "tiny.en",
        log_level: str = "INFO") -> list[dict]:
    config = tmp / "config" / "interview-desktop"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps({"turn_taking": mode, "speech_model": model}))
    plan = [length for _ in range(runs) for length in lengths]
    clips = [answer_clip(s, i) for i, s in enumerate(plan)]
    clips.append(answer_clip(3, len(plan)))  # the last question only ends the run
    wavs = [write_wav(tmp / f"answer{i}.wav", c) for i, c in enumerate(clips)]
    raw = tmp / "recording.raw"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp / "config"))
    with open(raw, "wb") as out:
        parec = subprocess.Popen(["parec", "--device=vspk.monitor", "--format=s16le", f"--rate={RATE}",
                                  "--channels=1", "--raw"], stdout=out)
    cmd = [sys.executable, "-m", "interview_desktop", "--data-dir", str(tmp / "data"), "--auto-start",
           "--quit-when-done", "--questions", str(len(clips)), "--role", "general", "--log-level", log_level]
    played: list[float] = []
    lines: list[str] = []
    previous = ""
    try:
        with subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                              env=env, cwd=ROOT) as app:
            assert app.stderr is not None
            for line in app.stderr:
                lines.append(line)
                # each question's answer once: "listening" again after a resume is the same question
                if "state=listening" in line and question_of(line) != previous and len(played) < len(wavs):
                    previous = question_of(line)
                    played.append(time.time())
                    subprocess.run(["paplay", "--device=vspk", str(wavs[len(played) - 1])], check=True)
            code = app.wait(timeout=120)
        time.sleep(1.0)  # the last question's audio reaches the recording
    finally:
        parec.terminate()
        parec.wait(10)
    (tmp / "run.json").write_text(json.dumps({"plan": plan, "played": played, "lines": lines}))
    if code != 0:
        sys.exit(f"the app exited with {code}:\n{''.join(lines[-30:])}")
    results = analyse(tmp, plan, clips, played, lines)
    session = json.loads(next((tmp / "data" / "sessions").glob("*.json")).read_text())
    texts = {a["index"]: a["text"] for a in session["answers"]}
    whole = whole_answer_texts(tmp / "data", session, model)
    for i, row in enumerate(results):  # the words saved, against what was said
        row["wer"] = round(word_error_rate(answer_text(plan[i], i), texts.get(i, "")), 3)
        # the same recording transcribed in one pass, as the fixed mode does: the paired comparison
        row["wer_whole_pass"] = round(word_error_rate(answer_text(plan[i], i), whole.get(i, "")), 3)
        row["resumed"] = next((a.get("turn") or {} for a in session["answers"] if a["index"] == i), {}).get(
            "resumed", 0)
    return results


def whole_answer_texts(data: Path, session: dict, model: str) -> dict[int, str]:
    """Each saved answer recording transcribed in one pass by the same model and settings as the app
    (after the app has exited, so it does not compete with it): what whole-answer transcription gives
    on exactly the audio the app heard."""
    from interview_desktop.audio.wav import read_wav
    from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT

    stt = LocalWhisperSTT(model_id=model)
    stt.load()
    return {a["index"]: stt.transcribe(read_wav(data / a["audio_path"])).text
            for a in session["answers"] if a.get("audio_path")}


def analyse(tmp: Path, plan: list[float], clips: list[AudioClip], played: list[float],
            lines: list[str]) -> list[dict]:
    raw = tmp / "recording.raw"
    recording = np.frombuffer(raw.read_bytes(), dtype=np.int16).astype(np.float32) / 32768.0
    saved: dict[int, float] = {}  # question number → its last "evaluating" (a resumed answer has two)
    for line in lines:
        if "state=evaluating" in line:
            saved[int(question_of(line).split("/")[0])] = log_time(line)
    results, cursor = [], 0
    for i, length in enumerate(plan):
        clip = clips[i].samples
        pos = locate(recording, clip, cursor)
        last_voiced = int(np.flatnonzero(np.abs(clip) > 0.02)[-1])
        eos = pos + last_voiced
        after = pos + len(clip)  # past the answer's own fading tail and its digital silence
        db = frame_db(recording[after:])
        loud = np.flatnonzero(db > LOUD_DBFS)
        if not len(loud):
            sys.exit(f"answer {i + 1} (at {pos / RATE:.2f} s of {len(recording) / RATE:.2f} s): no next "
                     f"question found in the recording ({tmp})")
        audible = after + int(loud[0]) * (RATE // 100)
        eos_wall = played[i] + last_voiced / RATE  # paplay's start ↔ the clip's first sample
        results.append({
            "answer_s": round(len(clip) / RATE, 2),
            "length": length,
            "end_of_speech_to_next_question_s": round((audible - eos) / RATE, 3),
            "end_of_speech_to_transcript_saved_s": round(saved[i + 1] - eos_wall, 3),
        })
        cursor = audible
    return results


def question_of(line: str) -> str:
    return line.split("question=")[1].split()[0] if "question=" in line else ""


def summarise(answers: list[dict], lengths: list[float], mode: str, runs: int) -> dict:
    summary: dict = {}
    print(f"mode={mode}  (seconds; p50 / p95 over {runs} runs)")
    print(f"{'answer':>8}  {'→ next question audible':>26}  {'→ transcript saved':>22}  {'WER':>6}"
          f"  {'WER one pass, same audio':>24}")
    for length in lengths:
        rows = [a for a in answers if a["length"] == length]
        gap = [a["end_of_speech_to_next_question_s"] for a in rows]
        saved = [a["end_of_speech_to_transcript_saved_s"] for a in rows]
        wer = [a["wer"] for a in rows]
        wer_whole = [a["wer_whole_pass"] for a in rows]
        s = summary[str(int(length))] = {
            "next_question_p50": statistics.median(gap), "next_question_p95": percentile(gap, 0.95),
            "transcript_saved_p50": statistics.median(saved), "transcript_saved_p95": percentile(saved, 0.95),
            "wer_mean": round(statistics.mean(wer), 3),
            "wer_whole_pass_mean": round(statistics.mean(wer_whole), 3),
            "resumed": sum(a["resumed"] for a in rows),
        }
        print(f"{int(length):>6} s  {s['next_question_p50']:>12.2f} / {s['next_question_p95']:<11.2f}"
              f"  {s['transcript_saved_p50']:>10.2f} / {s['transcript_saved_p95']:<9.2f}"
              f"  {s['wer_mean']:>6.3f}  {s['wer_whole_pass_mean']:>24.3f}")
    lo, hi = str(int(min(lengths))), str(int(max(lengths)))
    ratio = summary[hi]["next_question_p50"] / summary[lo]["next_question_p50"]
    ratio95 = summary[hi]["next_question_p95"] / summary[lo]["next_question_p95"]
    print(f"growth {hi} s / {lo} s (next question): p50 {ratio:.2f}, p95 {ratio95:.2f}; "
          f"WER over all answers {statistics.mean(a['wer'] for a in answers):.3f}, the same recordings "
          f"in one pass {statistics.mean(a['wer_whole_pass'] for a in answers):.3f}\n")
    return {"answers": answers, "summary": summary, "growth_ratio_p50": ratio, "growth_ratio_p95": ratio95,
            "wer_mean": round(statistics.mean(a["wer"] for a in answers), 3),
            "wer_whole_pass_mean": round(statistics.mean(a["wer_whole_pass"] for a in answers), 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=float, nargs="+", default=[10, 30, 60, 120])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--modes", nargs="+", default=["smart", "fixed"], choices=["smart", "fixed"])
    parser.add_argument("--model", default="tiny.en", help="the offline speech model (tiny.en, base)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "turn_latency.json")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO"],
                        help="the app log level (DEBUG: each pass and its time; run.json with BENCH_KEEP=1)")
    args = parser.parse_args()
    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        sys.exit('virtual microphone not running: eval "$(scripts/test-services.sh start)" first')
    modes = {}
    for mode in args.modes:
        tmp = Path(tempfile.mkdtemp(prefix=f"turn-bench-{mode}-"))
        answers = run(args.lengths, args.runs, mode, tmp, args.model, args.log_level)
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        modes[mode] = summarise(answers, args.lengths, mode, args.runs)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "bench": "turn_latency", "commit": commit, "runs": args.runs, "model": args.model,
        "when": datetime.now().isoformat(timespec="seconds"), "modes": modes,
        "machine": {"cpus": os.cpu_count(), "load_avg": os.getloadavg()},
    }, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
