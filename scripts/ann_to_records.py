"""Write the records of hand-corrected ``.ann`` files as JSONL, ready for `vnpolicy studio push`.

Usage: python scripts/ann_to_records.py FILE.ann [...] --output RECORDS.jsonl
       [--corpus ../shared/corpus/pool.jsonl] [--sources ../shared/source-articles]
Pool texts are third-party news: write the output outside the repository's tracked files
(e.g. corpus/, which git ignores); the pull from Label Studio stores them stand-off. Texts of our
own (`text:` documents, annotations/synthetic/) may be written into annotations/train/
(`make synthetic`).
"""

import argparse
import json
import sys
from pathlib import Path

from vnpolicy_nlp.annfile import read_ann
from vnpolicy_nlp.labelstudio.convert import load_corpus
from vnpolicy_nlp.output import write_atomic
from vnpolicy_nlp.paths import default_corpus_path, default_sources_path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=default_corpus_path())
    parser.add_argument("--sources", type=Path, default=default_sources_path())
    args = parser.parse_args()
    corpus = load_corpus(args.corpus) if args.corpus.exists() else {}
    records, errors = [], []
    for path in args.files:
        recs, errs, _ = read_ann(path, args.sources, corpus)
        records += recs
        errors += errs
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(args.output, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    print(f"wrote {len(records)} records to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
