"""Scoring against the gold set: one scorer shared by training and offline evaluation.

Every function here works on plain records (see :mod:`vnpolicy_nlp.records`), so the same
figures come out whether the predictions were made during training, by ``vnpolicy evaluate``
or by a baseline. Documents are matched by record ``id``; only gold documents are scored
(a gold document with no prediction counts all its spans as missed).

Entity figures (``annotation-spec.md``, Scoring):

* ``strict``: same start, end and label. The headline figure.
* ``overlap``: partial-overlap, also called *type* match: same label, spans overlap by at
  least one character. Gold and predicted spans are paired one to one, so a gold span is
  counted as found at most once.
* ``boundary``: boundary-only: exact start and end, label ignored (paired one to one).

Relations are strict: label, direction and both endpoint spans (start, end, label) must match.

Error attribution sorts every gold span not strictly matched and every spurious prediction
into ``segmentation``, ``boundary``, ``label``, ``label_boundary``, ``missed`` and
``spurious`` (see :func:`attribute_errors`).

Heavy or concurrent parts (the pipeline, Label Studio import, underthesea, matplotlib,
displaCy) are imported inside the functions that need them.
"""

from __future__ import annotations

import html
import json
import logging
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from .errors import Errors, VnpolicyError, Warnings
from .paths import default_gold_path
from .schema import ENTITY_LABELS, LABEL_COLORS, RELATION_LABELS

logger = logging.getLogger(__name__)

#: A callable giving the tokenizer's words of a text as ``(start, end)`` character offsets.
WordsFn = Callable[[str], Sequence[tuple[int, int]]]

#: Entity scoring modes, in report order, with the description printed in reports.
ENTITY_MODES: dict[str, str] = {
    "strict": "strict: same start, end and label (headline)",
    "overlap": "partial-overlap / type match: same label, spans overlap (one to one)",
    "boundary": "boundary-only: same start and end, label ignored (one to one)",
}

#: Error categories of :func:`attribute_errors`, in report order.
ERROR_CATEGORIES: tuple[str, ...] = (
    "segmentation", "boundary", "label", "label_boundary", "missed", "spurious",
)

NONE = "none"

#: underthesea's CoNLL types mapped to the project's labels (MISC is dropped).
UNDERTHESEA_LABELS: dict[str, str] = {"PER": "OFFICIAL", "ORG": "AGENCY", "LOC": "LOCATION"}

BASELINE_PATTERNS = "patterns"
BASELINE_UNDERTHESEA = "underthesea"


# --- spans and counts ------------------------------------------------------------------------


def _spans(record: dict) -> list[tuple[int, int, str]]:
    """The record's entities as sorted, de-duplicated ``(start, end, label)`` triples."""
    return sorted({(int(e["start"]), int(e["end"]), str(e["label"]))
                   for e in record.get("entities") or []})


def _overlap(a: tuple[int, int, str], b: tuple[int, int, str]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _match(gold: list, pred: list, weight: Callable[[Any, Any], float | None]) -> list[tuple[int, int]]:
    """Pair gold and predicted items one to one, greedily by decreasing ``weight``.

    ``weight(g, p)`` returns None for incompatible items. Ties go to text order.
    """
    candidates = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            w = weight(g, p)
            if w is not None:
                candidates.append((-w, i, j))
    candidates.sort()
    used_g, used_p, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return sorted(pairs)


class _Counts:
    """Per-label gold, predicted and matched counts.

    Precision uses the matched predictions counted under the predicted label and recall the
    matched gold counted under the gold label; they differ only when the label is ignored.
    """

    def __init__(self) -> None:
        self.n_gold: Counter = Counter()
        self.n_pred: Counter = Counter()
        self.tp_gold: Counter = Counter()
        self.tp_pred: Counter = Counter()

    def add(self, gold: Iterable[str], pred: Iterable[str],
            pairs: Iterable[tuple[str, str]]) -> None:
        self.n_gold.update(gold)
        self.n_pred.update(pred)
        for g_label, p_label in pairs:
            self.tp_gold[g_label] += 1
            self.tp_pred[p_label] += 1

    def labels(self, known: Sequence[str]) -> list[str]:
        extra = sorted((set(self.n_gold) | set(self.n_pred)) - set(known))
        return list(known) + extra

    def table(self, known: Sequence[str]) -> dict:
        per_label = {
            label: _prf(self.tp_gold[label], self.tp_pred[label],
                        self.n_gold[label], self.n_pred[label])
            for label in self.labels(known)
        }
        micro = _prf(sum(self.tp_gold.values()), sum(self.tp_pred.values()),
                     sum(self.n_gold.values()), sum(self.n_pred.values()))
        present = [v["f"] for v in per_label.values() if v["n_gold"] or v["n_pred"]]
        return {"micro": micro, "macro_f": statistics.fmean(present) if present else 0.0,
                "per_label": per_label}


def _prf(tp_gold: int, tp_pred: int, n_gold: int, n_pred: int) -> dict:
    """Precision, recall and F1 (0.0 where undefined) with the counts they come from."""
    p = tp_pred / n_pred if n_pred else 0.0
    r = tp_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "tp": tp_gold, "fp": n_pred - tp_pred,
            "fn": n_gold - tp_gold, "n_gold": n_gold, "n_pred": n_pred}


def _pair_docs(gold_records: Iterable[dict], pred_records: Iterable[dict]) -> list[tuple[dict, dict]]:
    """Pair each gold record with the prediction of the same id (an empty one if missing)."""
    preds = {str(r["id"]): r for r in pred_records}
    pairs, seen = [], set()
    for g in gold_records:
        doc_id = str(g["id"])
        seen.add(doc_id)
        pairs.append((g, preds.get(doc_id) or {"id": doc_id, "text": g.get("text", ""),
                                               "entities": [], "relations": []}))
    return pairs


# --- entities --------------------------------------------------------------------------------


def _entity_pairs(gold: list, pred: list, mode: str) -> list[tuple[int, int]]:
    if mode == "strict":
        return _match(gold, pred, lambda g, p: 1.0 if g == p else None)
    if mode == "overlap":
        return _match(gold, pred, lambda g, p: (
            (1.0 if g[:2] == p[:2] else 0.0) + _overlap(g, p) / 1e6
            if g[2] == p[2] and _overlap(g, p) else None))
    if mode == "boundary":
        return _match(gold, pred, lambda g, p: 1.0 if g[:2] == p[:2] else None)
    raise ValueError(f"unknown entity scoring mode {mode!r}")


