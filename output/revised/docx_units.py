"""Word XML → `TextUnit`s: one per paragraph (table cells, text boxes, headers, footers),
with the location staff see (`表1 2行3列`, `段落5`, `テキストボックス`) and the visual line
(a table row) it belongs to. An EQ field (`eq \\o\\ac(○,印)`) becomes one piece that,
when deleted, removes the whole field."""

from __future__ import annotations

from lxml import etree

from extractors.word import eq_text
from output.revised.units import Piece, TextUnit

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PART_LABELS = {"header": "ヘッダー", "footer": "フッター"}


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


FALLBACK = f"{{{MC}}}Fallback"
SKIP = {q("del"), q("moveFrom"), q("rPr"), q("pPr"), q("delText"), q("rt"), FALLBACK, q("txbxContent")}
RECURSE = {q("hyperlink"), q("ins"), q("moveTo"), q("smartTag"), q("customXml"), q("sdt"), q("sdtContent"),
           q("bdo"), q("dir"), q("ruby"), q("rubyBase")}


def ancestor(el: etree._Element, tag: str, stop: str | None = None) -> etree._Element | None:
    """The nearest ancestor with `tag`, not looking past an ancestor with `stop`."""
    node = el.getparent()
    while node is not None:
        if node.tag == tag:
            return node
        if stop is not None and node.tag == stop:
            return None
        node = node.getparent()
    return None


def in_fallback(el: etree._Element) -> bool:
    return ancestor(el, FALLBACK) is not None


def _items(el: etree._Element):
    """Runs and simple fields of a paragraph, in order, not entering text boxes or deletions."""
    for child in el:
        if child.tag == q("r") or child.tag == q("fldSimple"):
            yield child
        elif child.tag in RECURSE:
            yield from _items(child)


class ParagraphReader:
    """Reads one paragraph into pieces; complex EQ fields showing 印 become one droppable piece."""

    def __init__(self, unit: TextUnit) -> None:
        self.unit = unit
        self.fields: list[dict] = []

    def read(self, p: etree._Element) -> None:
        for item in _items(p):
            if item.tag == q("fldSimple"):
                self._simple(item)
            else:
                self._run(item)
        while self.fields:  # an unterminated field: keep what it showed
            self._flush(self.fields.pop()["pieces"])

    def _target(self) -> list[Piece]:
        return self.fields[-1]["pieces"] if self.fields else self.unit.pieces

    def _flush(self, pieces: list[Piece]) -> None:
        self._target().extend(p for p in pieces if p.text)

    def _simple(self, el: etree._Element) -> None:
        shown = eq_text(el.get(q("instr")) or "")
        if shown:
            self._target().append(Piece(shown, None, drop=[el]))
        else:
            for run in _items(el):
                self._run(run)

    def _run(self, run: etree._Element) -> None:
        for field in self.fields:
            field["runs"].append(run)
        for child in run:
            tag = child.tag
            if tag == q("fldChar"):
                self._fld_char(child, run)
            elif tag == q("instrText") and self.fields:
                self.fields[-1]["instr"].append(child.text or "")
            elif tag == q("t"):
                self._target().append(Piece(child.text or "", child))
            elif tag == q("tab"):
                self._target().append(Piece("\t", None))
            elif tag in (q("br"), q("cr")):
                self._target().append(Piece("\n", None))

    def _fld_char(self, el: etree._Element, run: etree._Element) -> None:
        kind = el.get(q("fldCharType"))
        if kind == "begin":
            self.fields.append({"runs": [run], "instr": [], "pieces": []})
        elif kind == "end" and self.fields:
            field = self.fields.pop()
            shown = eq_text("".join(field["instr"]))
            if shown:
                self._target().append(Piece(shown, None, drop=list(field["runs"])))
            else:
                self._flush(field["pieces"])


