"""DocBin, HuggingFace datasets and CoNLL from records; train/dev split by document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from vnpolicy_nlp.corpus import (
    BIO_TAGS,
    USER_DATA_KEY,
    convert,
    docbin_to_records,
    records_to_conll,
    records_to_dataset,
    records_to_docbin,
    split_by_document,
)
from vnpolicy_nlp.errors import VnpolicyError
from vnpolicy_nlp.labelstudio.convert import tasks_to_records

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def records():
    recs, problems = tasks_to_records(json.loads((DATA / "ls_export.json").read_text(encoding="utf-8")))
    assert problems == []
    return recs


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("xx")


@pytest.fixture(scope="module")
def project_nlp():
    """The project's underthesea tokenizer, when it is installed and importable."""
    tokenizer = pytest.importorskip("vnpolicy_nlp.tokenizer")
    return tokenizer.make_nlp()


def test_corpus_docbin_round_trip_exact(records, nlp, tmp_path):
    path = tmp_path / "train.spacy"
    records_to_docbin(records, nlp).to_disk(path)
    assert docbin_to_records(path, nlp) == records


def test_corpus_docbin_relations_live_in_user_data(records, nlp):
    data = records_to_docbin(records[:1], nlp).to_bytes()
    (doc,) = DocBin(store_user_data=True).from_bytes(data).get_docs(nlp.vocab)
    stored = doc.user_data[USER_DATA_KEY]
    assert stored["id"] == "vn-001"
    assert [r[4] for r in stored["relations"]] == ["POSITION_IN", "ISSUED_BY", "ISSUED_ON"]
    assert [(r[0], r[1]) for r in stored["relations"]][0] == (16, 25)


def test_corpus_docbin_round_trip_with_project_tokenizer(records, project_nlp, tmp_path):
    path = tmp_path / "train.spacy"
    records_to_docbin(records, project_nlp).to_disk(path)
    assert docbin_to_records(path, project_nlp) == records


def test_corpus_dataset_saved_and_loaded_offline(records, nlp, tmp_path, monkeypatch):
    import datasets

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    ds = records_to_dataset(records, nlp, dev_fraction=0.5, seed=1)
    assert set(ds) == {"train", "dev"}
    ds.save_to_disk(str(tmp_path / "ds"))
    loaded = datasets.load_from_disk(str(tmp_path / "ds"))
    rows = {row["id"]: row for split in loaded.values() for row in split}
    assert set(rows) == {"vn-001", "vn-002"}
    features = loaded["train"].features
    assert features["ner_tags"].feature.names == list(BIO_TAGS)
    row = rows["vn-001"]
    tags = [features["ner_tags"].feature.int2str(t) for t in row["ner_tags"]]
    assert len(tags) == len(row["tokens"])
    assert list(zip(row["tokens"], tags))[:4] == [("Ngày", "B-DATE"), ("14/9/2022", "I-DATE"), (",", "O"),
                                                   ("Thủ", "B-RANK")]
    label = features["entities"].feature["label"]
    assert [label.int2str(e["label"]) for e in row["entities"]] == ["DATE", "RANK", "AGENCY", "DIRECTIVE"]
    assert row["entities"][3]["text"] == "Quyết định số 1079/QĐ-TTg"
    assert len(row["relations"]) == 3


def test_corpus_conll_has_docstart_and_bio_over_words(records, project_nlp):
    text = records_to_conll(records, project_nlp)
    assert text.startswith("-DOCSTART- vn-001\n\n")
    assert "-DOCSTART- vn-002" in text
    lines = text.splitlines()
    assert "Thủ_tướng\tB-RANK" in lines and "Chính_phủ\tB-AGENCY" in lines
    assert "Quyết_định\tB-DIRECTIVE" in lines
    words = [ln.split("\t")[0] for ln in lines if "\t" in ln]
    assert all(w and " " not in w for w in words)


def test_corpus_conll_without_sentence_boundaries(records, nlp):
    lines = records_to_conll(records[1:], nlp).splitlines()
    # a blank line between the two paragraphs of vn-002
    assert lines[:3] == ["-DOCSTART- vn-002", "", "Sáng\tB-DATE"]
    second = lines.index("Ông\tO")
    assert lines[second - 1] == "" and "" not in lines[2:second - 1]


def test_corpus_split_by_document_is_seeded(records):
    many = [dict(records[0], id=f"d{i}") for i in range(10)]
    train, dev = split_by_document(many, 0.3, seed=3)
    assert len(dev) == 3 and len(train) == 7
    assert not {r["id"] for r in train} & {r["id"] for r in dev}
    assert split_by_document(many, 0.3, seed=3) == (train, dev)
    assert split_by_document(list(reversed(many)), 0.3, seed=3) == (train, dev)
    assert split_by_document(many, 0.3, seed=4) != (train, dev)


def test_corpus_convert_writes_each_format(records, nlp, tmp_path):
    assert convert(records, "docbin", tmp_path / "all.spacy", nlp) == [tmp_path / "all.spacy"]
    assert convert(records, "docbin", tmp_path / "split", nlp, dev_fraction=0.5) == [
        tmp_path / "split" / "train.spacy", tmp_path / "split" / "dev.spacy"]
    convert(records, "conll", tmp_path / "all.conll", nlp)
    convert(records, "jsonl", tmp_path / "all.jsonl", nlp)
    lines = (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == records
    with pytest.raises(VnpolicyError, match="^E007"):
        convert(records, "xml", tmp_path / "x", nlp)
