"""Training corpora from records: spaCy DocBins, a HuggingFace ``datasets.DatasetDict``,
segmentation-aware CoNLL, and train/dev splits by document.

Docs are made with :func:`vnpolicy_nlp.records.record_to_doc`, so tokens are the project
tokenizer's words, split where an entity boundary falls inside one. Relations travel in
``doc.user_data`` (character offsets), which DocBin keeps.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from .errors import Errors, VnpolicyError
from .records import doc_to_record, record_to_doc
from .relations import ensure_extensions
from .schema import ENTITY_LABELS, RELATION_LABELS

#: BIO tag names, the ``ClassLabel`` of ``ner_tags``: ``O`` then ``B-``/``I-`` per schema label.
BIO_TAGS: tuple[str, ...] = ("O", *(f"{p}-{label}" for label in ENTITY_LABELS for p in ("B", "I")))
#: The ``doc.user_data`` key under which a Doc keeps its id and relations.
USER_DATA_KEY = "vnpolicy"
FORMATS = ("docbin", "datasets", "conll", "jsonl")


def default_nlp() -> Language:
    """Return the project's tokenizer pipeline (``vnpolicy_nlp.tokenizer.make_nlp()``).

    Raises:
        VnpolicyError: E131 when the tokenizer cannot be loaded.
    """
    try:
        from .tokenizer import make_nlp

        return make_nlp()
    except (ImportError, OSError, ValueError) as e:
        raise VnpolicyError(Errors.E131.format(fmt="Tokenised", reason=e)) from e


def split_by_document(records: list[dict], dev_fraction: float = 0.2, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """Split records into train and dev by document, the same way for the same seed.

    Args:
        records: one record per document.
        dev_fraction: the share of documents held out (at least one when > 0 and there are
            two or more documents).
        seed: the shuffle seed.

    Returns:
        ``(train, dev)``.
    """
    ordered = sorted(records, key=lambda r: str(r["id"]))
    random.Random(seed).shuffle(ordered)
    n_dev = max(1, round(len(ordered) * dev_fraction)) if dev_fraction > 0 and len(ordered) > 1 else 0
    return ordered[n_dev:], ordered[:n_dev]


def record_doc(nlp: Language, record: dict) -> Doc:
    """Make the Doc of a record (see :func:`~vnpolicy_nlp.records.record_to_doc`) with its id and
    relations also kept in ``doc.user_data`` so they survive a DocBin."""
    doc = record_to_doc(nlp, record)
    spans = {e["id"]: (e["start"], e["end"]) for e in record["entities"]}
    doc.user_data[USER_DATA_KEY] = {
        "id": str(record["id"]),
        # a relation without a score (a human annotation) stays without one
        "relations": [[*spans[r["head"]], *spans[r["tail"]], r["label"], r.get("score")]
                      for r in record["relations"] if r["head"] in spans and r["tail"] in spans],
    }
    return doc


def restore_doc(doc: Doc) -> Doc:
    """Set ``doc._.doc_id`` and ``doc._.relations`` from what :func:`record_doc` stored."""
    ensure_extensions()
    stored = doc.user_data.get(USER_DATA_KEY) or {}
    doc._.doc_id = stored.get("id")
    doc._.relations = [
        {"head": (hs, he), "tail": (ts, te), "label": label, **({} if score is None else {"score": score})}
        for hs, he, ts, te, label, score in stored.get("relations", [])
    ]
    return doc


def records_to_docbin(records: Iterable[dict], nlp: Language | None = None) -> DocBin:
    """Return a DocBin (with user data) of the records' Docs."""
    nlp = nlp or default_nlp()
    docbin = DocBin(store_user_data=True)
    for rec in records:
        docbin.add(record_doc(nlp, rec))
    return docbin


def docbin_to_records(docbin: DocBin | str | Path, nlp: Language | None = None) -> list[dict]:
    """Read records back from a DocBin or a ``.spacy`` file written by :func:`records_to_docbin`."""
    nlp = nlp or default_nlp()
    if not isinstance(docbin, DocBin):
        docbin = DocBin(store_user_data=True).from_disk(docbin)
    records = []
    for doc in docbin.get_docs(nlp.vocab):
        doc = restore_doc(doc)
        records.append(doc_to_record(doc, doc._.doc_id))
    return records


def _words(doc: Doc) -> list:
    return [t for t in doc if not t.is_space]


def _bio(token) -> str:
    return "O" if not token.ent_type_ else f"{token.ent_iob_}-{token.ent_type_}"


