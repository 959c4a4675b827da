"""Every kind of problem in a Label Studio task is found, with its task id."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from vnpolicy_nlp.labelstudio.validate import validate_record, validate_task, validate_tasks

DATA = Path(__file__).parent / "data"


@pytest.fixture()
def task():
    """Task 11 of the fixture export: four spans and three relations, all valid."""
    return copy.deepcopy(json.loads((DATA / "ls_export.json").read_text(encoding="utf-8"))[0])


def _result(task):
    return task["annotations"][0]["result"]


def _span(task, region):
    return next(item for item in _result(task) if item.get("id") == region)


def _missing_text(t):
    del t["data"]["text"]


def _out_of_range(t):
    _span(t, "kX1aPq")["value"].update(start=80, end=95)


def _text_mismatch(t):
    _span(t, "kX1aPq")["value"]["text"] = "Thủ tướng Chính phủ"


def _overlap(t):
    _span(t, "Zq9LmA")["value"].update(start=20, text=t["data"]["text"][20:35])


def _unknown_label(t):
    _span(t, "Zq9LmA")["value"]["labels"] = ["ORGANIZATION"]


def _unknown_relation(t):
    _result(t)[4]["labels"] = ["WORKS_FOR"]


def _missing_region(t):
    _result(t)[4]["to_id"] = "gone"


def _disallowed_pair(t):
    _result(t)[4]["labels"] = ["HAS_RANK"]  # RANK -> AGENCY is POSITION_IN, not HAS_RANK


def _cancelled(t):
    t["annotations"][0]["was_cancelled"] = True


def _two_annotations(t):
    t["annotations"].append(copy.deepcopy(t["annotations"][0]))


def _no_annotation(t):
    t["annotations"] = []


def _two_labels(t):
    _span(t, "Zq9LmA")["value"]["labels"] = ["AGENCY", "LOCATION"]


def _untyped_relation(t):
    _result(t)[4]["labels"] = []


def _bidirectional(t):
    _result(t)[4]["direction"] = "bi"


def _edge_space(t):
    _span(t, "kX1aPq")["value"].update(end=26, text="Thủ tướng ")


def _string_offset(t):
    _span(t, "kX1aPq")["value"]["start"] = "16"


@pytest.mark.parametrize(
    "mutate, code",
    [
        (_missing_text, "E101"),
        (_out_of_range, "E102"),
        (_text_mismatch, "E103"),
        (_overlap, "E104"),
        (_unknown_label, "E105"),
        (_unknown_relation, "E106"),
        (_missing_region, "E107"),
        (_disallowed_pair, "E108"),
        (_cancelled, "E109"),
        (_two_annotations, "E110"),
        (_no_annotation, "E111"),
        (_two_labels, "E112"),
        (_untyped_relation, "E113"),
        (_bidirectional, "E114"),
        (_edge_space, "E115"),
        (_string_offset, "E132"),
    ],
)
def test_validate_finds_each_problem_kind(task, mutate, code):
    assert validate_task(task) == []
    mutate(task)
    problems = validate_task(task)
    assert code in [p.code for p in problems], problems
    assert all(p.task_id == 11 for p in problems)
    assert all("task 11" in p.message for p in problems)


def test_validate_tasks_reports_in_order_with_ids(task):
    bad = copy.deepcopy(task)
    bad["id"] = 12
    _out_of_range(bad)
    problems = validate_tasks([task, bad, {"data": {"text": "x"}}])
    assert [(p.task_id, p.code) for p in problems] == [(12, "E102"), ("#3", "E111")]


def test_validate_left_relation_checked_in_its_real_direction(task):
    # ISSUED_ON drawn from the DATE with direction "left" means DIRECTIVE -> DATE: allowed
    assert _result(task)[6]["direction"] == "left"
    assert validate_task(task) == []
    _result(task)[6]["direction"] = "right"
    assert [p.code for p in validate_task(task)] == ["E108"]


def test_validate_predictions_source(task):
    task["predictions"] = [{"model_version": "x", "result": _result(task)}]
    task["annotations"] = []
    assert validate_task(task, source="predictions") == []
    assert [p.code for p in validate_task(task)] == ["E111"]


def test_validate_record_checks_offsets_and_pairs():
    text = "Bộ trưởng Bộ Ngoại giao"
    record = {"id": "r1", "text": text,
              "entities": [{"id": "T1", "start": 0, "end": 9, "label": "RANK", "text": "Bộ trưởng"},
                           {"id": "T2", "start": 10, "end": 23, "label": "AGENCY"}],
              "relations": [{"head": "T1", "tail": "T2", "label": "POSITION_IN"}]}
    assert validate_record(record) == []
    record["relations"][0]["label"] = "PART_OF"
    record["entities"][1]["end"] = 30
    assert sorted(p.code for p in validate_record(record)) == ["E102", "E108"]
