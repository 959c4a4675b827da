import pytest

from vnpolicy_nlp.ner import PatternTagger, clean_spans
from vnpolicy_nlp.patterns import find_entities, find_relations
from vnpolicy_nlp.pipeline import load
from vnpolicy_nlp.tokenizer import make_nlp


def _ents(text):
    return [(text[s:e], label) for s, e, label in find_entities(text)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Ngày 14/9/2022, Thủ tướng Chính phủ đã ký Quyết định số 1079/QĐ-TTg.",
         [("Ngày 14/9/2022", "DATE"), ("Thủ tướng", "RANK"), ("Chính phủ", "AGENCY"), ("Quyết định số 1079/QĐ-TTg", "DIRECTIVE")]),
        ("Thứ trưởng Lê Văn Nam thăm tỉnh Quảng Nam.",
         [("Thứ trưởng", "RANK"), ("Lê Văn Nam", "OFFICIAL"), ("tỉnh Quảng Nam", "LOCATION")]),
        ("Bộ trưởng Bộ Y tế dự hội nghị.", [("Bộ trưởng", "RANK"), ("Bộ Y tế", "AGENCY")]),
        ("kết luận số 46-TB/TW", [("kết luận số 46-TB/TW", "DIRECTIVE")]),
    ],
)
def test_ner_patterns_find_entities(text, expected):
    assert _ents(text) == expected


def test_ner_patterns_never_cross_a_line_break():
    text = "Bộ Ngoại giao\nÔng Trần Văn An phát biểu"
    assert all("\n" not in text[s:e] for s, e, _ in find_entities(text))


def test_ner_patterns_lower_case_bare_event_is_not_tagged():
    assert _ents("Tại hội nghị, các đại biểu thảo luận.") == []


def test_ner_pattern_relations_follow_form():
    text = "Ngày 14/9/2022, Thủ tướng Chính phủ đã ký Quyết định số 1079/QĐ-TTg của Thủ tướng Chính phủ ngày 14/9/2022."
    ents = find_entities(text)
    rels = {(text[ents[h][0]:ents[h][1]], label, text[ents[t][0]:ents[t][1]]) for h, t, label in find_relations(text, ents)}
    assert ("Thủ tướng", "POSITION_IN", "Chính phủ") in rels
    assert ("Quyết định số 1079/QĐ-TTg", "ISSUED_BY", "Thủ tướng") in rels
    assert ("Quyết định số 1079/QĐ-TTg", "ISSUED_ON", "ngày 14/9/2022") in rels


def test_ner_pattern_has_rank_name_after_title():
    text = "Thứ trưởng Nguyễn Văn Bình phát biểu."
    ents = find_entities(text)
    assert [(label) for _, _, label in ents] == ["RANK", "OFFICIAL"]
    assert find_relations(text, ents) == [(1, 0, "HAS_RANK")]


def test_ner_fill_mode_keeps_existing_entities():
    nlp = make_nlp()
    doc = nlp("Thứ trưởng Nguyễn Văn Bình thăm Hà Nội.")
    doc.ents = [doc.char_span(0, 10, label="AGENCY")]  # a (wrong) model entity stays
    doc = PatternTagger(mode="fill", relations=False)(doc)
    labels = {(e.text, e.label_) for e in doc.ents}
    assert ("Thứ trưởng", "AGENCY") in labels
    assert ("Nguyễn Văn Bình", "OFFICIAL") in labels and ("Hà Nội", "LOCATION") in labels


def test_ner_clean_spans_trims_edges_and_drops_line_breaks():
    nlp = make_nlp()
    doc = nlp("“Hội nghị Diên Hồng”, và\nBộ Y tế")
    doc.ents = [doc.char_span(0, 21, label="EVENT", alignment_mode="expand"), doc.char_span(22, 32, label="AGENCY", alignment_mode="expand")]
    cleaned = [(s.text, s.label_) for s in clean_spans(doc)]
    assert cleaned == [("Hội nghị Diên Hồng", "EVENT")]


def test_ner_clean_spans_trims_the_opening_words_the_spec_leaves_out():
    nlp = make_nlp()
    doc = nlp("Ông Tạ Anh Tuấn gặp nguyên Bộ trưởng và PGS.TS")
    doc.ents = [doc.char_span(0, 15, label="OFFICIAL"), doc.char_span(20, 36, label="RANK"),
                doc.char_span(40, 46, label="OFFICIAL")]
    assert [(s.text, s.label_) for s in clean_spans(doc)] == [("Tạ Anh Tuấn", "OFFICIAL"), ("Bộ trưởng", "RANK")]


