"""Resolve hand-written ``.ann`` files and show every span in context, for annotators.

Usage: python scripts/check_ann.py FILE.ann [...] [--sources DIR] [--corpus POOL.jsonl] [--quiet]
Exit code 1 when a file has errors.
"""

import argparse
import sys
from pathlib import Path

from vnpolicy_nlp.annfile import context_view, read_ann
from vnpolicy_nlp.labelstudio.convert import load_corpus
from vnpolicy_nlp.paths import default_corpus_path, default_sources_path


parser = argparse.ArgumentParser()
parser.add_argument("files", nargs="+", type=Path)
parser.add_argument("--sources", type=Path, default=default_sources_path())
parser.add_argument("--corpus", type=Path, default=default_corpus_path())
parser.add_argument("--quiet", action="store_true")
args = parser.parse_args()
corpus = load_corpus(args.corpus) if args.corpus.exists() else {}
failed = False
for path in args.files:
    records, errors, warnings = read_ann(path, args.sources, corpus)
    for rec in records:
        if not args.quiet:
            print(f"=== {rec['id']}: {len(rec['entities'])} entities, {len(rec['relations'])} relations")
            print(context_view(rec))
    for w in warnings:
        print("WARNING", w)
    for e in errors:
        print("ERROR", e)
    failed |= bool(errors)
sys.exit(1 if failed else 0)