def score_entities(gold_records: Iterable[dict], pred_records: Iterable[dict]) -> dict:
    """Score predicted entities against gold, per label and micro-averaged.

    Args:
        gold_records: gold records; only these documents are scored.
        pred_records: predicted records, matched to gold by ``id``.

    Returns:
        ``{mode: {"micro": {...}, "macro_f": float, "per_label": {label: {...}}}}`` for each
        mode of :data:`ENTITY_MODES` (``strict``, ``overlap``, ``boundary``); each figure is
        ``{"p", "r", "f", "tp", "fp", "fn", "n_gold", "n_pred"}``. For ``boundary`` a match
        counts toward recall under the gold label and toward precision under the predicted
        label.
    """
    counts = {mode: _Counts() for mode in ENTITY_MODES}
    for g_rec, p_rec in _pair_docs(gold_records, pred_records):
        gold, pred = _spans(g_rec), _spans(p_rec)
        for mode, c in counts.items():
            pairs = _entity_pairs(gold, pred, mode)
            c.add((g[2] for g in gold), (p[2] for p in pred),
                  ((gold[i][2], pred[j][2]) for i, j in pairs))
    return {mode: c.table(ENTITY_LABELS) for mode, c in counts.items()}


# --- relations -------------------------------------------------------------------------------


def relation_keys(record: dict) -> tuple[set, int]:
    """The record's relations as ``(head span, tail span, label)`` keys, and how many were unresolvable."""
    by_id = {e["id"]: (int(e["start"]), int(e["end"]), str(e["label"]))
             for e in record.get("entities") or [] if "id" in e}
    keys, bad = set(), 0
    for rel in record.get("relations") or []:
        head, tail = by_id.get(rel.get("head")), by_id.get(rel.get("tail"))
        if head is None or tail is None:
            bad += 1
            continue
        keys.add((head, tail, str(rel["label"])))
    return keys, bad


def score_relations(gold: Iterable[dict], pred: Iterable[dict]) -> dict:
    """Score predicted relations strictly: label, direction and both endpoint spans must match.

    Args:
        gold: gold records.
        pred: predicted records, matched to gold by ``id``.

    Returns:
        ``{"micro": {...}, "macro_f": float, "per_label": {relation: {...}},
        "unresolved": {"gold": n, "pred": n}}``, with the figures of :func:`score_entities`;
        ``unresolved`` counts relations whose head or tail id names no entity (not scored).
    """
    counts = _Counts()
    unresolved = Counter()
    for g_rec, p_rec in _pair_docs(gold, pred):
        g_keys, g_bad = relation_keys(g_rec)
        p_keys, p_bad = relation_keys(p_rec)
        unresolved["gold"] += g_bad
        unresolved["pred"] += p_bad
        hits = g_keys & p_keys
        counts.add((k[2] for k in g_keys), (k[2] for k in p_keys), ((k[2], k[2]) for k in hits))
    table = counts.table(RELATION_LABELS)
    table["unresolved"] = {"gold": unresolved["gold"], "pred": unresolved["pred"]}
    return table


# --- alignment, confusion and error attribution --------------------------------------------


def _align(gold: list, pred: list) -> list[tuple[int | None, int | None]]:
    """Pair gold and predicted spans one to one for the confusion matrix and error attribution.

    Preference: same span and label, then same span, then same label and the largest overlap,
    then any label and the largest overlap. Unpaired items come with None on the other side.
    """
    def weight(g, p):
        ov = _overlap(g, p)
        if not ov:
            return None
        same_span, same_label = g[:2] == p[:2], g[2] == p[2]
        rank = 4 if same_span and same_label else 3 if same_span else 2 if same_label else 1
        return rank + ov / 1e6

    pairs = _match(gold, pred, weight)
    out: list[tuple[int | None, int | None]] = list(pairs)
    paired_g, paired_p = {i for i, _ in pairs}, {j for _, j in pairs}
    out += [(i, None) for i in range(len(gold)) if i not in paired_g]
    out += [(None, j) for j in range(len(pred)) if j not in paired_p]
    return out


def confusion_matrix(gold_records: Iterable[dict], pred_records: Iterable[dict]) -> dict:
    """Count gold label against predicted label over aligned spans.

    Spans are aligned one to one, exact-boundary pairs first and then overlapping pairs; a
    gold span with no aligned prediction goes to the ``none`` column, a prediction with no
    aligned gold span to the ``none`` row.

    Args:
        gold_records: gold records.
        pred_records: predicted records, matched by ``id``.

    Returns:
        ``{"labels": [..., "none"], "matrix": {gold_label: {pred_label: count}}}`` with every
        label present as a row and a column (zeros included).
    """
    cells: Counter = Counter()
    for g_rec, p_rec in _pair_docs(gold_records, pred_records):
        gold, pred = _spans(g_rec), _spans(p_rec)
        for i, j in _align(gold, pred):
            cells[(gold[i][2] if i is not None else NONE, pred[j][2] if j is not None else NONE)] += 1
    seen = {label for pair in cells for label in pair} - {NONE}
    labels = list(ENTITY_LABELS) + sorted(seen - set(ENTITY_LABELS)) + [NONE]
    return {"labels": labels,
            "matrix": {g: {p: cells[(g, p)] for p in labels} for g in labels}}


def _inside_word(offset: int, words: Sequence[tuple[int, int]]) -> bool:
    return any(s < offset < e for s, e in words)


