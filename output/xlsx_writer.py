"""register.xlsx: sheet 一覧 for reviewers, 集計, 根拠法令一覧, and a hidden sheet of choices."""

from __future__ import annotations

from pathlib import Path

from output.atomic import atomic_path
from output.changes_sheet import CHANGES_SHEET, write_changes_sheet
from output.columns import COLUMNS, HIDDEN_COLUMNS, REVIEW_DECISION, REVIEWER_COLUMNS, Rendered, render
from output.links import draft_href, evidence_href, source_href
from output.models import RegisterRow
from output.print_layout import apply_print_layout
from output.xlsx_sheets import jst, write_bases_sheet, write_revisions_sheet, write_summary_sheet
from output.xlsx_style import (
    STYLE_LIST,
    STYLE_LIST_HEADER,
    STYLE_LIST_LINK,
    STYLE_LIST_NUMBER,
    STYLE_LIST_REVIEW,
    Book,
    Sheet,
    a4_landscape,
    cell_name,
    fitted_widths,
    header_row,
)
from rules.models import DECISIONS

LIST_SHEET, SUMMARY_SHEET, BASES_SHEET, CHOICES_SHEET = "一覧", "集計", "根拠法令一覧", "選択肢"
WIDTH_CAPS = {"ファイル": 30, "様式名": 30, "根拠法令": 28, "理由": 40, "根拠箇所": 40, "レビュー者コメント": 30,
              "根拠法令（修正）": 28, "備考": 40, "ファイルハッシュ": 20}
HIGHLIGHT = {"要確認": "F8CBAD", "読取不可": "D0CECE"}  # orange / grey; reviewers' columns keep their yellow
SAMPLE_ROWS = 300
# column → its link. Never a printed column: LibreOffice neither wraps nor grows a cell holding a link, so a
# long 様式名 would be cut off on paper.
LINKED = {"ファイル": source_href, "修正案": draft_href, "根拠箇所": evidence_href}
REVISIONS_SHEET = "修正一覧"


def write_xlsx(rows: list[RegisterRow], path: Path, *, run_info: dict, atomic: bool = True,
               rendered: list[Rendered] | None = None) -> Path:
    """`rendered`: the rows already rendered (output.columns.render, numbered from 1), else rendered here."""
    if not atomic:
        write_book(rows, path, run_info=run_info, rendered=rendered)
        return Path(path)
    with atomic_path(path) as tmp:
        write_book(rows, tmp, run_info=run_info, rendered=rendered)
    return Path(path)


def write_book(rows: list[RegisterRow], path: Path, *, run_info: dict, rendered: list[Rendered] | None) -> None:
    """The sheets in their order; 一覧 is the active one, 選択肢 hidden."""
    book = Book(path)
    write_list_sheet(book.sheet(LIST_SHEET), rows, run_info=run_info, link_base=Path(path).parent, rendered=rendered)
    write_summary_sheet(book.sheet(SUMMARY_SHEET), rows, run_info)
    write_bases_sheet(book.sheet(BASES_SHEET), rows)
    write_revisions_sheet(book.sheet(REVISIONS_SHEET), rows)
    if run_info.get("changes") is not None or run_info.get("history"):  # every run's changes, newest first
        write_changes_sheet(book.sheet(CHANGES_SHEET), run_info.get("changes"), run_info.get("history"))
    write_choices_sheet(book.sheet(CHOICES_SHEET))
    book.workbook.set_properties({"title": "押印・署名の見直し台帳", "author": "sealreview"})
    close_book(book)


def close_book(book: Book) -> None:
    book.close()


def col_of(name: str) -> int:
    return COLUMNS.index(name) + 1


