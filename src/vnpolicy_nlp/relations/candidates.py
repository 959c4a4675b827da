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
    sent_of = sentence_index(doc)
    pairs = []
    for i, a in enumerate(ents):
        for b in ents[i + 1 :]:
            if b.start - a.end > max_tokens:
                break
            if sent_of[a.start] != sent_of[b.start]:
                continue
            if (a.label_, b.label_) in CANDIDATE_PAIRS:
                pairs.append((a, b))
            if (b.label_, a.label_) in CANDIDATE_PAIRS:
                pairs.append((b, a))
    return pairs


def sentence_index(doc: Doc) -> list[int]:
    """The sentence number of every token."""
    index, current = [], -1
    for token in doc:
        if token.is_sent_start or token.i == 0:
            current += 1
        index.append(current)
    return index


def doc_context(doc: Doc) -> dict:
    """What :func:`pair_features` needs from a Doc, computed once per Doc."""
    return {"ents": list(doc.ents), "norms": [t.lower_ for t in doc], "space": [t.is_space for t in doc]}


def pair_features(doc: Doc, head: Span, tail: Span, ctx: dict | None = None) -> list[str]:
    """Features of one candidate pair, as strings for a ``FeatureHasher``.

    Args:
        doc: the Doc.
        head, tail: the pair's entities.
        ctx: :func:`doc_context` of the Doc, passed in when called in a loop.
    """
    ctx = ctx or doc_context(doc)
    norms, space = ctx["norms"], ctx["space"]
    first, second = (head, tail) if head.start < tail.start else (tail, head)
    words = [norms[i] for i in range(first.end, second.start) if not space[i]]
    ents_between = [e for e in ctx["ents"] if first.end <= e.start and e.end <= second.start]
    pair = f"{head.label_}>{tail.label_}"
    order = "fwd" if head.start < tail.start else "bwd"
    dist = len(words)
    bucket = str(dist) if dist < 4 else "4-6" if dist < 7 else "7-12" if dist < 13 else "13+"
    feats = [
        f"pair={pair}",
        f"pair_order={pair}:{order}",
        f"dist={pair}:{bucket}",
        f"n_ents_between={min(len(ents_between), 4)}",
        f"adjacent={pair}:{order}:{dist == 0}",
        f"head_first_word={head.label_}:{norms[head.start]}",
        f"tail_first_word={tail.label_}:{norms[tail.start]}",
    ]
    for w in set(words[:12]):
        feats += [f"between={w}", f"between_pair={pair}:{w}"]
    if words:
        feats += [f"first_between={pair}:{words[0]}", f"last_between={pair}:{words[-1]}"]
    for e in ents_between:
        feats += [f"ent_between={e.label_}", f"ent_between_pair={pair}:{order}:{e.label_}"]
    # an entity of the pair's labels in between: the nearest one usually takes the relation
    same = any(e.label_ in (head.label_, tail.label_) for e in ents_between)
    feats.append(f"closer_same_label={pair}:{order}:{same}")
    if first.start > 0:
        feats.append(f"before_first={norms[first.start - 1]}")
    if second.end < len(norms):
        feats.append(f"after_second={norms[second.end]}")
    return feats
