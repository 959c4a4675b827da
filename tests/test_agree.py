"""Agreement between two annotators, checked against figures computed by hand.

Fixture (A is the reference; B annotated the same two documents in another project):

ag-1  A: DATE "Ngày 14/9/2022", RANK "Thủ tướng", AGENCY "Chính phủ", DIRECTIVE "Quyết định số…";
         POSITION_IN, ISSUED_BY, ISSUED_ON
      B: DATE "14/9/2022" (overlaps A's), RANK "Thủ tướng Chính phủ" (overlaps A's), DIRECTIVE (same);
         ISSUED_BY and ISSUED_ON to B's own (different) spans
ag-2  A: RANK, AGENCY, OFFICIAL, EVENT, LOCATION; HAS_RANK, POSITION_IN, PARTICIPATES_IN, HELD_IN
      B: the same four spans without LOCATION; HAS_RANK, POSITION_IN, PARTICIPATES_IN, MEMBER_OF

Spans: A 9, B 7; strict 5 (DIRECTIVE; RANK, AGENCY, OFFICIAL, EVENT) → P 5/7, R 5/9, F1 0.625;
partial 7 (+ the two overlaps) → P 1, R 7/9, F1 0.875.
Relations: A 7, B 6, shared 3 → P 0.5, R 3/7, F1 6/13.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vnpolicy_nlp.labelstudio.agree import agree, agreement, format_agreement, prf

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def report():
    report, problems = agree(DATA / "agree_a.json", DATA / "agree_b.json")
    assert problems == []
    return report


def test_agree_pairs_documents_across_projects(report):
    assert report["documents"] == {"paired": 2, "only_a": [], "only_b": []}


def test_agree_strict_spans_hand_computed(report):
    strict = report["entities"]["strict"]
    assert strict["micro"] == prf(5, 9, 7) == {"p": 0.7143, "r": 0.5556, "f": 0.625, "tp": 5, "a": 9, "b": 7}
    assert strict["per_label"]["DIRECTIVE"]["f"] == 1.0
    assert strict["per_label"]["DATE"] == {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "a": 1, "b": 1}
    assert strict["per_label"]["AGENCY"] == {"p": 1.0, "r": 0.5, "f": 0.6667, "tp": 1, "a": 2, "b": 1}
    assert strict["per_label"]["RANK"]["f"] == 0.5
    assert strict["per_label"]["LOCATION"] == {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "a": 1, "b": 0}


def test_agree_partial_spans_hand_computed(report):
    partial = report["entities"]["partial"]
    assert partial["micro"] == {"p": 1.0, "r": 0.7778, "f": 0.875, "tp": 7, "a": 9, "b": 7}
    assert partial["per_label"]["DATE"]["f"] == 1.0 and partial["per_label"]["RANK"]["f"] == 1.0


def test_agree_relations_hand_computed(report):
    rel = report["relations"]
    assert rel["micro"] == {"p": 0.5, "r": 0.4286, "f": 0.4615, "tp": 3, "a": 7, "b": 6}
    assert rel["per_label"]["POSITION_IN"] == {"p": 1.0, "r": 0.5, "f": 0.6667, "tp": 1, "a": 2, "b": 1}
    assert rel["per_label"]["MEMBER_OF"] == {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "a": 0, "b": 1}
    assert rel["per_label"]["ISSUED_ON"]["tp"] == 0


def test_agree_partial_match_is_one_to_one():
    text = "Bộ Ngoại giao Việt Nam"
    a = {"id": "x", "text": text, "relations": [],
         "entities": [{"id": "T1", "start": 0, "end": 13, "label": "AGENCY"}]}
    b = {"id": "x", "text": text, "relations": [],
         "entities": [{"id": "T1", "start": 0, "end": 2, "label": "AGENCY"},
                      {"id": "T2", "start": 3, "end": 13, "label": "AGENCY"}]}
    partial = agreement([a], [b])["entities"]["partial"]["micro"]
    assert (partial["tp"], partial["a"], partial["b"]) == (1, 1, 2)


def test_agree_format_lists_labels_and_micro(report):
    text = format_agreement(report)
    assert "documents paired: 2" in text
    assert "spans (strict)" in text and "relations" in text
    assert any(line.startswith("micro") and "0.625" in line for line in text.splitlines())
