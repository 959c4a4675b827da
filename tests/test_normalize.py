"""Tests for vnpolicy_nlp.normalize: directive parsing, canonical ids, the code pattern, the component."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st

from vnpolicy_nlp.relations import ent_key
from vnpolicy_nlp.normalize import (
    DIRECTIVE_CODE_PATTERN,
    doc_type_code,
    doc_type_name,
    issuer_name,
    load_lexicons,
    parse_directive,
)

FIELDS = ("number", "year", "doc_type_code", "doc_type", "issuer_code", "issuer", "canonical_id")

# text, number, year, doc_type_code, doc_type, issuer_code, issuer, canonical_id
PARSE_CASES = [
    (
        "Quyết định số 1079/QĐ-TTg",
        "1079",
        None,
        "QĐ",
        "Quyết định",
        "TTg",
        "Thủ tướng Chính phủ",
        "1079/QĐ-TTg",
    ),
    ("1079/QĐ-TTg", "1079", None, "QĐ", "Quyết định", "TTg", "Thủ tướng Chính phủ", "1079/QĐ-TTg"),
    (
        "Quyết định 1079/QĐ TTg",
        "1079",
        None,
        "QĐ",
        "Quyết định",
        "TTg",
        "Thủ tướng Chính phủ",
        "1079/QĐ-TTg",
    ),
    ("Kết luận số 57-KL/TW", "57", None, "KL", "Kết luận", "TW", "Trung ương", "57-KL/TW"),
    ("kết luận số 46-TB/TW", "46", None, "TB", "Thông báo", "TW", "Trung ương", "46-TB/TW"),
    (
        "Thông tư số 22/2024/TT-BYT",
        "22",
        2024,
        "TT",
        "Thông tư",
        "BYT",
        "Bộ Y tế",
        "22/2024/TT-BYT",
    ),
    (
        "111-HD/BTGTW",
        "111",
        None,
        "HD",
        "Hướng dẫn",
        "BTGTW",
        "Ban Tuyên giáo Trung ương",
        "111-HD/BTGTW",
    ),
    ("2136-QĐNS/TW", "2136", None, "QĐNS", "Quyết định", "TW", "Trung ương", "2136-QĐNS/TW"),
    ("Nghị quyết số 47/NQ-CP", "47", None, "NQ", "Nghị quyết", "CP", "Chính phủ", "47/NQ-CP"),
    ("Chỉ thị số 44-CT/TW", "44", None, "CT", "Chỉ thị", "TW", "Trung ương", "44-CT/TW"),
    ("Đề án 1079", "1079", None, "ĐA", "Đề án", None, None, "1079/ĐA"),
    ("Quyết định số 5559", "5559", None, "QĐ", "Quyết định", None, None, "5559/QĐ"),
    ("Nghị quyết 68-NQ/TW", "68", None, "NQ", "Nghị quyết", "TW", "Trung ương", "68-NQ/TW"),
    ("21/KH-UBND", "21", None, "KH", "Kế hoạch", "UBND", "Ủy ban nhân dân", "21/KH-UBND"),
    ("Nghị định 15/2020/NĐ-CP", "15", 2020, "NĐ", "Nghị định", "CP", "Chính phủ", "15/2020/NĐ-CP"),
    (
        "68/GP-BTTTT",
        "68",
        None,
        "GP",
        "Giấy phép",
        "BTTTT",
        "Bộ Thông tin và Truyền thông",
        "68/GP-BTTTT",
    ),
    # Ð (U+00D0) written for Đ, lower-case codes, a spaced hyphen, an en dash
    (
        "Quyết định số 1079/Q\u00d0-TTg",
        "1079",
        None,
        "QĐ",
        "Quyết định",
        "TTg",
        "Thủ tướng Chính phủ",
        "1079/QĐ-TTg",
    ),
    (
        "quyết định số 2590/qđ-bgdđt",
        "2590",
        None,
        "QĐ",
        "Quyết định",
        "BGDĐT",
        "Bộ Giáo dục và Đào tạo",
        "2590/QĐ-BGDĐT",
    ),
    (
        "Quyết định số 1079 / QĐ - TTg",
        "1079",
        None,
        "QĐ",
        "Quyết định",
        "TTg",
        "Thủ tướng Chính phủ",
        "1079/QĐ-TTg",
    ),
    (
        "Nghị định số 7/2009/NĐ\u2013CP",
        "07",
        2009,
        "NĐ",
        "Nghị định",
        "CP",
        "Chính phủ",
        "07/2009/NĐ-CP",
    ),
    # National Assembly resolutions and laws: no type code, a term after the issuer
    (
        "Nghị quyết số 257/2025/QH15",
        "257",
        2025,
        "NQ",
        "Nghị quyết",
        "QH15",
        "Quốc hội khóa XV",
        "257/2025/QH15",
    ),
    ("Luật số 24/2018/QH14", "24", 2018, None, "Luật", "QH14", "Quốc hội khóa XIV", "24/2018/QH14"),
    # official letters: issuer and drafting unit, no type code
    ("Công văn số 4992/BYT-DP", "4992", None, "CV", "Công văn", "BYT", "Bộ Y tế", "4992/BYT-DP"),
    ("2386/VPCP-NN", "2386", None, "CV", "Công văn", "VPCP", "Văn phòng Chính phủ", "2386/VPCP-NN"),
    (
        "Công văn số 1244/CVNS/BTCTW",
        "1244",
        None,
        "CVNS",
        "Công văn",
        "BTCTW",
        "Ban Tổ chức Trung ương",
        "1244/CVNS/BTCTW",
    ),
    (
        "Văn bản số 3240-CV/VPTU",
        "3240",
        None,
        "CV",
        "Công văn",
        "VPTU",
        "Văn phòng Tỉnh ủy",
        "3240-CV/VPTU",
    ),
    # a code shared by two types: the type word picks, else the numbering style
    ("Quy định số 30-QĐ/TW", "30", None, "QĐ", "Quy định", "TW", "Trung ương", "30-QĐ/TW"),
    ("03-TT/TW", "03", None, "TT", "Thông tri", "TW", "Trung ương", "03-TT/TW"),
    (
        "Kết luận thanh tra số 1203/KL-TTCP",
        "1203",
        None,
        "KL",
        "Kết luận thanh tra",
        "TTCP",
        "Thanh tra Chính phủ",
        "1203/KL-TTCP",
    ),
    (
        "Thông tư liên tịch số 01/2015/TTLT-BNV-BTC",
        "01",
        2015,
        "TTLT",
        "Thông tư liên tịch",
        "BNV-BTC",
        "Bộ Nội vụ, Bộ Tài chính",
        "01/2015/TTLT-BNV-BTC",
    ),
    # the mention runs on into prose: the code stops where the prose starts
    (
        "Quyết định số 1079/QĐ-TTg ngày 14/9/2022",
        "1079",
        None,
        "QĐ",
        "Quyết định",
        "TTg",
        "Thủ tướng Chính phủ",
        "1079/QĐ-TTg",
    ),
    # an unknown issuer code is kept as written
    ("Quyết định số 12/QĐ-XYZQ", "12", None, "QĐ", "Quyết định", "XYZQ", None, "12/QĐ-XYZQ"),
]


@pytest.mark.parametrize(
    "text,number,year,type_code,doc_type,issuer_code,issuer,canonical", PARSE_CASES
)
def test_normalize_parse_directive_fields(
    text, number, year, type_code, doc_type, issuer_code, issuer, canonical
):
    result = parse_directive(text)
    assert result is not None
    got = {field: result[field] for field in FIELDS}
    assert got == dict(
        zip(FIELDS, (number, year, type_code, doc_type, issuer_code, issuer, canonical))
    )


@pytest.mark.parametrize(
    "text,mention_type",
    [
        ("kết luận số 46-TB/TW", "kết luận"),
        ("Quyết định số 1079/QĐ-TTg", "Quyết định"),
        ("Kết luận thanh tra số 1203/KL-TTCP", "Kết luận thanh tra"),
        ("Quyết  định số 5559", "Quyết định"),
        ("1079/QĐ-TTg", None),
    ],
)
def test_normalize_parse_directive_keeps_mention_type(text, mention_type):
    assert parse_directive(text)["mention_type"] == mention_type


def test_normalize_parse_directive_unit_code():
    assert parse_directive("2847/UBND-KGVX")["unit_code"] == "KGVX"
    assert parse_directive("1079/QĐ-TTg")["unit_code"] is None


@pytest.mark.parametrize(
    "text",
    ["", "Đề án truyền thông về quyền con người ở Việt Nam", "số 1079", "1079", "Quyết định"],
)
def test_normalize_parse_directive_none_without_number_and_type(text):
    assert parse_directive(text) is None


@pytest.mark.parametrize(
    "mentions,canonical",
    [
        (
            [
                "Quyết định số 1079/QĐ-TTg",
                "1079/QĐ-TTg",
                "Quyết định 1079/QĐ TTg",
                "quyết định số 1079/Q\u00d0-TTg",
                "Quyết định số 1079/QĐ-TTG",
                "Quyết định số 1079/QĐ-TTg".replace("ế", "e\u0302\u0301"),
            ],
            "1079/QĐ-TTg",
        ),
        (["Kết luận số 57-KL/TW", "57-KL/TW", "kết luận 57-KL/TƯ"], "57-KL/TW"),
        (
            ["Thông tư số 22/2024/TT-BYT", "22/2024/TT-BYT", "Thông tư 22/2024/TT-BYT"],
            "22/2024/TT-BYT",
        ),
        (
            ["Nghị định số 07/2009/NĐ-CP", "Nghị định 7/2009/NĐ-CP", "07/2009/NÐ-CP"],
            "07/2009/NĐ-CP",
        ),
        (["Quyết định số 5559", "quyết định 5559", "Quyết định số 5559/QĐ"], "5559/QĐ"),
        (["Quyết định 12/QĐ-BGD&ĐT", "12/QĐ-BGDĐT", "12/qđ-bgd&đt"], "12/QĐ-BGDĐT"),
    ],
)
def test_normalize_same_document_same_canonical_id(mentions, canonical):
    assert {parse_directive(m)["canonical_id"] for m in mentions} == {canonical}


def test_normalize_different_documents_different_ids():
    ids = {
        parse_directive(m)["canonical_id"]
        for m in ["1079/QĐ-TTg", "Đề án 1079", "1079/QĐ-BTTTT", "57-KL/TW", "57/KL-TTCP"]
    }
    assert len(ids) == 5


POSITIVE_CODES = [
    "1079/QĐ-TTg",
    "57-KL/TW",
    "22/2024/TT-BYT",
    "111-HD/BTGTW",
    "2136-QĐNS/TW",
    "47/NQ-CP",
    "21/KH-UBND",
    "68-NQ/TW",
    "15/2020/NĐ-CP",
    "68/GP-BTTTT",
    "46-TB/TW",
    "44-CT/TW",
    "1244/CVNS/BTCTW",
    "4992/BYT-DP",
    "2847/UBND-KGVX",
    "257/2025/QH15",
    "80-QĐ/ĐU",
    "01/2015/TTLT-BNV-BTC",
    "1079/Q\u00d0-TTg",
    "12/QĐ-BGD&ĐT",
    "1079/QĐ",
]


@pytest.mark.parametrize("code", POSITIVE_CODES)
def test_normalize_code_pattern_matches_codes(code):
    assert DIRECTIVE_CODE_PATTERN.fullmatch(code)
    # in running text, with punctuation around it
    text = f"theo Quyết định số {code}, ngày 14/9/2022 ({code})."
    assert [m.group() for m in DIRECTIVE_CODE_PATTERN.finditer(text)] == [code, code]


@pytest.mark.parametrize(
    "text",
    [
        "14/9/2022",
        "Ngày 14/9/2022",
        "ngày 06/02/2018",
        "2023-2028",
        "giai đoạn 2023-2028",
        "nhiệm kỳ 2021-2026",
        "tháng 3-2006",
        "Sáng 27/11",
        "12:40",
        "COVID-19",
        "Ban Chỉ đạo 138/Chính phủ",
        "Ban Chỉ đạo 138/CP",
        "https://x.vn/2023807-m/562/lapg",
        "24/7",
        "1/2",
        "F0-F1",
        "14/9/2022-KL/TW",
        "Quyết định số 5559",
    ],
)
def test_normalize_code_pattern_rejects_non_codes(text):
    assert DIRECTIVE_CODE_PATTERN.search(text) is None


def test_normalize_code_pattern_stops_before_unhyphenated_tail():
    matches = [m.group() for m in DIRECTIVE_CODE_PATTERN.finditer("Quyết định 1079/QĐ TTg")]
    assert matches == ["1079/QĐ"]


@given(
    st.integers(1, 31),
    st.integers(1, 12),
    st.integers(1900, 2099),
    st.sampled_from("/-."),
)
def test_normalize_code_pattern_never_matches_dates(day, month, year, sep):
    for text in (
        f"{day}{sep}{month}{sep}{year}",
        f"{day:02d}{sep}{month:02d}{sep}{year}",
        f"{month}{sep}{year}",
        f"{year}-{year + 5}",
    ):
        assert DIRECTIVE_CODE_PATTERN.search(text) is None


def test_normalize_every_lexicon_type_code_parses():
    lex = load_lexicons()
    for rows in lex.types_by_code.values():
        code = rows[0].code
        result = parse_directive(f"12/{code}-BYT")
        assert result["doc_type_code"] == code
        assert result["doc_type"] in {r.name for r in rows}
        assert DIRECTIVE_CODE_PATTERN.fullmatch(f"12/{code}-BYT")


def test_normalize_every_lexicon_issuer_parses():
    for issuer in set(load_lexicons().issuers.values()):
        result = parse_directive(f"12/QĐ-{issuer.code}")
        assert (result["issuer_code"], result["issuer"]) == (issuer.code, issuer.name)
        assert result["canonical_id"] == f"12/QĐ-{issuer.code}"


def test_normalize_lexicon_lookups():
    assert doc_type_code("Quyết định") == "QĐ"
    assert doc_type_code("kết luận") == "KL"
    assert doc_type_code("Luật") is None
    assert doc_type_name("CT") == "Chỉ thị"
    assert doc_type_name("TT") == "Thông tư"
    assert doc_type_name("TT", style="party") == "Thông tri"
    assert issuer_name("BTGTW") == "Ban Tuyên giáo Trung ương"
    assert issuer_name("btt&tt") == "Bộ Thông tin và Truyền thông"
    assert issuer_name("UBTVQH14") == "Ủy ban Thường vụ Quốc hội khóa XIV"
    assert issuer_name("NOPE") is None


TEXT = (
    "Ngày 14/9/2022, Thủ tướng Chính phủ đã ký Quyết định số 1079/QĐ-TTg phê duyệt "
    "Đề án 1079 và Kết luận số 57-KL/TW."
)


def _doc_with_ents(nlp, spans):
    doc = nlp.make_doc(TEXT)
    ents = []
    for surface, label in spans:
        start = TEXT.index(surface)
        span = doc.char_span(start, start + len(surface), label=label)
        assert span is not None, surface
        ents.append(span)
    doc.ents = ents
    return doc


def test_normalize_component_sets_ent_attrs():
    nlp = spacy.blank("xx")
    nlp.add_pipe("vnpolicy_directives")
    doc = _doc_with_ents(
        nlp,
        [
            ("Ngày 14/9/2022", "DATE"),
            ("Thủ tướng", "RANK"),
            ("Quyết định số 1079/QĐ-TTg", "DIRECTIVE"),
            ("Đề án 1079", "DIRECTIVE"),
            ("Kết luận số 57-KL/TW", "DIRECTIVE"),
        ],
    )
    doc = nlp(doc)
    attrs = doc._.ent_attrs
    directives = [ent for ent in doc.ents if ent.label_ == "DIRECTIVE"]
    assert set(attrs) == {ent_key(ent.start_char, ent.end_char) for ent in directives}
    by_text = {TEXT[ent.start_char:ent.end_char]: attrs[ent_key(ent.start_char, ent.end_char)] for ent in directives}
    assert by_text["Quyết định số 1079/QĐ-TTg"]["canonical_id"] == "1079/QĐ-TTg"
    assert by_text["Quyết định số 1079/QĐ-TTg"]["issuer"] == "Thủ tướng Chính phủ"
    assert by_text["Đề án 1079"]["canonical_id"] == "1079/ĐA"
    assert by_text["Kết luận số 57-KL/TW"] == parse_directive("Kết luận số 57-KL/TW")


def test_normalize_component_merges_existing_attrs_and_honours_label():
    nlp = spacy.blank("xx")
    nlp.add_pipe("vnpolicy_directives", config={"label": "DOC"})
    doc = _doc_with_ents(nlp, [("Quyết định số 1079/QĐ-TTg", "DOC"), ("Đề án 1079", "DIRECTIVE")])
    key = ent_key(doc.ents[0].start_char, doc.ents[0].end_char)
    doc._.ent_attrs = {key: {"note": "kept"}}
    doc = nlp(doc)
    assert doc._.ent_attrs[key]["note"] == "kept"
    assert doc._.ent_attrs[key]["canonical_id"] == "1079/QĐ-TTg"
    assert len(doc._.ent_attrs) == 1


def test_normalize_component_without_directives_gives_empty_dict():
    nlp = spacy.blank("xx")
    nlp.add_pipe("vnpolicy_directives")
    assert list(nlp.pipe(["Không có văn bản nào."]))[0]._.ent_attrs == {}


def test_normalize_component_round_trips_to_disk(tmp_path):
    nlp = spacy.blank("xx")
    nlp.add_pipe("vnpolicy_directives", config={"label": "DOC"})
    nlp.to_disk(tmp_path)
    loaded = spacy.load(tmp_path)
    assert loaded.pipe_names == ["vnpolicy_directives"]
    assert loaded.get_pipe("vnpolicy_directives").label == "DOC"
