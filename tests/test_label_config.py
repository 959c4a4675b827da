"""The labeling config is generated from the schema."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from vnpolicy_nlp.labelstudio.label_config import label_config
from vnpolicy_nlp.schema import ENTITY_LABELS, LABEL_COLORS, LS_LABELS_NAME, LS_TEXT_NAME, RELATION_LABELS


def test_label_config_has_every_label_and_relation():
    root = ET.fromstring(label_config())
    assert root.tag == "View"
    labels = root.find("Labels")
    assert labels.get("name") == LS_LABELS_NAME and labels.get("toName") == LS_TEXT_NAME
    assert [lab.get("value") for lab in labels.findall("Label")] == list(ENTITY_LABELS)
    assert [r.get("value") for r in root.find("Relations").findall("Relation")] == list(RELATION_LABELS)


def test_label_config_colours_and_hotkeys_distinct():
    labels = ET.fromstring(label_config()).find("Labels").findall("Label")
    colours = [lab.get("background") for lab in labels]
    hotkeys = [lab.get("hotkey") for lab in labels]
    assert colours == [LABEL_COLORS[lab.get("value")] for lab in labels]
    assert len(set(colours)) == len(colours) == 7
    assert len(set(hotkeys)) == len(hotkeys) and all(hotkeys)


def test_label_config_text_is_word_granular():
    text = ET.fromstring(label_config()).find("Text")
    assert text.get("name") == LS_TEXT_NAME
    assert text.get("value") == "$text"
    assert text.get("granularity") == "word"
