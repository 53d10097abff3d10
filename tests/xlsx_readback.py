"""What a reviewer sees of register.xlsx, read back with openpyxl: every cell's value and style, every sheet's
layout, validation, formatting and print set-up, as plain data that two workbooks can be compared on.

    .venv/bin/python -m tests.xlsx_readback OLD.xlsx NEW.xlsx [--show 30] [--ignore 集計!B5 …]

Used by tests/test_register_xlsx_readback.py (against a description of the register the openpyxl writer made,
tests/fixtures/register_xlsx/) and to compare two registers by hand (exit code 1 when they differ).

Normalised, because Excel shows them alike: a font without a size (11 pt, the default), fitToWidth or
fitToHeight left out (1, the default), a colour's alpha byte (openpyxl wrote 00, XlsxWriter writes FF; Excel
ignores it), a font's family/scheme and an automatic colour (none or theme 1, the default text colour), a link's
path separator (`..\\様式\\a.docx` and `../様式/a.docx`: Excel and LibreOffice resolve both against the workbook's
folder), a page scale of 100 % left out (the default), an empty text cell (openpyxl reads it back as empty), a chart's
references written with or without quotes and `$`, and
the cells hidden under a merged range other than its first (they show nothing).
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter

DEFAULT_FONT_PT = 11.0  # a font without a size: the workbook's default size


def colour(c) -> str | None:
    """A colour as RRGGBB, 'auto' for the default text colour, None for none."""
    if c is None:
        return None
    if c.type == "rgb" and isinstance(c.rgb, str):
        return c.rgb[-6:].upper()
    if c.type == "theme" and c.theme == 1 or c.type == "indexed" and c.indexed in (64, 65) or c.type == "auto":
        return "auto"
    return f"{c.type}:{c.value}"


def font_of(f) -> tuple:
    return (f.name, float(f.sz) if f.sz is not None else DEFAULT_FONT_PT, bool(f.b), bool(f.i), f.u or None, bool(f.strike),
            colour(f.color) or "auto")


def fill_of(f) -> tuple | None:
    if f is None or f.fill_type is None:
        return None
    return (f.fill_type, colour(f.fgColor))


def border_of(b) -> tuple:
    return tuple((side.style, colour(side.color) if side.style else None)
                 for side in (b.left, b.right, b.top, b.bottom))


def cell_of(cell) -> dict:
    value = cell.value
    if value == "":
        value = None
    a, p = cell.alignment, cell.protection
    out = {"value": value, "type": cell.data_type if value is not None else None,
           "font": font_of(cell.font), "fill": fill_of(cell.fill), "border": border_of(cell.border),
           "align": (a.horizontal, a.vertical, bool(a.wrap_text), bool(a.shrink_to_fit), int(a.indent or 0),
                     int(a.textRotation or 0)),
           "protect": (p.locked is not False, bool(p.hidden)), "format": cell.number_format,
           "quote": bool(cell.quotePrefix)}
    if cell.hyperlink is not None:
        out["link"] = ((cell.hyperlink.target or "").replace("\\", "/"), cell.hyperlink.location)
    return out


def columns_of(ws) -> dict[str, tuple]:
    out = {}
    for dim in ws.column_dimensions.values():
        if dim.min is None:
            continue
        for col in range(dim.min, (dim.max or dim.min) + 1):
            out[get_column_letter(col)] = (round(dim.width or 0, 4) if dim.customWidth else None, bool(dim.hidden),
                                           int(dim.outline_level or 0), bool(dim.collapsed))
    return out


def header_footer(hf) -> dict:
    out = {}
    for part in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
        item = getattr(hf, part)
        for side in ("left", "center", "right"):
            piece = getattr(item, side)
            if piece.text:
                out[f"{part}.{side}"] = (piece.text, piece.size, piece.font, piece.color)
    return out


def sheet_of(ws) -> dict:
    merged = sorted(str(r) for r in ws.merged_cells.ranges)
    cells = {}
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell, MergedCell):
                continue
            if cell.value in (None, "") and not cell.has_style and cell.hyperlink is None:
                continue
            cells[cell.coordinate] = cell_of(cell)
    ps, m, prot = ws.page_setup, ws.page_margins, ws.protection
    return {
        "state": ws.sheet_state,
        "cells": cells,
        "merged": merged,
        "columns": columns_of(ws),
        "rows": {r: round(d.height, 2) for r, d in ws.row_dimensions.items() if d.height is not None},
        "outline_cols": int(ws.sheet_format.outlineLevelCol or 0),
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "print_area": ws.print_area,
        "print_titles": (ws.print_title_rows, ws.print_title_cols),
        "page": (ps.orientation, int(ps.paperSize) if ps.paperSize else None, _one(ps.fitToWidth), _one(ps.fitToHeight),
                 int(ps.scale) if ps.scale is not None else 100, bool(ws.sheet_properties.pageSetUpPr and
                                                                     ws.sheet_properties.pageSetUpPr.fitToPage)),
        "margins": tuple(round(float(getattr(m, k)), 3) for k in ("left", "right", "top", "bottom", "header", "footer")),
        "header_footer": header_footer(ws.HeaderFooter),
        "gridlines_print": bool(ws.print_options.gridLines),
        "protection": {k: bool(getattr(prot, k)) for k in (
            "sheet", "objects", "scenarios", "formatCells", "formatColumns", "formatRows", "insertColumns",
            "insertRows", "insertHyperlinks", "deleteColumns", "deleteRows", "selectLockedCells",
            "selectUnlockedCells", "sort", "autoFilter", "pivotTables")},
        "validation": sorted((dv.type, dv.formula1, str(dv.sqref), bool(dv.allow_blank), bool(dv.showErrorMessage),
                              bool(dv.showInputMessage), dv.errorTitle, dv.error, dv.promptTitle, dv.prompt,
                              dv.errorStyle or "stop", bool(dv.showDropDown))
                             for dv in ws.data_validations.dataValidation),
        "conditional": [(str(cf.sqref), r.type, list(r.formula), r.stopIfTrue, fill_dxf(r.dxf))
                        for cf in ws.conditional_formatting for r in cf.rules],
    }


def _one(value) -> int:
    """fitToWidth / fitToHeight: left out means 1."""
    return 1 if value is None else int(value)


def fill_dxf(dxf) -> str | None:
    """The colour a conditional format paints (a dxf's solid fill: its bgColor, or fgColor when solid)."""
    if dxf is None or dxf.fill is None:
        return None
    f = dxf.fill
    if f.fill_type not in (None, "solid"):
        return f"{f.fill_type}:{colour(f.fgColor)}"
    return colour(f.bgColor) if f.bgColor is not None and f.bgColor.type == "rgb" else colour(f.fgColor)


C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def charts_of(path: Path) -> list[dict]:
    """Each chart part: its kind, bar direction, series formulas and title text (read from the zip)."""
    out = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
            root = etree.fromstring(z.read(name))
            plot = root.find(f"{C}chart/{C}plotArea")
            kinds = [el.tag.removeprefix(C) for el in plot if el.tag.endswith("Chart")]
            bar_dir = [el.get("val") for el in plot.iter(f"{C}barDir")]
            title = "".join(root.find(f"{C}chart/{C}title").itertext()) if root.find(f"{C}chart/{C}title") \
                is not None else None
            out.append({"kinds": kinds, "barDir": bar_dir, "refs": [f.text.replace("'", "").replace("$", "") for f in plot.iter(f"{C}f")],
                        "title": title, "legend": root.find(f"{C}chart/{C}legend") is not None})
    return out


def describe(path: Path) -> dict:
    wb = load_workbook(path)
    return {
        "sheets": [ws.title for ws in wb.worksheets],
        "active": wb.active.title,
        "title": wb.properties.title,
        "creator": wb.properties.creator,
        "last_modified_by": wb.properties.lastModifiedBy,  # review_reader: a machine author is no reviewer
        "charts": charts_of(path),
        "by_sheet": {ws.title: sheet_of(ws) for ws in wb.worksheets},
    }


def differences(old: dict, new: dict, *, ignore: frozenset[str] = frozenset(), path: str = "") -> list[str]:
    """Every place where `new` differs from `old`: `path: old → new`. `ignore`: paths (e.g. `by_sheet.集計.cells.B5`)."""
    if path in ignore:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in new or key not in old:
                if sub not in ignore:
                    out.append(f"{sub}: {old.get(key, '(none)')!r} → {new.get(key, '(none)')!r}")
                continue
            out += differences(old[key], new[key], ignore=ignore, path=sub)
        return out
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        old, new = list(old), list(new)
    return [] if old == new else [f"{path}: {old!r} → {new!r}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--show", type=int, default=30)
    ap.add_argument("--ignore", nargs="*", default=[], help="SHEET!CELL or a description path to leave out")
    args = ap.parse_args(argv)
    ignore = frozenset(f"by_sheet.{i.replace('!', '.cells.')}" if "!" in i else i for i in args.ignore)
    old, new = describe(args.old), describe(args.new)
    diff = differences(old, new, ignore=ignore)
    cells = sum(len(s["cells"]) for s in old["by_sheet"].values())
    for line in diff[: args.show]:
        print(line)
    print(f"{len(diff)} differences over {cells} cells in {len(old['sheets'])} sheets")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
