"""Count, per bootstrapping round, what annotators did with the model's suggestions.

Usage: python scripts/round_stats.py --from-repo [--json FILE] [--markdown FILE]
       python scripts/round_stats.py corpus/work/round1 corpus/work/round2 [--suggestions-dir DIR]
With --from-repo it compares the stand-off suggestions in annotations/rounds/suggestions/ with
the pulled annotations in annotations/train/ (texts from --corpus). A working round folder holds
batchN.suggested.ann (the pre-annotations as shown) and batchN.ann (after correction by hand). Entities are counted as
- accepted: the suggestion was kept unchanged (same start, end and label);
- corrected: a suggestion overlapping a final span with other boundaries or another label;
- rejected: a suggestion that overlaps no final span (deleted);
- added: a final span that overlaps no suggestion.
Relations are accepted (same label and endpoint spans), rejected or added.
"""

import argparse
import json
import sys
from pathlib import Path

from vnpolicy_nlp.annfile import read_ann
from vnpolicy_nlp.labelstudio.convert import load_corpus, load_export, records_to_jsonl
from vnpolicy_nlp.paths import default_corpus_path, default_train_path


def _spans(rec):
    return {(e["start"], e["end"], e["label"]) for e in rec["entities"]}


def _rels(rec):
    by_id = {e["id"]: (e["start"], e["end"], e["label"]) for e in rec["entities"]}
    return {(by_id[r["head"]], by_id[r["tail"]], r["label"]) for r in rec["relations"]}


def compare(suggested: list[dict], final: list[dict]) -> dict:
    """Counts of accepted, corrected, rejected and added entities and relations."""
    out = {"documents": 0, "entities": dict.fromkeys(("suggested", "final", "accepted", "corrected", "rejected", "added"), 0),
           "relations": dict.fromkeys(("suggested", "final", "accepted", "rejected", "added"), 0)}
    finals = {r["id"]: r for r in final}
    for sug in suggested:
        fin = finals[sug["id"]]
        out["documents"] += 1
        s, f = _spans(sug), _spans(fin)
        ents = out["entities"]
        ents["suggested"] += len(s)
        ents["final"] += len(f)
        exact = s & f
        ents["accepted"] += len(exact)
        for a in s - exact:
            if any(a[0] < b[1] and b[0] < a[1] for b in f):
                ents["corrected"] += 1
            else:
                ents["rejected"] += 1
        ents["added"] += sum(1 for b in f if not any(a[0] < b[1] and b[0] < a[1] for a in s))
        rs, rf = _rels(sug), _rels(fin)
        rels = out["relations"]
        rels["suggested"] += len(rs)
        rels["final"] += len(rf)
        rels["accepted"] += len(rs & rf)
        rels["rejected"] += len(rs - rf)
        rels["added"] += len(rf - rs)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("rounds", nargs="*", type=Path,
                        help="working folders with batchN.suggested.ann and batchN.ann (as annotated)")
    parser.add_argument("--from-repo", action="store_true",
                        help="compare annotations/rounds/suggestions/roundN.jsonl with annotations/train/roundN.jsonl")
    parser.add_argument("--corpus", type=Path, default=default_corpus_path())
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--suggestions-dir", type=Path,
                        help="also store each round's suggestions here, stand-off (no text)")
    args = parser.parse_args()
    corpus = load_corpus(args.corpus)
    pairs = {}
    if args.from_repo:
        for sug_path in sorted((default_train_path().parent / "rounds" / "suggestions").glob("*.jsonl")):
            suggested, problems = load_export(sug_path, corpus=corpus)
            final, problems2 = load_export(default_train_path() / sug_path.name, corpus=corpus)
            if problems or problems2:
                print("\n".join(p.message for p in problems + problems2), file=sys.stderr)
                return 1
            pairs[sug_path.stem] = (suggested, final)
    for folder in args.rounds:
        suggested, final = [], []
        for sug_path in sorted(folder.glob("batch*.suggested.ann")):
            fin_path = sug_path.with_name(sug_path.name.replace(".suggested", ""))
            suggested += read_ann(sug_path, None, corpus)[0]
            recs, errors, _ = read_ann(fin_path, None, corpus)
            if errors:
                print("\n".join(errors), file=sys.stderr)
                return 1
            final += recs
        pairs[folder.name] = (suggested, final)
        if args.suggestions_dir:
            args.suggestions_dir.mkdir(parents=True, exist_ok=True)
            for rec in suggested:
                rec.setdefault("meta", {}).update(corpus_id=rec["id"], source_url=corpus[rec["id"]].get("source_url", ""))
            (args.suggestions_dir / f"{folder.name}.jsonl").write_text(records_to_jsonl(suggested), encoding="utf-8")
    result = {name: compare(sug, fin) for name, (sug, fin) in pairs.items()}
    rows = ["| round | docs | suggested | accepted | corrected | rejected | added | final | rel. suggested | rel. accepted | rel. rejected | rel. added | rel. final |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in result.items():
        e, rl = r["entities"], r["relations"]
        rows.append(f"| {name} | {r['documents']} | {e['suggested']} | {e['accepted']} | {e['corrected']} | {e['rejected']} | {e['added']} | {e['final']} | "
                    f"{rl['suggested']} | {rl['accepted']} | {rl['rejected']} | {rl['added']} | {rl['final']} |")
    table = "\n".join(rows)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
