"""Text drawn on a worksheet (shapes, text boxes, legacy VML boxes), anchored to the cell under
the shape's centre, so a ㊞ circle drawn beside 氏名 joins the 氏名 row."""

from __future__ import annotations

import posixpath
import zipfile
from bisect import bisect_right
from itertools import accumulate

from lxml import etree
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from extractors.models import Location, TextBlock
from extractors.ooxml_shapes import is_seal_shape
from extractors.pdf_shapes import DRAWN_PART, DRAWN_TEXT
from extractors.safety import read_xml

XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
VML_X = "urn:schemas-microsoft-com:office:excel"
VML_V = "urn:schemas-microsoft-com:vml"
EMU_PER_PT = 12700
EMU_PER_PX = 9525
MAX_ROWS = 20000
MAX_COLS = 500


def rels_part_of(part: str) -> str:
    """The relationships part of an OOXML part: `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def part_relationships(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, package path) of `part`'s relationships (its .rels part), read from the package."""
    return relationships(read_xml(zf, rels_part_of(part)), part)


def relationships(root: etree._Element | None, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, package path) of a parsed .rels root; external targets are left out."""
    folder = posixpath.dirname(part)
    rels: dict[str, tuple[str, str]] = {}
    if root is None:
        return rels
    for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        rels[rel.get("Id") or ""] = (rel.get("Type") or "", path)
    return rels


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its worksheet part, from workbook.xml and its relationships."""
    wb_part = "xl/workbook.xml"
    root = read_xml(zf, wb_part)
    if root is None:
        return {}
    rels = part_relationships(zf, wb_part)
    parts = {}
    for sheet in root.iter(f"{{{MAIN}}}sheet"):
        rid = sheet.get(f"{{{R}}}id") or ""
        if rid in rels:
            parts[sheet.get("name") or ""] = rels[rid][1]
    return parts


class Grid:
    """Row and column edges of a sheet in EMU, to map a drawing position to a cell."""

    def __init__(self, ws: Worksheet) -> None:
        fmt = ws.sheet_format
        default_ht = float(fmt.defaultRowHeight or 15)
        heights = {r: (0.0 if d.hidden else d.ht) for r, d in ws.row_dimensions.items()
                   if d.ht is not None or d.hidden}
        rows = min(max([ws.max_row, *heights.keys(), 1]) + 200, MAX_ROWS)
        self.row_edges = list(accumulate(
            (heights[r] if heights.get(r) is not None else default_ht) * EMU_PER_PT for r in range(1, rows + 1)
        ))
        default_w = float(fmt.defaultColWidth or (fmt.baseColWidth or 8) + 0.71)
        widths: dict[int, float] = {}
        for dim in ws.column_dimensions.values():
            if dim.width and dim.min and dim.max:
                for c in range(dim.min, min(dim.max, MAX_COLS) + 1):
                    widths[c] = dim.width
        self.col_edges = list(accumulate(
            int(widths.get(c, default_w) * 7 + 5) * EMU_PER_PX for c in range(1, MAX_COLS + 1)
        ))

    def row_top(self, row0: int) -> float:
        return self.row_edges[row0 - 1] if 0 < row0 <= len(self.row_edges) else 0.0 if row0 <= 0 else self.row_edges[-1]

    def col_left(self, col0: int) -> float:
        return self.col_edges[col0 - 1] if 0 < col0 <= len(self.col_edges) else 0.0 if col0 <= 0 else self.col_edges[-1]

    def cell_at(self, x: float, y: float) -> tuple[int, int]:
        row = min(bisect_right(self.row_edges, y) + 1, len(self.row_edges))
        col = min(bisect_right(self.col_edges, x) + 1, len(self.col_edges))
        return row, col


def _marker(el: etree._Element | None) -> tuple[int, int, int, int] | None:
    if el is None:
        return None
    vals = []
    for tag in ("col", "colOff", "row", "rowOff"):
        child = el.find(f"{{{XDR}}}{tag}")
        try:
            vals.append(int(child.text) if child is not None and child.text else 0)
        except ValueError:
            vals.append(0)
    return vals[0], vals[1], vals[2], vals[3]


def _anchor_centre(anchor: etree._Element, grid: Grid) -> tuple[float, float]:
    start = _marker(anchor.find(f"{{{XDR}}}from"))
    end = _marker(anchor.find(f"{{{XDR}}}to"))
    ext = anchor.find(f"{{{XDR}}}ext")
    cx = int(ext.get("cx") or 0) if ext is not None else 0
    cy = int(ext.get("cy") or 0) if ext is not None else 0
    if start is None:
        pos = anchor.find(f"{{{XDR}}}pos")
        x0 = float(pos.get("x") or 0) if pos is not None else 0.0
        y0 = float(pos.get("y") or 0) if pos is not None else 0.0
        return x0 + cx / 2, y0 + cy / 2
    x0 = grid.col_left(start[0]) + start[1]
    y0 = grid.row_top(start[2]) + start[3]
    if end is None:
        return x0 + cx / 2, y0 + cy / 2
    x1 = grid.col_left(end[0]) + end[1]
    y1 = grid.row_top(end[2]) + end[3]
    return (x0 + x1) / 2, (y0 + y1) / 2


