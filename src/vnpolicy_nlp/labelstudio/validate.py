"""Check Label Studio tasks and records against the annotation spec before anything uses them.

Every check returns :class:`Problem` objects (task id, code, message) instead of raising, so a
whole export can be reported at once; :mod:`.convert` skips the tasks that have problems.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import Errors
from ..schema import ALLOWED_PAIRS, ENTITY_LABELS, RELATION_LABELS, relation_allowed

SOURCES = ("annotations", "predictions")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one task or record.

    Attributes:
        task_id: the Label Studio task id (or ``#n`` for the n-th task of a file without ids,
            or the record id).
        code: the error code, such as ``"E103"``.
        message: the full message, code included.
    """

    task_id: object
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def _problem(task_id: object, message: str) -> Problem:
    return Problem(task_id, message.split(" ", 1)[0], message)


def task_id_of(task: object, index: int | None = None) -> object:
    """Return the id a problem report gives a task: its Label Studio id, else ``#n`` (1-based)."""
    if isinstance(task, dict) and task.get("id") is not None:
        return task["id"]
    return f"#{(index or 0) + 1}"


def _where(task: dict, task_id: object) -> str:
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    doc_id = data.get("doc_id")
    suffix = f" (doc {doc_id}, offset {data.get('offset', 0)})" if doc_id not in (None, task_id) else ""
    return f"task {task_id}{suffix}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _utf16_to_code_points(text: str, unit: int) -> int | None:
    """Map a UTF-16 code-unit offset (what JavaScript counts) to a code-point offset."""
    units = 0
    for i, ch in enumerate(text):
        if units == unit:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text) if units == unit else None


def span_offsets(text: str, start: int, end: int, span_text: str | None) -> tuple[int, int] | None:
    """Return the code-point offsets of a span Label Studio reported, or None if they do not fit.

    Label Studio's offsets are code points, but some versions counted UTF-16 units (as
    JavaScript does) after an emoji or another character outside the BMP; both readings are
    tried when the text has such characters.

    Args:
        text: the document text.
        start, end: the offsets as stored in the task.
        span_text: the span's own ``text`` as stored in the task, or None to accept the offsets.

    Returns:
        ``(start, end)`` in code points, or None when neither reading gives ``span_text``.
    """
    if span_text is None or text[start:end] == span_text:
        return start, end
    if any(ord(ch) > 0xFFFF for ch in text):
        cp_start, cp_end = _utf16_to_code_points(text, start), _utf16_to_code_points(text, end)
        if cp_start is not None and cp_end is not None and text[cp_start:cp_end] == span_text:
            return cp_start, cp_end
    return None


def check_spans(where: str, task_id: object, text: str, spans: list[dict], relations: list[dict],
                from_label_studio: bool = False) -> list[Problem]:
    """Check spans and relations that are already in record form against the text and the schema.

    Args:
        where: how messages name the task or record (``"task 12"``).
        task_id: the id problems carry.
        text: the document text.
        spans: ``{"id", "start", "end", "label", "text"}`` dicts; ``text`` may be None.
        relations: ``{"head", "tail", "label"}`` dicts naming span ids.
        from_label_studio: the offsets may be UTF-16 units (see :func:`span_offsets`).

    Returns:
        Problems: out of range (E102), text mismatch (E103), overlap (E104), unknown label
        (E105) or relation type (E106), missing endpoint (E107), disallowed pair (E108),
        edge white space (E115), duplicate id (E117).
    """
    problems: list[Problem] = []
    add = problems.append
    labels: dict[str, str] = {}
    placed: list[tuple[int, int, str]] = []
    limit = len(text.encode("utf-16-le")) // 2 if from_label_studio else len(text)
    for span in spans:
        region, start, end, label = span["id"], span["start"], span["end"], span["label"]
        if region in labels:
            add(_problem(task_id, Errors.E117.format(where=where, reason=f"two spans have the id {region!r}")))
        labels[region] = label
        if label not in ENTITY_LABELS:
            add(_problem(task_id, Errors.E105.format(where=where, region=region, label=label,
                                                     choices=", ".join(ENTITY_LABELS))))
        if not (0 <= start < end <= limit):
            add(_problem(task_id, Errors.E102.format(where=where, region=region, start=start, end=end,
                                                     length=len(text))))
            continue
        offsets = span_offsets(text, start, end, span.get("text"))
        if offsets is None:
            add(_problem(task_id, Errors.E103.format(where=where, region=region, start=start, end=end,
                                                     stored=span.get("text"), actual=text[start:end])))
            continue
        start, end = offsets
        surface = text[start:end]
        if surface != surface.strip():
            add(_problem(task_id, Errors.E115.format(where=where, region=region, text=surface)))
        placed.append((start, end, region))
    placed.sort()
    widest: tuple[int, int, str] | None = None
    for start, end, region in placed:
        if widest is not None and start < widest[1]:
            add(_problem(task_id, Errors.E104.format(where=where, first=widest[2], s1=widest[0], e1=widest[1],
                                                     second=region, s2=start, e2=end)))
        if widest is None or end > widest[1]:
            widest = (start, end, region)
    for rel in relations:
        head, tail, label = rel["head"], rel["tail"], rel["label"]
        if label not in ALLOWED_PAIRS:
            add(_problem(task_id, Errors.E106.format(where=where, head=head, tail=tail, label=label,
                                                     choices=", ".join(RELATION_LABELS))))
        missing = [r for r in (head, tail) if r not in labels]
        for region in missing:
            add(_problem(task_id, Errors.E107.format(where=where, label=label, region=region)))
        if missing or label not in ALLOWED_PAIRS:
            continue
        pair = (labels[head], labels[tail])
        if not relation_allowed(label, *pair) and set(pair) <= set(ENTITY_LABELS):
            allowed = ", ".join(f"{h} -> {t}" for h, t in sorted(ALLOWED_PAIRS[label]))
            add(_problem(task_id, Errors.E108.format(where=where, label=label, head_label=pair[0],
                                                     tail_label=pair[1], head=head, tail=tail, allowed=allowed)))
    return problems


