"""Label Studio tasks ⇄ records on exact character offsets, split documents, stand-off records."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnpolicy_nlp.corpus import docbin_to_records, records_to_docbin
from vnpolicy_nlp.errors import VnpolicyError
from vnpolicy_nlp.labelstudio.convert import (
    load_corpus,
    load_export,
    records_to_jsonl,
    records_to_tasks,
    resolve_standoff,
    split_bounds,
    tasks_to_records,
    text_sha256,
    to_standoff,
)
from vnpolicy_nlp.schema import ENTITY_LABELS, relations_for_pair

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def export():
    return json.loads((DATA / "ls_export.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records(export):
    records, problems = tasks_to_records(export)
    assert problems == []
    return records


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("xx")


def test_convert_export_to_records_exact(records):
    first = records[0]
    assert first["id"] == "vn-001"
    assert [(e["id"], e["label"], e["text"]) for e in first["entities"]] == [
        ("T1", "DATE", "Ngày 14/9/2022"), ("T2", "RANK", "Thủ tướng"), ("T3", "AGENCY", "Chính phủ"),
        ("T4", "DIRECTIVE", "Quyết định số 1079/QĐ-TTg")]
    for rec in records:
        for ent in rec["entities"]:
            assert rec["text"][ent["start"]:ent["end"]] == ent["text"]
    # the ISSUED_ON drawn "left" from the date is read DIRECTIVE -> DATE
    assert first["relations"] == [{"head": "T2", "tail": "T3", "label": "POSITION_IN"},
                                  {"head": "T4", "tail": "T2", "label": "ISSUED_BY"},
                                  {"head": "T4", "tail": "T1", "label": "ISSUED_ON"}]


def test_convert_records_to_tasks_and_back(records):
    tasks = records_to_tasks(records)
    assert [t["data"]["doc_id"] for t in tasks] == ["vn-001", "vn-002"]
    assert all(t["data"]["offset"] == 0 for t in tasks)
    again, problems = tasks_to_records(tasks)
    assert problems == [] and again == records


def test_convert_predictions_carry_scores_and_model_version(records):
    rec = copy.deepcopy(records[0])
    rec["entities"][0]["score"] = 0.5
    rec["entities"][1]["score"] = 0.9
    rec["relations"][0]["score"] = 0.75
    (task,) = records_to_tasks([rec], as_predictions=True, model_version="test-1")
    pred = task["predictions"][0]
    assert "annotations" not in task
    assert pred["model_version"] == "test-1" and pred["score"] == 0.7
    assert pred["result"][0]["score"] == 0.5
    assert next(i for i in pred["result"] if i["type"] == "relation")["score"] == 0.75
    back, problems = tasks_to_records([task], source="predictions")
    assert problems == [] and back == [rec]
    (plain,) = records_to_tasks([records[0]], as_predictions=True)
    assert plain["predictions"][0]["score"] == 1.0


def test_convert_split_paragraphs_rejoin_exactly(records):
    rec = records[1]
    assert "\n" in rec["text"]
    tasks = records_to_tasks([rec], split_paragraphs=True, max_chars=60)
    assert len(tasks) == 2
    first, second = (t["data"] for t in tasks)
    assert (first["part"], second["part"], first["parts"]) == (0, 1, 2)
    assert first["separator"] == "\n" and second["offset"] == len(first["text"]) + 1
    shuffled = list(reversed(tasks))
    back, problems = tasks_to_records(shuffled)
    assert problems == [] and back == [rec]


def test_convert_split_drops_crossing_relations_with_warning(records):
    rec = copy.deepcopy(records[1])
    lam = next(e["id"] for e in rec["entities"] if e["text"] == "Lâm")
    event = next(e["id"] for e in rec["entities"] if e["label"] == "EVENT")
    rec["relations"].append({"head": lam, "tail": event, "label": "PARTICIPATES_IN"})
    with pytest.warns(UserWarning, match="W101 1 relation"):
        tasks = records_to_tasks([rec], split_paragraphs=True, max_chars=60)
    back, _ = tasks_to_records(tasks)
    assert back[0]["relations"] == rec["relations"][:-1]


def test_convert_missing_part_is_a_problem(records):
    tasks = records_to_tasks([records[1]], split_paragraphs=True, max_chars=60)
    back, problems = tasks_to_records(tasks[:1])
    assert back == []
    assert [p.code for p in problems] == ["E116"] and "part(s) 1 of 2" in problems[0].message


def test_convert_split_bounds_never_cut_an_entity():
    text = "Đoạn một.\nĐoạn hai dài hơn.\nĐoạn ba."
    entity = {"start": text.index("một"), "end": text.index("hai") + 3}
    bounds = split_bounds(text, [entity], max_chars=12)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(not (s < entity["end"] and entity["start"] < e and (s > entity["start"] or e < entity["end"]))
               for s, e, _ in bounds)
    assert "".join(text[s:n] for s, _, n in bounds) == text


def test_convert_utf16_offsets_after_emoji():
    text = "🎉 Chúc mừng Hà Nội"
    start16 = len("🎉 Chúc mừng ".encode("utf-16-le")) // 2
    task = {"id": 5, "data": {"text": text}, "annotations": [{"result": [
        {"id": "a", "type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": start16, "end": start16 + 6, "text": "Hà Nội", "labels": ["LOCATION"]}}]}]}
    (rec,), problems = tasks_to_records([task])
    assert problems == []
    ent = rec["entities"][0]
    assert text[ent["start"]:ent["end"]] == "Hà Nội" and ent["start"] == start16 - 1


def test_convert_duplicate_document_kept_once(export):
    records, problems = tasks_to_records(export + [copy.deepcopy(export[0]) | {"id": 99}])
    assert len(records) == 2
    assert [(p.task_id, p.code) for p in problems] == [(99, "E117")]


def test_convert_load_export_skips_bad_task_and_counts_it(export, tmp_path):
    bad = copy.deepcopy(export[1])
    bad["annotations"][0]["result"][0]["value"]["labels"] = ["PERSON"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps([export[0], bad], ensure_ascii=False), encoding="utf-8")
    records, problems = load_export(path)
    assert [r["id"] for r in records] == ["vn-001"]
    assert [(p.task_id, p.code) for p in problems] == [(12, "E105")]


def _corpus_record(corpus: dict) -> dict:
    text = corpus["c001"]["text"]

    def ent(i, surface, label):
        start = text.index(surface)
        return {"id": f"T{i}", "start": start, "end": start + len(surface), "label": label, "text": surface}

    return {"id": "c001", "text": text,
            "entities": [ent(1, "Chiều 5/3", "DATE"), ent(2, "Hà Nội", "LOCATION"), ent(3, "Phó Thủ tướng", "RANK"),
                         ent(4, "Trần Lưu Quang", "OFFICIAL"),
                         ent(5, "Hội nghị trực tuyến về công tác phòng chống thiên tai", "EVENT")],
            "relations": [{"head": "T4", "tail": "T3", "label": "HAS_RANK"},
                          {"head": "T4", "tail": "T5", "label": "PARTICIPATES_IN"},
                          {"head": "T5", "tail": "T2", "label": "HELD_IN"},
                          {"head": "T5", "tail": "T1", "label": "HELD_ON"}],
            "meta": {"corpus_id": "c001", "source_url": corpus["c001"]["source_url"]}}


def test_convert_standoff_round_trip_without_text(tmp_path):
    corpus = load_corpus(DATA / "corpus_small.jsonl")
    rec = _corpus_record(corpus)
    line = json.loads(records_to_jsonl([rec]))
    assert "text" not in line and all("text" not in e for e in line["entities"])
    assert line["sha256"] == text_sha256(rec["text"]) and line["source_url"].endswith("c001.html")
    path = tmp_path / "pulled.jsonl"
    path.write_text(records_to_jsonl([rec]), encoding="utf-8")
    records, problems = load_export(path, corpus=DATA / "corpus_small.jsonl")
    assert problems == [] and records == [rec]


def test_convert_standoff_found_by_source_url():
    corpus = load_corpus(DATA / "corpus_small.jsonl")
    item = to_standoff(_corpus_record(corpus)) | {"id": "renamed"}
    assert resolve_standoff(item, corpus)["text"] == corpus["c001"]["text"]


def test_convert_standoff_hash_mismatch_raises_coded_error(tmp_path):
    corpus = load_corpus(DATA / "corpus_small.jsonl")
    item = to_standoff(_corpus_record(corpus))
    changed = tmp_path / "pool.jsonl"
    rows = [dict(r) for r in corpus.values()]
    rows[0]["text"] = rows[0]["text"].replace("Chiều 5/3", "Chiều 6/3")
    changed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(VnpolicyError, match=r"^E118 c001: .*sha256.*has changed") as err:
        resolve_standoff(item, changed)
    assert str(changed) in str(err.value)


def test_convert_standoff_missing_document_and_corpus(tmp_path):
    corpus = load_corpus(DATA / "corpus_small.jsonl")
    item = to_standoff(_corpus_record(corpus)) | {"id": "zzz", "source_url": "https://example.vn/none"}
    with pytest.raises(VnpolicyError, match="^E119"):
        resolve_standoff(item, corpus)
    with pytest.raises(VnpolicyError, match="^E133"):
        load_corpus(tmp_path / "absent.jsonl")


def test_convert_load_export_reads_a_folder_of_mixed_forms(export, tmp_path):
    corpus = load_corpus(DATA / "corpus_small.jsonl")
    (tmp_path / "a.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text(records_to_jsonl([_corpus_record(corpus)]), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    records, problems = load_export(tmp_path, corpus=corpus)
    assert problems == []
    assert sorted(r["id"] for r in records) == ["c001", "vn-001", "vn-002"]


# --- property: LS JSON → records → Doc → records → LS JSON is exact -------------------------

SYLLABLES = ["Bộ", "trưởng", "Ngoại", "giao", "Hội", "nghị", "tỉnh", "Quảng", "Nam", "ngày", "14/9/2022",
             "1079/QĐ-TTg", "Thủ", "tướng", "Chính", "phủ", "đã", "ký", "Nguyễn", "Thanh", "Lâm", "Đà", "Nẵng"]
SEPARATORS = [" ", " ", " ", "  ", ", ", ".\n", "\n", " - "]


@st.composite
def ls_tasks(draw):
    """Canonical Label Studio tasks (as records_to_tasks writes them) of random documents."""
    words = draw(st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=30))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    text = "".join(w + s for w, s in zip(words, seps)).rstrip()
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=16)))
    entities = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        if text[start:end].strip() == text[start:end] and text[start:end]:
            entities.append({"id": f"T{len(entities) + 1}", "start": start, "end": end,
                             "label": draw(st.sampled_from(ENTITY_LABELS)), "text": text[start:end]})
    relations = []
    if len(entities) > 1:
        for head, tail in draw(st.lists(st.tuples(st.sampled_from(entities), st.sampled_from(entities)), max_size=6)):
            allowed = relations_for_pair(head["label"], tail["label"])
            if head is not tail and allowed:
                relations.append({"head": head["id"], "tail": tail["id"], "label": draw(st.sampled_from(allowed))})
    record = {"id": f"doc-{draw(st.integers(0, 999))}", "text": text, "entities": entities, "relations": relations}
    return records_to_tasks([record])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tasks=ls_tasks())
def test_convert_property_ls_records_doc_round_trip_exact(tasks, nlp, tmp_path_factory):
    records, problems = tasks_to_records(tasks)
    assert problems == []
    path = tmp_path_factory.mktemp("docbin") / "x.spacy"
    records_to_docbin(records, nlp).to_disk(path)
    again = docbin_to_records(path, nlp)
    assert json.dumps(records_to_tasks(again), ensure_ascii=False) == json.dumps(tasks, ensure_ascii=False)


def test_convert_split_round_trip_random_documents(records):
    rng = random.Random(7)
    rec = copy.deepcopy(records[1])
    rec["text"] = rec["text"].replace("\n", "\n\n  \n")
    shift = len("\n\n  \n") - 1
    cut = records[1]["text"].index("\n")
    for ent in rec["entities"]:
        if ent["start"] > cut:
            ent["start"] += shift
            ent["end"] += shift
    tasks = records_to_tasks([rec], split_paragraphs=True, max_chars=40)
    rng.shuffle(tasks)
    back, problems = tasks_to_records(tasks)
    assert problems == [] and back == [rec]
