"""A piece of form text spread over several XML text nodes (Word runs, Excel rich-text runs).

Edits planned on the joined text are written back into the nodes the characters came from,
so every run keeps its own formatting. Characters that have no editable node (a tab or a
line break in Word) are kept as they are.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from lxml import etree

from output.revised.edits import Op

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass
class Piece:
    """`text` as read; `node` is the element whose `.text` holds it (None: not editable).

    `drop` lists elements to remove when the whole piece is deleted (an EQ field's runs)."""

    text: str
    node: etree._Element | None
    drop: list[etree._Element] = field(default_factory=list)


@dataclass
class TextUnit:
    """One cell, paragraph or text box: its pieces, where it is, and which line it sits on."""

    location: str
    line_key: tuple
    pieces: list[Piece] = field(default_factory=list)
    report: bool = True  # False for a duplicate (a text box's mc:Fallback copy)
    office: bool = False
    element: etree._Element | None = None  # the paragraph / cell the unit was read from

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    def add(self, text: str, node: etree._Element | None) -> None:
        if text:
            self.pieces.append(Piece(text, node))


def _spans(unit: TextUnit) -> list[tuple[int, int, Piece]]:
    spans: list[tuple[int, int, Piece]] = []
    pos = 0
    for piece in unit.pieces:
        spans.append((pos, pos + len(piece.text), piece))
        pos += len(piece.text)
    return spans


def _insert_target(spans: list[tuple[int, int, Piece]], at: int) -> tuple[int, Piece] | None:
    """The editable piece an insertion at `at` goes into: the one ending there (the label), else the next."""
    for start, end, piece in spans:
        if piece.node is not None and start < at <= end:
            return start, piece
    for start, end, piece in spans:
        if piece.node is not None and start <= at < end:
            return start, piece
    return None


def apply_ops(unit: TextUnit, ops: list[Op]) -> str:
    """Write the edits into the unit's nodes; return the new text.

    Linear in the text and the edits: each op finds its pieces by bisection, each piece is rebuilt once
    (a paragraph with 300,000 marks used to be rewritten once per mark)."""
    spans = _spans(unit)
    starts = [start for start, _end, _piece in spans]
    local: dict[int, list[tuple[int, int, str]]] = {}  # piece index → (lo, hi, new) in the piece's own text
    for op in sorted(ops, key=lambda o: (o.start, o.end)):
        if op.start == op.end:
            hit = _insert_target(spans, op.start) if len(spans) < 64 else _insert_fast(spans, starts, op.start)
            if hit is not None:
                start, piece = hit
                local.setdefault(id(piece), []).append((op.start - start, op.start - start, op.new))
            continue
        placed = False
        for i in range(max(0, bisect.bisect_right(starts, op.start) - 1), len(spans)):
            start, end, piece = spans[i]
            if start >= op.end:
                break
            if piece.drop and op.start <= start and end <= op.end:
                _drop(piece)
                continue
            if piece.node is None or end <= op.start:
                continue
            lo, hi = max(op.start, start) - start, min(op.end, end) - start
            local.setdefault(id(piece), []).append((lo, hi, "" if placed else op.new))
            placed = placed or bool(op.new)
    for _start, _end, piece in spans:
        edits = local.get(id(piece))
        if edits and piece.text:
            piece.text = _rebuild(piece.text, edits)
    for piece in unit.pieces:
        if piece.node is not None:
            _set_text(piece.node, piece.text)
    return unit.text


def _insert_fast(spans: list[tuple[int, int, Piece]], starts: list[int], at: int) -> tuple[int, Piece] | None:
    """`_insert_target` by bisection, for units of many pieces."""
    i = bisect.bisect_left(starts, at) - 1  # the last piece starting before `at` may end at it
    for j in range(max(0, i), len(spans)):
        start, end, piece = spans[j]
        if piece.node is not None and start < at <= end:
            return start, piece
        if start > at:
            break
    return _insert_target(spans, at)


def _rebuild(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with the (lo, hi, new) edits applied, in one pass (edits sorted, not overlapping)."""
    out: list[str] = []
    pos = 0
    for lo, hi, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(text[pos:lo])
        out.append(new)
        pos = max(pos, hi)
    out.append(text[pos:])
    return "".join(out)


def _set_text(node: etree._Element, text: str) -> None:
    node.text = text
    if text != text.strip(" "):
        node.set(XML_SPACE, "preserve")


def _drop(piece: Piece) -> None:
    for el in piece.drop:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    piece.text = ""
    piece.drop = []
