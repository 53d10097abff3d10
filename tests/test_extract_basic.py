"""Extraction of generated docx / xlsx / pdf forms: seal marks are read at the right place."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.discover import SourceFile, describe_file
from extractors.models import Document, InputFormat, Status
from extractors.registry import EXTRACTOR_VERSION, extract
from tests.fixtures.extract_fixtures import build_all


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return build_all(tmp_path_factory.mktemp("extract"))


@pytest.fixture(scope="module")
def docs(files) -> dict[str, Document]:
    return {name: extract(describe_file(path, path.parent)) for name, path in files.items()}


def find(doc: Document, text: str) -> list:
    return [b for b in doc.blocks if text in b.text]


def test_version_is_set():
    assert len(EXTRACTOR_VERSION) == 16 and int(EXTRACTOR_VERSION, 16) >= 0  # derived from the code (issue 18)


def test_all_read_ok(docs):
    for name, doc in docs.items():
        assert doc.status is Status.OK, (name, doc.errors, doc.warnings)
        assert len(doc.blocks) > 5


def test_docx_table_cell_seal(docs):
    (cell,) = [b for b in find(docs["docx"], "印") if b.location.kind == "table" and b.text == "印"]
    assert (cell.location.table, cell.location.row, cell.location.col) == (1, 2, 3)
    assert cell.line_key == ("t", 1, 2) and cell.order == 3
    assert cell.location.describe() == "表1 2行3列"
    line = next(line for line in docs["docx"].lines() if "山田太郎" in line.text)
    assert line.text == "氏名\t山田太郎\t印"


def test_docx_merged_cells_once(docs):
    doc = docs["docx"]
    assert len(find(doc, "東京都")) == 1
    assert len(find(doc, "備考")) == 1
    (u,) = find(doc, "う")
    assert (u.location.row, u.location.col) == (4, 2)


def test_docx_nested_table(docs):
    (seal,) = find(docs["docx"], "㊞")
    assert seal.location.table == 3 and (seal.location.row, seal.location.col) == (1, 2)
    (outer,) = find(docs["docx"], "外側")
    assert outer.location.table == 2


def test_docx_header_footer(docs):
    (head,) = find(docs["docx"], "受付印")
    assert head.location.kind == "header" and head.location.describe() == "ヘッダー 段落1"
    (first,) = find(docs["docx"], "様式第1号")
    assert first.location.part == "first" and "先頭ページ" in first.location.describe()
    assert find(docs["docx"], "○○市")[0].location.kind == "footer"


def test_docx_textboxes_once(docs):
    boxes = find(docs["docx"], "代表者印")
    assert len(boxes) == 1 and boxes[0].location.kind == "textbox"
    (vml,) = find(docs["docx"], "担当者印")
    assert vml.location.kind == "textbox"
    assert "テキストボックス" in vml.location.describe()


def test_docx_eq_field_in_paragraph(docs):
    (para,) = [b for b in find(docs["docx"], "○印") if b.location.table is None]
    assert para.text == "氏名　　○印"
    assert para.location.kind == "field"


def test_docx_eq_field_in_table_cell(docs):
    (cell,) = [b for b in find(docs["docx"], "○印") if b.location.table is not None]
    assert cell.text == "　　　○印" and (cell.location.table, cell.location.row, cell.location.col) == (1, 5, 2)
    row = next(line for line in docs["docx"].lines() if line.text.startswith("代表者氏名"))
    assert row.text == "代表者氏名\t　　　○印"


def test_docx_headers_of_every_section_once(docs):
    headers = [b for b in docs["docx"].blocks if b.location.kind == "header"]
    assert [b.text for b in headers].count("受付番号　　　受付印") == 1
    (even,) = find(docs["docx"], "確認印")
    assert even.location.part == "even" and even.location.describe() == "ヘッダー（偶数ページ） 段落1"


def test_docx_content_control(docs):
    (ctl,) = find(docs["docx"], "同意します")
    assert ctl.location.kind == "control"


def test_xlsx_cells_and_merged(docs):
    doc = docs["xlsx"]
    (title,) = find(doc, "補助金交付申請書")
    assert title.location.cell == "A1" and title.location.describe() == "様式!A1"
    (seal,) = [b for b in find(doc, "印") if b.location.sheet == "様式" and b.text == "印"]
    assert seal.location.cell == "C7" and seal.line_key == ("x", "様式", 7)


def test_xlsx_drawn_shape_joins_name_row(docs):
    doc = docs["xlsx"]
    (shape,) = [b for b in doc.blocks if b.location.kind == "shape"]
    assert shape.text == "㊞" and shape.location.row == 5
    line = next(line for line in doc.lines() if line.text.startswith("氏名"))
    assert line.text == "氏名\t（自署又は記名押印）\t㊞"
    assert "図形" in shape.location.describe()


def test_xlsx_second_sheet_example_hidden_comment(docs):
    doc = docs["xlsx"]
    (second,) = [b for b in doc.blocks if b.location.sheet == "別紙" and b.text == "印"]
    assert second.location.cell == "B2" and not second.example
    examples = [b for b in doc.blocks if b.location.sheet == "記入例"]
    assert examples and all(b.example for b in examples)
    assert doc.meta["example_sheets"] == ["記入例"] and doc.meta["hidden_sheets"] == ["リスト"]
    assert all(b.hidden for b in doc.blocks if b.location.sheet == "リスト")
    (comment,) = find(doc, "押印は不要です")
    assert comment.location.kind == "comment" and comment.location.cell == "A3"
    assert find(doc, "様式第2号")[0].location.kind == "header"


def test_pdf_line_and_table_cell(docs):
    doc = docs["pdf"]
    assert doc.pages == 2
    (line,) = [b for b in doc.blocks if b.location.kind == "body" and "印" in b.text]
    assert line.text.startswith("申請者") and line.text.endswith("印")
    assert line.location.page == 1 and line.location.kind == "body" and line.location.bbox
    (cell,) = [b for b in doc.blocks if b.location.kind == "table" and b.text == "印"]
    assert (cell.location.page, cell.location.table, cell.location.row, cell.location.col) == (1, 1, 2, 3)
    assert cell.location.describe() == "p.1 表1 2行3列"
    row = next(line for line in doc.lines() if line.text.startswith("氏名"))
    assert row.text == "氏名\t山田太郎\t印"
    assert find(doc, "同意書")[0].location.page == 2


def _source(path: Path, fmt: InputFormat, error: str | None = None) -> SourceFile:
    return SourceFile(path, path.parent, path.name, "", path.stat().st_size if path.exists() else 0, fmt, None, error)


@pytest.mark.parametrize(
    ("name", "data", "fmt", "expected"),
    [
        ("broken.pdf", b"%PDF-1.4\n garbage", InputFormat.PDF, "PDFが壊れている"),
        ("broken.docx", b"PK\x03\x04garbage", InputFormat.DOCX, "Wordファイルが壊れている"),
        ("broken.xlsx", b"PK\x03\x04garbage", InputFormat.XLSX, "Excelファイルが壊れている"),
        ("empty.docx", b"", InputFormat.EMPTY, "空のファイル"),
        ("a.jtd", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, InputFormat.JTD, "一太郎"),
        ("a.pptx", b"PK", InputFormat.PPTX, "PowerPoint"),
    ],
)
def test_failures_become_failed_documents(tmp_path, name, data, fmt, expected):
    path = tmp_path / name
    path.write_bytes(data)
    doc = extract(_source(path, fmt))
    assert doc.status is Status.FAILED
    assert expected in doc.errors[0]
    assert doc.format is fmt


def test_sniffed_broken_files_fail_cleanly(tmp_path):
    path = tmp_path / "truncated.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    doc = extract(describe_file(path, tmp_path))
    assert doc.status is Status.FAILED and doc.errors


def test_source_error_passes_through(tmp_path):
    doc = extract(_source(tmp_path / "x.pdf", InputFormat.UNKNOWN, "ファイルを読む権限がありません"))
    assert doc.status is Status.FAILED and doc.errors == ("ファイルを読む権限がありません",)


def test_pdf_vertical_text_reads_columns(tmp_path):
    from tests.fixtures.extract_fixtures import make_vertical_pdf

    path = make_vertical_pdf(tmp_path / "vertical.pdf")
    doc = extract(describe_file(path, tmp_path))
    assert doc.status is Status.OK
    assert [b.text for b in doc.blocks] == ["委任状", "私は下記の者を代理人と定めます", "氏名 山田太郎 印"]
    assert doc.blocks[2].location.describe() == "p.1 3行目"


def test_pdf_unstack_vertical_cell():
    from extractors.pdf import _unstack

    assert _unstack("申\n請\n者") == "申請者"
    assert _unstack("氏名\n山田") == "氏名\n山田"
