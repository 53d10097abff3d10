"""Sheet 一覧 on paper: the decision columns legible on A4 landscape, the technical ones folded away.

Which columns print is data (`output.columns.PRINT_COLUMNS`); every other column is put in an outline group
that is collapsed (hidden) when the workbook opens, so it stays in the workbook and on screen with one click
on「+」, but never squeezes the page. Widths of the printed columns are fitted to the page at 100 %, and each
row is given the height its wrapped text needs (Excel does not grow rows by itself when it opens a file).
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache
from typing import Any, Protocol

from output.columns import COLUMNS, HIDDEN_COLUMNS, PRINT_COLUMNS


class Sheet(Protocol):
    """What the layout needs of output.xlsx_style.Sheet (which imports this module's font sizes)."""

    ws: Any

    def width(self, col: int, width: float, *, hidden: bool = ..., level: int = ..., collapsed: bool = ...) -> None: ...

    def height(self, row: int, points: float) -> None: ...

LIST_FONT_PT = 9.0  # body text of 一覧 (≥ 8 pt on paper: the page is printed at 100 %)
HEADER_FONT_PT = 9.0
# A4 landscape is 842 pt wide; 0.3 in side margins leave 799 pt. A column of width w is (7w + 5) px in Excel
# (Calibri 11, the workbook's default font), i.e. (7w + 5) × 0.75 pt, but about 7 pt × w in LibreOffice (measured
# on its PDF: it has no Calibri). The page budget uses the wider, the line-wrapping estimate the narrower.
SIDE_MARGIN_IN = 0.3
PAGE_WIDTH_PT = 842 - 2 * SIDE_MARGIN_IN * 72
WIDTH_RESERVE_PT = 15
# Natural (wished) widths of the printed columns, in Excel units; shrunk together if they do not fit.
PRINT_WIDTHS: dict[str, float] = {
    "No": 4, "所管": 11, "様式名": 15, "押印の求め": 5, "署名の求め": 5, "根拠法令": 12, "判定": 8,
    "見直し後の取扱い": 6, "理由": 24, "レビュー判定": 7, "レビュー者コメント": 11,
}
SHRINKABLE = ("理由", "様式名", "根拠法令", "レビュー者コメント", "所管")  # columns whose text wraps well
LINE_PT = 1.3  # line height per pt of font: LibreOffice draws IPAexゴシック at 1.0, Excel at about 1.25
PAD_PT = 4.0
MAX_ROW_PT = 409  # Excel's limit


def column_pt(width: float) -> float:
    """A column's width on paper in Excel (the narrower: used to count wrapped lines)."""
    return (7 * width + 5) * 0.75


def page_pt(width: float) -> float:
    """A column's width on paper in LibreOffice (the wider: used for the page budget)."""
    return 7.0 * width + 2


def print_widths(names: tuple[str, ...] = COLUMNS) -> dict[str, float]:
    """Widths of the printed columns, shrinking the wrapping ones until the set fits the page at 100 %."""
    wanted = {n: PRINT_WIDTHS.get(n, 8) for n in names if n in PRINT_COLUMNS}
    budget = PAGE_WIDTH_PT - WIDTH_RESERVE_PT
    for _ in range(200):
        if sum(page_pt(w) for w in wanted.values()) <= budget:
            break
        widest = max((n for n in SHRINKABLE if n in wanted and wanted[n] > 6), key=lambda n: wanted[n], default=None)
        if widest is None:
            break
        wanted[widest] -= 1
    return wanted


@lru_cache(maxsize=8192)
def char_pt(ch: str, size: float) -> float:
    return size if unicodedata.east_asian_width(ch) in "WFA" else size * 0.6


def wrapped_lines(text: str, width: float, size: float = LIST_FONT_PT) -> int:
    """How many lines `text` takes in a wrapping cell `width` units wide, at most (never fewer than it takes).

    A wrapped line holds at least the cell's width less one full-width character, so a paragraph of total
    width W needs at most ceil(W / (usable - size)) lines: an upper bound, cheap enough for 4,508 rows."""
    usable = column_pt(width) - 2 * PAD_PT
    per_line = max(usable - size, size)
    lines = 0
    for part in str(text).split("\n"):
        if len(part) * size <= usable:  # no character is wider than `size`: fits on one line
            lines += 1
            continue
        total = sum(char_pt(ch, size) for ch in part)
        lines += 1 if total <= usable else math.ceil(total / per_line)
    return max(lines, 1)


def row_height(values: dict[str, object], widths: dict[str, float], size: float = LIST_FONT_PT) -> float:
    lines = max((wrapped_lines("" if v is None else str(v), widths[n], size) for n, v in values.items()
                 if n in widths), default=1)
    return min(math.ceil(lines * size * LINE_PT + PAD_PT), MAX_ROW_PT)


def folded_columns() -> dict[int, dict[str, bool | int]]:
    """Every column outside PRINT_COLUMNS: outline level 1, collapsed (hidden); always-hidden ones stay as they
    are. The column after a folded run carries the 「+」 (Excel's collapsed). 1-based column → its options."""
    folded = [name not in PRINT_COLUMNS and name not in HIDDEN_COLUMNS for name in COLUMNS]
    out: dict[int, dict[str, bool | int]] = {}
    for col, fold in enumerate(folded, start=1):
        if fold:
            out[col] = {"level": 1, "hidden": True}
        elif col > 1 and folded[col - 2]:
            out[col] = {"collapsed": True}
    return out


def apply_print_layout(ws: Sheet, rendered: list[dict[str, object]], *, widths: dict[int, float],
                       hidden: frozenset[str] = HIDDEN_COLUMNS, header_left: str, header_right: str) -> None:
    """Widths (the screen-only `widths`, the printed columns' own), row heights, folded technical columns, print
    area and the page header/footer of 一覧."""
    printed = print_widths()
    for name, width in printed.items():
        widths[COLUMNS.index(name) + 1] = width
    folded = folded_columns()
    for col, width in sorted(widths.items()):
        options = folded.get(col, {})
        ws.width(col, width, hidden=COLUMNS[col - 1] in hidden or bool(options.get("hidden")),
                 level=int(options.get("level", 0)), collapsed=bool(options.get("collapsed")))
    ws.height(1, row_height({n: n for n in printed}, printed, HEADER_FONT_PT))
    for r, values in enumerate(rendered, start=2):
        ws.height(r, row_height(values, printed))
    last_col = max(COLUMNS.index(n) for n in printed) + 1
    ws.ws.print_area(0, 0, max(len(rendered) + 1, 2) - 1, last_col - 1)
    ws.ws.set_margins(left=SIDE_MARGIN_IN, right=SIDE_MARGIN_IN, top=0.6, bottom=0.6)
    ws.ws.set_header(f"&L&9 {header_left}&R&9 {header_right}", {"margin": 0.5})
    ws.ws.set_footer("&C&9 &P / &N ページ", {"margin": 0.5})
