"""Word (.docx): walk the XML in document order — body, tables (nested too), headers and footers,
text boxes (read once), content controls and fields (EQ 〇印)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from extractors.models import Document, InputFormat, Location, Status, TextBlock
from extractors.ooxml_shapes import is_seal_shape
from extractors.pdf_shapes import DRAWN_PART, DRAWN_TEXT
from extractors.safety import check_zip, read_xml
from extractors.word_parts import core_title, header_parts, main_part, page_count

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


CIRCLES = "○〇◯"
_EQ_SWITCH = re.compile(r"\\[A-Za-z]+(?:\s*-?\d+)?")
_EQ_PUNCT = re.compile(r"[()（）,，;；\s]")


def eq_text(instr: str) -> str:
    """What an EQ field shows: `eq \\o\\ac(○,印)` → `○印` (circle first); "" for other fields."""
    body = instr.strip()
    if not body[:2].lower() == "eq":
        return ""
    chars = _EQ_PUNCT.sub("", _EQ_SWITCH.sub("", body[2:]))
    circles = "".join(c for c in chars if c in CIRCLES)
    others = "".join(c for c in chars if c not in CIRCLES)
    return (circles[:1] + others) if circles and others else chars


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


SKIP_TAGS = {q("delText"), q("instrText"), q("rPr"), q("pPr"), q("rt"), q("sectPr"), q("tblPr"), q("trPr"),
             q("tcPr"), q("sdtPr"), q("sdtEndPr"), q("del"), q("moveFrom"), f"{{{MC}}}Fallback"}
TXBX = q("txbxContent")
DRAWN_MARK = "\ue000"  # where a drawn seal box sat in the run text; becomes a block of its own


@dataclass
class Walker:
    """Collects blocks while walking one part (body, one header, …)."""

    base_kind: str  # body / header / footer / comment
    part: str | None = None
    blocks: list[TextBlock] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=lambda: {"paragraph": 0, "table": 0})

    # ---- paragraphs -------------------------------------------------------------------
    def paragraph(self, p: etree._Element, kind: str) -> None:
        """One block for the paragraph (text boxes inside it become their own blocks, after it)."""
        text, flags, boxes = self.paragraph_text(p)
        self.counters["paragraph"] += 1
        number = self.counters["paragraph"]
        drawn = DRAWN_MARK in text
        text = text.replace(DRAWN_MARK, "")
        key = ("wp", self.part, number) if drawn else None
        if text.strip():
            if kind == "body":
                kind = "field" if "field" in flags else "control" if "control" in flags else "body"
            loc = Location(kind=kind, paragraph=number, part=self.part)
            self.blocks.append(TextBlock(text=text, location=loc, line_key=key))
        if drawn:
            self.blocks.append(_drawn_block(key, 1.0, paragraph=number))
        for box in boxes:
            self.container(box, "textbox")

    def paragraph_text(self, p: etree._Element) -> tuple[str, set[str], list[etree._Element]]:
        out: list[str] = []
        flags: set[str] = set()
        boxes: list[etree._Element] = []
        fields: list[dict] = []  # stack of complex fields: {"instr": [...], "result": bool}
        self._runs(p, out, flags, boxes, fields)
        return "".join(out), flags, boxes

    def _runs(self, el: etree._Element, out: list[str], flags: set[str], boxes: list, fields: list) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIP_TAGS:
                if tag == q("instrText") and fields:
                    fields[-1]["instr"].append(child.text or "")
                continue
            if tag == TXBX:
                boxes.append(child)
                continue
            if tag == q("t"):
                if not (fields and not fields[-1]["result"]):
                    out.append(child.text or "")
            elif tag == q("tab"):
                out.append("\t")
            elif tag in (q("br"), q("cr")):
                out.append("\n")
            elif tag == q("noBreakHyphen"):
                out.append("-")
            elif tag == q("sym"):
                out.append(_sym(child))
            elif tag == q("fldChar"):
                self._fld_char(child, out, flags, fields)
            elif tag == q("drawing"):
                if is_seal_shape(child):
                    out.append(DRAWN_MARK)
                self._runs(child, out, flags, boxes, fields)
            elif tag == q("fldSimple"):
                eq = eq_text(child.get(q("instr")) or "")
                if eq:
                    out.append(eq)
                    flags.add("field")
                else:
                    self._runs(child, out, flags, boxes, fields)
            elif tag == q("sdt"):
                flags.add("control")
                content = child.find(q("sdtContent"))
                if content is not None:
                    self._runs(content, out, flags, boxes, fields)
            elif tag == q("tbl") or tag == q("p"):
                # A table or paragraph inside a run-level container (rare): read it as text.
                self._runs(child, out, flags, boxes, fields)
            else:
                self._runs(child, out, flags, boxes, fields)

    def _fld_char(self, el: etree._Element, out: list[str], flags: set[str], fields: list) -> None:
        kind = el.get(q("fldCharType"))
        if kind == "begin":
            fields.append({"instr": [], "result": False})
        elif kind == "separate" and fields:
            self._emit_eq(fields[-1], out, flags)
            fields[-1]["result"] = True
        elif kind == "end" and fields:
            top = fields.pop()
            if not top["result"]:
                self._emit_eq(top, out, flags)

    @staticmethod
    def _emit_eq(fld: dict, out: list[str], flags: set[str]) -> None:
        if fld.get("done"):
            return
        fld["done"] = True
        eq = eq_text("".join(fld["instr"]))
        if eq:
            out.append(eq)
            flags.add("field")

    # ---- block containers ----------------------------------------------------------------
    def container(self, el: etree._Element, kind: str) -> None:
        """Body, header, text box, cell, sdtContent: paragraphs and tables in order."""
        for child in el:
            tag = child.tag
            if tag == q("p"):
                self.paragraph(child, kind)
            elif tag == q("tbl"):
                self.table(child, kind)
            elif tag == q("sdt"):
                content = child.find(q("sdtContent"))
                if content is not None:
                    self.container(content, "control" if kind == "body" else kind)
            elif tag in (q("customXml"), q("ins"), q("moveTo")) or tag == f"{{{MC}}}AlternateContent":
                self.container(child, kind)
            elif tag == f"{{{MC}}}Choice":
                self.container(child, kind)

    def table(self, tbl: etree._Element, kind: str) -> None:
        self.counters["table"] += 1
        number = self.counters["table"]
        cell_kind = "table" if kind in ("body", "control", "field") else kind
        nested: list[etree._Element] = []
        for row_index, tr in enumerate(_rows(tbl), start=1):
            col = 1
            for tc in _cells(tr):
                span = _grid_span(tc)
                if not _is_vmerge_continue(tc):
                    text = self.cell_text(tc, nested)
                    drawn = DRAWN_MARK in text
                    text = text.replace(DRAWN_MARK, "")
                    key = ("t", number, row_index)
                    if text.strip():
                        loc = Location(kind=cell_kind, table=number, row=row_index, col=col, part=self.part)
                        self.blocks.append(TextBlock(text=text, location=loc, line_key=key, order=col))
                    if drawn:
                        self.blocks.append(_drawn_block(key, col + 0.5, table=number, row=row_index, col=col))
                col += span
        for inner in nested:
            self.table(inner, kind)

    def cell_text(self, tc: etree._Element, nested: list[etree._Element]) -> str:
        """The cell's own paragraphs joined by newlines; nested tables and text boxes are queued."""
        lines: list[str] = []
        for child in _flatten_blocks(tc):
            if child.tag == q("tbl"):
                nested.append(child)
                continue
            text, _flags, boxes = self.paragraph_text(child)
            self.counters["paragraph"] += 1
            lines.append(text)
            for box in boxes:
                self.container(box, "textbox")
        return "\n".join(line for line in lines if line.strip())


