"""Stage 5: records → files, written atomically (a failed run leaves no half-written output).

Formats: ``jsonl`` (one record per line), ``json`` (a list), ``conll`` (BIO over the
tokenizer's words, ``-DOCSTART-`` per document), ``label-studio`` (importable tasks with the
output as predictions) and ``html`` (displaCy).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from spacy import displacy
from spacy.tokens import Doc

from .errors import Errors, VnpolicyError
from .schema import LABEL_COLORS

FORMATS = ("jsonl", "json", "conll", "label-studio", "html")


def conll_lines(doc: Doc, doc_id: str) -> list[str]:
    """BIO tags over the Doc's words (whitespace tokens skipped), with ``-DOCSTART-``."""
    lines = [f"-DOCSTART- {doc_id}", ""]
    for sent in doc.sents:
        wrote = False
        for token in sent:
            if token.is_space:
                continue
            tag = "O" if not token.ent_type_ else f"{token.ent_iob_}-{token.ent_type_}"
            lines.append(f"{token.text.replace(' ', '_')}\t{tag}")
            wrote = True
        if wrote:
            lines.append("")
    return lines


def render_html(records: list[dict]) -> str:
    """A displaCy page of the records' entities, relations listed under each document."""
    parts = []
    for rec in records:
        ents = [{"start": e["start"], "end": e["end"], "label": e["label"]} for e in rec["entities"]]
        body = displacy.render(
            {"text": rec["text"], "ents": ents, "title": str(rec["id"])},
            style="ent", manual=True, page=False,
            options={"colors": LABEL_COLORS, "ents": list(LABEL_COLORS)},
        )
        by_id = {e["id"]: e["text"] for e in rec["entities"]}
        rels = "".join(
            f"<li>{by_id[r['head']]} <b>{r['label']}</b> {by_id[r['tail']]}</li>" for r in rec["relations"]
        )
        parts.append(body + (f"<ul>{rels}</ul>" if rels else ""))
    return "<!DOCTYPE html><html><head><meta charset='utf-8'><title>vnpolicy</title></head><body>" + "<hr>".join(parts) + "</body></html>"


def format_output(records: list[dict], docs: list[Doc], fmt: str) -> str:
    """Serialise tagged documents in ``fmt``.

    Args:
        records: one record per document (see :mod:`vnpolicy_nlp.records`).
        docs: the matching Docs (used by ``conll``).
        fmt: one of :data:`FORMATS`.
    """
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "conll":
        return "\n".join(line for doc, r in zip(docs, records) for line in conll_lines(doc, r["id"])) + "\n"
    if fmt == "label-studio":
        from .labelstudio.convert import records_to_tasks

        return json.dumps(records_to_tasks(records, as_predictions=True), ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return render_html(records)
    raise VnpolicyError(Errors.E007.format(fmt=fmt, choices=", ".join(FORMATS)))


def write_atomic(path: str | Path | None, content: str) -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename; ``None`` or ``-``
    means stdout."""
    if path is None or str(path) == "-":
        sys.stdout.write(content)
        sys.stdout.flush()
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