def attribute_errors(gold_records: Iterable[dict], pred_records: Iterable[dict],
                     words_fn: WordsFn | None = None) -> dict:
    """Say why each gold span was not strictly matched and why each spurious prediction was made.

    Spans are aligned as in :func:`confusion_matrix`. Each aligned pair that is not a strict
    match and each unaligned span is one error:

    * ``label``: same span, wrong label.
    * ``segmentation``: the gold span's boundaries were not predicted and one of the missed
      boundaries falls strictly inside a tokenizer word, so a token-level model could not
      have found it (needs ``words_fn``); applies to overlapping and to missed gold spans.
    * ``boundary``: overlapping, same label, different boundaries.
    * ``label_boundary``: overlapping, different label and boundaries.
    * ``missed``: a gold span with no aligned prediction.
    * ``spurious``: a prediction with no aligned gold span.

    Args:
        gold_records: gold records.
        pred_records: predicted records, matched by ``id``.
        words_fn: optional callable giving a text's tokenizer words as ``(start, end)``;
            without it no error is attributed to segmentation.

    Returns:
        ``{"counts": {category: n}, "by_label": {label: {category: n}}, "errors": [{"doc",
        "category", "gold", "pred"}]}``, where ``gold`` and ``pred`` are
        ``{"start", "end", "label", "text"}`` or None and ``by_label`` uses the gold label
        (the predicted label for spurious spans).
    """
    errors = []
    for g_rec, p_rec in _pair_docs(gold_records, pred_records):
        gold, pred = _spans(g_rec), _spans(p_rec)
        text = g_rec.get("text", "")
        words = list(words_fn(text)) if words_fn is not None and gold else []
        for i, j in _align(gold, pred):
            g = gold[i] if i is not None else None
            p = pred[j] if j is not None else None
            if g is not None and g == p:
                continue
            if g is None:
                category = "spurious"
            elif p is not None and g[:2] == p[:2]:
                category = "label"
            else:
                missed_bounds = [b for k, b in enumerate(g[:2]) if p is None or p[k] != b]
                if any(_inside_word(b, words) for b in missed_bounds):
                    category = "segmentation"
                elif p is None:
                    category = "missed"
                else:
                    category = "boundary" if g[2] == p[2] else "label_boundary"
            errors.append({"doc": str(g_rec["id"]), "category": category,
                           "gold": _span_dict(g, text), "pred": _span_dict(p, text)})
    counts = Counter(e["category"] for e in errors)
    by_label: dict[str, Counter] = defaultdict(Counter)
    for e in errors:
        by_label[(e["gold"] or e["pred"])["label"]][e["category"]] += 1
    return {"counts": {c: counts[c] for c in ERROR_CATEGORIES},
            "by_label": {label: {c: by_label[label][c] for c in ERROR_CATEGORIES}
                         for label in sorted(by_label, key=_label_order)},
            "errors": errors}


def _label_order(label: str) -> tuple[int, str]:
    return (ENTITY_LABELS.index(label) if label in ENTITY_LABELS else len(ENTITY_LABELS), label)


def _span_dict(span: tuple[int, int, str] | None, text: str) -> dict | None:
    if span is None:
        return None
    return {"start": span[0], "end": span[1], "label": span[2], "text": text[span[0]:span[1]]}


# --- per document and all together ---------------------------------------------------------


def score_documents(gold_records: Iterable[dict], pred_records: Iterable[dict]) -> list[dict]:
    """Give the main figures of each gold document.

    Args:
        gold_records: gold records.
        pred_records: predicted records, matched by ``id``.

    Returns:
        One dict per gold document, in gold order: ``{"id", "n_gold", "n_pred", "strict",
        "overlap", "boundary", "relations"}`` where the last four are micro figures.
    """
    out = []
    for g_rec, p_rec in _pair_docs(gold_records, pred_records):
        ents = score_entities([g_rec], [p_rec])
        rels = score_relations([g_rec], [p_rec])
        out.append({"id": str(g_rec["id"]), "n_gold": ents["strict"]["micro"]["n_gold"],
                    "n_pred": ents["strict"]["micro"]["n_pred"],
                    **{mode: ents[mode]["micro"] for mode in ENTITY_MODES},
                    "relations": rels["micro"]})
    return out


def score(gold_records: Sequence[dict], pred_records: Sequence[dict],
          words_fn: WordsFn | None = None) -> dict:
    """Run every scorer on one set of predictions.

    This is the one entry point used by training (through :func:`score_examples`), by
    :func:`evaluate_model` and by :func:`cross_validate_loo`.

    Args:
        gold_records: gold records.
        pred_records: predicted records, matched by ``id``.
        words_fn: optional tokenizer words for segmentation attribution.

    Returns:
        ``{"entities", "relations", "confusion", "errors", "documents"}`` as given by
        :func:`score_entities`, :func:`score_relations`, :func:`confusion_matrix`,
        :func:`attribute_errors` and :func:`score_documents`.
    """
    gold_records, pred_records = list(gold_records), list(pred_records)
    extra = {str(r["id"]) for r in pred_records} - {str(r["id"]) for r in gold_records}
    if extra:
        logger.warning(Warnings.W301.format(count=len(extra), ids=", ".join(sorted(extra)[:5])))
    relations = score_relations(gold_records, pred_records)
    if relations["unresolved"]["gold"] or relations["unresolved"]["pred"]:
        logger.warning(Warnings.W302.format(**relations["unresolved"]))
    return {
        "entities": score_entities(gold_records, pred_records),
        "relations": relations,
        "confusion": confusion_matrix(gold_records, pred_records),
        "errors": attribute_errors(gold_records, pred_records, words_fn),
        "documents": score_documents(gold_records, pred_records),
    }


def score_examples(examples: Iterable[Any]) -> dict[str, Any]:
    """Score spaCy ``Example`` objects with this module's scorer (for use during training).

    Args:
        examples: objects with ``.reference`` (gold) and ``.predicted`` Docs carrying
            ``doc.ents`` and optionally ``doc._.relations``.

    Returns:
        Flat figures in spaCy's naming: ``ents_p``, ``ents_r``, ``ents_f`` (strict),
        ``ents_overlap_f``, ``ents_boundary_f``, ``ents_per_type`` (``{label: {"p", "r",
        "f"}}``), ``rel_p``, ``rel_r``, ``rel_f``.
    """
    from .records import doc_to_record

    gold, pred = [], []
    for i, eg in enumerate(examples):
        gold.append(doc_to_record(eg.reference, str(i)))
        pred.append(doc_to_record(eg.predicted, str(i)))
    ents, rels = score_entities(gold, pred), score_relations(gold, pred)
    strict = ents["strict"]
    return {
        "ents_p": strict["micro"]["p"], "ents_r": strict["micro"]["r"],
        "ents_f": strict["micro"]["f"],
        "ents_overlap_f": ents["overlap"]["micro"]["f"],
        "ents_boundary_f": ents["boundary"]["micro"]["f"],
        "ents_per_type": {label: {k: v[k] for k in ("p", "r", "f")}
                          for label, v in strict["per_label"].items() if v["n_gold"] or v["n_pred"]},
        "rel_p": rels["micro"]["p"], "rel_r": rels["micro"]["r"], "rel_f": rels["micro"]["f"],
    }


# --- underthesea baseline ------------------------------------------------------------------