class TableIndex:
    """Table numbers in document order, and (row, column) of a cell.

    A table's own rows (not those of a table nested in it) and a row's own cells with their columns are listed
    once per table and row, not once per cell (which made a big table quadratic)."""

    def __init__(self, root: etree._Element) -> None:
        self.numbers = {t: n for n, t in enumerate(root.iter(q("tbl")), start=1)}
        self._rows: dict[etree._Element, dict[etree._Element, int]] = {}
        self._cols: dict[etree._Element, dict[etree._Element, int]] = {}

    def _row_numbers(self, tbl: etree._Element) -> dict[etree._Element, int]:
        if tbl not in self._rows:
            rows = [r for r in tbl.iter(q("tr")) if ancestor(r, q("tbl")) is tbl]
            self._rows[tbl] = {r: i for i, r in enumerate(rows, start=1)}
        return self._rows[tbl]

    def _col_numbers(self, tr: etree._Element) -> dict[etree._Element, int]:
        if tr not in self._cols:
            cols: dict[etree._Element, int] = {}
            col = 1
            for cell in tr.iter(q("tc")):
                if ancestor(cell, q("tr")) is tr:
                    cols[cell] = col
                    span = cell.find(f"{q('tcPr')}/{q('gridSpan')}")
                    try:
                        col += int(span.get(q("val"), "1")) if span is not None else 1
                    except ValueError:  # a broken span: the cells after it are counted one by one (and fail)
                        break
            self._cols[tr] = cols
        return self._cols[tr]

    def position(self, tc: etree._Element) -> tuple[int, int, int]:
        tr = ancestor(tc, q("tr"))
        tbl = ancestor(tr, q("tbl")) if tr is not None else None
        row = self._row_numbers(tbl).get(tr, 1) if tbl is not None else 1
        cols = self._col_numbers(tr) if tr is not None else {}
        col = cols[tc] if tc in cols else _count_columns(tr, tc)
        return self.numbers.get(tbl, 0), row, col


def _count_columns(tr: etree._Element | None, tc: etree._Element) -> int:
    """The column of `tc`: 1 + the spans of its row's own cells before it."""
    col = 1
    for cell in tr.iter(q("tc")) if tr is not None else []:
        if cell is tc:
            break
        if ancestor(cell, q("tr")) is tr:
            span = cell.find(f"{q('tcPr')}/{q('gridSpan')}")
            col += int(span.get(q("val"), "1")) if span is not None else 1
    return col


def _continues_merge(tc: etree._Element) -> bool:
    merge = tc.find(f"{q('tcPr')}/{q('vMerge')}")
    return merge is not None and merge.get(q("val")) in (None, "continue")


def part_label(part: str) -> str:
    stem = part.rsplit("/", 1)[-1]
    return next((label for kind, label in PART_LABELS.items() if stem.startswith(kind)), "")


def read_units(root: etree._Element, *, part: str = "word/document.xml") -> list[TextUnit]:
    """Every paragraph of one part as a unit, in document order."""
    tables = TableIndex(root)
    prefix = part_label(part)
    units: list[TextUnit] = []
    count = 0
    boxes: dict[etree._Element, int] = {}
    for p in root.iter(q("p")):
        fallback = in_fallback(p)
        box = ancestor(p, q("txbxContent"))
        tc = ancestor(p, q("tc"), stop=q("txbxContent"))
        if not fallback and not (tc is not None and _continues_merge(tc)):
            count += 1  # numbered like the extractor: merged-away cells are not counted
        if box is not None:
            where, key = "テキストボックス", ("box", part, boxes.setdefault(box, len(boxes)))
        elif tc is not None:
            table, row, col = tables.position(tc)
            where, key = f"表{table} {row}行{col}列", ("t", part, table, row)
        else:
            where, key = f"段落{count}", ("p", part, count)
        unit = TextUnit(location=f"{prefix} {where}".strip(), line_key=key, report=not fallback)
        unit.element = p
        ParagraphReader(unit).read(p)
        units.append(unit)
    return units
