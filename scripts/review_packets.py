"""Write review packets: the training annotations as `.ann` files, with the audit's leads as comments.

A review pass goes document by document. Each document of a packet is its current annotation
(`annotations/ANNOTATING.md` format) preceded by `# REVIEW` comment lines: where a model that did
not learn the document disagrees with it (out-of-fold predictions of `scripts/cv_train.py
--predictions`) and where a span's form is one the spec rules out. The reviewer checks every lead
against `annotation-spec.md`, edits the entity and relation lines where the annotation breaks the
spec, and leaves them where the model is wrong. Packets hold pool text: write them under corpus/
(git ignores it); `scripts/ann_to_records.py` turns the edited files back into records.

Usage: python scripts/review_packets.py --predictions oof.jsonl --out-dir corpus/work/review
       [--train annotations/train] [--batch-size 32]
"""

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from vnpolicy_nlp.annfile import records_to_ann
from vnpolicy_nlp.labelstudio.audit import describe, model_findings, spec_findings
from vnpolicy_nlp.labelstudio.convert import load_export
from vnpolicy_nlp.paths import default_corpus_path, default_train_path


def lead_lines(rec: dict, findings: list[dict], spec: list[tuple]) -> list[str]:
    """The `# REVIEW` comment lines of one document."""
    lines = [f"# REVIEW {describe(rec, f)}" for f in findings]
    lines += [f"# REVIEW spec form: {label} {text!r}: {reason}" for _, label, text, reason in spec]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=Path, default=default_train_path())
    parser.add_argument("--corpus", type=Path, default=default_corpus_path())
    parser.add_argument("--predictions", type=Path, required=True)
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    records, problems = load_export(args.train, corpus=args.corpus)
    if problems:
        print("\n".join(p.message for p in problems), file=sys.stderr)
        return 1
    predicted = [json.loads(line) for line in args.predictions.read_text(encoding="utf-8").splitlines() if line.strip()]
    findings, spec = defaultdict(list), defaultdict(list)
    for f in model_findings(records, predicted):
        findings[f["doc"]].append(f)
    for finding in spec_findings(records):
        spec[finding[0]].append(finding)
    records.sort(key=lambda r: r["id"])
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for k in range(0, len(records), args.batch_size):
        parts = []
        for rec in records[k:k + args.batch_size]:
            title, source, body = records_to_ann([rec], header={rec["id"]: {"corpus": rec["id"]}}).split("\n", 2)
            parts.append("\n".join([title, source, *lead_lines(rec, findings[rec["id"]], spec[rec["id"]]), body]))
        path = args.out_dir / f"batch{k // args.batch_size + 1}.ann"
        path.write_text("\n".join(parts), encoding="utf-8")
    counts = defaultdict(int)
    for fs in findings.values():
        for f in fs:
            counts[f["kind"]] += 1
    print(f"{len(records)} documents, leads: {dict(counts)}, spec forms: {sum(map(len, spec.values()))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