_FOLD = {"ð": "đ"}  # underthesea rewrites U+00F0/U+00D0 as đ/Đ


def _fold_key(text: str) -> tuple[str, list[int], list[int]]:
    """A comparison key of ``text``: no combining marks, no white space, case-folded.

    Returns the key and, for each key character, the start and end offsets in ``text`` of the
    character it came from (the end extended over following combining marks).
    """
    key, starts, ends = [], [], []
    n = len(text)
    for i, ch in enumerate(text):
        if ch.isspace() or unicodedata.combining(ch):
            continue
        end = i + 1
        while end < n and unicodedata.combining(text[end]):
            end += 1
        for d in unicodedata.normalize("NFD", ch):
            if unicodedata.combining(d):
                continue
            for c in d.casefold():
                key.append(_FOLD.get(c, c))
                starts.append(i)
                ends.append(end)
    return "".join(key), starts, ends


def align_words(text: str, words: Sequence[str]) -> list[tuple[int, int] | None]:
    """Find normalised words back in the exact text they came from.

    Characters are compared without combining marks, white space or case, so ``Thụy`` finds
    ``Thuỵ``, ``Hòa`` finds ``hoà`` and NFC words find NFD text. When the words do not spell
    the text (a tool rewrote a letter, as underthesea does with ``qui`` → ``quy``), the two are
    aligned with :class:`difflib.SequenceMatcher` and a word's unmatched edge characters take
    the room between its matched neighbours.

    Args:
        text: the original text.
        words: the words in text order.

    Returns:
        ``(start, end)`` offsets into ``text`` for each word (white space trimmed), or None
        for a word that could not be placed.
    """
    t_key, t_starts, t_ends = _fold_key(text)
    w_keys = [_fold_key(w)[0] for w in words]
    w_key = "".join(w_keys)
    if w_key == t_key:
        mapping: list[int | None] = list(range(len(t_key)))
    else:
        from difflib import SequenceMatcher

        mapping = [None] * len(w_key)
        for a, b, size in SequenceMatcher(None, t_key, w_key, autojunk=False).get_matching_blocks():
            for k in range(size):
                mapping[b + k] = a + k
    # nearest matched text-key index before / after each word-key index
    prev_match, last = [None] * len(w_key), None
    for k, m in enumerate(mapping):
        prev_match[k] = last
        if m is not None:
            last = m
    next_match, nxt = [None] * len(w_key), None
    for k in range(len(w_key) - 1, -1, -1):
        next_match[k] = nxt
        if mapping[k] is not None:
            nxt = mapping[k]
    out: list[tuple[int, int] | None] = []
    pos = 0
    for wk in w_keys:
        a, b = pos, pos + len(wk)
        pos = b
        if a == b:
            out.append(None)
            continue
        if mapping[a] is not None:
            start = t_starts[mapping[a]]
        else:
            start = t_ends[prev_match[a]] if prev_match[a] is not None else 0
        if mapping[b - 1] is not None:
            end = t_ends[mapping[b - 1]]
        else:
            end = t_starts[next_match[b - 1]] if next_match[b - 1] is not None else len(text)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        out.append((start, end) if start < end else None)
    return out


def _underthesea_ner(text: str, failures: list[str]) -> tuple[list[dict], list[tuple[int, int]]]:
    """Run underthesea's CRF NER line by line; return entities and word spans of ``text``.

    Lines underthesea fails on are left untagged and described in ``failures``.
    """
    try:
        from underthesea import ner
    except ImportError as e:
        raise VnpolicyError(Errors.E304.format(reason=e)) from e
    entities, words = [], []
    for line in re.finditer(r"[^\n]+", text):
        if not line.group().strip():
            continue
        try:
            tagged = ner(line.group())
        except Exception as e:  # noqa: BLE001 - a baseline must not stop the evaluation
            failures.append(f"{line.group()[:40]!r}: {e}")
            continue
        offsets = align_words(line.group(), [t[0] for t in tagged])
        current = None  # [start, end, type]
        for tok, span in zip(tagged, offsets):
            tag = tok[-1]
            if span is None:
                continue
            span = (span[0] + line.start(), span[1] + line.start())
            words.append(span)
            prefix, _, etype = tag.partition("-")
            if prefix == "I" and current is not None and current[2] == etype:
                current[1] = span[1]
                continue
            if current is not None:
                entities.append(current)
                current = None
            if prefix in ("B", "I") and etype:
                current = [span[0], span[1], etype]
        if current is not None:
            entities.append(current)
    kept = [(s, e, UNDERTHESEA_LABELS[t]) for s, e, t in entities if t in UNDERTHESEA_LABELS]
    ents = [{"id": f"T{i}", "start": s, "end": e, "label": label, "text": text[s:e]}
            for i, (s, e, label) in enumerate(kept, start=1)]
    return ents, words


def _warn_failures(failures: list[str]) -> None:
    if failures:
        summary = "; ".join(failures[:3]) + (f"; … and {len(failures) - 3} more" if len(failures) > 3 else "")
        logger.warning(Warnings.W303.format(count=len(failures), summary=summary))


def underthesea_baseline(texts: Iterable[str]) -> list[list[dict]]:
    """Tag texts with underthesea's shipped CRF NER, mapped to the project's labels.

    ``PER`` → ``OFFICIAL``, ``ORG`` → ``AGENCY``, ``LOC`` → ``LOCATION``; other types are
    dropped. underthesea normalises the text it tags, so its words are aligned back to the
    exact input with :func:`align_words`; offsets index the input strings unchanged.

    Args:
        texts: the texts to tag.

    Returns:
        For each text, its entities as ``{"id", "start", "end", "label", "text"}``.

    Raises:
        VnpolicyError: E304 when underthesea is not installed.
    """
    failures: list[str] = []
    out = [_underthesea_ner(text, failures)[0] for text in texts]
    _warn_failures(failures)
    return out


# --- cross-validation ----------------------------------------------------------------------


def article_of(record: dict) -> str:
    """The article a gold record comes from: ``meta["source_file"]``, else the id before the first ``-``."""
    meta = record.get("meta") or {}
    if meta.get("source_file"):
        return str(meta["source_file"])
    return str(record["id"]).split("-", 1)[0]


