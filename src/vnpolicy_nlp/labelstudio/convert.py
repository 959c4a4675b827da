"""Label Studio tasks ⇄ records, as pure functions on character offsets (no network, no SDK).

A task's ``data`` carries ``text`` and where it sits in its document: ``doc_id``, ``offset``
and, for a document split by paragraph, ``part``, ``parts`` and ``separator`` (the white space
between this part and the next), so the parts re-join into one record with exact offsets.
Texts from an outside corpus also carry ``corpus_id`` and ``source_url``; such records are
stored stand-off, without their text::

    {"id": "p001", "source_url": "https://…", "sha256": "<of the text>",
     "entities": [{"id": "T1", "start": 0, "end": 9, "label": "DATE"}], "relations": [...]}

and :func:`resolve_standoff` takes the text back from the corpus JSONL, checking the hash.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import Errors, VnpolicyError, Warnings
from ..schema import LS_LABELS_NAME, LS_TEXT_NAME
from ..paths import default_corpus_path
from .validate import Problem, choose_annotation, parse_result, span_offsets, task_id_of, validate_record, validate_task

#: Documents longer than this are split by paragraph when splitting is asked for.
DEFAULT_MAX_CHARS = 2000
#: White space holding a line break: where a document may be split into tasks.
_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")
#: Keys of a task's ``data`` besides ``text`` that this module writes and reads.
CORPUS_KEYS = ("corpus_id", "source_url")


def text_sha256(text: str) -> str:
    """Return the hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_model_version() -> str:
    """Return ``vnpolicy-nlp-<installed version>``, the default ``model_version`` of predictions."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"vnpolicy-nlp-{version('vnpolicy-nlp')}"
    except PackageNotFoundError:
        return "vnpolicy-nlp"


def _summary(items: list, limit: int = 5) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# --- records → tasks --------------------------------------------------------------------------


def corpus_fields(record: dict) -> dict:
    """Return ``{"corpus_id", "source_url"}`` for a record whose text comes from an outside
    corpus (it has them in ``meta``, or a top-level ``source_url``), else ``{}``."""
    meta = record.get("meta") or {}
    source_url = meta.get("source_url") or record.get("source_url")
    corpus_id = meta.get("corpus_id")
    if corpus_id is None and source_url:
        corpus_id = record["id"]
    fields = {"corpus_id": corpus_id, "source_url": source_url}
    return {k: v for k, v in fields.items() if v is not None}


def split_bounds(text: str, entities: list[dict], max_chars: int = DEFAULT_MAX_CHARS) -> list[tuple[int, int, int]]:
    """Cut a text into parts of whole paragraphs, each at most ``max_chars`` long where it can be.

    A cut is made only in white space that holds a line break and that no entity crosses; a
    paragraph longer than ``max_chars`` makes a part of its own.

    Returns:
        ``(start, end, next_start)`` per part: the part is ``text[start:end]`` and the
        separator after it ``text[end:next_start]``; together they cover the text exactly.
    """
    if len(text) <= max_chars:
        return [(0, len(text), len(text))]
    cuts = [m for m in _PARAGRAPH_BREAK.finditer(text)
            if 0 < m.start() and m.end() < len(text)
            and not any(e["start"] < m.end() and e["end"] > m.start() for e in entities)]
    bounds: list[tuple[int, int, int]] = []
    start, prev = 0, None
    for m in cuts:
        if m.start() - start > max_chars and prev is not None:
            bounds.append((start, prev.start(), prev.end()))
            start, prev = prev.end(), None
        if m.start() - start > max_chars:
            bounds.append((start, m.start(), m.end()))
            start = m.end()
            continue
        prev = m
    if len(text) - start > max_chars and prev is not None:
        bounds.append((start, prev.start(), prev.end()))
        start = prev.end()
    bounds.append((start, len(text), len(text)))
    return bounds


def _result(text: str, offset: int, entities: list[dict], relations: list[dict], with_scores: bool) -> list[dict]:
    """Label Studio ``result`` items for the entities and relations of one task."""
    items = []
    for ent in sorted(entities, key=lambda e: (e["start"], e["end"])):
        start, end = ent["start"] - offset, ent["end"] - offset
        item = {"id": str(ent["id"]), "from_name": LS_LABELS_NAME, "to_name": LS_TEXT_NAME, "type": "labels",
                "value": {"start": start, "end": end, "text": text[start:end], "labels": [ent["label"]]}}
        if with_scores and "score" in ent:
            item["score"] = ent["score"]
        items.append(item)
    for rel in relations:
        item = {"type": "relation", "from_id": str(rel["head"]), "to_id": str(rel["tail"]),
                "direction": "right", "labels": [rel["label"]]}
        if with_scores and "score" in rel:
            item["score"] = rel["score"]
        items.append(item)
    return items


def records_to_tasks(
    records: Iterable[dict],
    as_predictions: bool = False,
    model_version: str | None = None,
    split_paragraphs: bool = False,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> list[dict]:
    """Turn records into Label Studio tasks ready to import.

    Args:
        records: records (see :mod:`vnpolicy_nlp.records`); a record without an ``entities``
            key becomes a task with no annotation or prediction.
        as_predictions: put the spans and relations under ``predictions`` (pre-annotations,
            with ``model_version``, per-region and per-relation ``score`` where the record
            has one, and a task ``score``: the mean entity score, else 1.0) instead of
            ``annotations``.
        model_version: the predictions' model version; default ``vnpolicy-nlp-<version>``.
        split_paragraphs: split documents longer than ``max_chars`` into several tasks of
            whole paragraphs (see :func:`split_bounds`). Relations across a cut are dropped,
            with one W101 warning.
        max_chars: the split threshold.

    Returns:
        One task per document, or per part of a split document.
    """
    tasks, crossing = [], []
    for rec in records:
        text = rec["text"]
        entities = rec.get("entities") or []
        relations = rec.get("relations") or []
        meta = {k: v for k, v in (rec.get("meta") or {}).items() if k not in CORPUS_KEYS}
        bounds = split_bounds(text, entities, max_chars) if split_paragraphs else [(0, len(text), len(text))]
        part_of = {}
        for i, (start, end, _) in enumerate(bounds):
            for ent in entities:
                if start <= ent["start"] and ent["end"] <= end:
                    part_of[ent["id"]] = i
        for rel in relations:
            if part_of.get(rel["head"]) != part_of.get(rel["tail"]):
                crossing.append(f"{rec['id']} {rel['label']} {rel['head']}->{rel['tail']}")
        for i, (start, end, next_start) in enumerate(bounds):
            part_text = text[start:end]
            data = {"text": part_text, "doc_id": str(rec["id"]), "offset": start}
            if len(bounds) > 1:
                data.update(part=i, parts=len(bounds), separator=text[end:next_start])
            data.update(corpus_fields(rec))
            if meta:
                data["meta"] = meta
            task: dict = {"data": data}
            if "entities" in rec:
                ents = [e for e in entities if part_of.get(e["id"]) == i]
                rels = [r for r in relations if part_of.get(r["head"]) == i == part_of.get(r["tail"])]
                result = _result(part_text, start, ents, rels, with_scores=as_predictions)
                if as_predictions:
                    scores = [float(e["score"]) for e in ents if "score" in e]
                    task["predictions"] = [{
                        "model_version": model_version or default_model_version(),
                        "score": round(sum(scores) / len(scores), 4) if scores else 1.0,
                        "result": result,
                    }]
                else:
                    task["annotations"] = [{"result": result}]
            tasks.append(task)
    if crossing:
        warnings.warn(Warnings.W101.format(count=len(crossing), summary=_summary(crossing)), stacklevel=2)
    return tasks


# --- tasks → records --------------------------------------------------------------------------


def _renumber(entities: list[dict], relations: list[dict]) -> tuple[list[dict], list[dict]]:
    """Give entities the ids T1, T2… in text order and point the relations at them."""
    entities = sorted(entities, key=lambda e: (e["start"], e["end"]))
    new_ids = {}
    out_ents = []
    for i, ent in enumerate(entities, start=1):
        new_ids[ent["id"]] = f"T{i}"
        out_ents.append({**ent, "id": f"T{i}"})
    out_rels = [{**rel, "head": new_ids[rel["head"]], "tail": new_ids[rel["tail"]]} for rel in relations]
    return out_ents, out_rels


def task_to_record(task: dict, source: str = "annotations", index: int | None = None) -> dict:
    """Read one valid task (see :func:`~.validate.validate_task`) into a record of its own text.

    Entities get ids T1, T2… in text order; entity and relation ``score`` are kept when the
    task has them (predictions). The record also carries the task's place in its document
    under the private key ``"_part"`` (``offset``, ``part``, ``parts``, ``separator``,
    ``task_id``), which :func:`tasks_to_records` uses to re-join split documents.

    Raises:
        VnpolicyError: when the task has problems (the first one's message).
    """
    problems = validate_task(task, source, index)
    if problems:
        raise VnpolicyError(problems[0].message)
    data = task["data"]
    text = data["text"]
    annotation, _ = choose_annotation(task, source, index)
    spans, relations, _ = parse_result(task, annotation, index)
    entities = []
    for span in spans:
        start, end = span_offsets(text, span["start"], span["end"], span["text"])
        ent = {"id": span["id"], "start": start, "end": end, "label": span["label"], "text": text[start:end]}
        if "score" in span:
            ent["score"] = span["score"]
        entities.append(ent)
    entities, relations = _renumber(entities, relations)
    task_id = task_id_of(task, index)
    doc_id = data.get("doc_id")
    record = {"id": str(doc_id if doc_id is not None else task_id), "text": text,
              "entities": entities, "relations": relations}
    meta = dict(data.get("meta") or {})
    meta.update({k: data[k] for k in CORPUS_KEYS if data.get(k) is not None})
    if meta:
        record["meta"] = meta
    record["_part"] = {"task_id": task_id, "offset": data.get("offset", 0), "part": data.get("part", 0),
                       "parts": data.get("parts", 1), "separator": data.get("separator", "")}
    return record


def join_parts(parts: list[dict]) -> dict:
    """Re-join the part records of one split document into one record with exact offsets.

    Args:
        parts: records from :func:`task_to_record` of one ``doc_id``, in any order.

    Raises:
        ValueError: with the reason when parts are missing, repeated or do not line up.
    """
    info = [p["_part"] for p in parts]
    n = info[0]["parts"]
    seen: dict[int, object] = {}
    for i in info:
        if i["parts"] != n:
            raise ValueError(f"its tasks disagree on the number of parts ({n} and {i['parts']})")
        if i["part"] in seen:
            raise ValueError(f"part {i['part']} is in tasks {seen[i['part']]} and {i['task_id']}")
        seen[i["part"]] = i["task_id"]
    missing = sorted(set(range(n)) - set(seen))
    if missing:
        raise ValueError(f"part(s) {', '.join(map(str, missing))} of {n} have no annotation "
                         f"(found tasks {_summary([seen[k] for k in sorted(seen)])})")
    pieces, entities, relations, length = [], [], [], 0
    for rec in sorted(parts, key=lambda p: p["_part"]["part"]):
        part = rec["_part"]
        if part["offset"] != length:
            raise ValueError(f"part {part['part']} (task {part['task_id']}) starts at {part['offset']}, "
                             f"but the parts before it end at {length}")
        prefix = f"{part['part']}:"
        entities += [{**e, "id": prefix + e["id"], "start": e["start"] + length, "end": e["end"] + length}
                     for e in rec["entities"]]
        relations += [{**r, "head": prefix + r["head"], "tail": prefix + r["tail"]} for r in rec["relations"]]
        pieces.append(rec["text"] + part["separator"])
        length += len(rec["text"]) + len(part["separator"])
    entities, relations = _renumber(entities, relations)
    first = parts[0]
    record = {"id": first["id"], "text": "".join(pieces), "entities": entities, "relations": relations}
    if "meta" in first:
        record["meta"] = first["meta"]
    return record


def tasks_to_records(tasks: Iterable[dict], source: str = "annotations") -> tuple[list[dict], list[Problem]]:
    """Turn Label Studio tasks into records, re-joining split documents.

    Args:
        tasks: tasks as exported (their ``annotations``) or as imported with predictions.
        source: read each task's ``"annotations"`` or its ``"predictions"``.

    Returns:
        ``(records, problems)``: one record per document, in the order of their first task;
        a task with problems is skipped, and so is a split document with a part missing.
    """
    problems: list[Problem] = []
    groups: dict[str, list[dict]] = {}
    for i, task in enumerate(tasks):
        task_problems = validate_task(task, source, i)
        if task_problems:
            problems += task_problems
            continue
        rec = task_to_record(task, source, i)
        groups.setdefault(rec["id"], []).append(rec)
    records = []
    for doc_id, parts in groups.items():
        if all(p["_part"]["parts"] == 1 for p in parts):
            kept, *others = parts
            for other in others:
                problems.append(Problem(other["_part"]["task_id"], "E117", Errors.E117.format(
                    where=f"task {other['_part']['task_id']}",
                    reason=f"document {doc_id} is also in task {kept['_part']['task_id']}, which is kept")))
            if kept["_part"]["offset"] != 0:
                problems.append(Problem(kept["_part"]["task_id"], "E116", Errors.E116.format(
                    doc_id=doc_id, reason=f"it starts at offset {kept['_part']['offset']}")))
                continue
            rec = {k: v for k, v in kept.items() if k != "_part"}
            records.append(rec)
            continue
        try:
            records.append(join_parts(parts))
        except ValueError as e:
            problems.append(Problem(parts[0]["_part"]["task_id"], "E116", Errors.E116.format(doc_id=doc_id, reason=e)))
    return records, problems


# --- stand-off records and the corpus ---------------------------------------------------------


def is_standoff(item: object) -> bool:
    """Tell whether a JSON item is a stand-off record (a ``sha256`` and no ``text``)."""
    return isinstance(item, dict) and "sha256" in item and "text" not in item and "entities" in item


def to_standoff(record: dict) -> dict:
    """Return the stand-off form of a record whose text comes from a corpus (no text kept)."""
    meta = {k: v for k, v in (record.get("meta") or {}).items() if k not in CORPUS_KEYS}
    fields = corpus_fields(record)
    item: dict = {"id": record["id"]}
    if fields.get("corpus_id", record["id"]) != record["id"]:
        item["corpus_id"] = fields["corpus_id"]
    item["source_url"] = fields.get("source_url")
    item["sha256"] = text_sha256(record["text"])
    item["entities"] = [{k: v for k, v in e.items() if k != "text"} for e in record["entities"]]
    item["relations"] = list(record["relations"])
    if meta:
        item["meta"] = meta
    return item


class Corpus(dict):
    """Corpus records by id, remembering the file they were read from (``path``)."""

    path: Path | None = None


def load_corpus(path: str | Path | None = None) -> Corpus:
    """Read a corpus JSONL (``id``, ``text``, ``source_url``… per line) into a dict by id.

    Args:
        path: the file; default ``../shared/corpus/pool.jsonl`` beside the repository.

    Raises:
        VnpolicyError: E133 when the file does not exist, E006 for a bad line.
    """
    path = Path(path) if path is not None else default_corpus_path()
    if not path.is_file():
        raise VnpolicyError(Errors.E133.format(path=path))
    corpus = Corpus()
    corpus.path = path
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str) or "id" not in rec:
                raise ValueError("missing 'id' or 'text'")
        except ValueError as e:
            raise VnpolicyError(Errors.E006.format(path=path, line=lineno, reason=e)) from e
        corpus[str(rec["id"])] = rec
    return corpus


def _as_corpus(corpus: Mapping[str, dict] | str | Path | None) -> Mapping[str, dict]:
    return corpus if isinstance(corpus, Mapping) else load_corpus(corpus)


def resolve_standoff(item: dict, corpus: Mapping[str, dict] | str | Path | None = None) -> dict:
    """Turn a stand-off record back into a full record, taking its text from the corpus.

    The corpus record is found by ``corpus_id`` (default: the record's ``id``), else by
    ``source_url``, and its text must have the stand-off record's ``sha256``.

    Args:
        item: the stand-off record.
        corpus: a corpus dict from :func:`load_corpus`, or its path (default path if None).

    Raises:
        VnpolicyError: E118 when the text's hash differs (the corpus changed), E119 when the
            document is not in the corpus, E133 when there is no corpus file.
    """
    corpus = _as_corpus(corpus)
    name = getattr(corpus, "path", None) or "the corpus"
    corpus_id = str(item.get("corpus_id", item["id"]))
    url = item.get("source_url")
    candidates = [corpus[corpus_id]] if corpus_id in corpus else []
    if url:
        candidates += [r for r in corpus.values() if r.get("source_url") == url and r not in candidates]
    if not candidates:
        raise VnpolicyError(Errors.E119.format(doc_id=item["id"], corpus=name, corpus_id=corpus_id, source_url=url))
    match = next((r for r in candidates if text_sha256(r["text"]) == item["sha256"]), None)
    if match is None:
        raise VnpolicyError(Errors.E118.format(doc_id=item["id"], actual=text_sha256(candidates[0]["text"]),
                                               expected=item["sha256"], corpus=name))
    text = match["text"]
    record = {"id": item["id"], "text": text,
              "entities": [{**e, "text": text[e["start"]:e["end"]]} for e in item["entities"]],
              "relations": list(item["relations"])}
    record["meta"] = {**(item.get("meta") or {}), "corpus_id": str(match["id"]),
                      "source_url": url or match.get("source_url")}
    return record


def records_to_jsonl(records: Iterable[dict], standoff: bool = True) -> str:
    """Serialise records as JSONL; with ``standoff``, those from a corpus lose their text."""
    lines = []
    for rec in records:
        item = to_standoff(rec) if standoff and corpus_fields(rec) else rec
        lines.append(json.dumps(item, ensure_ascii=False) + "\n")
    return "".join(lines)


# --- reading exports --------------------------------------------------------------------------


def _json_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl") and p.is_file()
                      and not any(part.startswith(".") for part in p.relative_to(path).parts))
    return [path]


def read_json_items(path: str | Path) -> tuple[list[tuple[str, object]], list[Problem]]:
    """Read every JSON item of a ``.json`` (a list, or one object) or ``.jsonl`` file, or of
    every such file in a folder.

    Returns:
        ``((where, item) pairs, problems)``; an unreadable file or line is a problem (E117).

    Raises:
        VnpolicyError: E005 when the path does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise VnpolicyError(Errors.E005.format(path=path))
    items, problems = [], []
    for file in _json_files(path):
        try:
            content = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            problems.append(Problem(str(file), "E117", Errors.E117.format(where=file, reason=e)))
            continue
        if file.suffix != ".jsonl":
            try:
                data = json.loads(content)
            except ValueError as e:
                if file.suffix == ".json" or len(content.strip().splitlines()) < 2:
                    problems.append(Problem(str(file), "E117", Errors.E117.format(where=file, reason=f"not JSON: {e}")))
                    continue
            else:
                items += ([(f"{file} item {i + 1}", item) for i, item in enumerate(data)] if isinstance(data, list)
                          else [(str(file), data)])
                continue
        # JSON Lines: a .jsonl file, or another file that holds one JSON value per line
        for lineno, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append((f"{file} line {lineno}", json.loads(line)))
            except ValueError as e:
                where = f"{file} line {lineno}"
                problems.append(Problem(where, "E117", Errors.E117.format(where=where, reason=f"not JSON: {e}")))
    return items, problems


def load_export(
    path: str | Path,
    corpus: Mapping[str, dict] | str | Path | None = None,
    source: str = "annotations",
) -> tuple[list[dict], list[Problem]]:
    """Read annotations from a Label Studio export file or a folder of them.

    Each file is ``.json`` or ``.jsonl`` and its items may be Label Studio tasks (as exported,
    split documents re-joined), full records, or stand-off records (their text taken from
    ``corpus``). Invalid tasks and records are skipped and reported.

    Args:
        path: a file or a folder (read recursively, hidden files left out).
        corpus: the corpus for stand-off records: a dict from :func:`load_corpus` or a path;
            default ``../shared/corpus/pool.jsonl`` beside the repository (read only if needed).
        source: read the tasks' ``"annotations"`` or their ``"predictions"``.

    Returns:
        ``(records, problems)``; a document found twice is kept once.

    Raises:
        VnpolicyError: E005 when ``path`` does not exist; E118/E119/E133 when a stand-off
            record cannot get its exact text from the corpus.
    """
    items, problems = read_json_items(path)
    tasks, records = [], []
    for where, item in items:
        if isinstance(item, dict) and "data" in item:
            tasks.append(item)
        elif is_standoff(item):
            if not isinstance(corpus, Mapping):
                corpus = load_corpus(corpus)
            records.append(resolve_standoff(item, corpus))
        elif isinstance(item, dict) and "text" in item and "entities" in item:
            found = validate_record(item)
            if found:
                problems += found
                continue
            records.append({**item, "entities": [{**e, "text": item["text"][e["start"]:e["end"]]}
                                                 for e in item["entities"]]})
        else:
            problems.append(Problem(where, "E117", Errors.E117.format(
                where=where, reason="neither a Label Studio task, a record nor a stand-off record")))
    from_tasks, task_problems = tasks_to_records(tasks, source)
    problems += task_problems
    kept, seen = [], {}
    for rec in records + from_tasks:
        if rec["id"] in seen:
            problems.append(Problem(rec["id"], "E117", Errors.E117.format(
                where=f"document {rec['id']}", reason="found twice; the first one is kept")))
            continue
        seen[rec["id"]] = True
        kept.append(rec)
    return kept, problems
