"""Revise an .xlsx in its zip XML (never re-saved through openpyxl, which drops drawings):
cell text (shared or inline strings, rich text kept run by run) and drawn shapes. A shape holding
only a seal mark is removed whole, as is an empty drawn circle on a row whose seal mark went, and a drawn seal
box the extractor found (extractors/ooxml_shapes.is_seal_shape: an empty seal-sized ellipse or square, a ㊞
picture) on a name-field row."""

from __future__ import annotations

import copy
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from extractors.excel_drawings import relationships, rels_part_of
from extractors.ooxml_shapes import is_seal_shape
from output.revised.edits import has_name_word, is_mark_only, is_office
from output.revised.planner import edit_record, revise_units
from output.revised.units import TextUnit
from output.revised.zipio import Members, read_members, write_members

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
ANCHORS = {f"{{{XDR}}}{n}" for n in ("twoCellAnchor", "oneCellAnchor", "absoluteAnchor")}
EMPTY_CIRCLE = "○（円の図形）"  # how an empty drawn circle appears in the edit list
DRAWN_BOX = "㊞（押印欄の図形）"  # a drawn square or ㊞ picture
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def m(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, parser=_PARSER)


def _rels(members: Members, part: str) -> dict[str, tuple[str, str]]:
    rels_part = rels_part_of(part)
    return relationships(_parse(members[rels_part][1]) if rels_part in members else None, part)


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Workbook:
    """The parsed parts being edited, and how to write them back."""

    members: Members
    parts: dict[str, etree._Element] = field(default_factory=dict)
    sst_part: str | None = None

    def root(self, part: str) -> etree._Element:
        if part not in self.parts:
            self.parts[part] = _parse(self.members[part][1])
        return self.parts[part]

    def sheets(self) -> list[tuple[str, str]]:
        rels = _rels(self.members, "xl/workbook.xml")
        for rtype, path in rels.values():
            if rtype.endswith("/sharedStrings") and path in self.members:
                self.sst_part = path
        out = []
        for sheet in self.root("xl/workbook.xml").iter(m("sheet")):
            rel = rels.get(sheet.get(f"{{{R}}}id") or "")
            if rel and rel[1] in self.members:
                out.append((sheet.get("name") or "", rel[1]))
        return out

    def save(self, target: Path) -> None:
        members = dict(self.members)
        for part, root in self.parts.items():
            info = members[part][0]
            members[part] = (info, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
        write_members(target, members)


@dataclass
class CellUnit:
    unit: TextUnit
    cell: etree._Element
    si: etree._Element | None  # a private copy of the shared string, or None for an inline string


def _text_nodes(container: etree._Element) -> list[etree._Element]:
    """The <t> of a string item (plain or rich text), without phonetic guides (rPh)."""
    return [t for t in container.iter(m("t")) if t.getparent().tag != m("rPh")]


def _cell_units(book: Workbook, sheet: str, part: str, sst: list[etree._Element]) -> list[CellUnit]:
    units: list[CellUnit] = []
    for cell in book.root(part).iter(m("c")):
        kind, ref = cell.get("t"), cell.get("r") or ""
        row = int("".join(ch for ch in ref if ch.isdigit()) or 0)
        si = None
        if kind == "s":
            v = cell.find(m("v"))
            try:
                si = copy.deepcopy(sst[int(v.text)])
            except (AttributeError, ValueError, IndexError, TypeError):
                continue
            container = si
        elif kind == "inlineStr" and cell.find(m("is")) is not None:
            container = cell.find(m("is"))
        else:
            continue
        unit = TextUnit(location=f"{sheet}!{ref}", line_key=("x", sheet, row), element=cell)
        for t in _text_nodes(container):
            unit.add(t.text or "", t)
        if unit.text.strip():
            units.append(CellUnit(unit, cell, si))
    return units


def _commit_cell(book: Workbook, cu: CellUnit, before: str, sst_root: etree._Element | None) -> None:
    """Write an edited cell back: a new shared string (others sharing the old one keep it), or empty."""
    if cu.unit.text == before:
        return
    cell = cu.cell
    if not cu.unit.text.strip(" \u3000\t\n"):
        for child in list(cell):
            if child.tag in (m("v"), m("is")):
                cell.remove(child)
        cell.attrib.pop("t", None)
        return
    if cu.si is not None and sst_root is not None:
        sst_root.append(cu.si)
        count = len(sst_root.findall(m("si")))
        sst_root.set("uniqueCount", str(count))
        cell.find(m("v")).text = str(count - 1)


def _drawing_parts(book: Workbook, part: str) -> list[str]:
    return [path for rtype, path in _rels(book.members, part).values()
            if rtype.endswith("/drawing") and path in book.members]


def _anchors(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter() if el.tag in ANCHORS]


def _anchor_cell(anchor: etree._Element) -> tuple[int, str]:
    start = anchor.find(f"{{{XDR}}}from")
    if start is None:
        return 0, ""
    row = int(start.findtext(f"{{{XDR}}}row") or 0) + 1
    col = int(start.findtext(f"{{{XDR}}}col") or 0)
    return row, f"{_col_letter(col)}{row}"


def _remove_anchor(anchor: etree._Element) -> None:
    holder = anchor
    parent = anchor.getparent()
    if parent is not None and parent.tag in (f"{{{MC}}}Choice", f"{{{MC}}}Fallback"):
        holder = parent.getparent()
    holder.getparent().remove(holder)


def _is_empty_circle(anchor: etree._Element) -> bool:
    if "".join(t.text or "" for t in anchor.iter(f"{{{A}}}t")).strip():
        return False
    return any(g.get("prst") in ("ellipse", "flowChartConnector") for g in anchor.iter(f"{{{A}}}prstGeom"))


def _shapes(book: Workbook, sheets: list[tuple[str, str]], row_text: dict[tuple, str],
            marks: set[tuple]) -> tuple[list[dict], list[TextUnit]]:
    """Remove shapes holding only a seal mark; return their edits and the other shapes' text units."""
    edits: list[dict] = []
    units: list[TextUnit] = []
    for sheet, part in sheets:
        for dpart in _drawing_parts(book, part):
            for anchor in _anchors(book.root(dpart)):
                row, ref = _anchor_cell(anchor)
                key = ("x", sheet, row)
                where = f"{sheet}!{ref} 図形" if ref else f"{sheet}!図形"
                text = "".join(t.text or "" for t in anchor.iter(f"{{{A}}}t"))
                if is_mark_only(text) and not is_office(row_text.get(key, "")):
                    _remove_anchor(anchor)
                    edits.append(edit_record(where, text.strip(), ""))
                    marks.add(key)
                    continue
                for para in anchor.iter(f"{{{A}}}p"):
                    unit = TextUnit(location=where, line_key=key, element=anchor)
                    for t in para.iter(f"{{{A}}}t"):
                        unit.add(t.text or "", t)
                    if unit.text.strip():
                        units.append(unit)
    return edits, units


def _anchor_rows(anchor: etree._Element) -> range:
    """The sheet rows (1-based) a drawing spans: from its `from` row to its `to` row (one row without `to`)."""
    first, _ref = _anchor_cell(anchor)
    end = anchor.find(f"{{{XDR}}}to")
    last = int(end.findtext(f"{{{XDR}}}row") or 0) + 1 if end is not None else first
    return range(first, max(first, last) + 1)


def _seal_boxes(book: Workbook, sheets: list[tuple[str, str]], row_text: dict[tuple, str],
                marks: set[tuple]) -> list[tuple[etree._Element, str]]:
    """Drawn seal boxes (no text) spanning a name-field row that is not an office row; their rows join `marks`."""
    found = []
    for sheet, part in sheets:
        for dpart in _drawing_parts(book, part):
            for anchor in _anchors(book.root(dpart)):
                if "".join(t.text or "" for t in anchor.iter(f"{{{A}}}t")).strip() or not is_seal_shape(anchor):
                    continue
                keys = [("x", sheet, r) for r in _anchor_rows(anchor)]
                named = [k for k in keys if has_name_word(row_text.get(k, "")) and not is_office(row_text.get(k, ""))]
                if named:
                    marks.add(named[0])
                    found.append((anchor, sheet))
    return found


def _empty_circles(book: Workbook, sheets: list[tuple[str, str]], marks: set[tuple],
                   boxes: list[tuple[etree._Element, str]]) -> list[dict]:
    """An empty drawn circle on a row whose seal mark was removed is the rest of that mark; the drawn seal
    boxes (`_seal_boxes`) go too."""
    edits: list[dict] = []
    chosen = {id(anchor) for anchor, _sheet in boxes}
    for sheet, part in sheets:
        for dpart in _drawing_parts(book, part):
            for anchor in _anchors(book.root(dpart)):
                row, ref = _anchor_cell(anchor)
                circle = _is_empty_circle(anchor)
                if (("x", sheet, row) in marks and circle) or id(anchor) in chosen:
                    _remove_anchor(anchor)
                    edits.append(edit_record(f"{sheet}!{ref} 図形", EMPTY_CIRCLE if circle else DRAWN_BOX, ""))
    return edits


def revise_xlsx(source: Path, target: Path, *, replacement: str) -> list[dict]:
    """Write the revised copy to `target` when there is anything to change; return the edits."""
    with zipfile.ZipFile(source) as zf:
        book = Workbook(read_members(zf))
    sheets = book.sheets()
    sst_root = book.root(book.sst_part) if book.sst_part else None
    sst = sst_root.findall(m("si")) if sst_root is not None else []
    cells: list[CellUnit] = []
    for sheet, part in sheets:
        cells += _cell_units(book, sheet, part, sst)
    row_text: dict[tuple, str] = {}
    for cu in cells:
        row_text[cu.unit.line_key] = row_text.get(cu.unit.line_key, "") + "\t" + cu.unit.text
    marks: set[tuple] = set()
    edits, shape_units = _shapes(book, sheets, row_text, marks)
    boxes = _seal_boxes(book, sheets, row_text, marks)
    befores = [cu.unit.text for cu in cells]
    edits += revise_units([cu.unit for cu in cells] + shape_units, replacement=replacement, mark_lines=marks)
    for cu, before in zip(cells, befores, strict=True):
        _commit_cell(book, cu, before, sst_root)
    edits += _empty_circles(book, sheets, marks, boxes)
    if not edits:
        return []
    book.save(target)
    return edits
