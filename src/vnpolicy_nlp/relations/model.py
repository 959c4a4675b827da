"""A scikit-learn classifier over candidate pairs: features → relation type or ``NONE``."""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from spacy.tokens import Doc

from ..schema import ALLOWED_PAIRS
from .candidates import candidate_pairs, doc_context, pair_features

NONE = "NONE"

def gold_examples(docs: list[Doc], max_tokens: int = 60) -> tuple[list[list[str]], list[str]]:
    """Features and labels of every candidate pair in annotated Docs (``doc._.relations``)."""
    X, y = [], []
    for doc in docs:
        gold = {(tuple(r["head"]), tuple(r["tail"])): r["label"] for r in doc._.relations or []}
        ctx = doc_context(doc)
        for head, tail in candidate_pairs(doc, max_tokens):
            X.append(pair_features(doc, head, tail, ctx))
            y.append(gold.get(((head.start_char, head.end_char), (tail.start_char, tail.end_char)), NONE))
    return X, y

@dataclass
class RelationClassifier:
    """Hashed features and logistic regression, restricted at prediction to the schema's pairs."""

    C: float = 1.0
    n_features: int = 2**16
    max_iter: int = 2000
    class_weight: str | None = None
    seed: int = 0

    def fit(self, X: list[list[str]], y: list[str]) -> "RelationClassifier":
        """Fit on feature lists ``X`` and labels ``y`` (relation types or ``NONE``)."""
        self.vectorizer = FeatureHasher(n_features=self.n_features, input_type="string", alternate_sign=False)
        self.clf = LogisticRegression(
            C=self.C, max_iter=self.max_iter, class_weight=self.class_weight, random_state=self.seed
        )
        self.clf.fit(self.vectorizer.transform(X), y)
        return self

    def predict(self, doc: Doc, threshold: float = 0.5, max_tokens: int = 60) -> list[dict]:
        """Relations for ``doc.ents``, keyed by character offsets, with their probability."""
        return self.predict_batch([doc], threshold, max_tokens)[0]

    def predict_batch(self, docs: list[Doc], threshold: float = 0.5, max_tokens: int = 60) -> list[list[dict]]:
        """Relations for several Docs, with one vectorisation and one model call for all."""
        pairs, feats, owner = [], [], []
        for i, doc in enumerate(docs):
            ctx = doc_context(doc)
            for head, tail in candidate_pairs(doc, max_tokens):
                pairs.append((head, tail))
                feats.append(pair_features(doc, head, tail, ctx))
                owner.append(i)
        out: list[list[dict]] = [[] for _ in docs]
        if not pairs:
            return out
        proba = self.clf.predict_proba(self.vectorizer.transform(feats))
        classes = list(self.clf.classes_)
        allowed_by_pair = {}
        for (head, tail), row, i in zip(pairs, proba, owner):
            key = (head.label_, tail.label_)
            if key not in allowed_by_pair:
                allowed_by_pair[key] = [j for j, c in enumerate(classes) if c != NONE and key in ALLOWED_PAIRS[c]]
            allowed = allowed_by_pair[key]
            if not allowed:
                continue
            best = max(allowed, key=lambda j: row[j])
            if row[best] >= threshold:
                out[i].append({"head": (head.start_char, head.end_char), "tail": (tail.start_char, tail.end_char),
                               "label": classes[best], "score": round(float(row[best]), 4)})
        return out
