"""Talking to a real Label Studio (started once per session by the ``label_studio`` fixture)."""

from __future__ import annotations

import copy
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vnpolicy_nlp.cli import app
from vnpolicy_nlp.errors import VnpolicyError
from vnpolicy_nlp.labelstudio.client import connect, create_or_update_project, export_tasks, find_project, import_tasks
from vnpolicy_nlp.labelstudio.convert import load_corpus, load_export, records_to_tasks, tasks_to_records
from vnpolicy_nlp.labelstudio.label_config import label_config
from vnpolicy_nlp.labelstudio.server import free_port
from vnpolicy_nlp.labelstudio.sync import pull, push
from vnpolicy_nlp.schema import ENTITY_LABELS, LABEL_COLORS, RELATION_LABELS

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def conn(label_studio):
    return connect(label_studio.url, label_studio.token)


@pytest.fixture(scope="module")
def records():
    recs, problems = tasks_to_records(json.loads((DATA / "ls_export.json").read_text(encoding="utf-8")))
    assert problems == []
    return recs


def test_client_label_config_accepted(conn):
    project = create_or_update_project(conn, "config check")
    stored = conn.client.projects.get(project.id)
    assert stored.label_config.strip() == label_config().strip()
    parsed = stored.parsed_label_config
    assert parsed["label"]["labels"] == list(ENTITY_LABELS)
    assert parsed["label"]["to_name"] == ["text"]
    # the same title again finds the same project and leaves its config alone
    assert create_or_update_project(conn, "config check") == project
    conn.client.projects.validate_label_config(project.id, label_config=label_config())  # raises if rejected
    assert {k: v["background"] for k, v in parsed["label"]["labels_attrs"].items()} == LABEL_COLORS
    relations = ET.fromstring(stored.label_config).find("Relations").findall("Relation")
    assert [r.get("value") for r in relations] == list(RELATION_LABELS)


def test_client_predictions_round_trip_identical(conn, records):
    scored = copy.deepcopy(records)
    for rec in scored:
        for i, ent in enumerate(rec["entities"]):
            ent["score"] = round(0.5 + i / 20, 2)
        for rel in rec["relations"]:
            rel["score"] = 0.8
        rec["meta"] = {"batch": "round-trip"}
    tasks = records_to_tasks(scored, as_predictions=True, model_version="test-model",
                             split_paragraphs=True, max_chars=60)
    assert len(tasks) == 3  # vn-002 is split into two paragraphs
    started = time.perf_counter()
    project = create_or_update_project(conn, "predictions round trip")
    ids = import_tasks(conn, project, tasks)
    exported = export_tasks(conn, project, only_annotated=False, with_predictions=True)
    back, problems = tasks_to_records(exported, source="predictions")
    elapsed = time.perf_counter() - started
    assert len(ids) == 3 and problems == []
    assert back == scored
    assert {t["predictions"][0]["model_version"] for t in exported} == {"test-model"}
    assert exported[0]["predictions"][0]["score"] == pytest.approx(0.575)
    print(f"\nround trip (create project, import 3 tasks, export, convert): {elapsed:.2f} s")


def test_client_push_and_pull_annotations_standoff(label_studio, records, tmp_path, monkeypatch):
    monkeypatch.delenv("VNPOLICY_LS_TOKEN", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    corpus = load_corpus(DATA / "corpus_small.jsonl")
    text = corpus["c002"]["text"]

    def ent(i, surface, label):
        start = text.index(surface)
        return {"id": f"T{i}", "start": start, "end": start + len(surface), "label": label, "text": surface}

    outside = {"id": "c002", "text": text,
               "entities": [ent(1, "Kết luận số 57-KL/TW", "DIRECTIVE"), ent(2, "ngày 15/6/2023", "DATE"),
                            ent(3, "Bộ Chính trị", "AGENCY"), ent(4, "tỉnh Quảng Nam", "LOCATION")],
               "relations": [{"head": "T1", "tail": "T2", "label": "ISSUED_ON"},
                             {"head": "T1", "tail": "T3", "label": "ISSUED_BY"}],
               "meta": {"corpus_id": "c002", "source_url": corpus["c002"]["source_url"]}}
    source = tmp_path / "to_push.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*records, outside]),
                      encoding="utf-8")
    pushed = push([str(source)], "annotations round trip", url=label_studio.url, token=label_studio.token,
                  as_annotations=True, max_chars=60)
    assert len(pushed.task_ids) == 4 and pushed.documents == 3
    with pytest.warns(UserWarning, match="W103 4 task"):
        again = push([str(source)], "annotations round trip", url=label_studio.url, token=label_studio.token,
                     as_annotations=True, max_chars=60)
    assert again.task_ids == [] and again.skipped_existing == 4
    result = pull("annotations round trip", tmp_path / "out/", url=label_studio.url, token=label_studio.token,
                  corpus=DATA / "corpus_small.jsonl", raw=tmp_path / "raw.json")
    assert result.problems == [] and (result.records, result.standoff) == (3, 1)
    lines = [json.loads(x) for x in result.path.read_text(encoding="utf-8").splitlines()]
    standoff = next(x for x in lines if x["id"] == "c002")
    assert "text" not in standoff and "sha256" in standoff
    back, problems = load_export(result.path, corpus=DATA / "corpus_small.jsonl")
    assert problems == []
    assert sorted(back, key=lambda r: r["id"]) == sorted([*records, outside], key=lambda r: r["id"])


def test_client_wrong_token_message(label_studio):
    with pytest.raises(VnpolicyError) as err:
        connect(label_studio.url, "not-the-right-token")
    message = str(err.value)
    assert message.startswith("E121") and "401" in message
    assert "VNPOLICY_LS_TOKEN" in message and "LABEL_STUDIO_API_KEY" in message and "legacy" in message


def test_client_unreachable_port_message():
    url = f"http://127.0.0.1:{free_port()}"
    started = time.perf_counter()
    with pytest.raises(VnpolicyError, match=r"^E120 Cannot reach Label Studio at http://127\.0\.0\.1:\d+ "):
        connect(url, "some-token-123")
    assert time.perf_counter() - started < 5


def test_client_unknown_project_message(conn):
    with pytest.raises(VnpolicyError, match=r"^E122 No project titled 'no such project' on .*projects there: "):
        find_project(conn, "no such project")


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--token", "wrong-token-123"], "E121"),
        (["--project-title-missing"], "E122"),
        (["--unreachable"], "E120"),
    ],
)
def test_client_cli_errors_are_one_line_without_traceback(label_studio, tmp_path, args, expected):
    url, token, project = label_studio.url, label_studio.token, "annotations round trip"
    if args == ["--project-title-missing"]:
        project, args = "missing project", []
    if args == ["--unreachable"]:
        url, args = f"http://127.0.0.1:{free_port()}", []
    cmd = ["studio", "pull", "--project", project, "--output", str(tmp_path / "x.jsonl"), "--url", url]
    cmd += args or ["--token", token]
    result = CliRunner().invoke(app, cmd)
    assert result.exit_code == 1
    assert result.output.startswith(expected) and result.output.count("\n") == 1
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