def cross_validate_loo(gold_records: Sequence[dict],
                       train_fn: Callable[[list[dict]], Callable[[list[dict]], list[dict]]],
                       words_fn: WordsFn | None = None,
                       group_fn: Callable[[dict], str] = article_of) -> dict:
    """Leave-one-article-out cross-validation over the gold set.

    For each article, ``train_fn`` gets the records of every other article and returns a
    ``predict_fn``; ``predict_fn`` gets the held-out records stripped of their annotations
    (``id``, ``text``, ``meta`` only) and returns predicted records with the same ids.

    Args:
        gold_records: the gold records.
        train_fn: ``train_fn(train_records) -> predict_fn``.
        words_fn: optional tokenizer words for error attribution.
        group_fn: the article of a record (default :func:`article_of`).

    Returns:
        ``{"folds": [{"article", "n_train", "n_test", "n_gold", "strict_p", "strict_r",
        "strict_f", "overlap_f", "boundary_f", "rel_p", "rel_r", "rel_f", "errors"}],
        "mean": {...}, "stdev": {...}, "pooled": score(...)}``; ``pooled`` scores the
        predictions of all folds together.
    """
    gold_records = list(gold_records)
    groups: dict[str, list[dict]] = defaultdict(list)
    for rec in gold_records:
        groups[group_fn(rec)].append(rec)
    if len(groups) < 2:
        raise VnpolicyError(Errors.E305.format(n=len(groups)))
    folds, all_pred = [], []
    for article in sorted(groups):
        test = groups[article]
        train = [r for a, recs in groups.items() if a != article for r in recs]
        predict_fn = train_fn(train)
        blind = [{"id": r["id"], "text": r["text"], "entities": [], "relations": [],
                  **({"meta": r["meta"]} if "meta" in r else {})} for r in test]
        pred = list(predict_fn(blind))
        all_pred.extend(pred)
        result = score(test, pred, words_fn)
        ents, rels = result["entities"], result["relations"]["micro"]
        folds.append({
            "article": article, "n_train": len(train), "n_test": len(test),
            "n_gold": ents["strict"]["micro"]["n_gold"],
            "strict_p": ents["strict"]["micro"]["p"], "strict_r": ents["strict"]["micro"]["r"],
            "strict_f": ents["strict"]["micro"]["f"],
            "overlap_f": ents["overlap"]["micro"]["f"],
            "boundary_f": ents["boundary"]["micro"]["f"],
            "rel_p": rels["p"], "rel_r": rels["r"], "rel_f": rels["f"],
            "errors": result["errors"]["counts"],
        })
    keys = [k for k, v in folds[0].items() if isinstance(v, float)]
    mean = {k: statistics.fmean(f[k] for f in folds) for k in keys}
    stdev = {k: statistics.stdev([f[k] for f in folds]) for k in keys}
    return {"folds": folds, "mean": mean, "stdev": stdev,
            "pooled": score(gold_records, all_pred, words_fn)}


def format_cv_table(result: dict) -> str:
    """Render a :func:`cross_validate_loo` result as a Markdown table, one row per fold plus the mean."""
    cols = ["strict_p", "strict_r", "strict_f", "overlap_f", "boundary_f", "rel_p", "rel_r", "rel_f"]
    lines = ["| article | train | test | gold ents | " + " | ".join(cols) + " |",
             "|---|---:|---:|---:|" + "---:|" * len(cols)]
    for f in result["folds"]:
        lines.append(f"| {f['article']} | {f['n_train']} | {f['n_test']} | {f['n_gold']} | "
                     + " | ".join(f"{f[c]:.3f}" for c in cols) + " |")
    lines.append("| **mean** | | | | " + " | ".join(
        f"{result['mean'][c]:.3f} ± {result['stdev'][c]:.3f}" for c in cols) + " |")
    return "\n".join(lines)


# --- offline evaluation --------------------------------------------------------------------


def _problem_dict(problem: Any) -> dict:
    """A load_export problem (object or dict) as ``{"task", "message"}``."""
    if isinstance(problem, dict):
        get = problem.get
    else:
        def get(name, default=None):
            return getattr(problem, name, default)
    task = next((get(k) for k in ("task_id", "task", "id") if get(k) is not None), None)
    message = next((get(k) for k in ("message", "msg", "reason") if get(k) is not None), None)
    return {"task": None if task is None else str(task),
            "message": str(message) if message is not None else str(problem)}


def _load_gold(gold_path: str | Path, corpus: str | Path | None) -> tuple[list[dict], list[dict]]:
    """Load gold records with the Label Studio importer; invalid tasks become problems."""
    path = Path(gold_path)
    if not path.exists():
        raise VnpolicyError(Errors.E301.format(path=path))
    try:
        from .labelstudio.convert import load_export
    except ImportError as e:
        raise VnpolicyError(Errors.E306.format(module="vnpolicy_nlp.labelstudio.convert", reason=e)) from e
    records, problems = load_export(path, corpus=corpus)
    return list(records), [_problem_dict(p) for p in problems]


def _load_model(model: Any):
    """A spaCy pipeline: ``model`` itself if it is one, else ``pipeline.load(model)``."""
    if hasattr(model, "pipe") and hasattr(model, "make_doc"):
        return model
    try:
        from . import pipeline
    except ImportError as e:
        raise VnpolicyError(Errors.E306.format(module="vnpolicy_nlp.pipeline", reason=e)) from e
    try:
        return pipeline.load(None if model is None else str(model))
    except VnpolicyError:
        raise
    except (OSError, ValueError) as e:
        raise VnpolicyError(Errors.E303.format(model=model, reason=e)) from e


def _words_fn_of(nlp) -> WordsFn:
    def words(text: str) -> list[tuple[int, int]]:
        return [(t.idx, t.idx + len(t.text)) for t in nlp.make_doc(text)]
    return words


def predict_records(nlp, gold_records: Sequence[dict], batch_size: int = 16) -> list[dict]:
    """Predict every gold text with ``nlp.pipe`` and return records with the gold ids.

    Args:
        nlp: a loaded pipeline (see ``vnpolicy_nlp.pipeline.load``).
        gold_records: records whose ``id`` and ``text`` are used.
        batch_size: ``nlp.pipe`` batch size.

    Returns:
        One predicted record per gold record, in order.
    """
    from .records import doc_to_record

    texts = [r["text"] for r in gold_records]
    out, changed = [], []
    for rec, doc in zip(gold_records, nlp.pipe(texts, batch_size=batch_size)):
        if doc.text != rec["text"]:
            changed.append(str(rec["id"]))
        out.append(doc_to_record(doc, str(rec["id"])))
    if changed:
        logger.warning(Warnings.W304.format(count=len(changed), doc=changed[0]))
    return out


