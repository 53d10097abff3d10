"""register.xlsx: sheet 一覧 for reviewers, 集計, 根拠法令一覧, and a hidden sheet of choices."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

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
    a4_landscape,
    fit_widths,
    header_row,
    put,
    styled,
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
    wb = Workbook()
    ws = wb.active
    ws.title = LIST_SHEET
    write_list_sheet(ws, rows, run_info=run_info, link_base=Path(path).parent, rendered=rendered)
    write_summary_sheet(wb.create_sheet(SUMMARY_SHEET), rows, run_info)
    write_bases_sheet(wb.create_sheet(BASES_SHEET), rows)
    write_revisions_sheet(wb.create_sheet(REVISIONS_SHEET), rows)
    if run_info.get("changes") is not None or run_info.get("history"):  # every run's changes, newest first
        write_changes_sheet(wb.create_sheet(CHANGES_SHEET), run_info.get("changes"), run_info.get("history"))
    write_choices_sheet(wb.create_sheet(CHOICES_SHEET))
    wb.active = 0
    wb.properties.creator = wb.properties.lastModifiedBy = "sealreview"
    wb.properties.title = "押印・署名の見直し台帳"
    if not atomic:
        wb.save(path)
        return Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def col_of(name: str) -> int:
    return COLUMNS.index(name) + 1


def write_list_sheet(ws: Worksheet, rows: list[RegisterRow], *, run_info: dict | None = None,
                     link_base: Path | None = None, rendered: list[Rendered] | None = None) -> None:
    """`link_base`: the folder the workbook is written to (its links are relative to it; None = no links)."""
    header_row(ws, 1, COLUMNS, style=STYLE_LIST_HEADER)
    column_style = [STYLE_LIST_REVIEW if name in REVIEWER_COLUMNS else STYLE_LIST_NUMBER if name == "信頼度"
                    else STYLE_LIST for name in COLUMNS]
    linked = {col_of(name) - 1: make for name, make in LINKED.items()} if link_base is not None else {}
    if rendered is None:
        rendered = [render(row, i) for i, row in enumerate(rows, start=1)]
    for i, shown in enumerate(rendered, start=1):
        row = rows[i - 1]
        for col, value in enumerate(shown.values):
            cell = put(ws, i + 1, col + 1, value, cleaned=True)
            make = linked.get(col)
            target = make(row, link_base) if make is not None else None
            if target:  # ファイル opens the form, 修正案 the draft, 根拠箇所 the picture: relative links (output/links.py)
                cell.hyperlink = target
                styled(cell, STYLE_LIST_LINK)
            else:
                styled(cell, column_style[col])
    last = max(len(rows) + 1, 2)
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    _widths(ws, rendered)
    _highlight(ws, last)
    _review_dropdown(ws, last)
    _protect(ws)
    for name in HIDDEN_COLUMNS:
        ws.column_dimensions[get_column_letter(col_of(name))].hidden = True
    a4_landscape(ws, title_rows="1:1")
    info = run_info or {}
    apply_print_layout(ws, [r.as_dict() for r in rendered], header_left="押印・署名の見直し台帳　一覧",
                       header_right=f"実行日 {run_date(info.get('started'))}　基準日 {info.get('as_of') or '不明'}")


def run_date(started: object) -> str:
    """The run's start as a date in Japan time (`2024-04-01`), or 不明."""
    shown = jst(started)
    return shown[:10] if shown.endswith("（日本時間）") else (str(started)[:10] if started else "不明")


def _widths(ws: Worksheet, rendered: list) -> None:
    """Widths of the folded (screen-only) columns from their text; the printed ones are set by print_layout."""
    samples: dict[int, list[str]] = {col: [name] for col, name in enumerate(COLUMNS, start=1)}
    for shown in rendered[:SAMPLE_ROWS]:
        for col, value in enumerate(shown.values, start=1):
            samples[col].append(str(value))
    caps = {col_of(name): cap for name, cap in WIDTH_CAPS.items()}
    fit_widths(ws, samples, minimum=6, maximum=24, caps=caps)
    for name in REVIEWER_COLUMNS:  # room for the reviewers to write
        letter = get_column_letter(col_of(name))
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 16)


def _highlight(ws: Worksheet, last: int) -> None:
    decision = get_column_letter(col_of("判定"))
    area = f"A2:{get_column_letter(col_of(REVIEW_DECISION) - 1)}{last}"
    for label, colour in HIGHLIGHT.items():
        fill = PatternFill("solid", fgColor=colour, bgColor=colour)
        ws.conditional_formatting.add(area, FormulaRule(formula=[f'${decision}2="{label}"'], fill=fill))


def _review_dropdown(ws: Worksheet, last: int) -> None:
    letter = get_column_letter(col_of(REVIEW_DECISION))
    dv = DataValidation(type="list", formula1=f"'{CHOICES_SHEET}'!$A$1:$A${len(DECISIONS)}", allow_blank=True,
                        showErrorMessage=True, errorTitle="レビュー判定", showInputMessage=True,
                        promptTitle="レビュー判定", prompt="一覧から選んでください（空欄は機械の判定のまま）",
                        error="選択肢から選んでください: " + " / ".join(DECISIONS.values()))
    dv.add(f"{letter}2:{letter}{max(last, 1000)}")
    ws.add_data_validation(dv)


def _protect(ws: Worksheet) -> None:
    """Machine columns locked, reviewers' columns open; filtering, sorting and resizing stay allowed."""
    prot = ws.protection
    prot.sheet = True
    prot.autoFilter = prot.sort = False
    prot.formatColumns = prot.formatRows = prot.formatCells = False
    prot.selectLockedCells = prot.selectUnlockedCells = False


def write_choices_sheet(ws: Worksheet) -> None:
    for i, label in enumerate(DECISIONS.values(), start=1):
        put(ws, i, 1, label)
    ws.sheet_state = "hidden"
