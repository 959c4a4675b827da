"""Learning curve: strict micro F1 on the gold set against 25/50/75/100 % of the training
documents (seeded subsets, same config). Writes learning_curve.json, .md and .png beside the model.

Usage: python scripts/learning_curve.py [--train annotations/train] [--model-dir models/default]
"""

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

from vnpolicy_nlp.evaluate import plot_learning_curve, predict_records, score
from vnpolicy_nlp.labelstudio.convert import load_export
from vnpolicy_nlp.paths import default_corpus_path, default_gold_path, default_model_path, default_train_path
from vnpolicy_nlp.pipeline import load
from vnpolicy_nlp.train import train


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=Path, default=default_train_path())
    parser.add_argument("--gold", type=Path, default=default_gold_path())
    parser.add_argument("--corpus", type=Path, default=default_corpus_path())
    parser.add_argument("--model-dir", type=Path, default=default_model_path())
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    records, _ = load_export(args.train, corpus=args.corpus)
    gold, _ = load_export(args.gold)
    order = sorted(records, key=lambda r: r["id"])
    random.Random(args.seed).shuffle(order)
    points = []
    for frac in (0.25, 0.5, 0.75, 1.0):
        subset = order[: round(len(order) * frac)]
        with tempfile.TemporaryDirectory() as tmp:
            metrics = train(args.train, Path(tmp) / "m", records=subset, seed=args.seed, corpus=args.corpus)
            result = score(gold, predict_records(load(Path(tmp) / "m"), gold))
        points.append({"share": f"{frac:.0%}", "n_docs": len(subset),
                       "gold_entities_f": result["entities"]["strict"]["micro"]["f"],
                       "gold_relations_f": result["relations"]["micro"]["f"],
                       "dev_entities_f": metrics["dev"]["entities"]["strict"]["micro"]["f"]})
        print(points[-1], flush=True)
    out = args.model_dir
    (out / "learning_curve.json").write_text(json.dumps(points, indent=2), encoding="utf-8")
    rows = ["| annotated documents (choices on a 15 % dev split, then refit on all) | share | gold entities F1 | gold relations F1 | dev entities F1 |",
            "|---:|---:|---:|---:|---:|"]
    rows += [f"| {p['n_docs']} | {p['share']} | {p['gold_entities_f']:.3f} | {p['gold_relations_f']:.3f} | "
             f"{p['dev_entities_f']:.3f} |" for p in points]
    (out / "learning_curve.md").write_text("\n".join(rows) + "\n", encoding="utf-8")
    plot_learning_curve(points, out / "learning_curve.png")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