def _baseline_predictions(name: str, gold_records: Sequence[dict]) -> tuple[list[dict], WordsFn | None]:
    if name == BASELINE_UNDERTHESEA:
        preds, words, failures = [], {}, []
        for rec in gold_records:
            ents, spans = _underthesea_ner(rec["text"], failures)
            preds.append({"id": str(rec["id"]), "text": rec["text"], "entities": ents,
                          "relations": []})
            words[rec["text"]] = spans
        _warn_failures(failures)
        return preds, lambda text: words.get(text, [])
    nlp = _load_model(name)
    return predict_records(nlp, gold_records), _words_fn_of(nlp)


def evaluate_model(model: Any, gold_path: str | Path | None = None,
                   output_json: str | Path | None = None, report_dir: str | Path | None = None,
                   baselines: bool = True, corpus: str | Path | None = None) -> dict:
    """Score a model on the gold set beside its baselines and write the report.

    Gold tasks that fail validation are skipped (one aggregated warning, listed in the
    report). The model predicts with ``nlp.pipe``; the baselines are the pattern tagger
    (``pipeline.load("patterns")``) and underthesea's CRF NER (:func:`underthesea_baseline`).
    A baseline that fails is reported and skipped.

    Args:
        model: a model directory, ``"patterns"``, None for the default model, or a loaded
            pipeline.
        gold_path: a Label Studio export (file or folder) of the gold set; default
            :func:`default_gold_path`.
        output_json: where to write the full result as JSON.
        report_dir: where to write ``report.md``, ``report.json``, the PNG plots and the
            displaCy HTML of every document (``docs/``, with ``docs/index.html``).
        baselines: score the baselines too.
        corpus: passed to ``load_export`` to resolve texts referenced by id.

    Returns:
        ``{"model", "gold", "n_docs", "n_entities", "n_relations", "skipped": {"count",
        "tasks"}, "systems": {name: score(...)}, "baseline_errors": {name: message}}``; the
        model's figures are under ``systems["model"]``.

    Raises:
        VnpolicyError: E301 if the gold path is missing, E302 if no valid gold task remains,
            E303 if the model cannot be loaded.
    """
    gold_path = Path(gold_path) if gold_path is not None else default_gold_path()
    gold, problems = _load_gold(gold_path, corpus)
    if problems:
        summary = "; ".join(f"{p['task']}: {p['message']}" for p in problems[:3])
        if len(problems) > 3:
            summary += f"; … and {len(problems) - 3} more"
        logger.warning(Warnings.W001.format(count=len(problems), summary=summary))
    if not gold:
        raise VnpolicyError(Errors.E302.format(path=gold_path, skipped=len(problems)))
    nlp = _load_model(model)
    words_fn = _words_fn_of(nlp)
    model_records = predict_records(nlp, gold)
    systems = {"model": score(gold, model_records, words_fn)}
    baseline_errors: dict[str, str] = {}
    if baselines:
        names = [BASELINE_UNDERTHESEA]
        if str(model) != BASELINE_PATTERNS:
            names.insert(0, BASELINE_PATTERNS)
        for name in names:
            try:
                preds, bl_words = _baseline_predictions(name, gold)
            except Exception as e:  # noqa: BLE001 - report the baseline as failed, keep going
                logger.warning(Warnings.W305.format(name=name, reason=e))
                baseline_errors[name] = str(e)
                continue
            systems[name] = score(gold, preds, bl_words)
    result = {
        "model": "default" if model is None else str(model) if isinstance(model, (str, Path))
        else f"<{type(model).__name__} {getattr(model, 'pipe_names', '')}>",
        "gold": str(gold_path),
        "n_docs": len(gold),
        "n_entities": sum(len(_spans(r)) for r in gold),
        "n_relations": sum(len(relation_keys(r)[0]) for r in gold),
        "skipped": {"count": len(problems), "tasks": problems},
        "systems": systems,
        "baseline_errors": baseline_errors,
    }
    if output_json is not None:
        _write_json(Path(output_json), result)
    if report_dir is not None:
        write_report(result, gold, model_records, Path(report_dir),
                     learning_curve=_find_learning_curve(model))
    return result


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _find_learning_curve(model: Any) -> Path | None:
    if model is None or not isinstance(model, (str, Path)) or str(model) == BASELINE_PATTERNS:
        return None
    model_dir = Path(model)
    for candidate in (model_dir / "learning_curve.json", model_dir.parent / "learning_curve.json"):
        if candidate.is_file():
            return candidate
    return None


# --- reports -------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.3f}"


def _cell(figures: dict | None, key: str = "f") -> str:
    """A figure for a Markdown table; "–" where the label has neither gold nor predictions."""
    if not figures or not (figures["n_gold"] or figures["n_pred"]):
        return "–"
    return _fmt(figures[key])


def _safe_name(doc_id: str) -> str:
    return re.sub(r"[^\w.-]+", "_", doc_id) or "doc"


def write_report(result: dict, gold_records: Sequence[dict], pred_records: Sequence[dict],
                 report_dir: Path, learning_curve: Path | None = None) -> dict[str, Path]:
    """Write ``report.md``, ``report.json``, the plots and the per-document HTML.

    Args:
        result: the dict returned by :func:`evaluate_model`.
        gold_records: the gold records scored.
        pred_records: the model's predicted records.
        report_dir: the folder to write into (created if needed).
        learning_curve: an optional ``learning_curve.json`` to plot.

    Returns:
        The written files by name (``report_md``, ``report_json``, ``f1_plot``,
        ``confusion_plot``, ``learning_curve_plot`` when drawn, ``html_index``).
    """
    report_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    files["report_json"] = report_dir / "report.json"
    _write_json(files["report_json"], result)
    files["f1_plot"] = plot_f1_per_label(result["systems"], report_dir / "f1_per_label.png")
    files["confusion_plot"] = plot_confusion(result["systems"]["model"]["confusion"],
                                             report_dir / "confusion.png")
    if learning_curve is not None:
        try:
            data = json.loads(learning_curve.read_text(encoding="utf-8"))
            drawn = plot_learning_curve(data, report_dir / "learning_curve.png")
        except (OSError, ValueError) as e:
            logger.warning(Warnings.W306.format(path=learning_curve, reason=e))
            drawn = None
        if drawn is not None:
            files["learning_curve_plot"] = drawn
    files["html_index"] = render_html(gold_records, pred_records, report_dir / "docs",
                                      result["systems"]["model"]["documents"])
    files["report_md"] = report_dir / "report.md"
    files["report_md"].write_text(_markdown(result, files, report_dir), encoding="utf-8")
    return files


