"""The Label Studio labeling config, generated from :mod:`vnpolicy_nlp.schema`.

Nothing here is written by hand: labels, relation types, tag names, colours and hotkeys all
come from the schema, so the interface an annotator sees cannot drift from the spec.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from ..schema import (
    ENTITY_LABELS,
    LABEL_COLORS,
    LABEL_HOTKEYS,
    LS_LABELS_NAME,
    LS_RELATIONS_NAME,
    LS_TEXT_NAME,
    RELATION_LABELS,
    SPEC_VERSION,
)


def label_config() -> str:
    """Return the labeling config XML for entity spans and typed, directed relations.

    Returns:
        A ``<View>`` with ``<Relations>`` (one ``<Relation>`` per relation type),
        ``<Labels>`` (one ``<Label>`` per entity label, with its colour and hotkey) and a
        word-granular ``<Text>`` bound to the task field ``$text``.
    """
    relations = "\n".join(f"    <Relation value={quoteattr(r)}/>" for r in RELATION_LABELS)
    labels = "\n".join(
        f"    <Label value={quoteattr(label)} background={quoteattr(LABEL_COLORS[label])}"
        f" hotkey={quoteattr(LABEL_HOTKEYS[label])}/>"
        for label in ENTITY_LABELS
    )
    return (
        f"<View>\n"
        f"  <Header value={quoteattr(f'Vietnamese policy text, annotation spec v{SPEC_VERSION}')}/>\n"
        f"  <Relations name={quoteattr(LS_RELATIONS_NAME)}>\n{relations}\n  </Relations>\n"
        f"  <Labels name={quoteattr(LS_LABELS_NAME)} toName={quoteattr(LS_TEXT_NAME)}>\n{labels}\n  </Labels>\n"
        f"  <Text name={quoteattr(LS_TEXT_NAME)} value=\"${LS_TEXT_NAME}\" granularity=\"word\"/>\n"
        f"</View>\n"
    )