def _drawn_block(key: tuple | None, order: float, **where) -> TextBlock:
    """A seal box drawn as a shape (extractors/ooxml_shapes.py), on its paragraph's or table row's line."""
    return TextBlock(text=DRAWN_TEXT, location=Location(kind="shape", part=DRAWN_PART, **where), line_key=key,
                     order=order)


def _flatten_blocks(el: etree._Element) -> list[etree._Element]:
    found: list[etree._Element] = []
    for child in el:
        if child.tag in (q("p"), q("tbl")):
            found.append(child)
        elif child.tag == q("sdt"):
            content = child.find(q("sdtContent"))
            if content is not None:
                found.extend(_flatten_blocks(content))
        elif child.tag in (q("customXml"), q("ins")):
            found.extend(_flatten_blocks(child))
    return found


def _rows(tbl: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = []
    for child in tbl:
        if child.tag == q("tr"):
            rows.append(child)
        elif child.tag in (q("sdt"), q("customXml")):
            content = child.find(q("sdtContent")) if child.tag == q("sdt") else child
            if content is not None:
                rows.extend(_rows(content))
    return rows


def _cells(tr: etree._Element) -> list[etree._Element]:
    cells: list[etree._Element] = []
    for child in tr:
        if child.tag == q("tc"):
            cells.append(child)
        elif child.tag in (q("sdt"), q("customXml")):
            content = child.find(q("sdtContent")) if child.tag == q("sdt") else child
            if content is not None:
                cells.extend(_cells(content))
    return cells


def _grid_span(tc: etree._Element) -> int:
    span = tc.find(f"{q('tcPr')}/{q('gridSpan')}")
    try:
        return max(1, int(span.get(q("val")))) if span is not None else 1
    except (TypeError, ValueError):
        return 1


def _is_vmerge_continue(tc: etree._Element) -> bool:
    vm = tc.find(f"{q('tcPr')}/{q('vMerge')}")
    return vm is not None and vm.get(q("val")) in (None, "continue")


def _sym(el: etree._Element) -> str:
    try:
        code = int(el.get(q("char")) or "", 16)
    except ValueError:
        return ""
    if 0xF000 <= code <= 0xF0FF:  # Symbol/Wingdings private-use range: no reliable mapping
        return ""
    return chr(code)


def extract_docx(path: Path, *, fmt: InputFormat = InputFormat.DOCX, **_: object) -> Document:
    with zipfile.ZipFile(path) as zf:
        check_zip(zf)
        doc_part = main_part(zf)
        root = read_xml(zf, doc_part)
        if root is None:
            raise KeyError(doc_part)
        body = root.find(q("body"))
        walker = Walker("body")
        if body is not None:
            walker.container(body, "body")
        blocks = list(walker.blocks)
        warnings: list[str] = []
        for kind, variant, part in header_parts(zf, root, doc_part) if body is not None else []:
            try:
                hroot = read_xml(zf, part)
            except etree.XMLSyntaxError:
                warnings.append(f"{'ヘッダー' if kind == 'header' else 'フッター'}の一部を読み取れませんでした")
                continue
            if hroot is None:
                continue
            sub = Walker(kind, part=None if variant == "default" else variant,
                         counters={"paragraph": 0, "table": walker.counters["table"]})
            sub.container(hroot, kind)
            walker.counters["table"] = sub.counters["table"]
            blocks.extend(sub.blocks)
        blocks.extend(_comments(zf, walker))
        title = core_title(zf)
        pages = page_count(zf)
    return Document(
        format=fmt,
        blocks=tuple(blocks),
        status=Status.PARTIAL if warnings else Status.OK,
        title=title,
        pages=pages,
        warnings=tuple(warnings),
        extractor="word",
    )


def _comments(zf: zipfile.ZipFile, walker: Walker) -> list[TextBlock]:
    root = read_xml(zf, "word/comments.xml")
    if root is None:
        return []
    sub = Walker("comment", counters=walker.counters)
    for comment in root.iter(q("comment")):
        sub.container(comment, "comment")
    return sub.blocks