def _markdown(result: dict, files: dict[str, Path], report_dir: Path) -> str:
    systems = result["systems"]
    model = systems["model"]
    lines = [
        "# Evaluation report", "",
        f"- model: `{result['model']}`",
        f"- gold: `{result['gold']}`: {result['n_docs']} documents, {result['n_entities']} "
        f"entities, {result['n_relations']} relations",
        f"- skipped invalid gold tasks: {result['skipped']['count']}", "",
        "Entity modes: " + "; ".join(ENTITY_MODES.values()) + ". Relations: strict (label, "
        "direction and both endpoint spans). All figures micro-averaged over the gold documents.",
        "", "## Summary", "",
        "| system | strict P | strict R | strict F | overlap F | boundary F | rel P | rel R | rel F |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in systems.items():
        e, r = s["entities"], s["relations"]["micro"]
        lines.append(f"| {name} | {_fmt(e['strict']['micro']['p'])} | {_fmt(e['strict']['micro']['r'])} | "
                     f"**{_fmt(e['strict']['micro']['f'])}** | {_fmt(e['overlap']['micro']['f'])} | "
                     f"{_fmt(e['boundary']['micro']['f'])} | {_fmt(r['p'])} | {_fmt(r['r'])} | {_fmt(r['f'])} |")
    for name, msg in result.get("baseline_errors", {}).items():
        lines.append(f"\nBaseline `{name}` failed: {msg}")
    lines += ["", f"![per-label F1]({files['f1_plot'].name})", "",
              "## Entities per label (model)", "",
              "| " + " | ".join(["label", "gold", "pred", "strict P", "strict R", "strict F",
                                 "overlap F", "boundary F"]
                                + [f"{n} strict F" for n in systems if n != "model"]) + " |",
              "|---|" + "---:|" * (6 + len(systems))]
    for label, v in model["entities"]["strict"]["per_label"].items():
        ov = model["entities"]["overlap"]["per_label"][label]
        bd = model["entities"]["boundary"]["per_label"].get(label)
        others = [systems[n]["entities"]["strict"]["per_label"].get(label)
                  for n in systems if n != "model"]
        cells = [label, str(v["n_gold"]), str(v["n_pred"]), _cell(v, "p"), _cell(v, "r"),
                 _cell(v), _cell(ov), _cell(bd)] + [_cell(x) for x in others]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Relations per type (model, strict)", "",
              "| relation | gold | pred | P | R | F |", "|---|---:|---:|---:|---:|---:|"]
    for label, v in model["relations"]["per_label"].items():
        lines.append(f"| {label} | {v['n_gold']} | {v['n_pred']} | {_cell(v, 'p')} | "
                     f"{_cell(v, 'r')} | {_cell(v)} |")
    conf = model["confusion"]
    lines += ["", "## Confusion (model; rows gold, columns predicted)", "",
              "| gold \\ pred | " + " | ".join(conf["labels"]) + " |",
              "|---|" + "---:|" * len(conf["labels"])]
    for g in conf["labels"]:
        lines.append(f"| {g} | " + " | ".join(str(conf["matrix"][g][p]) for p in conf["labels"]) + " |")
    lines += ["", f"![confusion]({files['confusion_plot'].name})", "",
              "## Error attribution (model)", "",
              "segmentation: a missed gold boundary falls inside a tokenizer word; boundary: "
              "overlap, same label; label: same span, other label; label_boundary: overlap, "
              "other label; missed: no overlapping prediction; spurious: no overlapping gold.", "",
              "| label | " + " | ".join(ERROR_CATEGORIES) + " |",
              "|---|" + "---:|" * len(ERROR_CATEGORIES),
              "| **all** | " + " | ".join(str(model["errors"]["counts"][c]) for c in ERROR_CATEGORIES) + " |"]
    for label, counts in model["errors"]["by_label"].items():
        lines.append(f"| {label} | " + " | ".join(str(counts[c]) for c in ERROR_CATEGORIES) + " |")
    if "learning_curve_plot" in files:
        lines += ["", "## Learning curve", "", f"![learning curve]({files['learning_curve_plot'].name})"]
    index_rel = files["html_index"].relative_to(report_dir).as_posix()
    lines += ["", f"## Documents (model; gold beside prediction in [{index_rel}]({index_rel}))", "",
              "| doc | gold | pred | strict F | overlap F | rel F |", "|---|---:|---:|---:|---:|---:|"]
    for d in model["documents"]:
        link = f"docs/{_safe_name(d['id'])}.html"
        lines.append(f"| [{d['id']}]({link}) | {d['n_gold']} | {d['n_pred']} | {_fmt(d['strict']['f'])} | "
                     f"{_fmt(d['overlap']['f'])} | {_fmt(d['relations']['f'])} |")
    if result["skipped"]["tasks"]:
        lines += ["", "## Skipped gold tasks", ""]
        lines += [f"- task {p['task']}: {p['message']}" for p in result["skipped"]["tasks"]]
    return "\n".join(lines) + "\n"


