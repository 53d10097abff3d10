"""A piece of form text spread over several XML text nodes (Word runs, Excel rich-text runs).

Edits planned on the joined text are written back into the nodes the characters came from,
so every run keeps its own formatting. Characters that have no editable node (a tab or a
line break in Word) are kept as they are.
"""

from __future__ import annotations

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
    """Write the edits into the unit's nodes (last first, so offsets stay valid); return the new text."""
    spans = _spans(unit)
    for op in sorted(ops, key=lambda o: (o.start, o.end), reverse=True):
        if op.start == op.end:
            hit = _insert_target(spans, op.start)
            if hit is not None:
                start, piece = hit
                cut = op.start - start
                piece.text = piece.text[:cut] + op.new + piece.text[cut:]
            continue
        placed = False
        for start, end, piece in spans:
            if piece.drop and op.start <= start and end <= op.end:
                _drop(piece)
                continue
            if piece.node is None or end <= op.start or start >= op.end:
                continue
            lo, hi = max(op.start, start) - start, min(op.end, end) - start
            new = "" if placed else op.new
            piece.text = piece.text[:lo] + new + piece.text[hi:]
            placed = placed or bool(op.new)
    for piece in unit.pieces:
        if piece.node is not None:
            _set_text(piece.node, piece.text)
    return unit.text


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
