"""Count what a review pass changed in an annotation set, and how often it moved toward the model.

Usage: python scripts/review_stats.py --before OLD --after NEW --predictions oof.jsonl [--json FILE]
OLD and NEW are annotation sets (Label Studio exports, records or stand-off files, or folders);
the predictions are the out-of-fold records the review packets were made from. Entities are
counted as in `scripts/round_stats.py` with the old annotation in place of the suggestions
(accepted = unchanged). Then, of the spans the review added or changed and of those it removed,
how many agree with the out-of-fold prediction: the share of the review that followed the model.
"""

import argparse
import json
import sys
from pathlib import Path

from round_stats import _spans, compare

from vnpolicy_nlp.labelstudio.convert import load_export
from vnpolicy_nlp.output import write_atomic
from vnpolicy_nlp.paths import default_corpus_path


def followed_model(before: list[dict], after: list[dict], predicted: list[dict]) -> dict:
    """Of the review's new spans and removed spans, how many the out-of-fold model agrees with."""
    old = {r["id"]: _spans(r) for r in before}
    pred = {r["id"]: _spans(r) for r in predicted}
    out = {"new_spans": 0, "new_spans_predicted": 0, "removed_spans": 0, "removed_spans_not_predicted": 0}
    for rec in after:
        new = _spans(rec)
        p = pred.get(rec["id"], set())
        added, removed = new - old[rec["id"]], old[rec["id"]] - new
        out["new_spans"] += len(added)
        out["new_spans_predicted"] += len(added & p)
        out["removed_spans"] += len(removed)
        out["removed_spans_not_predicted"] += len(removed - p)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--predictions", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=default_corpus_path())
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sets = []
    for path in (args.before, args.after, args.predictions):
        records, problems = load_export(path, corpus=args.corpus)
        if problems:
            print("\n".join(p.message for p in problems), file=sys.stderr)
            return 1
        sets.append(records)
    before, after, predicted = sets
    result = {"changes": compare(before, after), "followed_model": followed_model(before, after, predicted)}
    print(json.dumps(result, indent=2))
    if args.json:
        write_atomic(args.json, json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
