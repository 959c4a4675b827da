"""K-fold cross-validation over the training documents: compare configurations without the gold set.

The 23-document dev split is too small to choose between configurations whose dev scores differ
by a point; this trains one model per fold (split by document, seeded) and reports the mean and
spread of the held-out fold scores. The gold set is not read. Models are thrown away.
With --predictions, every training document is tagged by the fold model that did not learn it
(out-of-fold predictions), the input of `scripts/review_disagreements.py`.

Documents written for training (``text:`` in an ``.ann`` file) and those of --extra are in every
training fold and never held out: the folds measure news text only.

Usage: python scripts/cv_train.py --folds 5 [--config CFG] [--set KEY=VALUE ...] [--output cv.json]
       [--predictions oof.jsonl] [--extra RECORDS.jsonl ...]
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path

from vnpolicy_nlp.annfile import is_own_text
from vnpolicy_nlp.evaluate import predict_records
from vnpolicy_nlp.labelstudio.convert import load_export
from vnpolicy_nlp.output import write_atomic
from vnpolicy_nlp.pipeline import load
from vnpolicy_nlp.paths import default_corpus_path, default_train_path
from vnpolicy_nlp.train import DEFAULT_CONFIG, parse_overrides, train


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=Path, default=default_train_path())
    parser.add_argument("--corpus", type=Path, default=default_corpus_path())
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="config override KEY=VALUE")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--predictions", type=Path, help="write out-of-fold predicted records (JSONL)")
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="annotations added to every training fold, never held out")
    args = parser.parse_args()
    records, _ = load_export(args.train, corpus=args.corpus)
    fixed = [r for r in records if is_own_text(r)]
    for path in args.extra:
        fixed += load_export(path, corpus=args.corpus)[0]
    order = sorted((r for r in records if not is_own_text(r)), key=lambda r: r["id"])
    random.Random(args.seed).shuffle(order)
    overrides = parse_overrides(args.overrides)
    # the fold is the held-out estimate: no refit on it
    overrides["vnpolicy.refit_on_all"] = False
    folds, predicted = [], []
    for k in range(args.folds):
        held = order[k::args.folds]
        rest = [r for r in order if r not in held] + fixed
        with tempfile.TemporaryDirectory() as tmp:
            m = train(args.train, Path(tmp) / "m", config_path=args.config, records=rest, dev_records=held,
                      seed=args.seed, corpus=args.corpus, overrides=overrides)
            if args.predictions:
                predicted += predict_records(load(Path(tmp) / "m"), held)
        folds.append({"fold": k, "n_docs": len(held), "ner_only_f": m["dev"]["ner_only_f"],
                      "entities_f": m["dev"]["entities"]["strict"]["micro"]["f"],
                      "relations_f": m["dev"]["relations"]["micro"]["f"], "best_step": m["best_step"],
                      "per_label": {k2: v["f"] for k2, v in m["dev"]["entities"]["strict"]["per_label"].items()}})
        print(json.dumps(folds[-1]), flush=True)
    summary = {key: {"mean": statistics.mean(f[key] for f in folds), "sd": statistics.pstdev(f[key] for f in folds)}
               for key in ("ner_only_f", "entities_f", "relations_f")}
    result = {"config": str(args.config), "overrides": args.overrides, "n_always_train": len(fixed),
              "folds": folds, "summary": summary}
    print(json.dumps(summary, indent=2))
    if args.output:
        write_atomic(args.output, json.dumps(result, ensure_ascii=False, indent=2))
    if args.predictions:
        write_atomic(args.predictions, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in predicted))
    return 0


if __name__ == "__main__":
    sys.exit(main())
