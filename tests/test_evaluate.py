"""Tests of the scorer on hand-made records with hand-computed figures."""

from __future__ import annotations

import json
import unicodedata

import pytest

from vnpolicy_nlp import evaluate as ev
from vnpolicy_nlp.evaluate import (
    align_words,
    attribute_errors,
    confusion_matrix,
    cross_validate_loo,
    score,
    score_entities,
    score_relations,
    underthesea_baseline,
)


def ent(text: str, surface: str, label: str, eid: str, nth: int = 0) -> dict:
    """An entity for the nth occurrence of ``surface`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return {"id": eid, "start": start, "end": start + len(surface), "label": label, "text": surface}


def rec(doc_id: str, text: str, entities: list[dict], relations: list[dict] | None = None, **extra) -> dict:
    return {"id": doc_id, "text": text, "entities": entities, "relations": relations or [], **extra}


TEXT = "Bộ trưởng Nguyễn Văn An dự Hội nghị tại Hà Nội ngày 5/6 cùng Bộ Ngoại giao."


# --- entities --------------------------------------------------------------------------------


def test_evaluate_partial_overlap_counts_for_overlap_not_strict():
    gold = [rec("d", TEXT, [ent(TEXT, "Bộ Ngoại giao", "AGENCY", "T1")])]
    pred = [rec("d", TEXT, [ent(TEXT, "Ngoại giao", "AGENCY", "T1")])]
    scores = score_entities(gold, pred)
    assert scores["strict"]["micro"] | {} == pytest.approx(
        {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "fp": 1, "fn": 1, "n_gold": 1, "n_pred": 1})
    assert scores["overlap"]["micro"]["f"] == 1.0
    assert scores["overlap"]["per_label"]["AGENCY"]["tp"] == 1
    assert scores["boundary"]["micro"]["f"] == 0.0
    errors = attribute_errors(gold, pred)
    assert [e["category"] for e in errors["errors"]] == ["boundary"]
    assert errors["errors"][0]["gold"]["text"] == "Bộ Ngoại giao"
    assert errors["errors"][0]["pred"]["text"] == "Ngoại giao"


def test_evaluate_overlap_counts_each_gold_at_most_once():
    # one prediction covers two gold agencies: 1 overlap match, the other gold is missed
    text = "Bộ Công an, Bộ Quốc phòng họp."
    gold = [rec("d", text, [ent(text, "Bộ Công an", "AGENCY", "T1"),
                            ent(text, "Bộ Quốc phòng", "AGENCY", "T2")])]
    pred = [rec("d", text, [ent(text, "Bộ Công an, Bộ Quốc phòng", "AGENCY", "T1")])]
    overlap = score_entities(gold, pred)["overlap"]["micro"]
    assert (overlap["tp"], overlap["fp"], overlap["fn"]) == (1, 0, 1)
    assert overlap["p"] == 1.0 and overlap["r"] == 0.5
    assert overlap["f"] == pytest.approx(2 / 3)


def test_evaluate_wrong_label_is_boundary_only_match_and_label_error():
    gold = [rec("d", TEXT, [ent(TEXT, "Hà Nội", "LOCATION", "T1")])]
    pred = [rec("d", TEXT, [ent(TEXT, "Hà Nội", "AGENCY", "T1")])]
    scores = score_entities(gold, pred)
    assert scores["strict"]["micro"]["f"] == 0.0
    assert scores["overlap"]["micro"]["f"] == 0.0  # type match needs the same label
    boundary = scores["boundary"]
    assert boundary["micro"]["f"] == 1.0
    # label ignored: recall counted under the gold label, precision under the predicted one
    assert boundary["per_label"]["LOCATION"]["r"] == 1.0
    assert boundary["per_label"]["LOCATION"]["n_pred"] == 0
    assert boundary["per_label"]["AGENCY"]["p"] == 1.0
    assert boundary["per_label"]["AGENCY"]["n_gold"] == 0
    conf = confusion_matrix(gold, pred)
    assert conf["matrix"]["LOCATION"]["AGENCY"] == 1
    assert sum(v for row in conf["matrix"].values() for v in row.values()) == 1
    errors = attribute_errors(gold, pred)
    assert errors["counts"]["label"] == 1
    assert sum(errors["counts"].values()) == 1
    assert errors["by_label"]["LOCATION"]["label"] == 1


def test_evaluate_missed_and_spurious():
    gold = [rec("d", TEXT, [ent(TEXT, "Hà Nội", "LOCATION", "T1"),
                            ent(TEXT, "ngày 5/6", "DATE", "T2")])]
    pred = [rec("d", TEXT, [ent(TEXT, "Hà Nội", "LOCATION", "T1"),
                            ent(TEXT, "Hội nghị", "EVENT", "T2")])]
    strict = score_entities(gold, pred)["strict"]
    assert (strict["micro"]["tp"], strict["micro"]["fp"], strict["micro"]["fn"]) == (1, 1, 1)
    assert strict["micro"]["p"] == 0.5 and strict["micro"]["r"] == 0.5
    assert strict["per_label"]["DATE"] | {} == pytest.approx(
        {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "fp": 0, "fn": 1, "n_gold": 1, "n_pred": 0})
    assert strict["per_label"]["EVENT"]["fp"] == 1
    assert strict["per_label"]["LOCATION"]["f"] == 1.0
    # macro over the labels present (LOCATION 1, DATE 0, EVENT 0)
    assert strict["macro_f"] == pytest.approx(1 / 3)
    conf = confusion_matrix(gold, pred)["matrix"]
    assert conf["DATE"]["none"] == 1
    assert conf["none"]["EVENT"] == 1
    assert conf["LOCATION"]["LOCATION"] == 1
    errors = attribute_errors(gold, pred)
    assert errors["counts"] == {"segmentation": 0, "boundary": 0, "label": 0,
                                "label_boundary": 0, "missed": 1, "spurious": 1}
    by_cat = {e["category"]: e for e in errors["errors"]}
    assert by_cat["missed"]["gold"]["text"] == "ngày 5/6" and by_cat["missed"]["pred"] is None
    assert by_cat["spurious"]["pred"]["text"] == "Hội nghị" and by_cat["spurious"]["gold"] is None


def test_evaluate_segmentation_attribution():
    text = "Thủ tướng Chính phủ ký."
    gold = [rec("d", text, [ent(text, "Thủ tướng", "RANK", "T1"),
                            ent(text, "Chính phủ", "AGENCY", "T2")])]
    pred = [rec("d", text, [ent(text, "Thủ tướng Chính phủ", "RANK", "T1")])]

    def words_fn(t):  # the tokenizer made "Thủ tướng Chính phủ" one word
        assert t == text
        return [(0, 19), (20, 22), (22, 23)]

    with_words = attribute_errors(gold, pred, words_fn)["counts"]
    assert with_words["segmentation"] == 2  # RANK end and AGENCY start fall inside the word
    assert sum(with_words.values()) == 2
    without = attribute_errors(gold, pred)["counts"]
    assert (without["boundary"], without["missed"], without["segmentation"]) == (1, 1, 0)


def test_evaluate_segmentation_needs_the_missed_boundary_inside_a_word():
    text = "Ông Nguyễn Văn An nói."
    gold = [rec("d", text, [ent(text, "Nguyễn Văn An", "OFFICIAL", "T1")])]
    pred = [rec("d", text, [ent(text, "Ông Nguyễn Văn An", "OFFICIAL", "T1")])]
    # a word ends inside "Nguyễn"... but the missed boundary is the start (4), which is a word edge
    words = [(0, 3), (4, 10), (11, 14), (15, 17), (18, 21), (21, 22)]
    assert attribute_errors(gold, pred, lambda t: words)["counts"]["boundary"] == 1


def test_evaluate_micro_average_across_two_docs():
    a = "Bộ trưởng Nguyễn Văn An và Thứ trưởng Lê Hoa."
    b = "Hội nghị tại Hà Nội ngày 5/6."
    gold = [
        rec("a", a, [ent(a, "Bộ trưởng", "RANK", "T1"), ent(a, "Nguyễn Văn An", "OFFICIAL", "T2"),
                     ent(a, "Lê Hoa", "OFFICIAL", "T3")]),
        rec("b", b, [ent(b, "Hà Nội", "LOCATION", "T1")]),
    ]
    pred = [  # given in the other order: documents are matched by id
        rec("b", b, [ent(b, "Hội nghị", "EVENT", "T1"), ent(b, "Hà Nội", "LOCATION", "T2"),
                     ent(b, "ngày 5/6", "DATE", "T3")]),
        rec("a", a, [ent(a, "Bộ trưởng", "RANK", "T1"), ent(a, "Nguyễn Văn An", "OFFICIAL", "T2")]),
    ]
    micro = score_entities(gold, pred)["strict"]["micro"]
    # tp = 2 + 1, pred = 2 + 3, gold = 3 + 1
    assert (micro["tp"], micro["n_pred"], micro["n_gold"]) == (3, 5, 4)
    assert micro["p"] == pytest.approx(0.6)
    assert micro["r"] == pytest.approx(0.75)
    assert micro["f"] == pytest.approx(2 / 3)
    # not the mean of the per-document F1 (0.8 and 0.5)
    docs = {d["id"]: d for d in score(gold, pred)["documents"]}
    assert docs["a"]["strict"]["f"] == pytest.approx(0.8)
    assert docs["b"]["strict"]["f"] == pytest.approx(0.5)
    assert (docs["b"]["n_gold"], docs["b"]["n_pred"]) == (1, 3)


def test_evaluate_missing_prediction_document_counts_all_gold_as_missed():
    gold = [rec("a", TEXT, [ent(TEXT, "Hà Nội", "LOCATION", "T1")]),
            rec("b", TEXT, [ent(TEXT, "Hà Nội", "LOCATION", "T1")])]
    pred = [rec("a", TEXT, [ent(TEXT, "Hà Nội", "LOCATION", "T1")]),
            rec("zzz", TEXT, [ent(TEXT, "Hội nghị", "EVENT", "T1")])]  # no gold: not scored
    micro = score(gold, pred)["entities"]["strict"]["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (1, 0, 1)


# --- relations -------------------------------------------------------------------------------


def _rel_record(relations):
    entities = [ent(TEXT, "Bộ trưởng", "RANK", "T1"), ent(TEXT, "Nguyễn Văn An", "OFFICIAL", "T2"),
                ent(TEXT, "Bộ Ngoại giao", "AGENCY", "T3")]
    return rec("d", TEXT, entities, [{"head": h, "tail": t, "label": label} for h, t, label in relations])


def test_evaluate_relation_wrong_direction_is_wrong():
    gold = [_rel_record([("T2", "T1", "HAS_RANK"), ("T1", "T3", "POSITION_IN")])]
    pred = [_rel_record([("T1", "T2", "HAS_RANK"), ("T1", "T3", "POSITION_IN")])]
    rels = score_relations(gold, pred)
    assert (rels["micro"]["tp"], rels["micro"]["fp"], rels["micro"]["fn"]) == (1, 1, 1)
    assert rels["micro"]["p"] == rels["micro"]["r"] == rels["micro"]["f"] == pytest.approx(0.5)
    assert rels["per_label"]["HAS_RANK"]["f"] == 0.0
    assert rels["per_label"]["POSITION_IN"]["f"] == 1.0
    assert rels["unresolved"] == {"gold": 0, "pred": 0}


def test_evaluate_relation_endpoints_must_match_strictly():
    gold = [_rel_record([("T1", "T3", "POSITION_IN")])]
    pred = _rel_record([("T1", "T3", "POSITION_IN")])
    pred["entities"][2] = ent(TEXT, "Ngoại giao", "AGENCY", "T3")  # tail span off by "Bộ "
    assert score_relations(gold, [pred])["micro"]["tp"] == 0
    # entity ids differ between gold and prediction: spans decide, not ids
    renamed = _rel_record([("X1", "X3", "POSITION_IN")])
    for e, new in zip(renamed["entities"], ("X1", "X2", "X3")):
        e["id"] = new
    assert score_relations(gold, [renamed])["micro"]["f"] == 1.0


def test_evaluate_relation_with_unknown_entity_id_is_counted_unresolved():
    pred = [_rel_record([("T1", "T9", "POSITION_IN")])]
    rels = score_relations([_rel_record([])], pred)
    assert rels["unresolved"] == {"gold": 0, "pred": 1}
    assert rels["micro"]["n_pred"] == 0


# --- underthesea baseline --------------------------------------------------------------------


@pytest.mark.parametrize("text, words, expected", [
    # underthesea moves tone marks (Thuỵ → Thụy, hoà → hòa) and writes NFC
    ("Thuỵ Sĩ hoà giải", ["Thụy Sĩ", "hòa giải"], ["Thuỵ Sĩ", "hoà giải"]),
    (unicodedata.normalize("NFD", "Thuỵ Sĩ  hoà"), ["Thụy Sĩ", "hòa"],
     [unicodedata.normalize("NFD", "Thuỵ Sĩ"), unicodedata.normalize("NFD", "hoà")]),
    # underthesea's own spelling fixes and Ð (U+00D0) → Đ
    ("qui định ở Ðà Nẵng", ["quy định", "ở", "Đà Nẵng"], ["qui định", "ở", "Ðà Nẵng"]),
    ("nghành y tế", ["ngành", "y tế"], ["nghành", "y tế"]),
    ("Ông  Nguyễn\tVăn\nAn", ["Ông", "Nguyễn Văn An"], ["Ông", "Nguyễn\tVăn\nAn"]),
])
def test_evaluate_align_words_finds_normalised_words_in_the_original(text, words, expected):
    spans = align_words(text, words)
    assert [text[s:e] for s, e in spans] == expected


def test_evaluate_underthesea_baseline_maps_labels_and_offsets(monkeypatch):
    underthesea = pytest.importorskip("underthesea")
    text = unicodedata.normalize("NFD", "Ông Trần Văn Hoà đến Thuỵ Sĩ.\nBộ Ngoại giao họp.")

    def fake_ner(sentence):  # what underthesea returns: NFC, tone marks moved
        assert sentence == unicodedata.normalize("NFD", sentence)  # given the input as is
        table = {
            "Ông Trần Văn Hoà đến Thuỵ Sĩ.": [
                ("Ông", "Nc", "B-NP", "O"), ("Trần Văn Hòa", "Np", "B-NP", "B-PER"),
                ("đến", "V", "B-VP", "O"), ("Thụy Sĩ", "Np", "B-NP", "B-LOC"),
                (".", "CH", "O", "O")],
            "Bộ Ngoại giao họp.": [
                ("Bộ", "N", "B-NP", "B-ORG"), ("Ngoại giao", "N", "B-NP", "I-ORG"),
                ("họp", "V", "B-VP", "B-MISC"), (".", "CH", "O", "O")],
        }
        return table[unicodedata.normalize("NFC", sentence)]

    monkeypatch.setattr(underthesea, "ner", fake_ner)
    [ents] = underthesea_baseline([text])
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    assert [(e["label"], e["text"]) for e in ents] == [
        ("OFFICIAL", nfd("Trần Văn Hoà")), ("LOCATION", nfd("Thuỵ Sĩ")), ("AGENCY", nfd("Bộ Ngoại giao"))]
    assert all(text[e["start"]:e["end"]] == e["text"] for e in ents)
    assert [e["id"] for e in ents] == ["T1", "T2", "T3"]


def test_evaluate_underthesea_baseline_real_model_on_odd_input():
    pytest.importorskip("underthesea")
    texts = [unicodedata.normalize("NFD", "Ông Nguyễn Văn An đến Thuỵ Sĩ và Hà Nội."),
             "Hoà bình ở  Thuỵ Sĩ.\n\nÔng Putin ca ngợi những thành tựu của Liên Xô"]
    results = underthesea_baseline(texts)
    assert len(results) == 2
    for text, ents in zip(texts, results):
        for e in ents:
            assert text[e["start"]:e["end"]] == e["text"]
            assert e["label"] in {"OFFICIAL", "AGENCY", "LOCATION"}
            assert e["text"] == e["text"].strip()
    found = {unicodedata.normalize("NFC", e["text"]) for ents in results for e in ents}
    assert "Thuỵ Sĩ" in found  # the original spelling, not underthesea's "Thụy Sĩ"


# --- cross-validation, examples, evaluate_model, CLI ----------------------------------------


def test_evaluate_cross_validate_loo_groups_by_article():
    text = "Hội nghị tại Hà Nội."
    loc = ent(text, "Hà Nội", "LOCATION", "T1")
    gold = [rec("000-body-1", text, [loc]), rec("000-body-2", text, [loc]),
            rec("001-body-1", text, [loc]), rec("x", text, [loc], meta={"source_file": "002.txt"})]
    seen = []

    def train_fn(train):
        seen.append(sorted(r["id"] for r in train))

        def predict_fn(blind):
            assert all(not r["entities"] for r in blind)
            # learns "Hà Nội" only when article 000 was in the training data
            knows = any(r["id"].startswith("000") for r in train)
            return [rec(r["id"], r["text"], [loc] if knows else []) for r in blind]
        return predict_fn

    result = cross_validate_loo(gold, train_fn)
    assert [f["article"] for f in result["folds"]] == ["000", "001", "002.txt"]
    assert seen[0] == ["001-body-1", "x"]
    assert [f["strict_f"] for f in result["folds"]] == [0.0, 1.0, 1.0]
    assert [f["n_test"] for f in result["folds"]] == [2, 1, 1]
    assert result["mean"]["strict_f"] == pytest.approx(2 / 3)
    assert result["pooled"]["entities"]["strict"]["micro"]["r"] == pytest.approx(0.5)
    assert "| **mean** |" in ev.format_cv_table(result)


def test_evaluate_score_examples_uses_the_same_scorer():
    spacy = pytest.importorskip("spacy")
    from spacy.training import Example

    nlp = spacy.blank("xx")
    doc = nlp.make_doc("Ông An đến Hà Nội")
    ref = doc.copy()
    ref.ents = [ref.char_span(4, 6, "OFFICIAL"), ref.char_span(11, 17, "LOCATION")]
    pred = doc.copy()
    pred.ents = [pred.char_span(11, 17, "AGENCY")]
    scores = ev.score_examples([Example(pred, ref)])
    assert scores["ents_f"] == 0.0 and scores["ents_boundary_f"] == pytest.approx(2 / 3)
    assert set(scores["ents_per_type"]) == {"OFFICIAL", "LOCATION", "AGENCY"}


@pytest.fixture
def fake_nlp():
    """A blank pipeline whose entity ruler tags "Hà Nội" as LOCATION and "Hội nghị" as EVENT."""
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("xx")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "LOCATION", "pattern": "Hà Nội"},
                        {"label": "EVENT", "pattern": "Hội nghị"}])
    return nlp


def test_evaluate_model_writes_report(tmp_path, monkeypatch, fake_nlp):
    text = "Hội nghị tại Hà Nội ngày 5/6."
    gold = [rec("000-a", text, [ent(text, "Hà Nội", "LOCATION", "T1"), ent(text, "ngày 5/6", "DATE", "T2")]),
            rec("001-a", text, [ent(text, "Hội nghị", "EVENT", "T1")])]
    problems = [{"task_id": 7, "message": "E012 label 'FOO' is not in the schema"}]
    monkeypatch.setattr(ev, "_load_gold", lambda path, corpus: (gold, [ev._problem_dict(p) for p in problems]))
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "learning_curve.json").write_text(json.dumps(
        [{"n_train": 10, "ents_f": 0.3}, {"n_train": 20, "ents_f": 0.5}]))

    def load_model(model):
        if model == "patterns":
            raise ev.VnpolicyError("E201 patterns not available here")
        return fake_nlp
    monkeypatch.setattr(ev, "_load_model", load_model)
    monkeypatch.setattr(ev, "_baseline_predictions", lambda name, recs: (
        load_model(name) if name == "patterns" else
        ([rec(r["id"], r["text"], []) for r in recs], None)))

    report = tmp_path / "report"
    result = ev.evaluate_model(str(model_dir), tmp_path / "gold.json", output_json=tmp_path / "s.json",
                               report_dir=report)
    micro = result["systems"]["model"]["entities"]["strict"]["micro"]
    # 000-a: Hà Nội found, Hội nghị spurious, ngày 5/6 missed; 001-a: Hội nghị found, Hà Nội spurious
    assert (micro["tp"], micro["fp"], micro["fn"]) == (2, 2, 1)
    assert result["skipped"] == {"count": 1, "tasks": [{"task": "7", "message": problems[0]["message"]}]}
    assert "patterns" in result["baseline_errors"]
    assert result["systems"]["underthesea"]["entities"]["strict"]["micro"]["tp"] == 0
    for name in ("report.md", "report.json", "f1_per_label.png", "confusion.png",
                 "learning_curve.png", "docs/index.html", "docs/000-a.html", "docs/001-a.html"):
        assert (report / name).is_file(), name
    assert json.loads((tmp_path / "s.json").read_text())["n_docs"] == 2
    md = (report / "report.md").read_text()
    assert "skipped invalid gold tasks: 1" in md and "task 7" in md
    page = (report / "docs" / "000-a.html").read_text()
    assert "gold" in page and "prediction" in page and ev.LABEL_COLORS["LOCATION"] in page


def test_evaluate_model_fails_on_missing_gold(tmp_path):
    with pytest.raises(ev.VnpolicyError, match="E301"):
        ev.evaluate_model("patterns", tmp_path / "nowhere")


def test_evaluate_cli_reports_missing_gold(tmp_path):
    from typer.testing import CliRunner

    from vnpolicy_nlp.cli import app

    out = CliRunner().invoke(app, ["evaluate", "--model", "patterns", "--gold", str(tmp_path / "nope")])
    assert out.exit_code == 1
    assert "E301" in out.output


def test_evaluate_default_gold_path_is_under_the_repo():
    assert ev.default_gold_path().parts[-2:] == ("annotations", "gold")
