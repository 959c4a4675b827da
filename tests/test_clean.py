import codecs

import pytest

from vnpolicy_nlp.clean import boilerplate_regions, decode, html_to_text, read_inputs
from vnpolicy_nlp.errors import VnpolicyError

TEXT = "Thủ tướng Chính phủ ký Quyết định."


@pytest.mark.parametrize(
    "data",
    [TEXT.encode("utf-8"), codecs.BOM_UTF8 + TEXT.encode("utf-8"), TEXT.encode("utf-16")],
)
def test_clean_decode_accepts_utf8_and_utf16_with_bom(data):
    assert decode(data, "x.txt") == TEXT


@pytest.mark.parametrize(
    "data,code",
    [(b"", "E002"), (b"  \n", "E002"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "E003"), ("Hà Nội".encode("latin-1", errors="replace") + b"\xe0\xe1", "E004")],
)
def test_clean_decode_rejects_bad_input(data, code):
    with pytest.raises(VnpolicyError, match=code):
        decode(data, "bad.txt")


def test_clean_read_inputs_keeps_going_after_a_bad_file(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "c.jsonl").write_text('{"id": "r1", "text": "Hà Nội"}\n{"id": "r2"}\n', encoding="utf-8")
    items = list(read_inputs([str(tmp_path)]))
    docs = [i for i in items if not isinstance(i, Exception)]
    errors = [str(i) for i in items if isinstance(i, Exception)]
    assert [d.id for d in docs] == ["a", "r1"]
    assert any("b.txt" in e and "E003" in e for e in errors)
    assert any("c.jsonl line 2" in e for e in errors)


def test_clean_read_inputs_reports_missing_path():
    items = list(read_inputs(["/no/such/file.txt"]))
    assert len(items) == 1 and "E005" in str(items[0])


def test_clean_html_to_text_drops_scripts_and_menus():
    html = "<html><body><nav>Trang chủ</nav><h1>Tiêu đề</h1><p>Bộ Y tế họp.</p><script>x=1</script></body></html>"
    assert html_to_text(html) == "Tiêu đề\nBộ Y tế họp."


def test_clean_boilerplate_regions_cover_menus_images_and_related_news():
    text = "Bộ Y tế họp.\n2023807-m004.jpg\nXem chi tiết icon\nNội dung.\nTin bài liên quan\nBộ Tài chính họp."
    found = [text[s:e] for s, e in boilerplate_regions(text)]
    assert found == ["2023807-m004.jpg", "Xem chi tiết icon", "Tin bài liên quan\nBộ Tài chính họp."]


def test_clean_doubled_headlines_are_boilerplate_only_as_a_list():
    head_a = "Bộ Y tế tổng kết công tác năm 2024 tại Hà Nội"
    head_b = "Tỉnh Nghệ An triển khai nhiệm vụ năm 2025 mới"
    listed = f"Nội dung.\n{head_a} {head_a}\n{head_b} {head_b}\nNội dung."
    assert len(boilerplate_regions(listed)) == 2
    snippet = f"{head_a} {head_a}\nSáng 3/1, Bộ Y tế họp tổng kết."
    assert boilerplate_regions(snippet) == []