def write_list_sheet(ws: Sheet, rows: list[RegisterRow], *, run_info: dict | None = None,
                     link_base: Path | None = None, rendered: list[Rendered] | None = None) -> None:
    """`link_base`: the folder the workbook is written to (its links are relative to it; None = no links)."""
    header_row(ws, 1, COLUMNS, style=STYLE_LIST_HEADER)
    column_style = [STYLE_LIST_REVIEW if name in REVIEWER_COLUMNS else STYLE_LIST_NUMBER if name == "信頼度"
                    else STYLE_LIST for name in COLUMNS]
    linked = {col_of(name) - 1: make for name, make in LINKED.items()} if link_base is not None else {}
    if rendered is None:
        rendered = [render(row, i) for i, row in enumerate(rows, start=1)]
    put = ws.put
    for i, shown in enumerate(rendered, start=1):
        row = rows[i - 1]
        for col, value in enumerate(shown.values):
            make = linked.get(col)
            target = make(row, link_base) if make is not None else None
            # ファイル opens the form, 修正案 the draft, 根拠箇所 the picture: relative links (output/links.py)
            put(i + 1, col + 1, value, column_style[col], cleaned=True, link=target or None,
                link_style=STYLE_LIST_LINK)
    last = max(len(rows) + 1, 2)
    ws.freeze(2, 4)
    ws.autofilter(1, last, len(COLUMNS))
    _highlight(ws, last)
    _review_dropdown(ws, last)
    _protect(ws)
    a4_landscape(ws, title_rows=(1, 1))
    info = run_info or {}
    apply_print_layout(ws, [r.as_dict() for r in rendered], widths=_widths(rendered), hidden=HIDDEN_COLUMNS,
                       header_left="押印・署名の見直し台帳　一覧",
                       header_right=f"実行日 {run_date(info.get('started'))}　基準日 {info.get('as_of') or '不明'}")


def run_date(started: object) -> str:
    """The run's start as a date in Japan time (`2024-04-01`), or 不明."""
    shown = jst(started)
    return shown[:10] if shown.endswith("（日本時間）") else (str(started)[:10] if started else "不明")


def _widths(rendered: list) -> dict[int, float]:
    """Widths of the folded (screen-only) columns from their text; the printed ones are set by print_layout."""
    samples: dict[int, list[str]] = {col: [name] for col, name in enumerate(COLUMNS, start=1)}
    for shown in rendered[:SAMPLE_ROWS]:
        for col, value in enumerate(shown.values, start=1):
            samples[col].append(str(value))
    caps = {col_of(name): cap for name, cap in WIDTH_CAPS.items()}
    widths: dict[int, float] = dict(fitted_widths(samples, minimum=6, maximum=24, caps=caps))
    for name in REVIEWER_COLUMNS:  # room for the reviewers to write
        widths[col_of(name)] = max(widths[col_of(name)] or 0, 16)
    return widths


def _highlight(ws: Sheet, last: int) -> None:
    decision = cell_name(1, col_of("判定"))[:-1]
    area = f"A2:{cell_name(last, col_of(REVIEW_DECISION) - 1)}"
    for label, colour in HIGHLIGHT.items():
        fill = ws.book.extra_format({"pattern": 1, "bg_color": f"#{colour}", "fg_color": f"#{colour}"})
        ws.ws.conditional_format(area, {"type": "formula", "criteria": f'=${decision}2="{label}"', "format": fill})


def _review_dropdown(ws: Sheet, last: int) -> None:
    col = col_of(REVIEW_DECISION) - 1
    ws.ws.data_validation(1, col, max(last, 1000) - 1, col, {
        "validate": "list", "source": f"='{CHOICES_SHEET}'!$A$1:$A${len(DECISIONS)}", "ignore_blank": True,
        "show_error": True, "error_title": "レビュー判定", "show_input": True, "input_title": "レビュー判定",
        "input_message": "一覧から選んでください（空欄は機械の判定のまま）",
        "error_message": "選択肢から選んでください: " + " / ".join(DECISIONS.values())})


def _protect(ws: Sheet) -> None:
    """Machine columns locked, reviewers' columns open; filtering, sorting and resizing stay allowed."""
    ws.ws.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True,
                       "format_cells": True, "select_locked_cells": True, "select_unlocked_cells": True,
                       "objects": True, "scenarios": True})


def write_choices_sheet(ws: Sheet) -> None:
    for i, label in enumerate(DECISIONS.values(), start=1):
        ws.put(i, 1, label)
    ws.ws.set_margins(left=0.75, right=0.75, top=1, bottom=1)  # the page defaults the openpyxl writer left
    ws.ws.set_header("", {"margin": 0.5})
    ws.ws.set_footer("", {"margin": 0.5})
    ws.ws.hide()
