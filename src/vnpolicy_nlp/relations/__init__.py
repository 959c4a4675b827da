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
        # normalised directive fields keyed by (start, end) of the entity
        Doc.set_extension("ent_attrs", default=None)


ensure_extensions()
