"""The gold set: complete, valid, exact slices of the source articles, and unchanged by a trip
through a real Label Studio."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vnpolicy_nlp.labelstudio.client import connect, create_or_update_project, export_tasks, import_tasks
from vnpolicy_nlp.labelstudio.convert import load_export, tasks_to_records
from vnpolicy_nlp.labelstudio.validate import validate_tasks
from vnpolicy_nlp.paths import default_gold_path, repo_root
from vnpolicy_nlp.schema import ENTITY_LABELS, RELATION_LABELS

GOLD = default_gold_path() / "gold.json"
SOURCES = repo_root().parent / "shared" / "source-articles"


@pytest.fixture(scope="module")
def tasks():
    return json.loads(GOLD.read_text(encoding="utf-8"))


def test_gold_validates_clean(tasks):
    assert validate_tasks(tasks) == []


def test_gold_covers_all_five_articles_and_every_label(tasks):
    records, _ = load_export(GOLD)
    assert len({r["meta"]["source_file"] for r in records}) == 5
    assert {e["label"] for r in records for e in r["entities"]} == set(ENTITY_LABELS)
    assert {x["label"] for r in records for x in r["relations"]} == set(RELATION_LABELS)


def test_gold_texts_are_exact_slices_of_the_source_articles(tasks):
    for task in tasks:
        meta = task["data"]["meta"]
        source = (SOURCES / meta["source_file"]).read_text(encoding="utf-8")
        assert source[meta["source_start"]:meta["source_end"]] == task["data"]["text"], task["id"]


@pytest.mark.integration
def test_gold_round_trip_through_label_studio_is_identical(label_studio, tasks):
    conn = connect(label_studio.url, label_studio.token)
    project = create_or_update_project(conn, "gold round trip")
    plain = [{"data": t["data"], "annotations": [{"result": t["annotations"][0]["result"]}]} for t in tasks]
    import_tasks(conn, project, plain)
    exported = export_tasks(conn, project)
    back, problems = tasks_to_records(exported)
    expected, _ = load_export(GOLD)
    assert problems == []
    assert sorted(back, key=lambda r: r["id"]) == sorted(expected, key=lambda r: r["id"])
