"""The ``vnpolicy_relations`` pipeline component: sets ``doc._.relations`` from ``doc.ents``.

With a trained classifier it classifies every candidate pair; without one (a pattern-only
pipeline) it applies the form rules of :mod:`vnpolicy_nlp.patterns`.
"""

from __future__ import annotations

from pathlib import Path

from spacy import util
from spacy.language import Language
from spacy.tokens import Doc

from ..patterns import find_relations
from . import ensure_extensions
from .model import RelationClassifier

COMPONENT = "vnpolicy_relations"


class RelationExtractor:
    """Predict relations between a Doc's entities.

    Args:
        threshold: minimum probability for a relation to be kept.
        max_tokens: candidate pairs further apart are not considered.
        use_rules: add the form rules' relations to the classifier's (union).
    """

    def __init__(self, threshold: float = 0.5, max_tokens: int = 60, use_rules: bool = False):
        self.threshold = threshold
        self.max_tokens = max_tokens
        self.use_rules = use_rules
        self.model: RelationClassifier | None = None
        ensure_extensions()

    def __call__(self, doc: Doc) -> Doc:
        rels = self.model.predict(doc, self.threshold, self.max_tokens) if self.model is not None else []
        return self._finish(doc, rels)

    def pipe(self, stream, batch_size: int = 64):
        """Process Docs in batches: one classifier call per batch."""
        for batch in util.minibatch(stream, size=batch_size):
            if self.model is None:
                yield from (self._finish(doc, []) for doc in batch)
                continue
            for doc, rels in zip(batch, self.model.predict_batch(batch, self.threshold, self.max_tokens)):
                yield self._finish(doc, rels)

    def _finish(self, doc: Doc, rels: list[dict]) -> Doc:
        if self.model is None or self.use_rules:
            ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            seen = {(r["head"], r["tail"]) for r in rels}
            for h, t, label in find_relations(doc.text, ents):
                key = (ents[h][:2], ents[t][:2])
                if key not in seen:
                    rels.append({"head": key[0], "tail": key[1], "label": label, "score": 0.5})
        doc._.relations = rels
        return doc

    def to_disk(self, path, *, exclude=tuple()) -> None:
        """Write the classifier (if trained) into the folder ``path``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.model is not None:
            self.model.to_disk(path)

    def from_disk(self, path, *, exclude=tuple()) -> "RelationExtractor":
        """Read the classifier written by :meth:`to_disk` (none if the folder holds none)."""
        path = Path(path)
        self.model = RelationClassifier.from_disk(path) if (path / "weights.npz").exists() else None
        return self


@Language.factory(COMPONENT, default_config={"threshold": 0.5, "max_tokens": 60, "use_rules": False})
def make_relation_extractor(nlp: Language, name: str, threshold: float, max_tokens: int, use_rules: bool):
    """Registered factory of :class:`RelationExtractor`."""
    return RelationExtractor(threshold=threshold, max_tokens=max_tokens, use_rules=use_rules)
