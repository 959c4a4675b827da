"""A scikit-learn classifier over candidate pairs: features → relation type or ``NONE``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.tokens import Doc

from ..schema import ALLOWED_PAIRS
from .candidates import candidate_pairs, pair_features

NONE = "NONE"


def gold_examples(docs: list[Doc], max_tokens: int = 60) -> tuple[list[dict], list[str]]:
    """Features and labels of every candidate pair in annotated Docs (``doc._.relations``)."""
    X, y = [], []
    for doc in docs:
        gold = {(tuple(r["head"]), tuple(r["tail"])): r["label"] for r in doc._.relations or []}
        for head, tail in candidate_pairs(doc, max_tokens):
            X.append(pair_features(doc, head, tail))
            y.append(gold.get(((head.start_char, head.end_char), (tail.start_char, tail.end_char)), NONE))
    return X, y


@dataclass
class RelationClassifier:
    """Vectorizer and logistic regression, restricted at prediction to the schema's pairs."""

    C: float = 1.0
    max_iter: int = 2000
    class_weight: str | None = None
    seed: int = 0

    def fit(self, X: list[dict], y: list[str]) -> "RelationClassifier":
        """Fit on feature dicts ``X`` and labels ``y`` (relation types or ``NONE``)."""
        self.vectorizer = DictVectorizer()
        self.clf = LogisticRegression(
            C=self.C, max_iter=self.max_iter, class_weight=self.class_weight, random_state=self.seed
        )
        self.clf.fit(self.vectorizer.fit_transform(X), y)
        return self

    def predict(self, doc: Doc, threshold: float = 0.5, max_tokens: int = 60) -> list[dict]:
        """Relations for ``doc.ents``, keyed by character offsets, with their probability."""
        pairs = candidate_pairs(doc, max_tokens)
        if not pairs:
            return []
        proba = self.clf.predict_proba(self.vectorizer.transform([pair_features(doc, h, t) for h, t in pairs]))
        classes = list(self.clf.classes_)
        out = []
        for (head, tail), row in zip(pairs, proba):
            allowed = [i for i, c in enumerate(classes) if c != NONE and (head.label_, tail.label_) in ALLOWED_PAIRS[c]]
            if not allowed:
                continue
            best = max(allowed, key=lambda i: row[i])
            if row[best] >= threshold:
                out.append({"head": (head.start_char, head.end_char), "tail": (tail.start_char, tail.end_char),
                            "label": classes[best], "score": float(np.round(row[best], 4))})
        return out
