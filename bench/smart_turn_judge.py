r"""Smart Turn v3 judged on our fixtures: does it tell a mid-thought pause from a finished answer?

The model is not a dependency of the app (docs/conversation.md says why); this script judges a copy
of it. Get the file from the pipecat-ai wheel without its dependencies::

    pip download pipecat-ai==1.14.0 --no-deps -d /tmp/st
    unzip -o /tmp/st/pipecat_ai-*.whl 'pipecat/audio/turn/smart_turn/data/*' -d /tmp/st
    python bench/smart_turn_judge.py \
        --model /tmp/st/pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx

Each clause of bench/turn_taking.py (unfinished first halves, finished answers; espeak-ng, three
voices × three speeds, and a Piper voice with ``--piper-voice`` at three speeds) is cut 0.2 s after
its last voiced sample, as the app would ask; the model gets the last 8 s (Whisper log-mel,
faster-whisper's feature extractor, which matches pipecat's to 1e-7) and says how likely the turn is
complete. Writes bench/results/smart_turn.json and prints accuracy at 0.5 and the time per call.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.turn_taking import FINISHED, SPEEDS, UNFINISHED, VOICES, last_voiced  # noqa: E402
from interview_desktop.audio.wav import resample  # noqa: E402
from interview_desktop.domain import AudioClip  # noqa: E402
from tests.speech import espeak_clip  # noqa: E402

RATE = 16000
WINDOW_S = 8
AFTER_S = 0.2


def voices(piper_voice: str | None):
    for voice in VOICES:
        for wpm in SPEEDS:
            yield "espeak", f"{voice}@{wpm}", lambda text, v=voice, w=wpm: espeak_clip(
                text, wpm=w, voice=v, lead_s=0.3).samples
    if piper_voice:
        from piper import PiperVoice, SynthesisConfig

        loaded = PiperVoice.load(piper_voice)
        for scale in (0.8, 1.0, 1.2):
            def speak(text: str, scale: float = scale) -> np.ndarray:
                chunks = list(loaded.synthesize(text, syn_config=SynthesisConfig(length_scale=scale)))
                audio = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
                audio = resample(AudioClip(audio, chunks[0].sample_rate), RATE).samples
                return np.concatenate([np.zeros(int(0.3 * RATE), np.float32), audio])
            yield "piper", f"piper@{scale}", speak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="smart-turn-v3.*.onnx")
    parser.add_argument("--piper-voice", help="a Piper .onnx voice: judge on it too")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "smart_turn.json")
    args = parser.parse_args()
    import onnxruntime as ort
    from faster_whisper.feature_extractor import FeatureExtractor

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(args.model), sess_options=options)
    features = FeatureExtractor(feature_size=80, chunk_length=WINDOW_S)

    def complete(audio: np.ndarray) -> tuple[float, float]:
        audio = audio[-WINDOW_S * RATE:]
        audio = np.pad(audio, (WINDOW_S * RATE - len(audio), 0))
        audio = (audio - audio.mean()) / np.sqrt(audio.var() + 1e-7)
        started = time.perf_counter()
        mel = features(audio.astype(np.float32), padding=0)[None].astype(np.float32)
        p = float(session.run(None, {"input_features": mel})[0][0].item())
        return p, time.perf_counter() - started

    rows = []
    for family, voice, speak in voices(args.piper_voice):
        for kind, texts in (("unfinished", [u[0] for u in UNFINISHED]), ("finished", FINISHED)):
            for text in texts:
                audio = speak(text)
                p, took = complete(audio[: int((last_voiced(audio) + AFTER_S) * RATE)])
                rows.append({"family": family, "voice": voice, "kind": kind, "text": text,
                             "p_complete": round(p, 3), "ms": round(took * 1000, 1)})
    summary = {}
    print(f"{'voices':>7}  unfinished said 'not done'  finished said 'done'  accuracy  ms/call p50")
    for family in dict.fromkeys(r["family"] for r in rows):
        mine = [r for r in rows if r["family"] == family]
        unfinished = [r for r in mine if r["kind"] == "unfinished"]
        finished = [r for r in mine if r["kind"] == "finished"]
        held = sum(r["p_complete"] < 0.5 for r in unfinished)
        ended = sum(r["p_complete"] >= 0.5 for r in finished)
        summary[family] = {"unfinished_held": held, "unfinished": len(unfinished), "finished_ended": ended,
                           "finished": len(finished), "accuracy": round((held + ended) / len(mine), 3),
                           "ms_p50": statistics.median(r["ms"] for r in mine)}
        s = summary[family]
        print(f"{family:>7}  {held:>12} / {len(unfinished):<12} {ended:>9} / {len(finished):<10}"
              f" {s['accuracy']:>8.2f}  {s['ms_p50']:>10.0f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"bench": "smart_turn", "model": args.model.name, "summary": summary,
                                    "rows": rows}, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
