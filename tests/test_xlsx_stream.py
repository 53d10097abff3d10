"""The streamed sheet reader (extractors/xlsx_stream.py) gives what openpyxl's full load gave.

Workbooks are written here with openpyxl: merged cells with text under them, hyperlinks on empty and merged
cells, dates, times, numbers, booleans, comments, header/footer, a hidden 記入例 sheet, row heights and widths.
"""

from __future__ import annotations

import datetime as dt
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.hyperlink import Hyperlink

from extractors.excel import extract_xlsx
from extractors.excel_drawings import Grid
from extractors.xlsx_stream import Workbook as StreamedWorkbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import compare_registers as cmp  # noqa: E402

REAL = ROOT.parent / "shared" / "corpus" / "real"


def make_book(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "申込書"
    ws["A1"] = "町内清掃ボランティア参加申込書"
    ws.merge_cells("A1:D1")
    ws["A2"] = "申込日"
    ws["B2"] = dt.date(2026, 4, 1)
    ws["C2"] = dt.time(9, 30)
    ws["D2"] = 12.0
    ws["E2"] = 3.25
    ws["F2"] = True
    ws["A3"] = "氏名"
    ws["B3"] = "森下　春子"
    ws["C3"] = "㊞"
    ws["B3"].comment = Comment("自署してください", "係")
    ws["A5"] = "連絡先"
    ws["B5"].hyperlink = "https://example.invalid/form"  # an empty cell shows its link
    ws["A6"] = "参照"
    ws["B6"].hyperlink = Hyperlink(ref="B6", location="申込書!A1")  # a link inside the book: its location
    ws.row_dimensions[3].height = 30
    ws.column_dimensions["B"].width = 24
    ws.oddHeader.center.text = "受付番号欄"
    ws.oddFooter.right.text = "緑町役場"
    example = wb.create_sheet("記入例")
    example["A1"] = "氏名"
    example["B1"] = "見本　太郎"
    example.sheet_state = "hidden"
    wb.save(path)
    return path


def test_streamed_book_reads_the_same(tmp_path):
    path = make_book(tmp_path / "book.xlsx")
    old, new = extract_xlsx(path, reader="openpyxl"), extract_xlsx(path)
    assert cmp.lines_of(new) == cmp.lines_of(old)
    assert (new.status, new.pages, new.meta) == (old.status, old.pages, old.meta)
    texts = {b.location.cell: b.text for b in new.blocks if b.location.kind == "cell" and b.location.sheet == "申込書"}
    assert texts["B2"] == "2026-04-01" and texts["C2"] == "09:30:00" and texts["D2"] == "12" and texts["F2"] == "True"
    assert texts["B5"] == "https://example.invalid/form"
    assert texts["B6"] == "申込書!A1"
    assert any(b.location.kind == "comment" and b.text.endswith("自署してください") for b in new.blocks)
    assert {b.text for b in new.blocks if b.location.kind in ("header", "footer")} == {"受付番号欄", "緑町役場"}
    assert new.meta["hidden_sheets"] == ["記入例"] and new.meta["example_sheets"] == ["記入例"]


def test_grid_from_the_stream_is_openpyxls(tmp_path):
    from openpyxl import load_workbook

    path = make_book(tmp_path / "book.xlsx")
    full = load_workbook(path)
    with zipfile.ZipFile(path) as zf:
        streamed = StreamedWorkbook(zf)
    a, b = Grid(full["申込書"]), Grid(streamed.worksheets[0])
    assert a.row_edges == b.row_edges and a.col_edges == b.col_edges
    assert b.row_edges[2] - b.row_edges[1] == 30 * 12700  # the 30 pt row


def test_text_under_a_merge_is_not_read(tmp_path):
    """Excel keeps values under a merge when a file is written by other tools; openpyxl (and the stream) hide them."""
    path = tmp_path / "merged.xlsx"
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "表題"
    ws["B1"] = "隠れた文字"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:  # add the merge by hand: openpyxl would empty B1 when merging
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells>')
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    old, new = extract_xlsx(path, reader="openpyxl"), extract_xlsx(path)
    assert [b.text for b in new.blocks] == [b.text for b in old.blocks] == ["表題"]


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus/real is not here")
def test_real_workbooks_same_text():
    books = sorted(REAL.glob("*.xlsx"), key=lambda p: p.stat().st_size)[:6]
    assert books
    for path in books:
        old, new = extract_xlsx(path, reader="openpyxl"), extract_xlsx(path)
        assert cmp.lines_of(new) == cmp.lines_of(old), path.name
