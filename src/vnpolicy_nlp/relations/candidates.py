"""Candidate entity pairs for relation classification, and their features.

A candidate is an ordered pair of entities in one sentence whose labels some relation type
allows (``schema.CANDIDATE_PAIRS``). Features describe the pair's labels, order and distance and
the words and punctuation around and between them.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from ..schema import CANDIDATE_PAIRS


def candidate_pairs(doc: Doc, max_tokens: int = 60) -> list[tuple[Span, Span]]:
    """Ordered pairs ``(head, tail)`` of ``doc.ents`` in one sentence with an allowed label pair.

    Args:
        doc: a Doc with entities and sentence boundaries.
        max_tokens: pairs further apart than this many tokens are not candidates.
    """
    ents = list(doc.ents)
    pairs = []
    for i, a in enumerate(ents):
        for b in ents[i + 1 :]:
            if b.start - a.end > max_tokens:
                break
            if a.sent.start != b.sent.start:
                continue
            if (a.label_, b.label_) in CANDIDATE_PAIRS:
                pairs.append((a, b))
            if (b.label_, a.label_) in CANDIDATE_PAIRS:
                pairs.append((b, a))
    return pairs


def _norm(text: str) -> str:
    return text.lower().strip()


def pair_features(doc: Doc, head: Span, tail: Span) -> dict[str, float]:
    """Features of one candidate pair, as a dict for a ``DictVectorizer``."""
    first, second = (head, tail) if head.start < tail.start else (tail, head)
    between = doc[first.end : second.start]
    words = [_norm(t.text) for t in between if not t.is_space]
    ents_between = [e for e in doc.ents if first.end <= e.start and e.end <= second.start]
    pair = f"{head.label_}>{tail.label_}"
    order = "fwd" if head.start < tail.start else "bwd"
    dist = len(words)
    bucket = str(dist) if dist < 4 else "4-6" if dist < 7 else "7-12" if dist < 13 else "13+"
    feats: dict[str, float] = {
        f"pair={pair}": 1,
        f"pair_order={pair}:{order}": 1,
        f"dist={pair}:{bucket}": 1,
        f"n_ents_between={min(len(ents_between), 4)}": 1,
        f"adjacent={pair}:{order}:{dist == 0}": 1,
    }
    for w in set(words[:12]):
        feats[f"between={w}"] = 1
        feats[f"between_pair={pair}:{w}"] = 1
    if words:
        feats[f"first_between={pair}:{words[0]}"] = 1
        feats[f"last_between={pair}:{words[-1]}"] = 1
    for e in ents_between:
        feats[f"ent_between={e.label_}"] = 1
        feats[f"ent_between_pair={pair}:{order}:{e.label_}"] = 1
    # is there an entity of the tail's label nearer to the head? (the nearest usually wins)
    same = [e for e in ents_between if e.label_ in (head.label_, tail.label_)]
    feats[f"closer_same_label={pair}:{order}:{bool(same)}"] = 1
    before = doc[first.start - 1] if first.start > 0 else None
    after = doc[second.end] if second.end < len(doc) else None
    if before is not None:
        feats[f"before_first={_norm(before.text)}"] = 1
    if after is not None:
        feats[f"after_second={_norm(after.text)}"] = 1
    feats[f"head_first_word={head.label_}:{_norm(head[0].text)}"] = 1
    feats[f"tail_first_word={tail.label_}:{_norm(tail[0].text)}"] = 1
    return feats
