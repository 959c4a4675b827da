import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnpolicy_nlp.tokenizer import align_words, make_nlp

NLP = make_nlp()

SAMPLES = [
    "Ngày 14/9/2022, Thủ tướng Chính phủ đã ký Quyết định số 1079/QĐ-TTg phê duyệt Đề án.",
    "Kết luận số 57-KL/TW của Bộ Chính trị và Thông tư số 22/2024/TT-BYT.",
    "Hướng dẫn 111-HD/BTGTW, Quy định 2136-QĐNS/TW; Sở TT&TT, UBND và HĐND tỉnh.",
    "Ông Nguyễn Văn Thuỵ ở tỉnh Hoà Bình.",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_tokenizer_keeps_text(text):
    assert NLP(text).text == text


@pytest.mark.parametrize(
    "code", ["1079/QĐ-TTg", "57-KL/TW", "22/2024/TT-BYT", "111-HD/BTGTW", "2136-QĐNS/TW", "14/9/2022", "TT&TT", "UBND", "HĐND"]
)
def test_tokenizer_codes_are_one_token(code):
    doc = NLP(f"Theo văn bản {code} của tỉnh.")
    assert code in [t.text for t in doc]


def test_tokenizer_compounds_stay_whole():
    words = [t.text for t in NLP("Thủ tướng Chính phủ phê duyệt")]
    assert "Thủ tướng" in words and "Chính phủ" in words


def test_tokenizer_nfd_input_maps_back():
    text = unicodedata.normalize("NFD", "Thủ tướng Chính phủ ở Hoà Bình")
    doc = NLP(text)
    assert doc.text == text
    assert all(unicodedata.is_normalized("NFD", t.text) for t in doc)


def test_tokenizer_old_style_tone_marks():
    doc = NLP("Thuỵ Điển và hoà bình")
    assert doc.text == "Thuỵ Điển và hoà bình"
    assert any("Thuỵ" in t.text for t in doc)


def test_tokenizer_double_space_inside_compound():
    text = "Thủ  tướng Chính   phủ"
    doc = NLP(text)
    assert doc.text == text
    assert "Thủ  tướng" in [t.text for t in doc]


def test_tokenizer_sentences():
    doc = NLP("Hội nghị khai mạc. Bộ trưởng phát biểu.\nNgày 7/8/2023 kết thúc")
    assert [s.text.strip() for s in doc.sents] == ["Hội nghị khai mạc.", "Bộ trưởng phát biểu.", "Ngày 7/8/2023 kết thúc"]


def test_tokenizer_empty_and_whitespace():
    assert NLP("").text == ""
    assert NLP("  \n ").text == "  \n "


def test_tokenizer_align_words_rejects_foreign_words():
    assert align_words("Hà Nội", ["Huế"]) is None
    assert align_words("Hoà  Bình", ["Hòa Bình"]) == [(0, 9)]


def _nlp_with(**options):
    import spacy

    return spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "vnpolicy.UnderTheSeaTokenizer.v1", **options}}})


def test_tokenizer_syllable_affixes_are_first_and_last_syllable():
    doc = _nlp_with(syllable_affixes=True)("Thường trực Ban Chỉ đạo về nhân quyền")
    assert [(t.text, t.prefix_, t.suffix_) for t in doc] == [
        ("Thường trực", "thường", "trực"), ("Ban", "ban", "ban"), ("Chỉ đạo", "chỉ", "đạo"),
        ("về", "về", "về"), ("nhân quyền", "nhân", "quyền")]
    # off (the default): spaCy's character affixes
    assert NLP("Chỉ đạo")[0].suffix_ == "đạo" and NLP("Trưởng ban")[0].prefix_ == "T"


def test_tokenizer_pos_tags_keep_words_and_text(tmp_path):
    nlp = _nlp_with(pos_tags=True)
    text = "Bộ  TT&TT đã ký Quyết định số 1079/QĐ-TTg.\n\nÔng An phát biểu."
    doc = nlp(text)
    assert doc.text == text
    assert [t.text for t in doc] == [t.text for t in NLP(text)]
    tags = {t.text: t.tag_ for t in doc}
    assert tags["ký"] == "V" and tags["\n\n"] == "_SP" and tags["1079/QĐ-TTg"] == "M"
    assert all(t.tag_ for t in doc)
    nlp.to_disk(tmp_path / "nlp")
    import spacy

    assert [t.tag_ for t in spacy.load(tmp_path / "nlp")(text)] == [t.tag_ for t in doc]


def test_tokenizer_serialises(tmp_path):
    NLP.to_disk(tmp_path / "nlp")
    import spacy

    nlp2 = spacy.load(tmp_path / "nlp")
    assert [t.text for t in nlp2("Quyết định 1079/QĐ-TTg")] == [t.text for t in NLP("Quyết định 1079/QĐ-TTg")]


VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ" + "áàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
pieces = st.sampled_from(
    ["Thủ tướng", "Chính phủ", "Thuỵ", "hoà", "1079/QĐ-TTg", "57-KL/TW", "14/9/2022", "😀", "  ", "\n", " ", ",", ".", "“", "TT&TT"]
)
texts = st.lists(st.one_of(pieces, st.text(alphabet=VIET + " \n.,/-", max_size=8)), max_size=12).map("".join)


@settings(max_examples=150, deadline=None)
@given(texts, st.sampled_from(["NFC", "NFD"]))
def test_tokenizer_property_text_is_kept(text, form):
    text = unicodedata.normalize(form, text)
    doc = NLP(text)
    assert doc.text == text
    assert all(t.text for t in doc)


def test_tokenizer_segments_a_repeated_text_once(monkeypatch):
    import underthesea

    text = "Thủ tướng Chính phủ ký Quyết định.\nBộ Y tế họp."
    expected = [t.text for t in NLP(text)]
    calls = []
    real = underthesea.word_tokenize
    monkeypatch.setattr(underthesea, "word_tokenize", lambda line: calls.append(line) or real(line))
    nlp = make_nlp()
    first = nlp(text)
    spans = nlp.tokenizer.word_spans(text)
    spans.clear()  # a caller's list: the remembered segmentation must not change
    second = nlp(text)
    assert [t.text for t in first] == [t.text for t in second] == expected
    assert calls == ["Thủ tướng Chính phủ ký Quyết định.", "Bộ Y tế họp."]
