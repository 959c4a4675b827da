from vnpolicy_nlp.annfile import is_own_text, read_ann

ANN = """\
=== doc x-01
text: texts/x-01.txt
T1 RANK Thứ trưởng
T2 AGENCY Bộ Y tế
T3 AGENCY Bộ Y tế   # the second mention, found after T2
R POSITION_IN T1 T2
=== doc x-02
text: texts/missing.txt
"""
TEXT = "Thứ trưởng Bộ Y tế nói Bộ Y tế sẽ làm."


def test_read_ann_reads_text_files_beside_the_ann_file(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "x-01.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "x.ann").write_text(ANN, encoding="utf-8")
    records, errors, _ = read_ann(tmp_path / "x.ann")
    assert [r["id"] for r in records] == ["x-01"]
    rec = records[0]
    assert rec["text"] == TEXT
    assert [(e["start"], e["end"]) for e in rec["entities"]] == [(0, 10), (11, 18), (23, 30)]
    assert rec["relations"] == [{"head": "T1", "tail": "T2", "label": "POSITION_IN"}]
    assert is_own_text(rec)
    # the missing text is reported with its file, and the other document is kept
    assert len(errors) == 1 and "x.ann" in errors[0] and "missing.txt" in errors[0]


def test_news_records_are_not_own_text():
    assert not is_own_text({"id": "p001", "meta": {"corpus_id": "p001"}})
    assert not is_own_text({"id": "p002"})
