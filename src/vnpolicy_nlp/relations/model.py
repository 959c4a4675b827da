"""A linear classifier over candidate pairs: hashed features → relation type or ``NONE``.

Training uses scikit-learn's ``LogisticRegression`` (multinomial). The fitted weights are kept
as plain numpy arrays, so that loading and tagging need neither scikit-learn nor scipy (their
import alone costs seconds of a cold start).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import srsly
from murmurhash.mrmr import hash as murmur
from spacy.tokens import Doc

from ..schema import relation_allowed
from .candidates import candidate_pairs, doc_context, pair_features

NONE = "NONE"


def hash_features(features: list[str], n_features: int) -> list[int]:
    """Column indices of string features (MurmurHash3, as spaCy hashes strings)."""
    return [murmur(f) % n_features for f in features]


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
    """Hashed features and a multinomial logistic regression, restricted at prediction to the
    label pairs the schema allows."""

    C: float = 1.0
    max_iter: int = 2000
    class_weight: str | None = None
    seed: int = 0
    n_features: int = 2**16
    classes: list[str] = field(default_factory=list)
    coef: np.ndarray | None = None  # (n_features, n_classes)
    intercept: np.ndarray | None = None  # (n_classes,)

    def _matrix(self, X: list[list[str]]):
        from scipy.sparse import csr_matrix

        indptr, indices = [0], []
        for feats in X:
            indices += hash_features(feats, self.n_features)
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float64)
        matrix = csr_matrix((data, indices, indptr), shape=(len(X), self.n_features))
        matrix.sum_duplicates()
        return matrix

    def fit(self, X: list[list[str]], y: list[str]) -> "RelationClassifier":
        """Fit on feature lists ``X`` and labels ``y`` (relation types or ``NONE``)."""
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight,
                                 random_state=self.seed)
        clf.fit(self._matrix(X), y)
        self.classes = [str(c) for c in clf.classes_]
        coef = clf.coef_ if len(self.classes) > 2 else np.vstack([-clf.coef_[0], clf.coef_[0]]) / 2
        intercept = clf.intercept_ if len(self.classes) > 2 else np.array([-clf.intercept_[0], clf.intercept_[0]]) / 2
        self.coef = np.asarray(coef.T, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        return self

    def predict_proba(self, X: list[list[str]]) -> np.ndarray:
        """Class probabilities (softmax of the linear scores), one row per feature list."""
        scores = np.stack([self.coef[sorted(set(hash_features(f, self.n_features)))].sum(axis=0) for f in X])
        scores = scores + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, doc: Doc, threshold: float = 0.5, max_tokens: int = 60) -> list[dict]:
        """Relations for ``doc.ents``, keyed by character offsets, with their probability."""
        return self.predict_batch([doc], threshold, max_tokens)[0]

    def predict_batch(self, docs: list[Doc], threshold: float = 0.5, max_tokens: int = 60) -> list[list[dict]]:
        """Relations for several Docs, with one model call for all their candidate pairs."""
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
        proba = self.predict_proba(feats)
        allowed_by_pair: dict[tuple[str, str], list[int]] = {}
        for (head, tail), row, i in zip(pairs, proba, owner):
            key = (head.label_, tail.label_)
            if key not in allowed_by_pair:
                allowed_by_pair[key] = [j for j, c in enumerate(self.classes) if relation_allowed(c, *key)]
            allowed = allowed_by_pair[key]
            if not allowed:
                continue
            best = max(allowed, key=lambda j: row[j])
            if row[best] >= threshold:
                out[i].append({"head": (head.start_char, head.end_char), "tail": (tail.start_char, tail.end_char),
                               "label": self.classes[best], "score": round(float(row[best]), 4)})
        return out

    def to_disk(self, path: Path) -> None:
        """Write the weights (``weights.npz``) and settings (``cfg.json``) into folder ``path``."""
        np.savez_compressed(path / "weights.npz", coef=self.coef, intercept=self.intercept)
        srsly.write_json(path / "cfg.json", {"classes": self.classes, "n_features": self.n_features,
                                             "C": self.C, "max_iter": self.max_iter,
                                             "class_weight": self.class_weight, "seed": self.seed})

    @classmethod
    def from_disk(cls, path: Path) -> "RelationClassifier":
        """Read a classifier written by :meth:`to_disk`."""
        cfg = srsly.read_json(path / "cfg.json")
        weights = np.load(path / "weights.npz")
        return cls(C=cfg["C"], max_iter=cfg["max_iter"], class_weight=cfg["class_weight"], seed=cfg["seed"],
                   n_features=cfg["n_features"], classes=cfg["classes"],
                   coef=weights["coef"], intercept=weights["intercept"])
