"""How far the offline scorer agrees with a careful interviewer, and how fast it is.

On the labelled set (tests/fixtures/scoring_set.json: answers over bank and free questions, each
with a grade and its reason): Spearman correlation between the scorer's overall score and the
grades, the ranking accuracy of each strong answer over the weaker answers to the same question
(pairwise, with the median margin), the mean score per kind of answer, and the time to evaluate a
3-minute answer (about 450 words; sentence vectors not cached: median and p95 of 20 runs).
``--word-matching`` scores without the meaning model (the fallback); ``--groq`` scores with the
Groq LLM evaluation instead (needs GROQ_API_KEY; never run in CI; about 120 calls). Writes
bench/results/scoring_bench.json (scoring_bench_groq.json with --groq) and prints a table.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interview_desktop.scoring import embeddings  # noqa: E402
from interview_desktop.scoring.rubric import score_answer  # noqa: E402
from tests.scoring_set import load_cases, spearman, twins  # noqa: E402


def three_minute_answer(cases) -> tuple[object, str]:
    strong = [c for c in cases if c.kind == "strong"]
    text, i = "", 0
    while len(text.split()) < 450:
        text += " " + strong[i % len(strong)].text
        i += 1
    return strong[0].question, " ".join(text.split()[:450])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--word-matching", action="store_true", help="without the meaning model")
    parser.add_argument("--groq", action="store_true", help="the Groq LLM evaluation (GROQ_API_KEY)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    name = "scoring_bench_groq.json" if args.groq else "scoring_bench.json"
    args.out = args.out or ROOT / "bench" / "results" / name
    score = score_answer
    if args.groq:
        key = os.environ.get("GROQ_API_KEY", "").strip()
        if not key:
            print("--groq needs GROQ_API_KEY in the environment", file=sys.stderr)
            return 2
        from interview_desktop.providers.brains.groq import GroqBrain
        score = GroqBrain(key, timeout_s=30.0).evaluate
    if args.word_matching:
        embeddings._failure = "disabled by --word-matching"  # noqa: SLF001 - the bench's switch
    started = time.perf_counter()
    encoder = embeddings.encoder()
    load_s = time.perf_counter() - started
    cases = load_cases()
    scores = {c.id: score(c.question, c.text).overall for c in cases}
    rho = spearman([scores[c.id] for c in cases], [c.grade for c in cases])
    pairs = twins(cases)
    margins = [scores[s.id] - scores[w.id] for s, w in pairs]
    accuracy = sum(m > 0 for m in margins) / len(margins)
    kinds: dict[str, list[int]] = {}
    for c in cases:
        kinds.setdefault(c.kind, []).append(scores[c.id])
    question, text = three_minute_answer(cases)
    times = []
    for _ in range(3 if args.groq else 20):
        if encoder is not None:
            encoder._cache.clear()  # noqa: SLF001 - every run computes its sentence vectors
        t = time.perf_counter()
        score(question, text)
        times.append(time.perf_counter() - t)
    times.sort()
    worst = sorted(pairs, key=lambda p: scores[p[0].id] - scores[p[1].id])[:5]
    result = {
        "bench": "scoring_bench", "when": datetime.now().isoformat(timespec="seconds"),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip(),
        "scorer": "groq" if args.groq else "offline", "meaning_model": encoder is not None,
        "model_load_s": round(load_s, 3),
        "answers": len(cases), "questions": len({c.question.id for c in cases}),
        "spearman": round(rho, 3), "pairs": len(pairs), "pairwise_accuracy": round(accuracy, 3),
        "median_margin": statistics.median(margins),
        "mean_by_kind": {k: round(statistics.mean(v), 1) for k, v in sorted(kinds.items())},
        "eval_3min_ms": {"median": round(1000 * statistics.median(times), 1),
                         "p95": round(1000 * times[int(0.95 * (len(times) - 1))], 1)},
        "worst_pairs": [{"strong": s.id, "weak": w.id, "scores": [scores[s.id], scores[w.id]]}
                        for s, w in worst],
        "scores": scores, "machine": {"cpus": os.cpu_count()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"{'scorer':<16} {'answers':>7} {'Spearman':>9} {'pairwise':>9} {'median margin':>14} "
          f"{'3-min answer p50 / p95':>24}")
    label = "groq llm" if args.groq else "word matching" if encoder is None else "meaning model"
    print(f"{label:<16} {len(cases):>7} {rho:>9.3f} {accuracy:>8.1%} {result['median_margin']:>14} "
          f"{result['eval_3min_ms']['median']:>15.0f} / {result['eval_3min_ms']['p95']:.0f} ms")
    print("mean score by kind: " + ", ".join(f"{k} {v}" for k, v in result["mean_by_kind"].items()))
    print("closest pairs: " + "; ".join(f"{p['strong']} {p['scores'][0]} vs {p['weak']} {p['scores'][1]}"
                                       for p in result["worst_pairs"]))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
