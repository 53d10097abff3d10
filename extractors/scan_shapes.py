"""Seal boxes on a scanned page: circles, ellipses and squares of seal size found with OpenCV (contours and
Hough circles).

OCR often reads nothing in a printed seal circle, or reads 印 as ぶ. A reviewer still sees the circle at the
end of the name line. The page image is binarised (Otsu after a contrast stretch, so faint scans keep their
lines), and the outer contours of seal size (10–25 mm) that are rings — a hole inside, little ink — are kept:
a circle or ellipse fills about π/4 of its bounding box, a square nearly all of it. A second pass after a
small morphological closing joins dotted circles, and Hough circles checked along their rim find circles
crossed by a ruled line. A ring of fine dots or dashes (1 pt dots, 2 pt gaps) leaves neither a contour nor a
Hough circle: its dots are joined by their spacing (connected components, linked when closer than DOT_LINK_MM)
and a group of seal size whose dots lie on a fitted ellipse all round, or on the rim of a near-square, is a box
(`_dot_rings`); a dotted rule line, a row of ・ or a dotted table border is not. Each box joins the OCR row it
sits on (extractors/ocr.py)
as a `shape` block with the text ㊞ and `part="drawn"`; detection keeps it only on a name field's row.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from extractors.models import Location, TextBlock
from extractors.pdf_shapes import DRAWN_PART, DRAWN_TEXT, grid_groups

MIN_MM, MAX_MM, MIN_SQUARE_MM = 9.0, 26.0, 10.0
MAX_ASPECT, SQUARE_ASPECT = 1.6, 1.12
MAX_INK = 0.35  # share of dark pixels in the box: a ring, not a blot of text
CIRCLE_FILL = (0.66, 0.88)  # contour area / bounding box for a circle or ellipse (π/4 ≈ 0.785)
SQUARE_FILL = 0.9
CLOSE_MM = 1.0  # gaps a dotted circle may have
MAX_HOUGH = 60  # Hough candidates checked per page
SEAL_CHARS = ("印", "㊞")


def _load(image: Path):
    import cv2

    gray = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
    if gray is None:
        return None, None
    gray = cv2.normalize(gray, None, 0, 255, cv2.NORM_MINMAX)
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return gray, binary


def find_boxes(image: Path, dpi: int) -> list[tuple[float, float, float, float]]:
    """(x0, top, x1, bottom) in PDF points of every seal-sized ring on the page image."""
    import cv2

    gray, binary = _load(image)
    if gray is None:
        return []
    px = dpi / 25.4
    size = max(1, round(CLOSE_MM * px))
    closed = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    found: list[tuple[int, int, int, int]] = []
    for box in (_rings(cv2, binary, px) + _rings(cv2, closed, px) + _hough(cv2, gray, binary, px)
                + _dot_rings(cv2, gray, binary, px)):
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        if not any(x <= cx <= x + w and y <= cy <= y + h for x, y, w, h in found):
            found.append(box)
    scale = 72.0 / dpi
    return [(x * scale, y * scale, (x + w) * scale, (y + h) * scale) for x, y, w, h in found]


DOT_MAX_MM = 2.2  # a dot or dash of a dotted ring: no side longer than this
DOT_LINK_MM = 2.6  # dots closer than this (centre to centre) belong to one dotted line
MIN_DOTS = 10
MAX_DOTS = 200_000  # a page of more specks than this is noise (a form with a halftone map holds ~20,000)
DOT_RADIAL = 0.14  # a dot of a ring lies within this share of the radius from the fitted ellipse
DOT_ON_RIM = 0.9  # share of a group's dots that must do so
DOT_GREY = 190  # grey level (0–255, after the page's contrast stretch) up to which a pixel is a dot's ink
DOT_SQUARE_EDGE = 0.12  # a dotted square: its dots within this share of the side from the box's edges


DOT_PAIRS_IN_PYTHON = 200_000  # pairs of dots to compare, past which the grouping is done by OpenCV instead


def dot_groups(np, binary, px: float) -> list:
    """Centres (x, y arrays, pixels) of the small components (dots, dashes) of the page, grouped by spacing:
    dots closer than DOT_LINK_MM are in one group. Groups come in the order of their first dot, each group's dots
    in page order. Two ways give the same groups but for dots within about 2 px of the link distance (and the same
    on all 660 page images of the generated scans): pairing the dots of neighbouring grid cells (`_link_pairs`,
    exact, cheap on a form's few dots), and, when that means more than
    DOT_PAIRS_IN_PYTHON pairs (a halftone picture: a map or a photo, thousands of specks a few pixels apart, took
    seconds a page), discs of half the spacing drawn round every dot, those that touch being one component
    (`_link_discs`, OpenCV in C: about 0.15 s a page whatever it holds)."""
    import cv2

    count, _labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 1:
        return []
    small = ((stats[1:, cv2.CC_STAT_WIDTH] <= DOT_MAX_MM * px) & (stats[1:, cv2.CC_STAT_HEIGHT] <= DOT_MAX_MM * px)
             & (stats[1:, cv2.CC_STAT_AREA] >= 2))
    pts = centroids[1:][small]
    if len(pts) < MIN_DOTS or len(pts) > MAX_DOTS:
        return []
    link = DOT_LINK_MM * px
    cells = np.floor(pts / link).astype(np.int64)
    cells -= cells.min(axis=0)
    grid = np.zeros(tuple(cells.max(axis=0) + 3), dtype=np.int64)  # dots per cell, with a border of empty cells
    np.add.at(grid, (cells[:, 0] + 1, cells[:, 1] + 1), 1)
    near = sum(np.roll(np.roll(grid, dx, axis=0), dy, axis=1) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
    pairs = int((grid * near).sum())
    if pairs > DOT_PAIRS_IN_PYTHON:
        label = _link_discs(cv2, np, pts, binary.shape, link)
    else:
        label = _link_pairs(pts, cells, link)
    order = np.argsort(label, kind="stable")
    starts = np.flatnonzero(np.diff(label[order])) + 1
    groups = [g for g in np.split(order, starts) if len(g) >= MIN_DOTS]
    groups.sort(key=lambda g: int(g[0]))
    return [pts[g] for g in groups]


def _link_pairs(pts, cells, link: float):
    """A group number per dot: dots of the same or neighbouring cells closer than `link` joined (grid_groups)."""
    import numpy as np

    xs, ys, reach = pts[:, 0].tolist(), pts[:, 1].tolist(), link * link

    def linked(i: int, j: int) -> bool:
        return (xs[i] - xs[j]) ** 2 + (ys[i] - ys[j]) ** 2 <= reach

    return np.array(grid_groups([(cx, cy) for cx, cy in cells.tolist()], linked))


def _link_discs(cv2, np, pts, shape: tuple[int, int], link: float):
    """A group number per dot: a disc `link` wide round each dot (dilation), discs that touch one component."""
    h, w = shape
    xs = np.clip(np.rint(pts[:, 0]).astype(int), 0, w - 1)
    ys = np.clip(np.rint(pts[:, 1]).astype(int), 0, h - 1)
    seeds = np.zeros((h, w), np.uint8)
    seeds[ys, xs] = 255
    size = 2 * int(link / 2) + 1
    discs = cv2.dilate(seeds, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    _, labels = cv2.connectedComponents(discs, connectivity=4)
    return labels[ys, xs]


def _dot_rings(cv2, gray, binary, px: float) -> list[tuple[int, int, int, int]]:
    """Seal-sized rings (circle, ellipse or near-square) made of dots or dashes (see dot_groups). Fine dots print
    grey (a 1 pt dot scanned at 200 dpi): they are taken up to DOT_GREY, lighter than Otsu's cut on a page of
    black text."""
    import numpy as np

    _, light = cv2.threshold(gray, DOT_GREY, 255, cv2.THRESH_BINARY_INV)
    lo, hi = MIN_MM * px, MAX_MM * px
    found = []
    for pts in dot_groups(np, cv2.bitwise_or(binary, light), px):
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        w, h = x1 - x0, y1 - y0
        if not (lo <= w <= hi and lo <= h <= hi) or max(w, h) / min(w, h) > MAX_ASPECT:
            continue
        if _dotted_ellipse(cv2, np, pts) or _dotted_square(np, pts, x0, y0, x1, y1):
            box = (int(x0), int(y0), int(round(w)) + 1, int(round(h)) + 1)
            inside = binary[int(y0 + 0.2 * h):int(y1 - 0.2 * h), int(x0 + 0.2 * w):int(x1 - 0.2 * w)]
            if inside.size and float((inside > 0).mean()) <= MAX_INK:
                found.append(box)
    return found


def _dotted_ellipse(cv2, np, pts) -> bool:
    """The dots lie on an ellipse (fitted to them) all round it: every eighth of the turn holds dots."""
    (cx, cy), (d1, d2), angle = cv2.fitEllipse(pts.astype(np.float32))
    if min(d1, d2) <= 0:
        return False
    t = np.deg2rad(angle)
    dx, dy = pts[:, 0] - cx, pts[:, 1] - cy
    u = (dx * np.cos(t) + dy * np.sin(t)) / (d1 / 2)
    v = (-dx * np.sin(t) + dy * np.cos(t)) / (d2 / 2)
    rho = np.sqrt(u * u + v * v)
    if float((np.abs(rho - 1) <= DOT_RADIAL).mean()) < DOT_ON_RIM:
        return False
    sectors = np.floor((np.arctan2(v, u) + np.pi) / (np.pi / 4)).astype(int) % 8
    return len(set(sectors.tolist())) == 8


def _dotted_square(np, pts, x0: float, y0: float, x1: float, y1: float) -> bool:
    """The dots lie on the edges of their near-square bounding box, all four edges dotted most of their length."""
    w, h = x1 - x0, y1 - y0
    if max(w, h) / min(w, h) > SQUARE_ASPECT:
        return False
    tol = DOT_SQUARE_EDGE * min(w, h)
    xs, ys = pts[:, 0], pts[:, 1]
    edges = [(np.abs(xs - x0) <= tol, ys, y0, h), (np.abs(xs - x1) <= tol, ys, y0, h),
             (np.abs(ys - y0) <= tol, xs, x0, w), (np.abs(ys - y1) <= tol, xs, x0, w)]
    on_edge = np.zeros(len(pts), dtype=bool)
    for mask, along, start, length in edges:
        on_edge |= mask
        covered = set(np.floor((along[mask] - start) / length * 8).astype(int).clip(0, 7).tolist())
        if len(covered) < 7:
            return False
    return float(on_edge.mean()) >= DOT_ON_RIM


def _hough(cv2, gray, binary, px: float) -> list[tuple[int, int, int, int]]:
    """Circles crossed by a ruled line or touching text (no closed contour of their own): Hough circles on a
    half-size copy, each kept only when ink runs round its whole rim and its inside is mostly blank."""
    import numpy as np

    small = cv2.medianBlur(cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), 3)
    r_lo, r_hi = int(MIN_MM * px / 4), int(MAX_MM * px / 4) + 1
    circles = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT, dp=1, minDist=2 * r_lo, param1=120, param2=28,
                               minRadius=r_lo, maxRadius=r_hi)
    if circles is None:
        return []
    kept = []
    angles = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    for cx, cy, r in (c * 2 for c in circles[0][:MAX_HOUGH]):
        if rim_ok(np, binary, cx, cy, r, angles):
            kept.append((int(cx - r), int(cy - r), int(2 * r), int(2 * r)))
    return kept


def rim_ok(np, binary, cx: float, cy: float, r: float, angles, *, inside: bool = True) -> bool:
    """Ink on the rim in at least 7 of 8 sectors (dotted circles too), and (`inside`) little ink inside."""
    h, w = binary.shape
    radii = r + np.arange(-2, 3)[:, None]  # 5 rings of 96 points, 2 px either side of the rim
    xs = np.clip((cx + radii * np.cos(angles)).astype(int), 0, w - 1)
    ys = np.clip((cy + radii * np.sin(angles)).astype(int), 0, h - 1)
    hits = (binary[ys, xs] > 0).any(axis=0)
    sectors = hits.reshape(8, -1).any(axis=1).sum()
    if sectors < 7 or hits.mean() < (0.3 if inside else 0.7):
        return False
    if not inside:
        return True
    x0, x1 = int(max(0, cx - 0.6 * r)), int(min(w, cx + 0.6 * r))
    y0, y1 = int(max(0, cy - 0.6 * r)), int(min(h, cy + 0.6 * r))
    inside = binary[y0:y1, x0:x1]
    return inside.size > 0 and float((inside > 0).mean()) <= MAX_INK


def _rings(cv2, binary, px: float) -> list[tuple[int, int, int, int]]:
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    lo, hi = MIN_MM * px, MAX_MM * px
    rings = []
    for index, contour in enumerate(contours):
        _next, _prev, child, parent = hierarchy[0][index]
        if parent != -1 or child == -1:  # a hole, or a shape without one
            continue
        x, y, w, h = cv2.boundingRect(contour)
        if not (lo <= w <= hi and lo <= h <= hi) or max(w, h) / min(w, h) > MAX_ASPECT:
            continue
        if cv2.countNonZero(binary[y:y + h, x:x + w]) / float(w * h) > MAX_INK:
            continue
        fill = cv2.contourArea(contour) / float(w * h)
        circle = CIRCLE_FILL[0] <= fill <= CIRCLE_FILL[1]
        square = fill >= SQUARE_FILL and max(w, h) / min(w, h) <= SQUARE_ASPECT and min(w, h) >= MIN_SQUARE_MM * px
        if circle or square:
            rings.append((x, y, w, h))
    return rings


MARK_MM = (2.5, 8.0)  # a printed ㊞: a ring of text size
MARK_ROUND = 0.82
MARK_HOLE = 0.45  # its hole is at least this share of the ring's area (a thin rim)
MARK_INNER_INK = (0.08, 0.6)  # and ink inside the hole (the 印), unlike 〇 or a choice circle


def find_printed_marks(image: Path, dpi: int) -> list[tuple[float, float, float, float]]:
    """(x0, top, x1, bottom) in PDF points of every printed ㊞ on the page image: a round ring of text size with
    a glyph inside it, ending its row. Tesseract reads the small ㊞ as 包, ME or nothing at all; a reviewer sees
    a seal mark. An empty ring (〇〇市, 有〇 無〇) is not one, nor a glyph that fills its box (田, 回), nor a
    circled number with its item after it (① 申請者). Run on the page without its ruled lines."""
    import cv2
    import numpy as np

    gray, binary = _load(image)
    if gray is None:
        return []
    px = dpi / 25.4
    lo, hi = MARK_MM[0] * px, MARK_MM[1] * px
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_NONE)
    if hierarchy is None:
        return []
    found = []
    angles = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    for index, contour in enumerate(contours):
        _next, _prev, child, _parent = hierarchy[0][index]
        if child == -1:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        if not (lo <= w <= hi and lo <= h <= hi) or max(w, h) / min(w, h) > 1.2:
            continue
        area = cv2.contourArea(contour)
        perimeter = cv2.arcLength(contour, True)
        # round: π/4 of its box, and 4πA/P² near 1 (a circle ≈ 0.9 here, 田 0.65, a square 0.78)
        if not 0.7 <= area / float(w * h) <= 0.86 or 4 * np.pi * area / max(perimeter, 1.0) ** 2 < MARK_ROUND:
            continue
        hole = sum(cv2.contourArea(contours[c]) for c in _children(hierarchy, child))  # the 印 may split it
        if hole < MARK_HOLE * area:
            continue
        cx, cy, r = x + w / 2, y + h / 2, (w + h) / 4
        if not rim_ok(np, binary, cx, cy, r - 1, angles, inside=False):  # ink all round (田 or 回 are square)
            continue
        inner = binary[int(cy - 0.55 * r):int(cy + 0.55 * r), int(cx - 0.55 * r):int(cx + 0.55 * r)]
        share = float((inner > 0).mean()) if inner.size else 0.0
        if MARK_INNER_INK[0] <= share <= MARK_INNER_INK[1] and _last_on_row(binary, x, y, w, h):
            found.append((x, y, w, h))
    scale = 72.0 / dpi
    return [(x * scale, y * scale, (x + w) * scale, (y + h) * scale) for x, y, w, h in found]


def _last_on_row(binary, x: int, y: int, w: int, h: int) -> bool:
    """No ink right of the ring on its row: a seal mark ends its name row, a circled number (①, ㊤) starts an
    item and has text after it, and their rings cannot be told apart."""
    band = binary[y + h // 4:y + h - h // 4, x + w + max(2, w // 5):]
    return not band.any()


def _children(hierarchy, first: int) -> list[int]:
    out, index = [], first
    while index != -1:
        out.append(index)
        index = hierarchy[0][index][0]
    return out


def with_seal_boxes(blocks: list[TextBlock], boxes: list[tuple[float, float, float, float]],
                    page_no: int, *, wrapped: bool = False) -> list[TextBlock]:
    """OCR blocks plus a ㊞ shape block per box, on the OCR row it shares its height with (a row that already
    reads 印 or ㊞ needs none); a box on no row becomes a row of its own, in reading order. `wrapped` (printed
    marks): a mark alone on its row, just under a row that ends left of it, belongs to that row (the name cell
    above, its mark in the cell below)."""
    out = list(blocks)
    for box in boxes:
        row = _row_of(blocks, box)
        if row is None and wrapped:
            row = _row_above(blocks, box)
        if row is not None and any(ch in "".join(b.text for b in blocks if b.line_key == row) for ch in SEAL_CHARS):
            continue
        key = row if row is not None else ("pd", page_no, round(box[1] / 4))
        loc = Location(kind="shape", page=page_no, bbox=tuple(round(v, 1) for v in box), part=DRAWN_PART)
        block = TextBlock(DRAWN_TEXT, loc, line_key=key, order=box[0], ocr=True)
        at = next((i for i, b in enumerate(out) if b.location.bbox and b.location.bbox[1] > box[1]), len(out))
        out.insert(at, block)
    return out


def _row_of(blocks: list[TextBlock], box: tuple[float, float, float, float]) -> tuple | None:
    """The line_key of the OCR row left of the box whose height overlaps it most."""
    best, best_overlap = None, 0.0
    for block in blocks:
        b = block.location.bbox
        if b is None or b[0] >= box[0]:
            continue
        overlap = min(b[3], box[3]) - max(b[1], box[1])
        if overlap > 0.5 * min(b[3] - b[1], box[3] - box[1]) and overlap > best_overlap:
            best, best_overlap = block.line_key, overlap
    return best if best is not None else _column_above(blocks, box)


def _row_above(blocks: list[TextBlock], box: tuple[float, float, float, float]) -> tuple | None:
    """The OCR row just above the box (its bottom within two box heights), when nothing is read on the box's
    own height: a wrapped name cell."""
    height = box[3] - box[1]
    if any(b.location.bbox and min(b.location.bbox[3], box[3]) - max(b.location.bbox[1], box[1]) > 0.3 * height
           for b in blocks):
        return None
    above = [b for b in blocks if b.location.bbox and b.location.bbox[3] <= box[1] + 0.3 * height
             and box[1] - b.location.bbox[3] <= 2 * height and b.location.bbox[0] < box[0]]
    if not above:
        return None
    return max(above, key=lambda b: b.location.bbox[3]).line_key


def _column_above(blocks: list[TextBlock], box: tuple[float, float, float, float]) -> tuple | None:
    """縦書き: the column that ends just above the box (氏名 山田太郎, then the circle below it)."""
    height = box[3] - box[1]
    for block in blocks:
        b = block.location.bbox
        if b is None or (b[3] - b[1]) < 2 * (b[2] - b[0]):  # not a tall column
            continue
        overlap = min(b[2], box[2]) - max(b[0], box[0])
        # the box starts below the column's end, or the column's last reading ran into the circle (田太郎( ))
        if overlap > 0.5 * min(b[2] - b[0], box[2] - box[0]) and -height <= box[1] - b[3] <= 1.5 * height:
            return block.line_key
    return None


def without_boxes(blocks: list[TextBlock]) -> list[TextBlock]:
    """Positions of a turned page do not match the PDF page: keep the lines, drop the boxes."""
    return [replace(b, location=replace(b.location, bbox=None)) for b in blocks]
