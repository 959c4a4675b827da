"""Leave-one-article-out cross-validation over the gold set: a second view of generalisation.

For each of the five source articles, a model is trained on the training annotations plus the
gold documents of the other four articles, and scored on the held-out article. These models
are thrown away: the shipped model never sees the gold set.

Usage: python scripts/cross_validate.py [--output models/default/cross_validation.md] [--set KEY=VALUE]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from vnpolicy_nlp.evaluate import cross_validate_loo, format_cv_table, predict_records
from vnpolicy_nlp.labelstudio.convert import load_export
from vnpolicy_nlp.paths import default_corpus_path, default_gold_path, default_model_path, default_train_path
from vnpolicy_nlp.pipeline import load
from vnpolicy_nlp.train import parse_overrides, train


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=Path, default=default_train_path())
    parser.add_argument("--gold", type=Path, default=default_gold_path())
    parser.add_argument("--corpus", type=Path, default=default_corpus_path())
    parser.add_argument("--output", type=Path, default=default_model_path() / "cross_validation.md")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="config override KEY=VALUE")
    args = parser.parse_args()
    base, _ = load_export(args.train, corpus=args.corpus)
    gold, _ = load_export(args.gold)
    overrides = parse_overrides(args.overrides)
    workdir = Path(tempfile.mkdtemp(prefix="vnpolicy-cv-"))

    def train_fn(gold_train):
        out = workdir / f"fold{len(list(workdir.iterdir()))}"
        train(args.train, out, records=base + gold_train, seed=args.seed, corpus=args.corpus,
              overrides=overrides, allow_gold=True)
        nlp = load(out)
        return lambda recs: predict_records(nlp, recs)

    result = cross_validate_loo(gold, train_fn)
    table = format_cv_table(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("# Leave-one-article-out cross-validation over the gold set\n\n"
                           "Each fold: trained on annotations/train + the gold documents of the other four "
                           "articles, scored on the held-out article (strict figures).\n\n" + table + "\n",
                           encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
