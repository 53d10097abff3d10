"""Cell helpers shared by the register sheets: text that never becomes a formula, widths for Japanese.

register.xlsx is written with XlsxWriter (issue 19 E: about 3× less CPU than openpyxl for the 4,508-row 一覧;
openpyxl still reads it back, as the corrections loop and the tests do). `Book` holds the workbook and one
XlsxWriter format per kind of cell; `Sheet` writes cells by 1-based row and column, as openpyxl counts them.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from output.columns import clean, is_formula_like
from output.print_layout import HEADER_FONT_PT, LIST_FONT_PT

FONT_NAME = "IPAexゴシック"
GREY, HEADER_FILL, REVIEW_FILL, LINK_BLUE = "#999999", "#DDEBF7", "#FFF2CC", "#0563C1"
BORDER = {"border": 1, "border_color": GREY}  # thin, grey, on all four sides
WRAP_TOP = {"text_wrap": True, "valign": "top"}
HEADER_ALIGN = {"text_wrap": True, "valign": "vcenter", "align": "center"}
BODY_FONT = {"font_name": FONT_NAME}

# Each kind of cell: its font, border, fill, alignment, protection and number format, as one XlsxWriter format
# made once per workbook (Book.format). A cell without a kind has the workbook's default (Calibri 11).
STYLE_HEADER, STYLE_TABLE, STYLE_TABLE_WRAP = "台帳_見出し", "台帳_表", "台帳_表_折返し"
STYLE_LIST_HEADER, STYLE_LIST, STYLE_LIST_REVIEW = "台帳_一覧_見出し", "台帳_一覧", "台帳_一覧_レビュー欄"
STYLE_LIST_NUMBER, STYLE_LIST_LINK = "台帳_一覧_数値", "台帳_一覧_リンク"
STYLE_TITLE, STYLE_SUBTITLE, STYLE_BOLD, STYLE_INFO = "題", "副題", "太字", "実行情報"


def _list_style(*, review: bool = False, number: bool = False, link: bool = False) -> dict:
    font = {"font_name": FONT_NAME, "font_size": LIST_FONT_PT}
    if link:
        font |= {"font_color": LINK_BLUE, "underline": 1}
    style = {**font, **WRAP_TOP, **BORDER, "locked": not review}
    if review:
        style |= {"pattern": 1, "bg_color": REVIEW_FILL}
    if number:
        style["num_format"] = "0.00"
    return style


STYLES: dict[str, dict] = {
    STYLE_HEADER: {**BODY_FONT, "bold": True, "pattern": 1, "bg_color": HEADER_FILL, **BORDER, **HEADER_ALIGN},
    STYLE_LIST_HEADER: {**BODY_FONT, "bold": True, "font_size": HEADER_FONT_PT, "pattern": 1, "bg_color": HEADER_FILL,
                        **BORDER, **HEADER_ALIGN},
    STYLE_TABLE: {**BODY_FONT, **BORDER},
    STYLE_TABLE_WRAP: {**BODY_FONT, **BORDER, **WRAP_TOP},
    STYLE_LIST: _list_style(),
    STYLE_LIST_REVIEW: _list_style(review=True),
    STYLE_LIST_NUMBER: _list_style(number=True),
    STYLE_LIST_LINK: _list_style(link=True),
    STYLE_TITLE: {**BODY_FONT, "bold": True, "font_size": 14},
    STYLE_SUBTITLE: {**BODY_FONT, "bold": True, "font_size": 12},
    STYLE_BOLD: {**BODY_FONT, "bold": True},
    STYLE_INFO: {"text_wrap": True, "valign": "top", "align": "left"},
}
QUOTED = {"quote_prefix": True}  # Excel keeps a text cell that starts like a formula as text, even once edited
# Excel's limits: a worksheet holds at most 65,530 links, a link at most 2,079 characters; a cell 32,767 characters.
MAX_LINKS, MAX_URL = 65_530, 2_079


class Book:
    """One register.xlsx being written: `sheet(title)` in order, then `close()` (writes the file)."""

    def __init__(self, path: Path | str) -> None:
        self.workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                       "strings_to_urls": False, "max_url_length": MAX_URL})
        self._formats: dict[tuple, Format] = {}

    def format(self, style: str | None, *, quoted: bool = False) -> Format | None:
        if style is None and not quoted:
            return None
        key = (style, quoted)
        made = self._formats.get(key)
        if made is None:
            made = self._formats[key] = self.workbook.add_format({**STYLES.get(style or "", {}),
                                                                  **(QUOTED if quoted else {})})
        return made

    def extra_format(self, properties: dict) -> Format:
        """A format used once (a conditional format's fill)."""
        return self.workbook.add_format(properties)

    def sheet(self, title: str) -> Sheet:
        return Sheet(self, self.workbook.add_worksheet(title))

    def close(self) -> None:
        self.workbook.close()


class Sheet:
    """A worksheet written by 1-based row and column; widths and heights in Excel's units."""

    def __init__(self, book: Book, ws: Worksheet) -> None:
        self.book, self.ws = book, ws
        self.links = 0

    @property
    def title(self) -> str:
        return self.ws.get_name()

    def put(self, row: int, col: int, value: str | int | float | None, style: str | None = None, *,
            cleaned: bool = False, link: str | None = None, link_style: str | None = None) -> None:
        """Write a value; text is always stored as text, never as a formula (a formula-like text gets Excel's quote
        prefix). `cleaned=True`: the text is already NFC without XML-illegal characters (see columns.clean).
        `link`: a relative link (output/links.py) shown in `link_style`; past Excel's limits the cell is plain."""
        r, c = row - 1, col - 1
        if isinstance(value, str):
            text = value if cleaned else clean(value)
            quoted = is_formula_like(text)
            if link and self.links < MAX_LINKS and len(link) <= MAX_URL:
                fmt = self.book.format(link_style, quoted=quoted)
                if self.ws.write_url(r, c, "external:" + link, fmt, text) == 0:
                    self.links += 1
                    return
            self.ws.write_string(r, c, text, self.book.format(style, quoted=quoted))
        elif value is None:
            fmt = self.book.format(style)
            if fmt is not None:
                self.ws.write_blank(r, c, None, fmt)
        elif isinstance(value, bool):
            self.ws.write_boolean(r, c, value, self.book.format(style))
        else:
            self.ws.write_number(r, c, value, self.book.format(style))

    def width(self, col: int, width: float, *, hidden: bool = False, level: int = 0, collapsed: bool = False) -> None:
        """Column `col`'s width in Excel's units (characters of the default font), stored as given."""
        options = {"hidden": hidden, "level": level, "collapsed": collapsed}
        # 7 px per unit (Calibri 11): XlsxWriter stores pixels / 7, i.e. exactly `width`.
        self.ws.set_column_pixels(col - 1, col - 1, width * 7, None, {k: v for k, v in options.items() if v})

    def height(self, row: int, points: float) -> None:
        """Row `row`'s height in points, stored as given (XlsxWriter's set_row would round it to whole pixels)."""
        self.ws.set_row_pixels(row - 1, points * 4 / 3)

    def merge(self, row: int, first_col: int, last_col: int, value: str | int | float, style: str | None) -> None:
        """Merge columns `first_col`..`last_col` of `row`, `value` in the first (text as in `put`)."""
        fmt = self.book.format(style, quoted=isinstance(value, str) and is_formula_like(clean(value)))
        self.ws.merge_range(row - 1, first_col - 1, row - 1, last_col - 1, "", fmt)
        self.put(row, first_col, value, style)

    def freeze(self, cell_row: int, cell_col: int = 1) -> None:
        """Freeze the rows above `cell_row` and the columns left of `cell_col` (openpyxl's freeze_panes cell)."""
        self.ws.freeze_panes(cell_row - 1, cell_col - 1)

    def autofilter(self, first_row: int, last_row: int, last_col: int) -> None:
        self.ws.autofilter(first_row - 1, 0, last_row - 1, last_col - 1)


def cell_name(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row - 1, col - 1)


def header_row(ws: Sheet, row: int, titles: list[str] | tuple[str, ...], col: int = 1, *,
               style: str = STYLE_HEADER) -> None:
    for offset, title in enumerate(titles):
        ws.put(row, col + offset, title, style)


def display_width(text: str) -> int:
    """Columns a line of text needs: full-width (Japanese) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def fitted_widths(samples: dict[int, list[str]], *, minimum: int = 6, maximum: int = 40,
                  caps: dict[int, int] | None = None) -> dict[int, int]:
    """Each column's width from its longest line (sampled), clamped to [minimum, cap]."""
    caps = caps or {}
    out = {}
    for col, texts in samples.items():
        longest = max((display_width(line) for t in texts for line in str(t).split("\n")), default=0)
        out[col] = min(max(longest + 2, minimum), caps.get(col, maximum))
    return out


def fit_widths(ws: Sheet, samples: dict[int, list[str]], *, minimum: int = 6, maximum: int = 40,
               caps: dict[int, int] | None = None) -> None:
    """Set each column's width from its longest line (sampled), clamped to [minimum, cap]."""
    for col, width in fitted_widths(samples, minimum=minimum, maximum=maximum, caps=caps).items():
        ws.width(col, width)


A4 = 9
HEADER_MARGIN_IN = 0.5  # header and footer distance from the edge (openpyxl's default, kept)


def a4_landscape(ws: Sheet, *, title_rows: tuple[int, int] | None = None, side_margin: float = 0.4,
                 footer: str = "&C&P / &N", header: str = "") -> None:
    """A4 landscape, fit to the page width (any number of pages down), margins in inches, print titles."""
    w = ws.ws
    w.set_landscape()
    w.set_paper(A4)
    w.fit_to_pages(1, 0)
    w.set_margins(left=side_margin, right=side_margin, top=0.6, bottom=0.6)
    if header:
        w.set_header(header, {"margin": HEADER_MARGIN_IN})
    else:
        w.set_header("", {"margin": HEADER_MARGIN_IN})
    w.set_footer(footer, {"margin": HEADER_MARGIN_IN})
    if title_rows:
        w.repeat_rows(title_rows[0] - 1, title_rows[1] - 1)