def _anchor_size_mm(anchor: etree._Element, grid: Grid) -> tuple[float, float] | None:
    """Width and height of an anchor (its xdr:ext, else the cells a two-cell anchor spans), in mm."""
    ext = anchor.find(f"{{{XDR}}}ext")
    if ext is not None and ext.get("cx") and ext.get("cy"):
        return int(ext.get("cx")) / 36000, int(ext.get("cy")) / 36000
    start = _marker(anchor.find(f"{{{XDR}}}from"))
    end = _marker(anchor.find(f"{{{XDR}}}to"))
    if start is None or end is None:
        return None
    w = grid.col_left(end[0]) + end[1] - grid.col_left(start[0]) - start[1]
    h = grid.row_top(end[2]) + end[3] - grid.row_top(start[2]) - start[3]
    return w / 36000, h / 36000


def _shape_texts(anchor: etree._Element) -> list[str]:
    """Text of every shape in the anchor (groups included), skipping mc:Fallback copies."""
    texts: list[str] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            if child.tag == f"{{{MC}}}Fallback":
                continue
            if child.tag == f"{{{XDR}}}txBody" or child.tag == f"{{{A}}}txBody":
                paras = ["".join(t.text or "" for t in p.iter(f"{{{A}}}t")) for p in child.iter(f"{{{A}}}p")]
                text = "\n".join(p for p in paras if p.strip())
                if text.strip():
                    texts.append(text)
                continue
            walk(child)

    walk(anchor)
    return texts


def _drawing_blocks(zf: zipfile.ZipFile, part: str, ws: Worksheet, grid: Grid, flags: dict) -> list[TextBlock]:
    root = read_xml(zf, part)
    if root is None:
        return []
    blocks: list[TextBlock] = []
    for anchor in root:
        if not isinstance(anchor.tag, str) or not anchor.tag.endswith("Anchor"):
            continue
        texts = _shape_texts(anchor)
        drawn = not texts and is_seal_shape(anchor, _anchor_size_mm(anchor, grid))  # an empty circle, a ㊞ picture
        if not texts and not drawn:
            continue
        x, y = _anchor_centre(anchor, grid)
        row, col = grid.cell_at(x, y)
        if drawn:  # a circle spans rows: it sits on each of them (detection keeps the name field's row)
            size = _anchor_size_mm(anchor, grid) or (0.0, 0.0)
            half = size[1] * 36000 / 2
            first, last = grid.cell_at(x, y - half)[0], grid.cell_at(x, y + half)[0]
            blocks.extend(_shape_block(DRAWN_TEXT, ws.title, r, col, DRAWN_PART, flags)
                          for r in range(first, min(last, first + 5) + 1))
        blocks.extend(_shape_block(text, ws.title, row, col, posixpath.basename(part), flags) for text in texts)
    return blocks


def _shape_block(text: str, sheet: str, row: int, col: int, part: str, flags: dict) -> TextBlock:
    ref = f"{get_column_letter(col)}{row}"
    loc = Location(kind="shape", sheet=sheet, cell=ref, row=row, col=col, part=part)
    return TextBlock(text=text, location=loc, line_key=("x", sheet, row), order=col + 0.5, **flags)


def _vml_blocks(zf: zipfile.ZipFile, part: str, ws: Worksheet, flags: dict) -> list[TextBlock]:
    """Legacy VML text boxes and form controls (not comment notes, which openpyxl reads)."""
    try:
        root = read_xml(zf, part)
    except etree.XMLSyntaxError:
        return []  # VML from old Excel is often not well-formed XML
    if root is None:
        return []
    blocks: list[TextBlock] = []
    for shape in root.iter(f"{{{VML_V}}}shape"):
        data = shape.find(f"{{{VML_X}}}ClientData")
        if data is not None and data.get("ObjectType") == "Note":
            continue
        box = shape.find(f"{{{VML_V}}}textbox")
        text = "".join(box.itertext()).strip() if box is not None else ""
        if not text:
            continue
        row, col = 1, 1
        anchor = data.find(f"{{{VML_X}}}Anchor") if data is not None else None
        if anchor is not None and anchor.text:
            nums = [int(n) for n in anchor.text.replace(" ", "").split(",") if n.lstrip("-").isdigit()]
            if len(nums) == 8:
                col, row = nums[0] + 1, (nums[2] + nums[6]) // 2 + 1
        blocks.append(_shape_block(text, ws.title, row, col, posixpath.basename(part), flags))
    return blocks


def sheet_shapes(zf: zipfile.ZipFile, ws: Worksheet, flags: dict, parts: dict[str, str] | None = None) -> list[TextBlock]:
    """Every drawn text on one sheet, as `shape` blocks anchored to a cell."""
    parts = parts if parts is not None else sheet_parts(zf)
    sheet_part = parts.get(ws.title)
    if not sheet_part:
        return []
    blocks: list[TextBlock] = []
    grid: Grid | None = None
    for rel_type, target in part_relationships(zf, sheet_part).values():
        if rel_type.endswith("/drawing"):
            grid = grid or Grid(ws)
            blocks.extend(_drawing_blocks(zf, target, ws, grid, flags))
        elif rel_type.endswith("/vmlDrawing"):
            blocks.extend(_vml_blocks(zf, target, ws, flags))
    return blocks
