"""Agreement between two annotators' exports of the same documents.

Annotator A is the reference: precision is the share of B's items that A also has, recall the
share of A's items that B also has. The counting is the evaluation's (:mod:`vnpolicy_nlp.evaluate`,
A as gold, B as prediction): spans agree strictly (same start, end and label) or partially (same
label, overlapping, each span used once); relations agree when type, direction and both
endpoint spans match strictly, as in the spec's scoring.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..evaluate import score_entities, score_relations
from .convert import load_export, text_sha256
from .validate import Problem


def prf(tp: int, n_a: int, n_b: int) -> dict:
    """Return ``{"p", "r", "f", "tp", "a", "b"}`` for ``tp`` shared items out of ``n_a`` (A) and ``n_b`` (B)."""
    p = tp / n_b if n_b else 0.0
    r = tp / n_a if n_a else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "tp": tp, "a": n_a, "b": n_b}


def _table(scored: dict) -> dict:
    """An :mod:`~vnpolicy_nlp.evaluate` table (A as gold, B as prediction) in agreement terms:
    labels that neither annotator used are left out."""
    per_label = {label: prf(v["tp"], v["n_gold"], v["n_pred"])
                 for label, v in scored["per_label"].items() if v["n_gold"] or v["n_pred"]}
    micro = scored["micro"]
    return {"per_label": per_label, "micro": prf(micro["tp"], micro["n_gold"], micro["n_pred"])}


def pair_documents(records_a: list[dict], records_b: list[dict]) -> tuple[list[tuple[dict, dict]], dict]:
    """Pair A's and B's records of the same document: by id with the same text, else by text.

    Returns:
        ``(pairs, unpaired)`` with ``unpaired`` = ``{"only_a": [ids], "only_b": [ids]}``.
    """
    by_id_b = {r["id"]: r for r in records_b}
    by_text_b: dict[str, list[dict]] = {}
    for r in records_b:
        by_text_b.setdefault(text_sha256(r["text"]), []).append(r)
    pairs, used, only_a = [], set(), []
    for a in records_a:
        b = by_id_b.get(a["id"])
        if b is None or b["text"] != a["text"] or id(b) in used:
            b = next((c for c in by_text_b.get(text_sha256(a["text"]), []) if id(c) not in used), None)
        if b is None:
            only_a.append(a["id"])
            continue
        used.add(id(b))
        pairs.append((a, b))
    only_b = [r["id"] for r in records_b if id(r) not in used]
    return pairs, {"only_a": only_a, "only_b": only_b}


def agreement(records_a: list[dict], records_b: list[dict]) -> dict:
    """Compute span and relation agreement of B against A over the documents both annotated.

    Returns:
        ``{"documents": {"paired", "only_a", "only_b"}, "entities": {"strict": table,
        "partial": table}, "relations": table}`` where a table is ``{"per_label": {label:
        prf}, "micro": prf}`` (see :func:`prf`).
    """
    pairs, unpaired = pair_documents(records_a, records_b)
    # the scorer pairs documents by id: number the pairs so B's ids from another project match
    a_side = [{**a, "id": str(i)} for i, (a, _) in enumerate(pairs)]
    b_side = [{**b, "id": str(i)} for i, (_, b) in enumerate(pairs)]
    entities = score_entities(a_side, b_side)
    return {
        "documents": {"paired": len(pairs), **unpaired},
        "entities": {"strict": _table(entities["strict"]), "partial": _table(entities["overlap"])},
        "relations": _table(score_relations(a_side, b_side)),
    }


def agree(path_a: str | Path, path_b: str | Path,
          corpus: Mapping[str, dict] | str | Path | None = None) -> tuple[dict, list[Problem]]:
    """Load two exports (see :func:`~.convert.load_export`) and compute :func:`agreement`.

    Returns:
        ``(report, problems)``; problems of either export are prefixed ``A:`` or ``B:``.
    """
    records_a, problems_a = load_export(path_a, corpus=corpus)
    records_b, problems_b = load_export(path_b, corpus=corpus)
    problems = [Problem(p.task_id, p.code, f"A: {p.message}") for p in problems_a]
    problems += [Problem(p.task_id, p.code, f"B: {p.message}") for p in problems_b]
    return agreement(records_a, records_b), problems


def format_agreement(report: dict) -> str:
    """Render an :func:`agreement` report as plain-text tables."""
    docs = report["documents"]
    lines = [f"documents paired: {docs['paired']}; only in A: {len(docs['only_a'])}; only in B: {len(docs['only_b'])}"]

    def table(title: str, tab: dict) -> None:
        lines.append("")
        lines.append(f"{title:<18} {'P':>6} {'R':>6} {'F1':>6} {'agree':>6} {'A':>5} {'B':>5}")
        for label, row in [*tab["per_label"].items(), ("micro", tab["micro"])]:
            lines.append(f"{label:<18} {row['p']:>6.3f} {row['r']:>6.3f} {row['f']:>6.3f} "
                         f"{row['tp']:>6} {row['a']:>5} {row['b']:>5}")

    table("spans (strict)", report["entities"]["strict"])
    table("spans (partial)", report["entities"]["partial"])
    table("relations", report["relations"])
    return "\n".join(lines)