def choose_annotation(task: dict, source: str = "annotations",
                      index: int | None = None) -> tuple[dict | None, list[Problem]]:
    """Pick the one annotation (or prediction) of a task that conversion reads.

    Args:
        task: a Label Studio task.
        source: ``"annotations"`` or ``"predictions"``.
        index: the task's position in its file, for tasks without an id.

    Returns:
        ``(annotation, problems)``; the annotation is None when there is no single usable one:
        none at all (E111), a cancelled one (E109), or several (E110).
    """
    task_id = task_id_of(task, index)
    where = _where(task, task_id)
    items = task.get(source)
    if not isinstance(items, list) or not items:
        return None, [_problem(task_id, Errors.E111.format(where=where, source=source))]
    problems = []
    live = []
    for item in items:
        if not isinstance(item, dict):
            problems.append(_problem(task_id, Errors.E132.format(where=where, field=source[:-1], value=item,
                                                                 expected="an object")))
        elif item.get("was_cancelled"):
            problems.append(_problem(task_id, Errors.E109.format(where=where, annotation=item.get("id", "?"))))
        else:
            live.append(item)
    if len(live) > 1:
        problems.append(_problem(task_id, Errors.E110.format(where=where, count=len(live), source=source)))
    if problems:
        return None, problems
    return live[0], []


def parse_result(task: dict, annotation: dict,
                 index: int | None = None) -> tuple[list[dict], list[dict], list[Problem]]:
    """Read an annotation's ``result`` into spans and relations, checking its structure.

    Returns:
        ``(spans, relations, problems)`` with spans as ``{"id", "start", "end", "label",
        "text", "score"?}`` (offsets as stored) and relations as ``{"head", "tail", "label",
        "score"?}`` (``direction: "left"`` already turned round). Structural problems are
        missing keys (E101), wrong types (E132), not exactly one label (E112), a relation
        without a type (E113) or a bidirectional one (E114).
    """
    task_id = task_id_of(task, index)
    where = _where(task, task_id)
    problems: list[Problem] = []
    spans: list[dict] = []
    relations: list[dict] = []
    known: set[str] = set()
    result = annotation.get("result")
    if not isinstance(result, list):
        return [], [], [_problem(task_id, Errors.E101.format(where=where, key="'result' (a list)"))]
    for n, item in enumerate(result):
        if not isinstance(item, dict):
            problems.append(_problem(task_id, Errors.E132.format(where=where, field=f"result[{n}]", value=item,
                                                                 expected="an object")))
            continue
        kind = item.get("type")
        if kind == "labels":
            region = item.get("id")
            value = item.get("value")
            if region is None or not isinstance(value, dict):
                key = "'id'" if region is None else "'value'"
                problems.append(_problem(task_id, Errors.E101.format(where=where, key=f"{key} of result[{n}]")))
                continue
            known.add(region)
            missing = [k for k in ("start", "end", "labels", "text") if k not in value]
            if missing:
                problems.append(_problem(task_id, Errors.E101.format(
                    where=where, key=f"value.{'/'.join(missing)} of span {region}")))
                continue
            bad = [k for k in ("start", "end") if not _is_int(value[k])]
            if bad or not isinstance(value["labels"], list) or not isinstance(value["text"], str):
                field = bad[0] if bad else "labels" if not isinstance(value["labels"], list) else "text"
                expected = {"labels": "a list", "text": "a string"}.get(field, "an integer")
                problems.append(_problem(task_id, Errors.E132.format(
                    where=where, field=f"value.{field} of span {region}", value=value[field], expected=expected)))
                continue
            if len(value["labels"]) != 1:
                problems.append(_problem(task_id, Errors.E112.format(where=where, region=region,
                                                                     count=len(value["labels"]))))
                continue
            span = {"id": region, "start": value["start"], "end": value["end"], "label": value["labels"][0],
                    "text": value["text"]}
            if "score" in item:
                span["score"] = item["score"]
            spans.append(span)
        elif kind == "relation":
            head, tail = item.get("from_id"), item.get("to_id")
            if head is None or tail is None:
                problems.append(_problem(task_id, Errors.E101.format(where=where, key=f"from_id/to_id of result[{n}]")))
                continue
            direction = item.get("direction", "right")
            if direction == "bi":
                problems.append(_problem(task_id, Errors.E114.format(where=where, head=head, tail=tail)))
                continue
            if direction == "left":
                head, tail = tail, head
            labels = item.get("labels") or []
            if not labels:
                problems.append(_problem(task_id, Errors.E113.format(where=where, head=head, tail=tail)))
                continue
            for label in labels:
                rel = {"head": head, "tail": tail, "label": label}
                if "score" in item:
                    rel["score"] = item["score"]
                relations.append(rel)
        # other result types (choices, text areas) belong to other configs and are ignored
    # a relation to a region whose structure was already reported is not reported twice
    reported = known - {s["id"] for s in spans}
    relations_checked = [r for r in relations if r["head"] not in reported and r["tail"] not in reported]
    return spans, relations_checked, problems