def _new_figure(width: float, height: float):
    """A matplotlib Figure drawn with the Agg canvas (no pyplot, no global backend change)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: Path) -> Path:
    """Lay out and write a figure through a temporary file and a rename (no half-written PNG)."""
    path = Path(path)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format=path.suffix.lstrip(".") or "png")
    tmp.replace(path)
    return path


def plot_f1_per_label(systems: dict[str, dict], path: Path) -> Path:
    """Bar chart of strict F1 per entity label, one bar per system (model and baselines).

    Args:
        systems: ``{name: score(...)}``.
        path: the PNG file to write.

    Returns:
        ``path``.
    """
    labels = list(ENTITY_LABELS) + ["micro"]
    fig = _new_figure(10, 4.5)
    ax = fig.add_subplot(1, 1, 1)
    width = 0.8 / max(1, len(systems))
    for k, (name, s) in enumerate(systems.items()):
        per = s["entities"]["strict"]["per_label"]
        values = [per.get(label, {"f": 0.0})["f"] for label in ENTITY_LABELS]
        values.append(s["entities"]["strict"]["micro"]["f"])
        ax.bar([i + k * width for i in range(len(labels))], values, width, label=name)
    ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(labels))])
    ax.set_xticklabels(labels, rotation=20)
    ax.set_ylim(0, 1)
    ax.set_ylabel("strict F1")
    ax.set_title("Entity F1 per label (strict)")
    ax.legend()
    return _save(fig, path)


def plot_confusion(confusion: dict, path: Path) -> Path:
    """Heatmap of a :func:`confusion_matrix` result (rows gold, columns predicted).

    Args:
        confusion: ``{"labels", "matrix"}``.
        path: the PNG file to write.

    Returns:
        ``path``.
    """
    labels = confusion["labels"]
    values = [[confusion["matrix"][g][p] for p in labels] for g in labels]
    fig = _new_figure(7.5, 6.5)
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(values, cmap="Blues")
    top = max((v for row in values for v in row), default=0)
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, str(v), ha="center", va="center",
                        color="white" if v > top / 2 else "black", fontsize=8)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title("Entity label confusion")
    fig.colorbar(image, ax=ax)
    return _save(fig, path)


_X_KEYS = ("n_train", "train_size", "n_docs", "n_examples", "fraction", "step", "epoch")


def plot_learning_curve(data: Any, path: Path) -> Path | None:
    """Plot a learning curve read from ``learning_curve.json``.

    Accepts a list of points (dicts), ``{"points": [...]}``, or a dict of equal-length
    lists. The x axis is the first of ``n_train``, ``train_size``, ``n_docs``,
    ``n_examples``, ``fraction``, ``step``, ``epoch`` present (else the point number); every
    other numeric field is a line.

    Args:
        data: the parsed JSON.
        path: the PNG file to write.

    Returns:
        ``path``, or None when the data holds nothing to plot.
    """
    if isinstance(data, dict) and isinstance(data.get("points"), list):
        data = data["points"]
    if isinstance(data, dict):
        lists = {k: v for k, v in data.items() if isinstance(v, list)}
        n = max((len(v) for v in lists.values()), default=0)
        data = [{k: v[i] for k, v in lists.items() if i < len(v)} for i in range(n)]
    if not isinstance(data, list) or not data or not all(isinstance(p, dict) for p in data):
        return None
    x_key = next((k for k in _X_KEYS if all(isinstance(p.get(k), (int, float)) for p in data)), None)
    xs = [p[x_key] for p in data] if x_key else list(range(1, len(data) + 1))
    series = sorted({k for p in data for k, v in p.items()
                     if k != x_key and isinstance(v, (int, float)) and not isinstance(v, bool)})
    if not series:
        return None
    fig = _new_figure(7, 4.5)
    ax = fig.add_subplot(1, 1, 1)
    for key in series:
        pts = [(x, p[key]) for x, p in zip(xs, data) if isinstance(p.get(key), (int, float))]
        ax.plot([x for x, _ in pts], [y for _, y in pts], marker="o", label=key)
    ax.set_xlabel(x_key or "point")
    ax.set_title("Learning curve")
    ax.legend()
    return _save(fig, path)


def _displacy_data(record: dict, title: str) -> dict:
    return {"text": record.get("text", ""), "title": title,
            "ents": [{"start": s, "end": e, "label": label} for s, e, label in _spans(record)]}


def _relations_html(record: dict) -> str:
    keys, _ = relation_keys(record)
    text = record.get("text", "")
    if not keys:
        return "<p><em>no relations</em></p>"
    items = "".join(
        f"<li>{html.escape(text[h[0]:h[1]])} <b>{html.escape(label)}</b> {html.escape(text[t[0]:t[1]])}</li>"
        for h, t, label in sorted(keys))
    return f"<ul>{items}</ul>"


def render_html(gold_records: Sequence[dict], pred_records: Sequence[dict], out_dir: Path,
                documents: Sequence[dict] | None = None) -> Path:
    """Write one HTML page per gold document with gold and prediction side by side, plus an index.

    Entities are drawn with ``spacy.displacy.render(style="ent", manual=True)`` in the
    colours of :data:`vnpolicy_nlp.schema.LABEL_COLORS`; relations are listed below each side.

    Args:
        gold_records: the gold records.
        pred_records: predicted records, matched by ``id``.
        out_dir: the folder to write into (created if needed).
        documents: optional :func:`score_documents` rows shown in the index.

    Returns:
        The path of ``index.html``.
    """
    from spacy import displacy

    out_dir.mkdir(parents=True, exist_ok=True)
    options = {"colors": LABEL_COLORS}
    figures = {d["id"]: d for d in documents or []}
    rows = []
    for g_rec, p_rec in _pair_docs(gold_records, pred_records):
        doc_id = str(g_rec["id"])
        labels = sorted({s[2] for s in _spans(g_rec) + _spans(p_rec)}, key=_label_order)
        opts = {**options, "ents": labels}
        sides = []
        for title, rec in (("gold", g_rec), ("prediction", p_rec)):
            body = displacy.render(_displacy_data(rec, title), style="ent", manual=True,
                                   page=False, options=opts)
            sides.append(f'<div class="side">{body}<h3>relations</h3>{_relations_html(rec)}</div>')
        name = f"{_safe_name(doc_id)}.html"
        page = (
            f"<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>{html.escape(doc_id)}"
            "</title><style>body{font-family:sans-serif;margin:1em}.row{display:flex;gap:1.5em}"
            ".side{flex:1;min-width:0;border:1px solid #ddd;padding:.5em}</style></head><body>"
            f"<p><a href='index.html'>index</a></p><h1>{html.escape(doc_id)}</h1>"
            f"<div class='row'>{''.join(sides)}</div></body></html>"
        )
        (out_dir / name).write_text(page, encoding="utf-8")
        d = figures.get(doc_id)
        cells = (f"<td>{d['n_gold']}</td><td>{d['n_pred']}</td><td>{_fmt(d['strict']['f'])}</td>"
                 f"<td>{_fmt(d['relations']['f'])}</td>") if d else "<td></td>" * 4
        rows.append(f"<tr><td><a href='{name}'>{html.escape(doc_id)}</a></td>{cells}</tr>")
    index = out_dir / "index.html"
    index.write_text(
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>Gold and prediction"
        "</title><style>body{font-family:sans-serif}td,th{padding:.2em .8em}</style></head><body>"
        "<h1>Gold beside prediction</h1><table><tr><th>doc</th><th>gold</th><th>pred</th>"
        f"<th>strict F</th><th>rel F</th></tr>{''.join(rows)}</table></body></html>",
        encoding="utf-8")
    return index
