"""Cell helpers shared by the register sheets: text that never becomes a formula, widths for Japanese."""

from __future__ import annotations

import unicodedata

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from output.columns import clean, is_formula_like

FONT_NAME = "IPAexゴシック"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REVIEW_FILL = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
HEADER_FONT = Font(name=FONT_NAME, bold=True)
BODY_FONT = Font(name=FONT_NAME)


def put(ws: Worksheet, row: int, col: int, value: str | int | float | None, *, cleaned: bool = False) -> Cell:
    """Write a value; text is always stored as text (data_type "s"), never as a formula.

    Text bypasses openpyxl's value binding (which turns "=..." into a formula) and is stored as a string.
    `cleaned=True`: the text is already NFC without XML-illegal characters (see columns.clean).
    """
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = value if cleaned else clean(value)
        cell._value = text  # openpyxl 3.1: the stored value; data_type "s" = shared string
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True  # Excel keeps it as text even after the cell is edited
    else:
        cell.value = value
    return cell


def header_row(ws: Worksheet, row: int, titles: list[str] | tuple[str, ...], col: int = 1) -> None:
    for offset, title in enumerate(titles):
        cell = put(ws, row, col + offset, title)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def display_width(text: str) -> int:
    """Columns a line of text needs: full-width (Japanese) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def fit_widths(ws: Worksheet, samples: dict[int, list[str]], *, minimum: int = 6, maximum: int = 40,
               caps: dict[int, int] | None = None) -> None:
    """Set each column's width from its longest line (sampled), clamped to [minimum, cap]."""
    caps = caps or {}
    for col, texts in samples.items():
        longest = max((display_width(line) for t in texts for line in str(t).split("\n")), default=0)
        width = min(max(longest + 2, minimum), caps.get(col, maximum))
        ws.column_dimensions[get_column_letter(col)].width = width


def a4_landscape(ws: Worksheet, *, title_rows: str | None = None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&P / &N"
    if title_rows:
        ws.print_title_rows = title_rows
