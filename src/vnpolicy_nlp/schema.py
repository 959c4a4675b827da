"""Labels, relation types and allowed (head, tail) label pairs of the annotation spec.

This module is the one place where the contract of ``annotation-spec.md`` (v1.1) is
declared. Everything else (the Label Studio config, validation, the model, the scorer)
imports from here.
"""

from __future__ import annotations

SPEC_VERSION = "1.1"

#: Entity labels, in the order the spec's table gives them.
ENTITY_LABELS: tuple[str, ...] = (
    "OFFICIAL",
    "RANK",
    "AGENCY",
    "DIRECTIVE",
    "EVENT",
    "LOCATION",
    "DATE",
)

#: Relation types mapped to their allowed (head label, tail label) pairs.
ALLOWED_PAIRS: dict[str, frozenset[tuple[str, str]]] = {
    "HAS_RANK": frozenset({("OFFICIAL", "RANK")}),
    "POSITION_IN": frozenset({("RANK", "AGENCY")}),
    "MEMBER_OF": frozenset({("OFFICIAL", "AGENCY")}),
    "PART_OF": frozenset({("AGENCY", "AGENCY")}),
    "ISSUED_BY": frozenset(
        {("DIRECTIVE", "AGENCY"), ("DIRECTIVE", "RANK"), ("DIRECTIVE", "OFFICIAL")}
    ),
    "ISSUED_ON": frozenset({("DIRECTIVE", "DATE")}),
    "ORGANIZED_BY": frozenset({("EVENT", "AGENCY")}),
    "HELD_IN": frozenset({("EVENT", "LOCATION")}),
    "HELD_ON": frozenset({("EVENT", "DATE")}),
    "PARTICIPATES_IN": frozenset({("OFFICIAL", "EVENT")}),
    "REFERENCES": frozenset({("EVENT", "DIRECTIVE"), ("DIRECTIVE", "DIRECTIVE")}),
}

RELATION_LABELS: tuple[str, ...] = tuple(ALLOWED_PAIRS)

#: Every (head label, tail label) pair that some relation type allows.
CANDIDATE_PAIRS: frozenset[tuple[str, str]] = frozenset(
    pair for pairs in ALLOWED_PAIRS.values() for pair in pairs
)

#: Label Studio tag names used in the labeling config and in task results.
LS_TEXT_NAME = "text"
LS_LABELS_NAME = "label"
LS_RELATIONS_NAME = "relations"

#: Display colours (distinct) and hotkeys for the labeling config and displaCy.
LABEL_COLORS: dict[str, str] = {
    "OFFICIAL": "#e6194b",
    "RANK": "#f58231",
    "AGENCY": "#4363d8",
    "DIRECTIVE": "#911eb4",
    "EVENT": "#3cb44b",
    "LOCATION": "#42d4f4",
    "DATE": "#bfef45",
}
LABEL_HOTKEYS: dict[str, str] = {
    label: str(i) for i, label in enumerate(ENTITY_LABELS, start=1)
}


def relation_allowed(relation: str, head_label: str, tail_label: str) -> bool:
    """Tell whether ``relation`` may link a ``head_label`` span to a ``tail_label`` span.

    Args:
        relation: a relation type such as ``"HAS_RANK"``.
        head_label: the label of the relation's first span.
        tail_label: the label of the relation's second span.

    Returns:
        True when the spec allows that relation between those labels.
    """
    return (head_label, tail_label) in ALLOWED_PAIRS.get(relation, frozenset())


def relations_for_pair(head_label: str, tail_label: str) -> tuple[str, ...]:
    """Return the relation types allowed from ``head_label`` to ``tail_label``."""
    return tuple(r for r, pairs in ALLOWED_PAIRS.items() if (head_label, tail_label) in pairs)
