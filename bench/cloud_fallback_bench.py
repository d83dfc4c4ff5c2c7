"""Cloud fallback benchmark: what does a failing cloud provider add before the offline answer?

For STT (Groq Whisper → local tiny.en), TTS (ElevenLabs → pyttsx3) and the LLM brain (Groq
evaluation → offline rubric), the real SDKs talk to a local HTTP server that fails in one way
(401, 429, 500, timeout, connection refused, malformed body, truncated body). Each run builds a
fresh provider (so its circuit breaker is closed), runs ``FallbackChain([cloud, offline])``, and
records the added latency = time from the call start to the fallback's result minus the time the
fallback itself took in that run (the SDK client is made before the call, as it is once per provider
in the app; its cost is reported as "client init"). Also measured: the next call on the same
provider (its circuit breaker now open, except after a single bad reply), and a cloud success
against the local server (upload encoding included).
Writes bench/results/cloud_fallback.json and prints a table.

    .venv/bin/python bench/cloud_fallback_bench.py [--runs 5] [--quick]

``--quick`` uses 0.5 s timeouts instead of the app defaults (STT 8 s, TTS 5 s, LLM 10 s).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pytest_httpserver import HTTPServer  # noqa: E402  (a dev dependency: benches are not shipped)
from werkzeug import Response  # noqa: E402

from interview_desktop.domain import Question, QuestionKind  # noqa: E402
from interview_desktop.providers.base import FallbackChain  # noqa: E402
from interview_desktop.providers.brains.groq import GroqBrain  # noqa: E402
from interview_desktop.providers.brains.offline import OfflineBrain  # noqa: E402
from interview_desktop.providers.brains.question_bank import QuestionBank  # noqa: E402
from interview_desktop.providers.stt.groq_whisper import GroqSpeechToText  # noqa: E402
from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT  # noqa: E402
from interview_desktop.providers.tts.elevenlabs_voice import ElevenLabsTextToSpeech  # noqa: E402
from interview_desktop.providers.tts.pyttsx3_voice import Pyttsx3TTS  # noqa: E402
from tests.providers.cloud.helpers import (  # noqa: E402
    ELEVEN_TTS_PATH,
    GROQ_CHAT_PATH,
    GROQ_STT_PATH,
    Cloud,
    chat_completion,
    closed_port,
    json_response,
    pcm_bytes,
    verbose_json,
)
from tests.speech import espeak_clip  # noqa: E402

OUT = ROOT / "bench" / "results" / "cloud_fallback.json"
FAULTS = ("401", "429", "500", "timeout", "refused", "malformed", "truncated")
ANSWER = "In my last role I led a team of five engineers and we cut the release time by half."
QUESTION = Question(
    "se-1", "Tell me about a time you improved a process.", QuestionKind.BEHAVIOURAL, "Software Engineer",
    covers=("what was slow", "what you changed", "the measured result"),
)
EVALUATION = {
    "parts": {"relevance": 80, "coverage": 70, "specificity": 75, "structure": 60, "concision": 50},
    "overall": 70, "covered": [2], "strength": "A number.", "improvement": "Add the situation.",
    "example": "At my last job our releases took two days.",
}


class Timed:
    """Wraps the offline provider to time its own share of a chain run."""

    def __init__(self, inner: Any):
        self.inner, self.name, self.cloud, self.last = inner, inner.name, inner.cloud, 0.0

    def __getattr__(self, attr: str) -> Callable[..., Any]:
        method = getattr(self.inner, attr)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.last = time.perf_counter() - started

        return timed


def ms(values: list[float]) -> dict[str, float]:
    values = sorted(v * 1000 for v in values)
    return {
        "median_ms": round(statistics.median(values), 1),
        "min_ms": round(values[0], 1),
        "max_ms": round(values[-1], 1),
        "runs": len(values),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="0.5 s timeouts instead of the defaults")
    args = parser.parse_args()
    runs = max(5, args.runs)
    timeouts = {"stt": 0.5, "tts": 0.5, "llm": 0.5} if args.quick else {"stt": 8.0, "tts": 5.0, "llm": 10.0}
    logging.basicConfig(level=logging.ERROR)

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    release = threading.Event()
    cloud = Cloud(server, release, f"http://127.0.0.1:{closed_port()}", slow_handler_max_s=60.0)
    key = "gsk_BENCHfakeKEY000000000000"

    clip = espeak_clip(ANSWER, lead_s=0.2, tail_s=0.2)
    local = LocalWhisperSTT()
    local.load()
    local.transcribe(clip)  # warm-up: the first call in a process is slower
    pyttsx3 = Pyttsx3TTS()
    pyttsx3.synthesize("Warm up.")
    offline = OfflineBrain(QuestionBank.load())

    services: dict[str, dict[str, Any]] = {
        "stt": {
            "path": GROQ_STT_PATH, "service": "groq",
            "success": lambda r: json_response(verbose_json(ANSWER, clip.duration_s)),
            "make": lambda url, **kw: GroqSpeechToText(key, url, timeout_s=timeouts["stt"], **kw),
            "offline": local, "call": lambda p: p.transcribe(clip), "truncated": None,
        },
        "tts": {
            "path": ELEVEN_TTS_PATH, "service": "elevenlabs",
            "success": lambda r: Response(pcm_bytes(2.0), content_type="audio/pcm"),
            "make": lambda url, **kw: ElevenLabsTextToSpeech(key, url, timeout_s=timeouts["tts"], **kw),
            "offline": pyttsx3, "call": lambda p: p.synthesize(QUESTION.text),
            "truncated": (pcm_bytes(0.5), "audio/pcm"),
        },
        "llm": {
            "path": GROQ_CHAT_PATH, "service": "groq",
            "success": lambda r: json_response(chat_completion(json.dumps(EVALUATION))),
            "make": lambda url, **kw: GroqBrain(key, url, timeout_s=timeouts["llm"], **kw),
            "offline": offline, "call": lambda p: p.evaluate(QUESTION, ANSWER, None), "truncated": None,
        },
    }

    results: dict[str, dict[str, Any]] = {}
    try:
        for what, spec in services.items():
            results[what] = {}
            timed = Timed(spec["offline"])
            alone = []
            for _ in range(runs):
                started = time.perf_counter()
                spec["call"](spec["offline"])
                alone.append(time.perf_counter() - started)
            results[what]["offline_alone"] = ms(alone)
            inits = []
            for _ in range(runs):
                provider = spec["make"](cloud.url)
                started = time.perf_counter()
                provider._get_client()  # SDK client + httpx pool (SSL context): paid once per provider
                inits.append(time.perf_counter() - started)
                provider.close()
            results[what]["client_init"] = ms(inits)
            for fault in ("ok", *FAULTS):
                server.clear()
                extra = {"truncated": spec["truncated"]} if spec["truncated"] else {}
                cloud.install(spec["path"], fault, spec["success"], service=spec["service"], **extra)
                added, second = [], []
                for _ in range(runs):
                    provider = spec["make"](cloud.base_url(fault))
                    provider._get_client()  # made once per provider in the app: not part of a failure
                    chain = FallbackChain(what, [provider, timed])
                    timed.last = 0.0
                    started = time.perf_counter()
                    result = chain.run(spec["call"])
                    total = time.perf_counter() - started
                    if fault == "ok":
                        assert result.cloud, result.failures
                        added.append(total)  # the cloud provider's own latency
                        continue
                    assert not result.cloud and len(result.failures) == 1, result
                    added.append(total - timed.last)
                    started = time.perf_counter()
                    chain.run(spec["call"])  # the breaker is open now (or not, for one bad reply)
                    second.append(time.perf_counter() - started - timed.last)
                    provider.close()
                row = {"added": ms(added)} if fault != "ok" else {"cloud_success": ms(added)}
                if second:
                    row["added_next_call"] = ms(second)
                results[what][fault] = row
                release.set()  # free timeout handlers before the next case
                release.clear()
    finally:
        release.set()
        server.stop()

    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(), "cpus": os.cpu_count(), "system": platform.platform(),
        },
        "timeouts_s": timeouts,
        "runs": runs,
        "note": "added = chain time to the offline result minus the offline provider's own time in that "
                "run; added_next_call = the same for the following call (circuit breaker open for all but "
                "one-off bad responses); ok.cloud_success = the cloud call against the local server.",
        "results": results,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(f"added latency of a failing cloud provider, median of {runs} (ms); timeouts {timeouts}")
    print(f"{'kind':<12}" + "".join(f"{w:>24}" for w in services))
    for label, key, sub in (("offline only", "offline_alone", None), ("cloud ok", "ok", "cloud_success"),
                            ("client init", "client_init", None)):
        cells = [results[w][key] if sub is None else results[w][key][sub] for w in services]
        print(f"{label:<12}" + "".join(f"{c['median_ms']:>24.1f}" for c in cells))
    for fault in FAULTS:
        cells = []
        for w in services:
            row = results[w][fault]
            added, after = row["added"]["median_ms"], row["added_next_call"]["median_ms"]
            cells.append(f"{added:.1f} (next {after:.1f})")
        print(f"{fault:<12}" + "".join(f"{c:>24}" for c in cells))
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
