"""Seal boxes drawn as vector graphics in a PDF: circles, ellipses and squares of seal size.

A reviewer sees a 10–25 mm circle at the end of a name line as a seal box whether or not 印 is printed in
it. pdfplumber gives the page's curves and rects; a shape of seal size that holds no text becomes a
`shape` block with the text ㊞ and `part="drawn"`, joined to the row it sits on (the table row whose cell
holds it, or the text line it ends), so detection reads 「氏名 … ㊞」 as one line. Whether it is the
applicant's box is decided in detection (a name field must be on its row or a neighbouring one).
A shape that holds text is left alone: its text (印, 実印, 捨印 …) is already in the text layer.
A dotted or dashed circle drawn with a dash pattern is one curve; one drawn as many short pieces (an arc or a
segment per dash, as some producers write it) is joined here: the short pieces are linked by their spacing and
a seal-sized group whose points lie on the ellipse of its bounding box all round (or on a near-square's edges)
is a box (`_dotted_boxes`); a dotted rule line or a dotted table border is not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from extractors.models import Location, TextBlock

MM = 72.0 / 25.4
MIN_SIDE = 9.0 * MM  # 10–25 mm, with a little slack for line widths
MAX_SIDE = 26.0 * MM
MIN_SQUARE = 10.0 * MM  # squares are commoner in layouts than circles: no slack for them
MAX_ASPECT = 1.6  # an ellipse up to 1.6:1
SQUARE_ASPECT = 1.12  # a rectangle must be nearly square
DRAWN_TEXT = "㊞"
DRAWN_PART = "drawn"
MAX_SHAPES = 400  # a page of hundreds of seal-sized shapes is a drawing, not a form


@dataclass(frozen=True, slots=True)
class SealBox:
    x0: float
    top: float
    x1: float
    bottom: float
    shape: str  # "circle" or "square"

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2


def _sized(w: float, h: float, aspect: float) -> bool:
    return MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE and max(w, h) / max(min(w, h), 1e-6) <= aspect


def _closed_curve(curve: dict) -> bool:
    """A curve that returns to its start (a circle or ellipse, solid or dashed)."""
    pts = curve.get("pts") or []
    if len(pts) < 4:
        return False
    (ax, ay), (bx, by) = pts[0], pts[-1]
    return abs(ax - bx) < 2.0 and abs(ay - by) < 2.0


def candidate_boxes(page) -> list[SealBox]:
    """Seal-sized closed curves and near-square rects on the page, with no character inside."""
    boxes: list[SealBox] = []
    for curve in page.curves:
        w, h = curve["x1"] - curve["x0"], curve["bottom"] - curve["top"]
        if _sized(w, h, MAX_ASPECT) and _closed_curve(curve):
            boxes.append(SealBox(curve["x0"], curve["top"], curve["x1"], curve["bottom"], "circle"))
    for rect in page.rects:
        w, h = rect["x1"] - rect["x0"], rect["bottom"] - rect["top"]
        if min(w, h) >= MIN_SQUARE and _sized(w, h, SQUARE_ASPECT):
            boxes.append(SealBox(rect["x0"], rect["top"], rect["x1"], rect["bottom"], "square"))
    boxes.extend(_dotted_boxes(page))
    if not boxes or len(boxes) > MAX_SHAPES:
        return []
    return [b for b in _dedupe(boxes) if not _holds_text(page.chars, b)]


DASH_MAX = 3.0 * MM  # a dash or dot of a dotted ring: no side longer than this
DASH_LINK = 2.6 * MM  # pieces whose boxes are closer than this belong to one dotted line
MIN_DASHES = 8
MAX_PIECES = 5000  # more short pieces than this: text drawn as outlines or a drawing, not dotted boxes
DASH_RADIAL = 0.14  # a piece's points within this share of the radius from the box's ellipse
DASH_EDGE = 0.12  # a dotted square: points within this share of the side from the box's edges


def grid_groups(cells: list[tuple[int, int]], linked: Callable[[int, int], bool]) -> list[int]:
    """A group (its root's index) per item: items in the same or neighbouring grid cells for which `linked(i, j)`
    holds are joined, and so on transitively (union-find). A cell is as wide as the linking distance, so only
    neighbouring cells are compared. Used for dotted boxes here and on scans (scan_shapes.dot_groups)."""
    parent = list(range(len(cells)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    members: dict[tuple[int, int], list[int]] = {}
    for i, cell in enumerate(cells):
        members.setdefault(cell, []).append(i)
    for (cx, cy), own in members.items():
        near = [j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in members.get((cx + dx, cy + dy), ())]
        for i in own:
            for j in near:
                if j > i and linked(i, j):
                    parent[find(i)] = find(j)
    return [find(i) for i in range(len(cells))]


def _dotted_boxes(page) -> list[SealBox]:
    """Seal-sized circles, ellipses or squares drawn as many short pieces (curves or lines)."""
    pieces = [p for p in list(page.curves) + list(page.lines)
              if p["x1"] - p["x0"] <= DASH_MAX and p["bottom"] - p["top"] <= DASH_MAX and p.get("pts")]
    if len(pieces) < MIN_DASHES or len(pieces) > MAX_PIECES:
        return []
    def linked(i: int, j: int) -> bool:  # the two pieces' boxes closer than DASH_LINK on both axes
        a, b = pieces[i], pieces[j]
        return (max(a["x0"] - b["x1"], b["x0"] - a["x1"]) <= DASH_LINK
                and max(a["top"] - b["bottom"], b["top"] - a["bottom"]) <= DASH_LINK)

    roots = grid_groups([(int(p["x0"] // DASH_LINK), int(p["top"] // DASH_LINK)) for p in pieces], linked)
    groups: dict[int, list[dict]] = {}
    for root, p in zip(roots, pieces, strict=True):
        groups.setdefault(root, []).append(p)
    out = []
    for group in groups.values():
        if len(group) < MIN_DASHES:
            continue
        x0, x1 = min(p["x0"] for p in group), max(p["x1"] for p in group)
        top, bottom = min(p["top"] for p in group), max(p["bottom"] for p in group)
        if not _sized(x1 - x0, bottom - top, MAX_ASPECT):
            continue
        pts = [pt for p in group for pt in p["pts"]]
        if _on_ellipse(pts, x0, top, x1, bottom):
            out.append(SealBox(x0, top, x1, bottom, "circle"))
        elif _sized(x1 - x0, bottom - top, SQUARE_ASPECT) and min(x1 - x0, bottom - top) >= MIN_SQUARE \
                and _on_square(pts, x0, top, x1, bottom):
            out.append(SealBox(x0, top, x1, bottom, "square"))
    return out


def _on_ellipse(pts, x0: float, top: float, x1: float, bottom: float) -> bool:
    """Every point near the ellipse inscribed in the box, and every eighth of the turn holding points."""
    import math

    cx, cy, rx, ry = (x0 + x1) / 2, (top + bottom) / 2, (x1 - x0) / 2, (bottom - top) / 2
    sectors = set()
    for x, y in pts:
        u, v = (x - cx) / rx, (y - cy) / ry
        if abs(math.hypot(u, v) - 1) > DASH_RADIAL:
            return False
        sectors.add(int((math.atan2(v, u) + math.pi) / (math.pi / 4)) % 8)
    return len(sectors) == 8


def _on_square(pts, x0: float, top: float, x1: float, bottom: float) -> bool:
    """Every point on an edge of the box, each edge holding points along most of its length."""
    tol = DASH_EDGE * min(x1 - x0, bottom - top)
    covered: dict[str, set[int]] = {"l": set(), "r": set(), "t": set(), "b": set()}
    for x, y in pts:
        fx, fy = int((x - x0) / (x1 - x0) * 7.999), int((y - top) / (bottom - top) * 7.999)
        hit = False
        for edge, near, along in (("l", abs(x - x0), fy), ("r", abs(x - x1), fy), ("t", abs(y - top), fx),
                                  ("b", abs(y - bottom), fx)):
            if near <= tol:
                covered[edge].add(along)
                hit = True
        if not hit:
            return False
    return all(len(c) >= 6 for c in covered.values())


def _dedupe(boxes: list[SealBox]) -> list[SealBox]:
    """Concentric or repeated strokes of one box (fill + stroke, double circle) count once."""
    kept: list[SealBox] = []
    for box in boxes:
        cx, cy = box.centre
        if not any(k.x0 <= cx <= k.x1 and k.top <= cy <= k.bottom for k in kept):
            kept.append(box)
    return kept


def _holds_text(chars: list[dict], box: SealBox) -> bool:
    for ch in chars:
        if not ch["text"].strip():
            continue
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if box.x0 <= cx <= box.x1 and box.top <= cy <= box.bottom:
            return True
    return False


def _block(box: SealBox, page_no: int, line_key: tuple | None, order: float, **where) -> TextBlock:
    bbox = tuple(round(v, 1) for v in (box.x0, box.top, box.x1, box.bottom))
    loc = Location(kind="shape", page=page_no, bbox=bbox, part=DRAWN_PART, **where)
    return TextBlock(text=DRAWN_TEXT, location=loc, line_key=line_key, order=order)


def _in_cell(box: SealBox, blocks: list[TextBlock]) -> TextBlock | None:
    """The table block whose row holds the box's centre (the name cell or the cell beside it)."""
    cx, cy = box.centre
    best = None
    for block in blocks:
        b = block.location.bbox
        if block.location.kind != "table" or b is None or not b[1] <= cy <= b[3]:
            continue
        if b[0] <= cx <= b[2] or (b[2] <= cx and (best is None or b[2] > best.location.bbox[2])):
            best = block
    return best


def _line_left_of(box: SealBox, blocks: list[TextBlock]) -> TextBlock | None:
    """The text line that ends left of the box and shares its height (氏名　山田太郎　◯)."""
    best = None
    for block in blocks:
        b = block.location.bbox
        if block.location.kind != "body" or b is None or b[0] >= box.x0:
            continue
        overlap = min(b[3], box.bottom) - max(b[1], box.top)
        if overlap > 0.5 * min(b[3] - b[1], box.bottom - box.top) and (best is None or b[2] > best.location.bbox[2]):
            best = block
    return best


def seal_box_blocks(page, page_no: int, blocks: list[TextBlock]) -> list[tuple[float, TextBlock]]:
    """(top, block) for every empty seal-sized shape, joined to the row it belongs to."""
    placed: list[tuple[float, TextBlock]] = []
    for box in candidate_boxes(page):
        cell = _in_cell(box, blocks)
        if cell is not None:
            loc = cell.location
            placed.append((box.top, _block(box, page_no, cell.line_key, cell.order + 0.5,
                                           table=loc.table, row=loc.row, col=loc.col)))
            continue
        line = _line_left_of(box, blocks)
        if line is not None:
            placed.append((box.top, _block(box, page_no, line.line_key, line.order + 1.0, line=line.location.line)))
        else:  # boxes side by side on no text line (a stamp grid's row) form one row of their own
            placed.append((box.top, _block(box, page_no, ("pd", page_no, round(box.top / 4)), box.x0)))
    return placed
