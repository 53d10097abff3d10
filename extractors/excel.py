"""Excel (.xlsx): every sheet's cells (merged cells once), drawn shapes and text boxes from
`xl/drawings/*.xml` (openpyxl drops them), comments and header/footer text."""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from extractors.excel_drawings import sheet_parts, sheet_shapes
from extractors.models import Document, InputFormat, Location, Status, TextBlock
from extractors.safety import EncryptedFile, check_zip
from extractors.xlsx_stream import Workbook as StreamedWorkbook

EXAMPLE_SHEET = re.compile(r"(記入例|記載例|作成例|入力例|見本|サンプル|sample|example)", re.IGNORECASE)
EXAMPLE_SHORT = re.compile(r"[(（【\[]?例[)）】\]]?\s*\d*")


def is_example_sheet(name: str) -> bool:
    """記入例 / 見本 / 記載例 / 例 sheets show a filled-in form, not the form itself."""
    return bool(EXAMPLE_SHEET.search(name) or EXAMPLE_SHORT.fullmatch(name.strip()))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_cells(ws: Worksheet, flags: dict) -> list[TextBlock]:
    blocks: list[TextBlock] = []
    for row in ws.iter_rows():
        for cell in row:
            text = _cell_text(cell.value)
            if text.strip():
                loc = Location(kind="cell", sheet=ws.title, cell=cell.coordinate, row=cell.row, col=cell.column)
                blocks.append(
                    TextBlock(text=text, location=loc, line_key=("x", ws.title, cell.row), order=cell.column, **flags)
                )
            comment = getattr(cell, "comment", None)
            if comment is not None and (comment.text or "").strip():
                loc = Location(kind="comment", sheet=ws.title, cell=cell.coordinate, row=cell.row, col=cell.column)
                blocks.append(TextBlock(text=comment.text.strip(), location=loc, order=cell.column + 0.1, **flags))
    return blocks


def _header_footer(ws: Worksheet, flags: dict) -> list[TextBlock]:
    blocks: list[TextBlock] = []
    seen: set[tuple[str, str]] = set()
    for attr, kind, part in (
        ("oddHeader", "header", None), ("evenHeader", "header", "even"), ("firstHeader", "header", "first"),
        ("oddFooter", "footer", None), ("evenFooter", "footer", "even"), ("firstFooter", "footer", "first"),
    ):
        hf = getattr(ws, attr, None)
        if hf is None:
            continue
        for side in ("left", "center", "right"):
            text = (getattr(getattr(hf, side, None), "text", None) or "").strip()
            if text and (kind, text) not in seen:
                seen.add((kind, text))
                blocks.append(TextBlock(text=text, location=Location(kind=kind, sheet=ws.title, part=part), **flags))
    return blocks


def extract_xlsx(path: Path, *, fmt: InputFormat = InputFormat.XLSX, reader: str = "stream", **_: object) -> Document:
    """Sheets streamed once each (extractors/xlsx_stream.py); a workbook that reader cannot take goes through
    openpyxl's full load as before (`reader="openpyxl"`: always, the reference of bench/compare_registers.py)."""
    with path.open("rb") as fh:
        if fh.read(8).startswith(b"\xd0\xcf\x11\xe0"):
            raise EncryptedFile()
    with zipfile.ZipFile(path) as zf:
        check_zip(zf)
        if reader == "stream":
            try:
                wb = StreamedWorkbook(zf)
            except Exception:  # noqa: BLE001 - openpyxl reads it, or says what is wrong with it
                wb = None
            if wb is not None:
                return _read_workbook(zf, wb, fmt, wb.parts)  # the zip and the sheet parts it already read
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(path, data_only=True, read_only=False, keep_links=False, rich_text=False)
    try:
        with zipfile.ZipFile(path) as zf:
            return _read_workbook(zf, wb, fmt, sheet_parts(zf))
    finally:
        wb.close()


def _read_workbook(zf: zipfile.ZipFile, wb, fmt: InputFormat, parts: dict[str, str]) -> Document:
    """The Document of a workbook read by either reader; `zf` is the open package (drawings), `parts` its sheet
    name → worksheet part."""
    blocks: list[TextBlock] = []
    problems: list[str] = []
    hidden: list[str] = []
    examples: list[str] = []
    for ws in wb.worksheets:
        flags = {"example": is_example_sheet(ws.title), "hidden": ws.sheet_state != "visible"}
        if flags["hidden"]:
            hidden.append(ws.title)
        if flags["example"]:
            examples.append(ws.title)
        try:
            blocks.extend(_sheet_cells(ws, flags))
            blocks.extend(sheet_shapes(zf, ws, flags, parts))
            blocks.extend(_header_footer(ws, flags))
        except Exception:  # noqa: BLE001 - one bad sheet must not lose the others
            problems.append(f"シート「{ws.title}」の一部を読み取れませんでした")
    blocks = _sorted_by_sheet(blocks, [ws.title for ws in wb.worksheets])
    return Document(
        format=fmt,
        blocks=tuple(blocks),
        status=Status.PARTIAL if problems else Status.OK,
        pages=len(wb.worksheets),
        warnings=tuple(problems),
        extractor="excel",
        meta={
            "sheets": [ws.title for ws in wb.worksheets],
            "hidden_sheets": hidden,
            "example_sheets": examples,
        },
    )


def _sorted_by_sheet(blocks: list[TextBlock], sheets: list[str]) -> list[TextBlock]:
    """Reading order: sheet by sheet, row by row, so shapes sit in the row they are drawn on."""
    rank = {name: i for i, name in enumerate(sheets)}

    def key(block: TextBlock) -> tuple:
        loc = block.location
        row = loc.row if loc.row is not None else (0 if loc.kind == "header" else 10**9)
        return (rank.get(loc.sheet or "", 0), row, block.order)

    return sorted(blocks, key=key)
