"""The ``vnpolicy`` command run for real, as a user runs it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample_article.txt"


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "vnpolicy_nlp.cli", *args],
        capture_output=True, text=True, input=stdin, timeout=600,
    )


def test_cli_predict_jsonl_shape_and_offsets():
    result = run("predict", str(SAMPLE), "--model", "patterns")
    assert result.returncode == 0, result.stderr
    rec = json.loads(result.stdout.splitlines()[0])
    text = SAMPLE.read_text(encoding="utf-8")
    assert rec["id"] == "sample_article" and rec["text"] == text
    assert {e["label"] for e in rec["entities"]} >= {"OFFICIAL", "RANK", "AGENCY", "DIRECTIVE", "DATE", "LOCATION"}
    ids = {e["id"] for e in rec["entities"]}
    for ent in rec["entities"]:
        assert set(ent) >= {"id", "start", "end", "label", "text"}
        assert text[ent["start"]:ent["end"]] == ent["text"]
    for rel in rec["relations"]:
        assert rel["head"] in ids and rel["tail"] in ids
    directive = next(e for e in rec["entities"] if e["label"] == "DIRECTIVE")
    assert directive["attrs"]["canonical_id"] == "749/QĐ-TTg"


@pytest.mark.parametrize("fmt,check", [
    ("json", lambda out: json.loads(out)[0]["id"] == "sample_article"),
    ("conll", lambda out: out.startswith("-DOCSTART- sample_article") and "B-DIRECTIVE" in out),
    ("html", lambda out: "<html" in out and "Quyết định số 749/QĐ-TTg" in out),
    ("label-studio", lambda out: json.loads(out)[0]["predictions"][0]["result"]),
])
def test_cli_predict_formats(fmt, check, tmp_path):
    out = tmp_path / f"out.{fmt}"
    result = run("predict", str(SAMPLE), "--model", "patterns", "--format", fmt, "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert check(out.read_text(encoding="utf-8"))


def test_cli_predict_bad_file_is_reported_and_others_are_tagged(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\xff\x00binary")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("predict", str(bad), str(SAMPLE), str(empty), "--model", "patterns", "--output", str(out))
    assert result.returncode == 1
    assert "bad.txt" in result.stderr and "empty.txt" in result.stderr
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["sample_article"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "empty.txt", "out.jsonl"]


def test_cli_predict_stdin_and_jsonl_records(tmp_path):
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": "x1", "text": "Bộ trưởng Bộ Y tế thăm Hà Nội."}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("predict", str(records), "--model", "patterns")
    assert json.loads(result.stdout)["id"] == "x1"
    result = run("predict", "-", "--model", "patterns", stdin="Thủ tướng Chính phủ đến Hà Nội.")
    assert json.loads(result.stdout)["id"] == "stdin"


def test_cli_predict_no_output_file_when_every_input_fails(tmp_path):
    out = tmp_path / "out.jsonl"
    result = run("predict", str(tmp_path / "missing.txt"), "--model", "patterns", "--output", str(out))
    assert result.returncode == 1 and "missing.txt" in result.stderr
    assert not out.exists()


def test_cli_predict_unknown_format():
    result = run("predict", str(SAMPLE), "--format", "xml")
    assert result.returncode == 2 and "xml" in result.stderr


def test_cli_predict_two_processes_gives_the_same_output(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    one = run("predict", str(tmp_path), "--model", "patterns")
    two = run("predict", str(tmp_path), "--model", "patterns", "--n-process", "2")
    assert two.returncode == 0, two.stderr
    assert one.stdout == two.stdout and '"canonical_id"' in two.stdout
