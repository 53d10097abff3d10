"""Read and validate the reviewers' cells of a returned register.xlsx (never writes to it).

Each bad cell becomes a message like `一覧!P5: 「はいし」は選択肢にありません`.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from extractors.safety import UnsafeContainer, check_zip
from output.columns import (
    BASIS_FIX,
    COLUMNS,
    KEY_PATH,
    KEY_SHA,
    PREFILLED,
    REVIEW_COMMENT,
    REVIEW_DECISION,
    REVIEWER,
    REVIEWER_COLUMNS,
)
from rules.models import DECISIONS

SHEET = "一覧"
SUMMARY = "集計"
KEY_ROOT = "入力フォルダ"
RUN_ID = re.compile(r"^run_id: (\S+)$", re.MULTILINE)
# The machine's columns compared with what the register was written with ("No" is only a counter).
MACHINE_COLUMNS = tuple(c for c in COLUMNS if c not in REVIEWER_COLUMNS and c not in ("No", PREFILLED))
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
    input_root: str | None = None  # 入力フォルダ of the row (None in a workbook without that column)


@dataclass
class ReviewSheet:
    """Everything read from a returned register: the reviewer rows, the bad cells, the machine's cells of
    every row (to notice edits in them) and the run id the register was written by ("" if none)."""

    entries: list[ReviewEntry]
    errors: list[str]
    machine: dict[tuple[str, str, str], tuple[int, dict[str, object]]]  # (root, path, sha) → (row, cells)
    run_key: str = ""
    machine_columns: dict[str, int] = field(default_factory=dict)  # column name → index in the sheet

    def ref(self, row: int, column: str) -> str:
        """`一覧!K3` for a machine column of a row."""
        return _ref(row, self.machine_columns[column])


def choice_code(text: str) -> str | None:
    key = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")
    return _CHOICES.get(key)


def read_review(register: Path) -> ReviewSheet:
    """Read a returned register (see ReviewSheet).

    When a row names no reviewer, the workbook's 最終更新者 (lastModifiedBy, set by Excel) is used.
    """
    try:
        if not zipfile.is_zipfile(register):
            raise ValueError("not a zip")
        with zipfile.ZipFile(register) as zf:
            check_zip(zf)  # the scan's zip-bomb and DTD checks, before openpyxl unpacks anything
        # imported here: a scan or re-audit that reads no returned register never loads openpyxl (≈0.22 CPU-s)
        from openpyxl import load_workbook

        wb = load_workbook(register, read_only=True, data_only=False)
    except UnsafeContainer as exc:
        return ReviewSheet([], [f"{register.name}: {exc}"], {})
    except Exception:  # noqa: BLE001 - any unreadable workbook is one clear message
        return ReviewSheet([], [f"{register.name}: Excel ブック（.xlsx）として開けません"], {})
    try:
        if SHEET not in wb.sheetnames:
            return ReviewSheet([], [f"{register.name}: シート「{SHEET}」がありません"], {})
        sheet = _read_sheet(wb[SHEET])
        sheet.run_key = _run_key(wb[SUMMARY]) if SUMMARY in wb.sheetnames else ""
        author = (wb.properties.lastModifiedBy or "").strip()
    except Exception:  # noqa: BLE001 - a truncated or damaged sheet (read lazily) is one clear message too
        return ReviewSheet([], [f"{register.name}: ブックの一部が壊れているため読み取れません（保存し直してください）"], {})
    finally:
        wb.close()
    if author and author not in MACHINE_AUTHORS:
        sheet.entries = [e if e.reviewer else replace(e, reviewer=author[: LIMITS[REVIEWER]]) for e in sheet.entries]
    return sheet


def _run_key(ws) -> str:
    """The run id written on sheet 集計 (a `run_id: …` line), "" when there is none."""
    for cells in ws.iter_rows(max_row=40, max_col=3, values_only=True):
        for value in cells:
            found = RUN_ID.search(value) if isinstance(value, str) else None
            if found:
                return found.group(1)
    return ""


def _read_sheet(ws) -> ReviewSheet:
    rows = ws.iter_rows()
    header = [c.value for c in next(rows, ())]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return ReviewSheet([], [f"{SHEET}!1: 列「{name}」がありません" for name in missing], {})
    cols = {name: header.index(name) for name in (*REQUIRED, BASIS_FIX, REVIEWER, PREFILLED, KEY_ROOT)
            if name in header}
    machine_cols = {name: header.index(name) for name in MACHINE_COLUMNS if name in header}
    entries, errors, machine = [], [], {}
    for number, cells in enumerate(rows, start=2):
        entry = _read_row(number, cells, cols, errors)
        if entry is not None:
            entries.append(entry)
        key = tuple(_plain(cells, cols.get(name)) for name in (KEY_ROOT, KEY_PATH, KEY_SHA))
        if key[1] and key[2]:
            machine[key] = (number, {name: _plain(cells, i) for name, i in machine_cols.items()})
    return ReviewSheet(entries, errors, machine, machine_columns=machine_cols)


def _plain(cells, index: int | None) -> object:
    """A cell's value as written ("" for empty)."""
    if index is None or index >= len(cells):
        return ""
    value = cells[index].value
    return "" if value is None else value


def _ref(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter  # loaded by read_review already

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
    root = _plain(cells, cols.get(KEY_ROOT))
    return ReviewEntry(row, sha, path, decision, comment, basis, reviewer, _ref(row, cols[KEY_PATH]), cleared,
                       str(root) if root else None)


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
