"""Pre-annotate pool records with a model and write them as an ``.ann`` file for correction.

Usage: python scripts/preannotate.py --model patterns --ids p001-p040 --output FILE.ann
       [--corpus ../shared/corpus/pool.jsonl]
The file is the annotators' starting point; keep an untouched copy to count what they changed
(scripts/round_stats.py).
"""

import argparse
import sys
from pathlib import Path

from vnpolicy_nlp.annfile import records_to_ann
from vnpolicy_nlp.labelstudio.convert import load_corpus
from vnpolicy_nlp.paths import default_corpus_path
from vnpolicy_nlp.pipeline import load, process
from vnpolicy_nlp.records import doc_to_record


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="patterns")
    parser.add_argument("--ids", nargs="+", required=True, help="ids or ranges like p001-p040")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=default_corpus_path())
    args = parser.parse_args()
    pool = list(load_corpus(args.corpus).values())
    wanted = set()
    for spec in args.ids:
        lo, _, hi = spec.partition("-")
        hi = hi or lo
        wanted |= {r["id"] for r in pool if lo <= r["id"] <= hi}
    chosen = [r for r in pool if r["id"] in wanted]
    nlp = load(args.model)
    records = [doc_to_record(doc, r["id"]) for doc, r in zip(process(nlp, [r["text"] for r in chosen]), chosen)]
    header = {r["id"]: {"corpus": r["id"]} for r in chosen}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(records_to_ann(records, header), encoding="utf-8")
    print(f"wrote {len(records)} documents to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
