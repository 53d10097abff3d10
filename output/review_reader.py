"""Read and validate the reviewers' cells of a returned register.xlsx (never writes to it).

Each bad cell becomes a message like `一覧!P5: 「はいし」は選択肢にありません`.
"""

from __future__ import annotations

import json
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from output.columns import BASIS_FIX, KEY_PATH, KEY_SHA, PREFILLED, REVIEW_COMMENT, REVIEW_DECISION, REVIEWER
from rules.models import DECISIONS

SHEET = "一覧"
MACHINE_AUTHORS = frozenset({"openpyxl", "sealreview"})
REQUIRED = (REVIEW_DECISION, REVIEW_COMMENT, KEY_PATH, KEY_SHA)
LIMITS = {REVIEW_COMMENT: 2000, BASIS_FIX: 500, REVIEWER: 100}
_CHOICES = {unicodedata.normalize("NFKC", label).replace(" ", ""): code for code, label in DECISIONS.items()}
_CHOICES.update({code: code for code in DECISIONS})


@dataclass(frozen=True)
class ReviewEntry:
    """The reviewer cells of one row, validated. None = empty cell."""

    row: int
    sha256: str
    path: str
    decision: str | None
    comment: str | None
    legal_basis: str | None
    reviewer: str | None
    path_ref: str  # the cell that holds the path, e.g. 一覧!C5 (for messages about the file)
    cleared: frozenset[str] = frozenset()  # fields shown pre-filled and emptied by the reviewer: withdraw them


def choice_code(text: str) -> str | None:
    key = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")
    return _CHOICES.get(key)


def read_review_cells(register: Path) -> tuple[list[ReviewEntry], list[str]]:
    """All non-empty reviewer rows and the list of errors (empty when every cell is valid).

    When a row names no reviewer, the workbook's 最終更新者 (lastModifiedBy, set by Excel) is used.
    """
    try:
        if not zipfile.is_zipfile(register):
            raise ValueError("not a zip")
        wb = load_workbook(register, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable workbook is one clear message
        return [], [f"{register.name}: Excel ブック（.xlsx）として開けません"]
    try:
        if SHEET not in wb.sheetnames:
            return [], [f"{register.name}: シート「{SHEET}」がありません"]
        entries, errors = _read_sheet(wb[SHEET])
        author = (wb.properties.lastModifiedBy or "").strip()
    finally:
        wb.close()
    if author and author not in MACHINE_AUTHORS:
        entries = [e if e.reviewer else replace(e, reviewer=author[: LIMITS[REVIEWER]]) for e in entries]
    return entries, errors


def _read_sheet(ws) -> tuple[list[ReviewEntry], list[str]]:
    rows = ws.iter_rows()
    header = [c.value for c in next(rows, ())]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return [], [f"{SHEET}!1: 列「{name}」がありません" for name in missing]
    cols = {name: header.index(name) for name in (*REQUIRED, BASIS_FIX, REVIEWER, PREFILLED) if name in header}
    entries, errors = [], []
    for number, cells in enumerate(rows, start=2):
        entry = _read_row(number, cells, cols, errors)
        if entry is not None:
            entries.append(entry)
    return entries, errors


def _ref(row: int, col: int) -> str:
    return f"{SHEET}!{get_column_letter(col + 1)}{row}"


def _text(row: int, cells, cols: dict[str, int], name: str, errors: list[str]) -> str | None:
    if name not in cols or cols[name] >= len(cells):
        return None
    cell = cells[cols[name]]
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    ref = _ref(row, cols[name])
    if cell.data_type == "f":
        errors.append(f"{ref}: 数式は使えません（「{value}」）。文字で入力してください")
        return None
    text = str(value).strip()
    if name in LIMITS and len(text) > LIMITS[name]:
        errors.append(f"{ref}: 長すぎます（{len(text)}文字。{LIMITS[name]}文字まで）")
        return None
    return text


def _read_row(row: int, cells, cols: dict[str, int], errors: list[str]) -> ReviewEntry | None:
    before = len(errors)
    decision_text = _text(row, cells, cols, REVIEW_DECISION, errors)
    comment = _text(row, cells, cols, REVIEW_COMMENT, errors)
    basis = _text(row, cells, cols, BASIS_FIX, errors)
    reviewer = _text(row, cells, cols, REVIEWER, errors)
    given = {"decision": decision_text, "comment": comment, "legal_basis": basis}
    cleared = frozenset(k for k in _prefilled(cells, cols) if given.get(k) is None)
    if not any(given.values()) and not cleared and len(errors) == before:
        return None  # nothing from the reviewer on this row (a name alone is not a correction)
    decision = None
    if decision_text is not None:
        decision = choice_code(decision_text)
        if decision is None:
            ref = _ref(row, cols[REVIEW_DECISION])
            errors.append(f"{ref}: 「{decision_text}」は選択肢にありません（{' / '.join(DECISIONS.values())}）")
    sha = _key(row, cells, cols, KEY_SHA, errors)
    path = _key(row, cells, cols, KEY_PATH, errors)
    if len(errors) > before or sha is None or path is None:
        return None
    return ReviewEntry(row, sha, path, decision, comment, basis, reviewer, _ref(row, cols[KEY_PATH]), cleared)


def _prefilled(cells, cols: dict[str, int]) -> dict:
    """The stored correction the register was written with (hidden column), {} if none or unreadable."""
    if PREFILLED not in cols or cols[PREFILLED] >= len(cells):
        return {}
    value = cells[cols[PREFILLED]].value
    try:
        data = json.loads(value) if isinstance(value, str) and value else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _key(row: int, cells, cols: dict[str, int], name: str, errors: list[str]) -> str | None:
    cell = cells[cols[name]] if cols[name] < len(cells) else None
    value = cell.value if cell is not None else None
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{_ref(row, cols[name])}: 照合用の「{name}」が空です（行を追加・編集しないでください）")
        return None
    return value