@pytest.mark.parametrize("text,kept", [("Quyết định số 5559", True), ("57-KL/TW", True), ("Đề án 1079", True),
                                       ("bão số 3", False), ("Nghị định thay thế", False)])
def test_ner_clean_spans_keeps_only_directives_of_the_spec_form(text, kept):
    doc = make_nlp()(text)
    doc.ents = [doc.char_span(0, len(text), label="DIRECTIVE", alignment_mode="expand")]
    assert [s.text for s in clean_spans(doc)] == ([text] if kept else [])


def test_ner_patterns_pipeline_offsets_are_exact():
    nlp = load("patterns")
    text = "Sáng 27/11, Thủ tướng Phạm Minh Chính dự Hội nghị Thượng đỉnh tại Hà Nội."
    doc = nlp(text)
    assert doc.text == text
    for ent in doc.ents:
        assert text[ent.start_char:ent.end_char] == ent.text
    assert ("Phạm Minh Chính", "OFFICIAL") in {(e.text, e.label_) for e in doc.ents}


def test_ner_not_entities_and_abbreviations():
    doc = make_nlp()("Tuy nhiên, Tổ chức Cứu trợ Trẻ em (SC) cho biết SC sẽ hỗ trợ.")
    doc.ents = [doc.char_span(0, 9, label="LOCATION"), doc.char_span(11, 33, label="AGENCY")]
    doc = PatternTagger(mode="off")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Tổ chức Cứu trợ Trẻ em", "AGENCY"), ("SC", "AGENCY"), ("SC", "AGENCY")]


def test_ner_entity_confidence_without_trained_ner_is_empty():
    from vnpolicy_nlp.ner import entity_confidence

    nlp = load("patterns")
    assert entity_confidence(nlp, nlp("Bộ Y tế họp.")) == {}


def _example(nlp, text, spans):
    from spacy.training import Example

    from vnpolicy_nlp.records import record_to_doc

    ents = [{"id": f"T{i}", "start": text.index(s), "end": text.index(s) + len(s), "label": lab}
            for i, (s, lab) in enumerate(spans)]
    doc = record_to_doc(nlp, {"id": "x", "text": text, "entities": ents, "relations": []})
    return Example(doc.copy(), doc)


def test_mention_swap_augmenter_swaps_mentions_of_the_same_label_only():
    import random

    from vnpolicy_nlp.ner import create_mention_swap_augmenter

    nlp = make_nlp()
    first = _example(nlp, "Bộ trưởng Bộ Công an Tô Lâm dự Hội nghị tại Hà Nội.",
                     [("Bộ trưởng", "RANK"), ("Bộ Công an", "AGENCY"), ("Tô Lâm", "OFFICIAL"), ("Hà Nội", "LOCATION")])
    second = _example(nlp, "Thứ trưởng Bộ Ngoại giao Đỗ Hùng Việt thăm thành phố Đà Nẵng.",
                      [("Thứ trưởng", "RANK"), ("Bộ Ngoại giao", "AGENCY"), ("Đỗ Hùng Việt", "OFFICIAL"),
                       ("thành phố Đà Nẵng", "LOCATION")])
    augment = create_mention_swap_augmenter(level=1.0, swap=1.0, labels=["AGENCY", "OFFICIAL"])
    random.seed(0)
    assert len(list(augment(nlp, first))) == 1  # nothing else of those labels seen yet: no copy
    original, copy = augment(nlp, second)
    assert original is second
    assert copy.reference.text == "Thứ trưởng Bộ Công an Tô Lâm thăm thành phố Đà Nẵng."
    assert [(e.text, e.label_) for e in copy.reference.ents] == [
        ("Thứ trưởng", "RANK"), ("Bộ Công an", "AGENCY"), ("Tô Lâm", "OFFICIAL"), ("thành phố Đà Nẵng", "LOCATION")]
    assert [t.text for t in copy.predicted] == [t.text for t in copy.reference]


def test_mention_swap_augmenter_at_level_zero_adds_nothing():
    from vnpolicy_nlp.ner import create_mention_swap_augmenter

    nlp = make_nlp()
    augment = create_mention_swap_augmenter(level=0.0)
    examples = [_example(nlp, "Bộ Y tế họp.", [("Bộ Y tế", "AGENCY")]), _example(nlp, "Bộ Công an họp.", [("Bộ Công an", "AGENCY")])]
    assert [len(list(augment(nlp, ex))) for ex in examples] == [1, 1]
