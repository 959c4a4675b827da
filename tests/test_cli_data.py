"""``vnpolicy data validate|convert|agree`` and the studio commands' offline behaviour."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

from vnpolicy_nlp import corpus
from vnpolicy_nlp.cli import app

DATA = Path(__file__).parent / "data"


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.fixture()
def blank_tokenizer(monkeypatch):
    monkeypatch.setattr(corpus, "default_nlp", lambda: spacy.blank("xx"))


def test_cli_data_validate_clean_export(runner):
    result = runner.invoke(app, ["data", "validate", str(DATA / "ls_export.json")])
    assert result.exit_code == 0, result.output
    assert "2 document(s) valid, 0 problem(s)" in result.output


def test_cli_data_validate_lists_every_problem_with_task_id(runner, tmp_path):
    export = json.loads((DATA / "ls_export.json").read_text(encoding="utf-8"))
    bad = copy.deepcopy(export)
    bad[0]["annotations"][0]["result"][0]["value"]["text"] = "Thủ tướng Chính phủ"
    bad[1]["annotations"][0]["was_cancelled"] = True
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["data", "validate", str(path)])
    assert result.exit_code == 1
    assert "E103 task 11 (doc vn-001, offset 0): span kX1aPq" in result.output
    assert "E109 task 12 (doc vn-002, offset 0)" in result.output
    assert "Traceback" not in result.output


def test_cli_data_validate_missing_path(runner, tmp_path):
    result = runner.invoke(app, ["data", "validate", str(tmp_path / "nope.json")])
    assert result.exit_code == 1 and result.output.startswith("E005")


def test_cli_data_convert_each_format(runner, tmp_path, blank_tokenizer):
    export = str(DATA / "ls_export.json")
    for fmt, out in [("jsonl", "r.jsonl"), ("conll", "r.conll"), ("docbin", "r.spacy"), ("datasets", "ds")]:
        result = runner.invoke(app, ["data", "convert", export, "--to", fmt, "--output", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / out).exists()
    assert (tmp_path / "ds" / "dataset_dict.json").is_file()
    records = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["vn-001", "vn-002"]
    result = runner.invoke(app, ["data", "convert", export, "--to", "xml", "--output", str(tmp_path / "x")])
    assert result.exit_code == 2 and "E007" in result.output


def test_cli_data_agree_prints_tables(runner):
    result = runner.invoke(app, ["data", "agree", str(DATA / "agree_a.json"), str(DATA / "agree_b.json")])
    assert result.exit_code == 0, result.output
    assert "spans (partial)" in result.output
    as_json = runner.invoke(app, ["data", "agree", str(DATA / "agree_a.json"), str(DATA / "agree_b.json"), "--json"])
    assert json.loads(as_json.output)["relations"]["micro"]["tp"] == 3


def test_cli_studio_push_without_token_says_where_to_get_one(runner, tmp_path, monkeypatch):
    for name in ("VNPOLICY_LS_TOKEN", "LABEL_STUDIO_API_KEY", "VNPOLICY_LS_URL", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("vnpolicy_nlp.labelstudio.sync.default_workspace", lambda: tmp_path)
    doc = tmp_path / "doc.txt"
    doc.write_text("Bộ trưởng Bộ Ngoại giao dự Hội nghị.", encoding="utf-8")
    result = runner.invoke(app, ["studio", "push", str(doc), "--project", "p", "--no-preannotate"])
    assert result.exit_code == 1
    assert result.output.startswith("E123") and "VNPOLICY_LS_TOKEN" in result.output


def _ent(text: str, surface: str, label: str, n: int, after: int = 0) -> dict:
    start = text.index(surface, after)
    return {"id": f"T{n}", "start": start, "end": start + len(surface), "label": label, "text": surface}


def test_cli_data_audit_finds_inconsistent_and_off_spec_spans(runner, tmp_path):
    from vnpolicy_nlp.labelstudio.convert import records_to_tasks

    a = "Bộ Y tế họp tại Hà Nội. Ông Nguyễn Văn An phát biểu."
    b = "Bộ Y tế và Bộ Tài chính, Hội đồng Nhân quyền của Bộ Y tế."
    records = [
        {"id": "a", "text": a, "entities": [_ent(a, "Bộ Y tế", "AGENCY", 1), _ent(a, "Hà Nội", "LOCATION", 2),
                                            _ent(a, "Ông Nguyễn Văn An", "OFFICIAL", 3)], "relations": []},
        # the first "Bộ Y tế" is left out, the second sits inside a longer name (fine: spans are flat)
        {"id": "b", "text": b, "entities": [_ent(b, "Bộ Tài chính,", "AGENCY", 1),
                                            _ent(b, "Hội đồng Nhân quyền của Bộ Y tế", "AGENCY", 2)], "relations": []},
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records_to_tasks(records), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "audit.md"
    result = runner.invoke(app, ["data", "audit", str(path), "--output", str(out)])
    assert result.exit_code == 0, result.output
    report = out.read_text(encoding="utf-8")
    assert "- a OFFICIAL `Ông Nguyễn Văn An`: honorific or degree inside an OFFICIAL" in report
    assert "- b AGENCY `Bộ Tài chính,`: span edged with space or punctuation" in report
    assert "### Bộ Y tế [AGENCY ×1]\n- b @0 unannotated: [[Bộ Y tế]] và Bộ Tài chính" in report
    assert "@49" not in report  # the occurrence inside the longer name is not a lead
    assert "disagrees" not in report

    predicted = tmp_path / "oof.jsonl"
    predicted.write_text(json.dumps({"id": "a", "text": a, "entities": [_ent(a, "Hà Nội", "LOCATION", 2)],
                                     "relations": []}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["data", "audit", str(path), "--predictions", str(predicted), "--output", str(out)])
    assert result.exit_code == 0, result.output
    section = out.read_text(encoding="utf-8").split("## Where a model that did not learn the document disagrees")[1]
    # document b has no prediction, so it has no model lead
    assert section.strip().splitlines() == [
        "- a missed: annotated AGENCY [[Bộ Y tế]] họp tại Hà Nội. Ông Nguyễn Vă | model nothing",
        "- a missed: annotated OFFICIAL Bộ Y tế họp tại Hà Nội. [[Ông Nguyễn Văn An]] phát biểu. | model nothing"]


def test_audit_model_findings_list_span_and_relation_disagreements():
    from vnpolicy_nlp.labelstudio.audit import model_findings

    text = "Bộ trưởng Bộ Y tế Đào Hồng Lan dự Hội nghị tại Hà Nội."
    annotated = {"id": "a", "text": text, "entities": [
        _ent(text, "Bộ trưởng", "RANK", 1), _ent(text, "Bộ Y tế", "AGENCY", 2), _ent(text, "Đào Hồng Lan", "OFFICIAL", 3),
        _ent(text, "Hội nghị", "EVENT", 4)],
        "relations": [{"head": "T3", "tail": "T1", "label": "HAS_RANK"}, {"head": "T1", "tail": "T2", "label": "POSITION_IN"}]}
    predicted = {"id": "a", "text": text, "entities": [
        _ent(text, "Bộ trưởng Bộ Y tế", "RANK", 1), _ent(text, "Đào Hồng Lan", "OFFICIAL", 3),
        _ent(text, "Hội nghị", "EVENT", 4), _ent(text, "Hà Nội", "LOCATION", 5)],
        "relations": [{"head": "T3", "tail": "T4", "label": "PARTICIPATES_IN"}, {"head": "T4", "tail": "T5", "label": "HELD_IN"}]}
    found = model_findings([annotated], [predicted])
    spans = sorted((f["kind"], f["annotated"] and f["annotated"]["text"], f["predicted"] and f["predicted"]["text"])
                   for f in found if f["kind"] != "relation")
    assert spans == [("boundary", "Bộ trưởng", "Bộ trưởng Bộ Y tế"), ("missed", "Bộ Y tế", None),
                     ("spurious", None, "Hà Nội")]
    relations = [f for f in found if f["kind"] == "relation"]
    # only between spans both sides have: HAS_RANK and HELD_IN involve a span one side lacks
    assert relations == [{"doc": "a", "kind": "relation", "annotated": None,
                          "predicted": ("Đào Hồng Lan", "PARTICIPATES_IN", "Hội nghị")}]