def _features():
    from datasets import ClassLabel, Features, List, Value

    return Features({
        "id": Value("string"),
        "text": Value("string"),
        "tokens": List(Value("string")),
        "ner_tags": List(ClassLabel(names=list(BIO_TAGS))),
        "entities": List({"id": Value("string"), "start": Value("int32"), "end": Value("int32"),
                          "label": ClassLabel(names=list(ENTITY_LABELS)), "text": Value("string")}),
        "relations": List({"head": Value("string"), "tail": Value("string"),
                           "label": ClassLabel(names=list(RELATION_LABELS))}),
    })


def records_to_dataset(records: list[dict], nlp: Language | None = None, dev_fraction: float = 0.2, seed: int = 0):
    """Return a ``datasets.DatasetDict`` with a ``train`` and (when ``dev_fraction`` > 0) a ``dev`` split.

    Each row has ``id``, ``text``, ``tokens`` (the tokenizer's words, white space left out),
    ``ner_tags`` (BIO, a ``ClassLabel`` over :data:`BIO_TAGS`), ``entities`` (offsets, label,
    text) and ``relations`` (entity ids and type), labels as ``ClassLabel`` from the schema.
    """
    from datasets import Dataset, DatasetDict

    nlp = nlp or default_nlp()
    features = _features()

    def rows(part: list[dict]) -> dict:
        cols: dict[str, list] = {k: [] for k in features}
        for rec in part:
            words = _words(record_to_doc(nlp, rec))
            cols["id"].append(str(rec["id"]))
            cols["text"].append(rec["text"])
            cols["tokens"].append([t.text for t in words])
            cols["ner_tags"].append([BIO_TAGS.index(_bio(t)) for t in words])
            cols["entities"].append([{"id": e["id"], "start": e["start"], "end": e["end"], "label": e["label"],
                                      "text": rec["text"][e["start"]:e["end"]]} for e in rec["entities"]])
            cols["relations"].append([{"head": r["head"], "tail": r["tail"], "label": r["label"]}
                                      for r in rec["relations"]])
        return cols

    train, dev = split_by_document(records, dev_fraction, seed)
    splits = {"train": Dataset.from_dict(rows(train), features=features)}
    if dev:
        splits["dev"] = Dataset.from_dict(rows(dev), features=features)
    return DatasetDict(splits)


def conll_lines(doc: Doc, doc_id: str) -> list[str]:
    """BIO tags over the Doc's words, ``-DOCSTART- <id>`` first and a blank line after each
    sentence (the tokenizer's sentences, else lines of the text). Words with a space inside
    (compounds) are written with ``_``."""
    from .output import conll_lines as write_lines

    if not doc.has_annotation("SENT_START"):
        after_break = True
        for token in doc:
            token.is_sent_start = after_break if token.i else True
            after_break = "\n" in token.text_with_ws
    return write_lines(doc, doc_id)


def records_to_conll(records: Iterable[dict], nlp: Language | None = None) -> str:
    """Return CoNLL text (``word<TAB>tag``) for the records, one ``-DOCSTART-`` per document."""
    nlp = nlp or default_nlp()
    return "\n".join("\n".join(conll_lines(record_to_doc(nlp, rec), str(rec["id"]))) for rec in records) + "\n"


def convert(records: list[dict], fmt: str, output: str | Path, nlp: Language | None = None,
            dev_fraction: float = 0.0, seed: int = 0) -> list[Path]:
    """Write records in ``fmt`` to ``output``.

    Args:
        records: the records (full text).
        fmt: ``docbin`` (a ``.spacy`` file; with ``dev_fraction`` > 0 a folder with
            ``train.spacy`` and ``dev.spacy``), ``datasets`` (a folder written with
            ``save_to_disk``), ``conll`` or ``jsonl`` (a file).
        output: the file or folder to write.
        nlp: the tokenizer pipeline; default the project's.
        dev_fraction, seed: the train/dev split by document.

    Returns:
        The paths written.

    Raises:
        VnpolicyError: E007 for an unknown format.
    """
    output = Path(output)
    if fmt not in FORMATS:
        raise VnpolicyError(Errors.E007.format(fmt=fmt, choices=", ".join(FORMATS)))
    if fmt == "jsonl":
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        return [output]
    nlp = nlp or default_nlp()
    if fmt == "datasets":
        records_to_dataset(records, nlp, dev_fraction, seed).save_to_disk(str(output))
        return [output]
    if fmt == "conll":
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(records_to_conll(records, nlp), encoding="utf-8")
        return [output]
    if dev_fraction > 0:
        written = []
        for name, part in zip(("train", "dev"), split_by_document(records, dev_fraction, seed)):
            output.mkdir(parents=True, exist_ok=True)
            records_to_docbin(part, nlp).to_disk(output / f"{name}.spacy")
            written.append(output / f"{name}.spacy")
        return written
    output.parent.mkdir(parents=True, exist_ok=True)
    records_to_docbin(records, nlp).to_disk(output)
    return [output]
