"""Cost and gold-set figures of the shipped model, written into its metrics.json (keys
"benchmarks" and "gold") and model card: cold-start load + tagging one article, size on disk,
the training time recorded by `vnpolicy train`, and strict scores on the gold set.

Usage: python scripts/bench_model.py --model models/default [--article FILE] [--runs 3] [--gold DIR]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from vnpolicy_nlp.paths import default_gold_path, default_model_path, default_sources_path


COLD = """
import sys, time
t0 = time.perf_counter()
from vnpolicy_nlp.pipeline import load
from vnpolicy_nlp.records import doc_to_record
nlp = load(sys.argv[1])
t1 = time.perf_counter()
rec = doc_to_record(nlp(open(sys.argv[2], encoding="utf-8").read()), "a")
t2 = time.perf_counter()
print(t1 - t0, t2 - t1, len(rec["entities"]))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("--article", type=Path,
                        default=default_sources_path() / "000_9e31378e475937a4.txt")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gold", type=Path, default=default_gold_path())
    args, _ = parser.parse_known_args()
    runs = []
    for _ in range(args.runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", COLD, str(args.model), str(args.article)],
                             capture_output=True, text=True, check=True).stdout.split()
        runs.append((time.perf_counter() - start, float(out[0]), float(out[1])))
    total = statistics.median(r[0] for r in runs)
    size = sum(p.stat().st_size for p in args.model.rglob("*") if p.is_file())
    metrics_path = args.model / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    metrics["benchmarks"] = {
        "cold start, load and tag one article (median wall s, new process)": round(total, 2),
        "of which import + load (s)": round(statistics.median(r[1] for r in runs), 2),
        "of which tagging the article (s)": round(statistics.median(r[2] for r in runs), 2),
        "article": f"{args.article.name} ({len(args.article.read_text(encoding='utf-8'))} characters)",
        "training time on the whole training set (s)": metrics["train_seconds"],
        "model size (MB)": round(size / 1e6, 1),
    }
    from vnpolicy_nlp.evaluate import evaluate_model
    from vnpolicy_nlp.train import write_model_card

    result = evaluate_model(args.model, args.gold, baselines=False)["systems"]["model"]
    metrics["gold"] = {"entities": result["entities"], "relations": result["relations"]}
    metrics_path.write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    write_model_card(args.model, metrics)
    for k, v in metrics["benchmarks"].items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
