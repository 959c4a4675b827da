"""Stage 4: relations between entities, keyed by character offsets (``doc._.relations``)."""

from __future__ import annotations

from spacy.tokens import Doc


def ensure_extensions() -> None:
    """Register the Doc extensions this package uses, once (idempotent).

    ``doc._.relations`` is a list of dicts ``{"head": (start, end), "tail": (start, end),
    "label": str, "score": float}`` whose endpoints are character offsets of entities in
    ``doc.ents``; ``doc._.doc_id`` is the document id given by the caller.
    """
    if not Doc.has_extension("relations"):
        Doc.set_extension("relations", default=None)
    if not Doc.has_extension("doc_id"):
        Doc.set_extension("doc_id", default=None)
    if not Doc.has_extension("ent_attrs"):
        # normalised directive fields keyed by ent_key(start, end) of the entity
        Doc.set_extension("ent_attrs", default=None)


def ent_key(start: int, end: int) -> str:
    """The key of an entity in ``doc._.ent_attrs``: ``"start:end"`` (a string, so that Docs
    survive msgpack serialisation, e.g. across ``nlp.pipe(n_process=2)``)."""
    return f"{start}:{end}"


ensure_extensions()
