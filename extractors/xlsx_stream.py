"""A worksheet read in one pass over its XML: cell values, merged ranges, row heights, column widths, header/footer.

openpyxl's full load builds every cell, style and merged-range border before anything can be read (≈20 ms per
form); the reader needs values, which cells a merge hides, the grid (for drawings) and the comments. Values are
converted as openpyxl converts them (data_only): shared strings through openpyxl's `read_string_table`, numbers
to int or float, dates through its `is_date_format` / `from_excel`, inline strings and the header/footer through
its `Text` / `HeaderFooter` models. `Sheet` carries what extractors/excel.py and excel_drawings.Grid read.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field

from openpyxl.cell.text import Text
from openpyxl.comments.comment_sheet import CommentSheet
from openpyxl.reader.strings import read_string_table
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601
from openpyxl.worksheet.header_footer import HeaderFooter

from extractors.excel_drawings import part_relationships, rels_part_of
from extractors.safety import read_xml

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
COMMENTS = "/comments"
DEFAULT_COLUMN_WIDTH = 13  # openpyxl's ColumnDimension width when <col> gives none
MAX_AREA = 1_000_000  # cells under merged ranges or hyperlink ranges; beyond it openpyxl decides, as before


@dataclass(slots=True)
class Cell:
    row: int
    column: int
    value: object
    comment: object = None

    @property
    def coordinate(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


@dataclass(slots=True)
class RowDim:
    ht: float | None = None
    hidden: bool = False


@dataclass(slots=True)
class ColDim:
    min: int | None = None
    max: int | None = None
    width: float = DEFAULT_COLUMN_WIDTH


@dataclass(slots=True)
class SheetFormat:
    baseColWidth: int | None = 8  # noqa: N815 - openpyxl's names, read by excel_drawings.Grid
    defaultColWidth: float | None = None  # noqa: N815
    defaultRowHeight: float = 15  # noqa: N815


@dataclass
class Sheet:
    """One worksheet as excel.py and excel_drawings.Grid read it (the names openpyxl's Worksheet uses)."""

    title: str
    sheet_state: str = "visible"
    cells: list[Cell] = field(default_factory=list)
    row_dimensions: dict[int, RowDim] = field(default_factory=dict)
    column_dimensions: dict[str, ColDim] = field(default_factory=dict)
    sheet_format: SheetFormat = field(default_factory=SheetFormat)
    max_row: int = 1
    header_footer: HeaderFooter | None = None
    hidden_cells: set[tuple[int, int]] = field(default_factory=set)  # under a merged range's top-left cell

    def iter_rows(self):
        """Row by row, the cells that are in the file (openpyxl also yields empty ones: nobody reads them)."""
        row: list[Cell] = []
        for cell in self.cells:
            if row and cell.row != row[0].row:
                yield row
                row = []
            row.append(cell)
        if row:
            yield row

    def __getattr__(self, name: str):  # oddHeader, evenFooter … as on openpyxl's Worksheet
        hf = self.__dict__.get("header_footer")
        if hf is not None and name in ("oddHeader", "evenHeader", "firstHeader", "oddFooter", "evenFooter",
                                       "firstFooter"):
            return getattr(hf, name)
        raise AttributeError(name)


class Workbook:
    """The worksheets of an .xlsx, in workbook order (chart sheets left out, as openpyxl's `worksheets`)."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        root = read_xml(zf, "xl/workbook.xml")
        if root is None:
            raise ValueError("no xl/workbook.xml")
        pr = root.find(f"{M}workbookPr")
        self.epoch = CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") else \
            CALENDAR_WINDOWS_1900
        self.rels = part_relationships(zf, "xl/workbook.xml")
        self.strings = self._strings()
        self.dates, self.timedeltas = self._date_styles()
        self.worksheets: list[Sheet] = []
        self.parts: dict[str, str] = {}  # sheet name → worksheet part (what excel_drawings.sheet_parts reads)
        for el in root.iter(f"{M}sheet"):
            rel_type, part = self.rels.get(el.get(f"{R}id") or "", ("", ""))
            if el.get(f"{R}id") in self.rels:
                self.parts[el.get("name") or ""] = part
            if rel_type.endswith("/worksheet"):
                self.worksheets.append(self._sheet(el.get("name") or "", el.get("state") or "visible", part))

    def _strings(self) -> list[str]:
        part = next((p for t, p in self.rels.values() if t.endswith("/sharedStrings")), None)
        if part is None or part not in self.zf.namelist():
            return []
        with self.zf.open(part) as fh:
            return read_string_table(fh)

    def _date_styles(self) -> tuple[set[int], set[int]]:
        root = read_xml(self.zf, "xl/styles.xml")
        dates: set[int] = set()
        timedeltas: set[int] = set()
        if root is None:
            return dates, timedeltas
        custom = {int(f.get("numFmtId")): f.get("formatCode") or "" for f in root.iter(f"{M}numFmt")
                  if (f.get("numFmtId") or "").isdigit()}
        xfs = root.find(f"{M}cellXfs")
        for idx, xf in enumerate(xfs.iter(f"{M}xf") if xfs is not None else ()):
            num = int(xf.get("numFmtId") or 0)
            fmt = custom.get(num) if num in custom else BUILTIN_FORMATS.get(num)
            if fmt and is_date_format(fmt):
                dates.add(idx)
            if fmt and is_timedelta_format(fmt):
                timedeltas.add(idx)
        return dates, timedeltas

    def _sheet(self, title: str, state: str, part: str) -> Sheet:
        sheet = Sheet(title=title, sheet_state=state)
        root = read_xml(self.zf, part)
        if root is None:
            raise ValueError(f"missing {part}")
        merged: list[tuple[int, int, int, int]] = []
        links: list = []
        for el in root:
            tag = el.tag
            if tag == f"{M}sheetData":
                self._rows(el, sheet)
            elif tag == f"{M}sheetFormatPr":
                sheet.sheet_format = SheetFormat(
                    baseColWidth=int(el.get("baseColWidth")) if el.get("baseColWidth") else 8,
                    defaultColWidth=float(el.get("defaultColWidth")) if el.get("defaultColWidth") else None,
                    defaultRowHeight=float(el.get("defaultRowHeight")) if el.get("defaultRowHeight") else 15)
            elif tag == f"{M}cols":
                for col in el.iter(f"{M}col"):
                    lo = int(col.get("min"))
                    width = col.get("width")
                    sheet.column_dimensions[get_column_letter(lo)] = ColDim(
                        lo, int(col.get("max") or lo), float(width) if width else DEFAULT_COLUMN_WIDTH)
            elif tag == f"{M}mergeCells":
                for mc in el.iter(f"{M}mergeCell"):
                    min_col, min_row, max_col, max_row = range_boundaries(mc.get("ref"))
                    merged.append((min_row, min_col, max_row, max_col))
            elif tag == f"{M}headerFooter":
                sheet.header_footer = HeaderFooter.from_tree(el)
            elif tag == f"{M}hyperlinks":
                links = list(el.iter(f"{M}hyperlink"))
        self._merge(sheet, merged)
        if links:
            self._links(sheet, part, links, merged)
        self._comments(sheet, part)
        sheet.cells.sort(key=lambda c: (c.row, c.column))
        return sheet

    def _rows(self, data, sheet: Sheet) -> None:
        row_no = 0
        for row in data.iter(f"{M}row"):
            r = row.get("r")
            row_no = int(float(r)) if r else row_no + 1
            if row.get("ht") is not None or row.get("hidden") in ("1", "true"):
                sheet.row_dimensions[row_no] = RowDim(float(row.get("ht")) if row.get("ht") else None,
                                                      row.get("hidden") in ("1", "true"))
            col_no = 0
            for c in row.iter(f"{M}c"):
                ref = c.get("r")
                if ref:
                    row_no_c, col_no = coordinate_to_tuple(ref)
                else:
                    row_no_c, col_no = row_no, col_no + 1
                sheet.max_row = max(sheet.max_row, row_no_c)
                value = self._value(c)
                if value is not None:
                    sheet.cells.append(Cell(row_no_c, col_no, value))

    def _value(self, c) -> object:
        kind = c.get("t", "n")
        if kind == "inlineStr":
            child = c.find(f"{M}is")
            return Text.from_tree(child).content if child is not None else None
        value = c.findtext(f"{M}v") or None
        if value is None:
            return None
        if kind == "n":
            number = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
            style = int(c.get("s") or 0)
            if style in self.dates:
                try:
                    return from_excel(number, self.epoch, timedelta=style in self.timedeltas)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self.strings[int(value)]
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            return from_ISO8601(value)
        return value  # "str" (a formula's cached text), "e" (an error such as #N/A)

    @staticmethod
    def _merge(sheet: Sheet, merged: list[tuple[int, int, int, int]]) -> None:
        """A merged range shows its top-left cell only (openpyxl empties the others on load)."""
        if not merged:
            return
        if sum((r1 - r0 + 1) * (c1 - c0 + 1) for r0, c0, r1, c1 in merged) > MAX_AREA:
            raise ValueError("merged ranges too large to stream")
        hidden = {(r, c) for r0, c0, r1, c1 in merged for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                  if (r, c) != (r0, c0)}
        sheet.cells = [cell for cell in sheet.cells if (cell.row, cell.column) not in hidden]
        sheet.max_row = max([sheet.max_row, *(r1 for _, _, r1, _ in merged)])
        sheet.hidden_cells = hidden  # comments on them are dropped too

    def _links(self, sheet: Sheet, part: str, links: list, merged: list[tuple[int, int, int, int]]) -> None:
        """An empty cell with a hyperlink shows the link's target (or location), as openpyxl's Cell.hyperlink sets it."""
        rels = read_xml(self.zf, rels_part_of(part))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels} if rels is not None else {}
        at = {(c.row, c.column): c for c in sheet.cells}

        def put(row: int, col: int, text: str | None) -> None:
            cell = at.get((row, col))
            if cell is None:
                cell = at[(row, col)] = Cell(row, col, None)
                sheet.cells.append(cell)
                sheet.max_row = max(sheet.max_row, row)
            if cell.value is None:
                cell.value = text

        for link in links:
            text = targets.get(link.get(f"{R}id")) if link.get(f"{R}id") else None
            text = text or link.get("location")
            ref = link.get("ref") or ""
            if ":" in ref:
                min_col, min_row, max_col, max_row = range_boundaries(ref)
                if (max_row - min_row + 1) * (max_col - min_col + 1) > MAX_AREA:
                    raise ValueError("hyperlink range too large to stream")
                for row in range(min_row, max_row + 1):
                    for col in range(min_col, max_col + 1):
                        if (row, col) not in sheet.hidden_cells:
                            put(row, col, text)
                continue
            row, col = coordinate_to_tuple(ref)
            if (row, col) in sheet.hidden_cells:
                row, col = next((r0, c0) for r0, c0, r1, c1 in merged if r0 <= row <= r1 and c0 <= col <= c1)
            put(row, col, text)
        sheet.cells = [c for c in sheet.cells if c.value is not None or c.comment is not None]

    def _comments(self, sheet: Sheet, part: str) -> None:
        hidden = sheet.hidden_cells
        at = {(c.row, c.column): c for c in sheet.cells}
        for rel_type, target in part_relationships(self.zf, part).values():
            if not rel_type.endswith(COMMENTS):
                continue
            root = read_xml(self.zf, target)
            if root is None:
                continue
            for ref, comment in CommentSheet.from_tree(root).comments:
                row, col = coordinate_to_tuple(ref)
                if (row, col) in hidden:
                    continue
                cell = at.get((row, col))
                if cell is None:
                    cell = at[(row, col)] = Cell(row, col, None)
                    sheet.cells.append(cell)
                    sheet.max_row = max(sheet.max_row, row)
                cell.comment = comment

    def close(self) -> None:
        self.worksheets = []