def validate_task(task: object, source: str = "annotations", index: int | None = None) -> list[Problem]:
    """List everything wrong with one task.

    Args:
        task: a Label Studio task as exported (``data``, ``annotations``, ``predictions``).
        source: check its ``"annotations"`` or its ``"predictions"``.
        index: the task's position in its file, for tasks without an id.

    Returns:
        The problems; an empty list means the task converts exactly.
    """
    task_id = task_id_of(task, index)
    if not isinstance(task, dict):
        return [_problem(task_id, Errors.E132.format(where=f"task {task_id}", field="task", value=task,
                                                     expected="an object"))]
    where = _where(task, task_id)
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return [_problem(task_id, Errors.E101.format(where=where, key="'data.text' (a string)"))]
    annotation, problems = choose_annotation(task, source, index)
    if annotation is None:
        return problems
    spans, relations, problems = parse_result(task, annotation, index)
    return problems + check_spans(where, task_id, data["text"], spans, relations, from_label_studio=True)


def validate_tasks(tasks: Iterable[object], source: str = "annotations") -> list[Problem]:
    """List everything wrong with a list of tasks (see :func:`validate_task`), in task order."""
    return [p for i, task in enumerate(tasks) for p in validate_task(task, source, i)]


def validate_record(record: object, index: int | None = None) -> list[Problem]:
    """List everything wrong with one record (``id``, ``text``, ``entities``, ``relations``).

    Entity ``text`` is optional; when present it must equal the text at its offsets.
    """
    rec_id = record.get("id") if isinstance(record, dict) and record.get("id") is not None else f"#{(index or 0) + 1}"
    where = f"record {rec_id}"
    if not isinstance(record, dict):
        return [_problem(rec_id, Errors.E132.format(where=where, field="record", value=record, expected="an object"))]
    for key, kind in (("text", str), ("entities", list), ("relations", list)):
        if not isinstance(record.get(key), kind):
            return [_problem(rec_id, Errors.E101.format(where=where, key=f"'{key}' ({kind.__name__})"))]
    problems = []
    spans = []
    for n, ent in enumerate(record["entities"]):
        if not isinstance(ent, dict) or any(k not in ent for k in ("id", "start", "end", "label")):
            problems.append(_problem(rec_id, Errors.E101.format(where=where,
                                                                key=f"id/start/end/label of entities[{n}]")))
        elif not (_is_int(ent["start"]) and _is_int(ent["end"])):
            problems.append(_problem(rec_id, Errors.E132.format(where=where, field=f"start/end of {ent['id']}",
                                                                value=(ent["start"], ent["end"]), expected="integers")))
        else:
            spans.append({**ent, "text": ent.get("text")})
    relations = []
    for n, rel in enumerate(record["relations"]):
        if not isinstance(rel, dict) or any(k not in rel for k in ("head", "tail", "label")):
            problems.append(_problem(rec_id, Errors.E101.format(where=where, key=f"head/tail/label of relations[{n}]")))
        else:
            relations.append(rel)
    if problems:
        return problems
    return check_spans(where, rec_id, record["text"], spans, relations)
