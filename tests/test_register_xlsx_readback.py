"""register.xlsx looks and behaves as the openpyxl writer made it: every cell's value and style, widths, hidden and
folded columns, links, drop-down, conditional colours, freeze panes, filters, print set-up, sheets and their order.

The test writes a small register of real rows (links to files it makes, every sheet, two runs of history), reads it
back with openpyxl (tests/xlsx_readback.py) and compares it with the description of the same register written by the
openpyxl writer before issue 19 E (tests/fixtures/register_xlsx/expected.json). A change that loses a style fails.
"""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from output.xlsx_style import MAX_LINKS, STYLE_LIST, STYLE_LIST_LINK, Book
from tests.fixtures.register_xlsx.make_expected import EXPECTED, described, write_fixture
from tests.xlsx_readback import describe, differences

# Where the XlsxWriter register differs from the openpyxl one on purpose, and why.
ACCEPTED = {
    # The code always asked for outlineLevelCol=1 (the folded technical columns are outline level 1); openpyxl
    # dropped it when saving, XlsxWriter writes it, so Excel shows the outline's level buttons as it should.
    "by_sheet.一覧.outline_cols": (0, 1),
}


def test_register_reads_back_as_the_openpyxl_writer_made_it(tmp_path: Path) -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    found = described(tmp_path)
    assert sum(len(s["cells"]) for s in found["by_sheet"].values()) > 500  # the whole register, not a stub
    for path, (old, new) in ACCEPTED.items():
        sheet, key = path.split(".")[1:]
        assert expected["by_sheet"][sheet][key] == old and found["by_sheet"][sheet][key] == new, path
    assert differences(expected, found, ignore=frozenset(ACCEPTED)) == []


def test_the_readback_sees_a_lost_fill(tmp_path: Path) -> None:
    """The comparison can fail: the same register with one reviewer cell's yellow removed differs there only."""
    path = write_fixture(tmp_path)
    before = describe(path)
    wb = load_workbook(path)
    wb["一覧"]["P2"].fill = PatternFill()
    wb.save(tmp_path / "edited.xlsx")
    diff = differences(before, describe(tmp_path / "edited.xlsx"))
    assert any(line.startswith("by_sheet.一覧.cells.P2.fill") for line in diff), diff
    assert not [line for line in diff if ".cells." in line and ".cells.P2." not in line], diff


def test_past_excels_link_limits_the_cell_is_plain_text(tmp_path: Path) -> None:
    """Excel holds at most 65,530 links a sheet and 2,079 characters a link: past them the cell keeps its text and
    the column's plain style, without a link (openpyxl would have written a link Excel drops when it opens the file)."""
    book = Book(tmp_path / "links.xlsx")
    ws = book.sheet("一覧")
    ws.put(1, 1, "申請書.docx", STYLE_LIST, link="../forms/a.docx", link_style=STYLE_LIST_LINK)
    ws.put(2, 1, "長い.docx", STYLE_LIST, link="../" + "%E7%94%B3" * 240 + ".docx", link_style=STYLE_LIST_LINK)
    ws.links = MAX_LINKS
    ws.put(3, 1, "=先頭が等号.docx", STYLE_LIST, link="../forms/c.docx", link_style=STYLE_LIST_LINK)
    book.close()
    sheet = load_workbook(tmp_path / "links.xlsx")["一覧"]
    assert sheet["A1"].hyperlink.target.replace("\\", "/") == "../forms/a.docx" and sheet["A1"].font.u == "single"
    for ref, text in (("A2", "長い.docx"), ("A3", "=先頭が等号.docx")):
        cell = sheet[ref]
        assert cell.hyperlink is None and cell.value == text and cell.font.u is None and cell.border.left.style == "thin"
    assert sheet["A3"].quotePrefix is True and sheet["A3"].data_type == "s"
