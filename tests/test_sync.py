"""Reading documents to push and pre-annotating them (the pipeline replaced by a small stand-in)."""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.language import Language

from vnpolicy_nlp import pipeline
from vnpolicy_nlp.errors import VnpolicyError
from vnpolicy_nlp.labelstudio.convert import records_to_tasks
from vnpolicy_nlp.labelstudio.sync import preannotate, read_documents
from vnpolicy_nlp.relations import ensure_extensions


@Language.component("test_rank_in_agency")
def _rank_in_agency(doc):
    """Relate each RANK to the AGENCY right after it, as a relation model would."""
    ents = list(doc.ents)
    doc._.relations = [{"head": (a.start_char, a.end_char), "tail": (b.start_char, b.end_char),
                        "label": "POSITION_IN", "score": 0.8}
                       for a, b in zip(ents, ents[1:]) if (a.label_, b.label_) == ("RANK", "AGENCY")]
    return doc


def _stand_in_pipeline():
    ensure_extensions()
    nlp = spacy.blank("xx")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "RANK", "pattern": "Bộ trưởng"}, {"label": "AGENCY", "pattern": "Bộ Ngoại giao"}])
    nlp.add_pipe("test_rank_in_agency")
    return nlp


def test_sync_read_documents_from_corpus_lines_and_text(tmp_path):
    lines = tmp_path / "pool.jsonl"
    lines.write_text(json.dumps({"id": "p1", "text": "Bộ trưởng Bộ Ngoại giao", "source_url": "https://x.vn/1",
                                 "topic": "foreign affairs"}, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Hội nghị tại Hà Nội.", encoding="utf-8")
    records, errors = read_documents([str(lines), str(tmp_path / "a.txt"), str(tmp_path / "missing.txt")])
    assert [r["id"] for r in records] == ["p1", "a"]
    assert records[0]["meta"] == {"source_url": "https://x.vn/1", "topic": "foreign affairs"}
    assert errors and errors[0].startswith("E005")
    (task, _) = records_to_tasks(records)
    assert task["data"]["corpus_id"] == "p1" and task["data"]["meta"] == {"topic": "foreign affairs"}
    assert "annotations" not in task and "predictions" not in task


def test_sync_preannotate_gives_predictions_with_relation_scores(monkeypatch):
    monkeypatch.setattr(pipeline, "load", lambda model=None: _stand_in_pipeline())
    monkeypatch.setattr(pipeline, "resolve_model", lambda model=None: "patterns")
    done = {"id": "x", "text": "Hà Nội", "entities": [], "relations": []}
    records, version = preannotate([{"id": "d", "text": "Bộ trưởng Bộ Ngoại giao phát biểu."}, done])
    assert version.endswith("+patterns")
    assert [e["label"] for e in records[0]["entities"]] == ["RANK", "AGENCY"]
    assert records[0]["relations"] == [{"head": "T1", "tail": "T2", "label": "POSITION_IN", "score": 0.8}]
    assert records[1] is done
    (task, _) = records_to_tasks(records, as_predictions=True, model_version=version)
    result = task["predictions"][0]["result"]
    assert result[-1] == {"type": "relation", "from_id": "T1", "to_id": "T2", "direction": "right",
                          "labels": ["POSITION_IN"], "score": 0.8}


def test_sync_preannotate_without_a_pipeline_warns(monkeypatch):
    def broken(model=None):
        raise VnpolicyError("E201 models/default is not a model folder")

    monkeypatch.setattr(pipeline, "load", broken)
    records = [{"id": "d", "text": "Bộ trưởng"}]
    with pytest.warns(UserWarning, match="W102 Pushing without pre-annotations: E201"):
        assert preannotate(records) == (records, None)
    with pytest.raises(VnpolicyError, match="E201"):
        preannotate(records, model="models/default")
