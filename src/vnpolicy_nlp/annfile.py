"""Ordered stand-off annotation files (``.ann``), the format annotators write by hand.

An ``.ann`` file lists, document by document, the entities in text order by their exact
surface text, and the relations between them by entity id. Offsets are not written by hand:
:func:`resolve` finds each span by searching forward from the end of the previous one, so a
hand-made file cannot drift from the text.

Format::

    === doc 000-body
    source: 000_9e31378e475937a4.txt     # a source article file, sliced by ...
    lines: 5-31                          # ... 1-based inclusive line numbers
    # or, for a corpus record:  corpus: p001
    # or, for a text file of our own beside the .ann file:  text: texts/s001.txt
    T1 DATE Ngày 7/8/2023
    T2 LOCATION thành phố Tam Kỳ
    T3 RANK Thủ tướng @1                 # skip one earlier occurrence
    R HELD_IN T5 T2
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .schema import ALLOWED_PAIRS, ENTITY_LABELS, relation_allowed

_SKIP = re.compile(r"\s+@(\d+)$")
_SENT_BREAK = re.compile(r"[.!?…]\s+(?=[\"“”'(]?[A-ZÀ-ỸĐ0-9])|\n")
_EDGE_PUNCT = " \t\n\r,.;:!?\"'“”‘’()[]"


@dataclass
class AnnDoc:
    """One document of an ``.ann`` file before its spans are resolved."""

    doc_id: str
    meta: dict[str, str] = field(default_factory=dict)
    entities: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    relations: list[tuple[str, str, str, int]] = field(default_factory=list)
    line: int = 0


def parse(text: str) -> list[AnnDoc]:
    """Parse the text of an ``.ann`` file into documents.

    Args:
        text: the file's content.

    Returns:
        The documents, each with its metadata, entity lines
        ``(id, label, surface, skip, line)`` and relation lines ``(label, head, tail, line)``.

    Raises:
        ValueError: on a line that is not of the format, with its line number.
    """
    docs: list[AnnDoc] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if line.startswith("=== doc "):
            docs.append(AnnDoc(doc_id=line[len("=== doc ") :].strip(), line=lineno))
            continue
        if not docs:
            raise ValueError(f"line {lineno}: content before the first '=== doc' header")
        doc = docs[-1]
        parts = line.split(maxsplit=2)
        if parts[0].endswith(":") and len(parts) >= 2:
            doc.meta[parts[0][:-1]] = line.split(":", 1)[1].strip()
        elif parts[0] == "R" and len(line.split()) == 4:
            _, label, head, tail = line.split()
            doc.relations.append((label, head, tail, lineno))
        elif re.fullmatch(r"T\d+", parts[0]) and len(parts) == 3:
            surface, skip = parts[2], 0
            m = _SKIP.search(surface)
            if m:
                surface, skip = surface[: m.start()], int(m.group(1))
            doc.entities.append((parts[0], parts[1], surface.strip(), skip, lineno))
        else:
            raise ValueError(f"line {lineno}: cannot read {raw!r}")
    return docs


def slice_lines(source_text: str, spec: str) -> tuple[int, int]:
    """Turn ``"A-B"`` (1-based inclusive line numbers) into character offsets of the slice."""
    first, last = (int(x) for x in spec.split("-"))
    starts = [0] + [m.end() for m in re.finditer("\n", source_text)]
    start = starts[first - 1]
    end = starts[last] - 1 if last < len(starts) else len(source_text)
    return start, end


def sentence_ids(text: str) -> list[int]:
    """Give every character a rough sentence number (used only to warn, never to decide)."""
    ids, current, pos = [0] * len(text), 0, 0
    for m in _SENT_BREAK.finditer(text):
        for i in range(pos, m.end()):
            ids[i] = current
        current, pos = current + 1, m.end()
    for i in range(pos, len(text)):
        ids[i] = current
    return ids


def resolve(doc: AnnDoc, text: str) -> tuple[dict, list[str], list[str]]:
    """Find every span of ``doc`` in ``text``.

    Args:
        doc: a parsed document.
        text: the document text the spans refer to.

    Returns:
        ``(record, errors, warnings)`` where ``record`` has ``id``, ``text``, ``entities``
        (``id``, ``start``, ``end``, ``label``, ``text``) and ``relations`` (``head``, ``tail``,
        ``label``).
    """
    errors: list[str] = []
    warnings: list[str] = []
    entities: list[dict] = []
    by_id: dict[str, dict] = {}
    cursor = 0
    for ent_id, label, surface, skip, lineno in doc.entities:
        where = f"{doc.doc_id} line {lineno} {ent_id}"
        if label not in ENTITY_LABELS:
            errors.append(f"{where}: label {label!r} is not in the schema")
        if ent_id in by_id:
            errors.append(f"{where}: duplicate id")
        if not surface or surface[0] in _EDGE_PUNCT or surface[-1] in _EDGE_PUNCT:
            warnings.append(f"{where}: span {surface!r} starts or ends with space/punctuation")
        pos = text.find(surface, cursor)
        for _ in range(skip):
            if pos < 0:
                break
            pos = text.find(surface, pos + 1)
        if pos < 0:
            errors.append(f"{where}: {surface!r} not found after offset {cursor}")
            continue
        ent = {"id": ent_id, "start": pos, "end": pos + len(surface), "label": label, "text": surface}
        entities.append(ent)
        by_id[ent_id] = ent
        cursor = pos + len(surface)
    sent = sentence_ids(text)
    relations: list[dict] = []
    seen: set[tuple[str, str, str]] = set()
    for label, head, tail, lineno in doc.relations:
        where = f"{doc.doc_id} line {lineno} R {label} {head} {tail}"
        if label not in ALLOWED_PAIRS:
            errors.append(f"{where}: relation type not in the schema")
            continue
        if head not in by_id or tail not in by_id:
            errors.append(f"{where}: unknown entity id")
            continue
        pair = (by_id[head]["label"], by_id[tail]["label"])
        if not relation_allowed(label, *pair):
            errors.append(f"{where}: {label} does not allow {pair[0]} -> {pair[1]}")
        if (head, tail, label) in seen:
            warnings.append(f"{where}: duplicate relation")
            continue
        seen.add((head, tail, label))
        if sent[by_id[head]["start"]] != sent[by_id[tail]["start"]]:
            warnings.append(f"{where}: endpoints may be in different sentences")
        relations.append({"head": head, "tail": tail, "label": label})
    record = {"id": doc.doc_id, "text": text, "entities": entities, "relations": relations}
    return record, errors, warnings


def load_text(doc: AnnDoc, sources_dir: Path | None, corpus: dict[str, dict] | None,
              ann_dir: Path | None = None) -> tuple[str, dict]:
    """Return the text a document refers to, and the metadata that locates it.

    Args:
        ann_dir: the folder of the ``.ann`` file, against which a ``text:`` path is read.

    Raises:
        ValueError: when the document names no source slice, corpus record or text file, or
            the record or file cannot be found.
    """
    if "text" in doc.meta:
        path = (ann_dir or Path(".")) / doc.meta["text"]
        return path.read_text(encoding="utf-8"), {"text_file": doc.meta["text"]}
    if "source" in doc.meta:
        if sources_dir is None:
            raise ValueError(f"{doc.doc_id}: needs the source articles folder")
        path = sources_dir / doc.meta["source"]
        full = path.read_text(encoding="utf-8")
        start, end = slice_lines(full, doc.meta.get("lines", f"1-{full.count(chr(10)) + 1}"))
        meta = {"source_file": doc.meta["source"], "source_start": start, "source_end": end}
        return full[start:end], meta
    if "corpus" in doc.meta:
        if corpus is None or doc.meta["corpus"] not in corpus:
            raise ValueError(f"{doc.doc_id}: corpus record {doc.meta['corpus']!r} not found")
        rec = corpus[doc.meta["corpus"]]
        return rec["text"], {"corpus_id": rec["id"], "source_url": rec.get("source_url", "")}
    raise ValueError(f"{doc.doc_id}: names none of 'source:', 'corpus:', 'text:'")


def is_own_text(record: dict) -> bool:
    """Whether a record's text was written for the project (``text:`` in its ``.ann`` file)
    rather than taken from the news it is meant to model."""
    return "text_file" in (record.get("meta") or {})


def context_view(record: dict, width: int = 25) -> str:
    """Render each resolved entity in its context, for an annotator to check by eye."""
    text = record["text"]
    rows = []
    for ent in record["entities"]:
        left = text[max(0, ent["start"] - width) : ent["start"]].replace("\n", "⏎")
        right = text[ent["end"] : ent["end"] + width].replace("\n", "⏎")
        rows.append(f"{ent['id']:>4} {ent['label']:<9} {left}[[{ent['text']}]]{right}")
    for rel in record["relations"]:
        h = next(e for e in record["entities"] if e["id"] == rel["head"])
        t = next(e for e in record["entities"] if e["id"] == rel["tail"])
        rows.append(f"   R {rel['label']:<15} {h['text']!r} -> {t['text']!r}")
    return "\n".join(rows)


def read_ann(path: Path, sources_dir: Path | None = None, corpus: dict[str, dict] | None = None):
    """Parse and resolve an ``.ann`` file.

    Returns:
        ``(records, errors, warnings)``; each record also carries the document's metadata
        under ``"meta"``.
    """
    records, errors, warnings = [], [], []
    for doc in parse(path.read_text(encoding="utf-8")):
        try:
            text, meta = load_text(doc, sources_dir, corpus, path.parent)
        except (ValueError, OSError) as e:
            errors.append(f"{path}: {e}")
            continue
        record, errs, warns = resolve(doc, text)
        record["meta"] = meta
        records.append(record)
        errors += [f"{path}: {m}" for m in errs]
        warnings += [f"{path}: {m}" for m in warns]
    return records, errors, warnings


def records_to_ann(records: list[dict], header: dict[str, dict[str, str]] | None = None) -> str:
    """Write records as ``.ann`` text (the inverse of :func:`resolve`, for pre-annotations).

    Args:
        records: records with entities and relations.
        header: per record id, the metadata lines (``corpus: p001`` or ``source``/``lines``).
    """
    out = []
    for rec in records:
        out.append(f"=== doc {rec['id']}")
        for key, value in (header or {}).get(rec["id"], {}).items():
            out.append(f"{key}: {value}")
        text, cursor, ids = rec["text"], 0, {}
        for n, ent in enumerate(sorted(rec["entities"], key=lambda e: e["start"]), start=1):
            surface = text[ent["start"] : ent["end"]]
            skip, pos = 0, text.find(surface, cursor)
            while pos != ent["start"]:
                skip += 1
                pos = text.find(surface, pos + 1)
            ids[ent["id"]] = f"T{n}"
            out.append(f"T{n} {ent['label']} {surface}" + (f" @{skip}" if skip else ""))
            cursor = ent["end"]
        for rel in rec["relations"]:
            out.append(f"R {rel['label']} {ids[rel['head']]} {ids[rel['tail']]}")
        out.append("")
    return "\n".join(out)
