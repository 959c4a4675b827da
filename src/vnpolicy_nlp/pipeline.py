"""Load a model and process texts: the one entry point for tagging.

``load()`` gives the shipped default model (``models/default`` beside the package's repo, or
``$VNPOLICY_MODEL``), and falls back to the pattern tagger when no trained model is there.
``load("patterns")`` always gives the pattern tagger.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .errors import Errors, VnpolicyError
from .paths import default_model_path
from .relations import ensure_extensions

PATTERNS = "patterns"


def patterns_pipeline() -> Language:
    """The pattern tagger as a pipeline: tokenizer, rules for entities and relations, normaliser."""
    from . import ner, normalize  # noqa: F401  (registers the factories)
    from .tokenizer import make_nlp

    nlp = make_nlp()
    nlp.add_pipe(ner.PATTERN_COMPONENT)
    nlp.add_pipe("vnpolicy_directives")
    nlp.meta["name"] = "patterns"
    return nlp


def resolve_model(model: str | Path | None) -> str | Path:
    """Tell which model ``load(model)`` would use: a folder, or ``"patterns"``."""
    if model is None:
        model = os.environ.get("VNPOLICY_MODEL") or default_model_path()
        if not (Path(model) / "config.cfg").exists():
            return PATTERNS
    if str(model) == PATTERNS:
        return PATTERNS
    return Path(model)


def load(model: str | Path | None = None) -> Language:
    """Load a pipeline.

    Args:
        model: a model folder written by ``vnpolicy train``, ``"patterns"``, or None for the
            default model.

    Returns:
        A spaCy pipeline whose Docs have ``doc.ents``, ``doc._.relations`` and, for
        directives, ``doc._.ent_attrs``.

    Raises:
        VnpolicyError: when the folder is not a model.
    """
    ensure_extensions()
    from . import ner, normalize  # noqa: F401
    from .relations import component  # noqa: F401

    from .clean import BOILERPLATE_COMPONENT

    resolved = resolve_model(model)
    if resolved == PATTERNS:
        nlp = patterns_pipeline()
    else:
        path = Path(resolved)
        if not (path / "config.cfg").exists():
            raise VnpolicyError(Errors.E201.format(path=path))
        nlp = spacy.load(path)
    if BOILERPLATE_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(BOILERPLATE_COMPONENT, before="vnpolicy_directives" if "vnpolicy_directives" in nlp.pipe_names else None)
    return nlp


def process(nlp: Language, texts: Iterable[str], n_process: int = 1, batch_size: int = 16) -> Iterator[Doc]:
    """Tag ``texts`` in order; ``n_process`` > 1 uses spaCy's multiprocessing."""
    yield from nlp.pipe(texts, n_process=n_process, batch_size=batch_size)


def tag_inputs(nlp: Language, inputs: Iterable, n_process: int = 1, progress=None):
    """Tag documents read by :func:`vnpolicy_nlp.clean.read_inputs`.

    Args:
        nlp: a loaded pipeline.
        inputs: ``InputDoc`` objects and errors (errors are passed through, not raised).
        n_process: worker processes for ``nlp.pipe``.
        progress: an optional callable called with the number of documents done so far.

    Returns:
        ``(records, docs, errors)``: one record and Doc per good document, in input order,
        and the error of each bad input.
    """
    from .records import doc_to_record

    good, errors = [], []
    for item in inputs:
        (errors if isinstance(item, Exception) else good).append(item)
    records, docs = [], []
    for i, doc in enumerate(process(nlp, (d.text for d in good), n_process=n_process), start=1):
        rec = doc_to_record(doc, good[i - 1].id)
        if good[i - 1].meta:
            rec["meta"] = good[i - 1].meta
        records.append(rec)
        docs.append(doc)
        if progress is not None:
            progress(i)
    return records, docs, errors
