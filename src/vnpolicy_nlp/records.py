"""Documents as plain records, the exchange format between every stage and every file format.

A record is ``{"id": str, "text": str, "entities": [{"id": "T1", "start": int, "end": int,
"label": str, "text": str}], "relations": [{"head": "T1", "tail": "T2", "label": str}]}``,
with Python code-point offsets into ``text``. Extra keys (``meta``, ``score``, ``attrs``) may
be present and are carried along.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .relations import ensure_extensions, ent_key


def doc_to_record(doc: Doc, doc_id: str | None = None) -> dict:
    """Turn a processed Doc into a record.

    Args:
        doc: a Doc with ``doc.ents`` and optionally ``doc._.relations`` and ``doc._.ent_attrs``.
        doc_id: the record id; defaults to ``doc._.doc_id``.

    Returns:
        The record; entity ids are ``T1``, ``T2``… in text order.
    """
    ensure_extensions()
    entities, ids = [], {}
    attrs = doc._.ent_attrs or {}
    for i, ent in enumerate(doc.ents, start=1):
        key = (ent.start_char, ent.end_char)
        item = {"id": f"T{i}", "start": ent.start_char, "end": ent.end_char,
                "label": ent.label_, "text": ent.text}
        if ent_key(*key) in attrs:
            item["attrs"] = attrs[ent_key(*key)]
        entities.append(item)
        ids[key] = item["id"]
    relations = []
    for rel in doc._.relations or []:
        head, tail = ids.get(tuple(rel["head"])), ids.get(tuple(rel["tail"]))
        if head and tail:
            item = {"head": head, "tail": tail, "label": rel["label"]}
            if "score" in rel:
                item["score"] = round(float(rel["score"]), 4)
            relations.append(item)
    return {"id": doc_id if doc_id is not None else doc._.doc_id, "text": doc.text,
            "entities": entities, "relations": relations}


def split_tokens_at(doc: Doc, offsets: set[int]) -> Doc:
    """Split tokens so that every character offset in ``offsets`` is a token boundary.

    Entities are cleared first (retokenizing cannot split inside an entity); callers set
    them again afterwards.
    """
    doc.ents = []
    with doc.retokenize() as retok:
        for token in doc:
            cuts = sorted(o - token.idx for o in offsets if token.idx < o < token.idx + len(token.text))
            if not cuts:
                continue
            pieces, prev = [], 0
            for c in cuts + [len(token.text)]:
                pieces.append(token.text[prev:c])
                prev = c
            # a piece may end with a space ("Thủ |tướng"); spaCy keeps it inside the piece's
            # text, which is what keeps doc.text identical
            heads = [(token, i) for i in range(len(pieces))]
            retok.split(token, pieces, heads=heads)
    return doc


def record_to_doc(nlp: Language, record: dict) -> Doc:
    """Make a Doc with the record's entities and relations, tokenised by ``nlp``.

    Where an entity boundary falls inside a tokenizer word, that word is split so the
    entity keeps its exact character offsets.

    Args:
        nlp: a pipeline whose tokenizer makes the Doc.
        record: a record as described in this module.

    Returns:
        The Doc, with ``doc.ents``, ``doc._.relations`` and ``doc._.doc_id`` set.
    """
    ensure_extensions()
    doc = nlp.make_doc(record["text"])
    bounds = {o for e in record["entities"] for o in (e["start"], e["end"])}
    if any(doc.char_span(e["start"], e["end"]) is None for e in record["entities"]):
        doc = split_tokens_at(doc, bounds)
    spans = []
    for e in sorted(record["entities"], key=lambda e: e["start"]):
        span = doc.char_span(e["start"], e["end"], label=e["label"])
        if span is None:
            raise ValueError(f"entity {e} of {record.get('id')} cannot be aligned to tokens")
        spans.append(span)
    doc.ents = spans
    by_id = {e["id"]: (e["start"], e["end"]) for e in record["entities"]}
    doc._.relations = [
        {"head": by_id[r["head"]], "tail": by_id[r["tail"]], "label": r["label"], "score": 1.0}
        for r in record["relations"] if r["head"] in by_id and r["tail"] in by_id
    ]
    doc._.doc_id = record.get("id")
    return doc

