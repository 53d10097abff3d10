"""Cell helpers shared by the register sheets: text that never becomes a formula, widths for Japanese."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from output.columns import clean, is_formula_like
from output.print_layout import HEADER_FONT_PT, LIST_FONT_PT

FONT_NAME = "IPAexゴシック"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REVIEW_FILL = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
HEADER_FONT = Font(name=FONT_NAME, bold=True)
BODY_FONT = Font(name=FONT_NAME)
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")

# Named cell styles: each kind of cell gets its font, border, fill, alignment and protection as one named style,
# built once per workbook and given to a cell by name (openpyxl's public `cell.style`), instead of four style
# objects per cell that openpyxl hashes one by one (register.xlsx of 4,508 forms holds ~170,000 styled cells).
STYLE_HEADER, STYLE_TABLE, STYLE_TABLE_WRAP = "台帳_見出し", "台帳_表", "台帳_表_折返し"
STYLE_LIST_HEADER, STYLE_LIST, STYLE_LIST_REVIEW = "台帳_一覧_見出し", "台帳_一覧", "台帳_一覧_レビュー欄"
STYLE_LIST_NUMBER, STYLE_LIST_LINK = "台帳_一覧_数値", "台帳_一覧_リンク"


def _list_style(name: str, *, review: bool = False, number: bool = False, link: bool = False) -> NamedStyle:
    font = Font(name=FONT_NAME, size=LIST_FONT_PT, color="0563C1", underline="single") if link else \
        Font(name=FONT_NAME, size=LIST_FONT_PT)
    return NamedStyle(name=name, font=font, alignment=WRAP_TOP, border=BORDER,
                      fill=REVIEW_FILL if review else PatternFill(), protection=Protection(locked=not review),
                      number_format="0.00" if number else "General")


NAMED_STYLES: dict[str, Callable[[], NamedStyle]] = {
    STYLE_HEADER: lambda: NamedStyle(name=STYLE_HEADER, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER,
                                     alignment=HEADER_ALIGN),
    STYLE_LIST_HEADER: lambda: NamedStyle(name=STYLE_LIST_HEADER, font=Font(name=FONT_NAME, bold=True, size=HEADER_FONT_PT),
                                          fill=HEADER_FILL, border=BORDER, alignment=HEADER_ALIGN),
    STYLE_TABLE: lambda: NamedStyle(name=STYLE_TABLE, font=BODY_FONT, border=BORDER),
    STYLE_TABLE_WRAP: lambda: NamedStyle(name=STYLE_TABLE_WRAP, font=BODY_FONT, border=BORDER, alignment=WRAP_TOP),
    STYLE_LIST: lambda: _list_style(STYLE_LIST),
    STYLE_LIST_REVIEW: lambda: _list_style(STYLE_LIST_REVIEW, review=True),
    STYLE_LIST_NUMBER: lambda: _list_style(STYLE_LIST_NUMBER, number=True),
    STYLE_LIST_LINK: lambda: _list_style(STYLE_LIST_LINK, link=True),
}


def styled(cell: Cell, name: str) -> Cell:
    """Give `cell` the named style `name` (added to the workbook the first time); a quote prefix stays."""
    quote = cell.quotePrefix
    try:
        cell.style = name
    except ValueError:  # not in this workbook yet
        cell.parent.parent.add_named_style(NAMED_STYLES[name]())
        cell.style = name
    if quote:
        cell.quotePrefix = True
    return cell


def put(ws: Worksheet, row: int, col: int, value: str | int | float | None, *, cleaned: bool = False) -> Cell:
    """Write a value; text is always stored as text (data_type "s"), never as a formula.

    openpyxl's value binding turns "=..." into a formula (data_type "f"); the cell's public `data_type` is then set
    back to "s", so the text is written as a string. `cleaned=True`: the text is already NFC without XML-illegal
    characters (see columns.clean).
    """
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = value if cleaned else clean(value)
        cell.value = text
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True  # Excel keeps it as text even after the cell is edited
    else:
        cell.value = value
    return cell


def header_row(ws: Worksheet, row: int, titles: list[str] | tuple[str, ...], col: int = 1, *,
               style: str = STYLE_HEADER) -> None:
    for offset, title in enumerate(titles):
        styled(put(ws, row, col + offset, title), style)


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
