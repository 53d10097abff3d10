"""A PDF page read by pypdfium2 and shaped like a pdfplumber page: chars, lines, rects, curves, images.

pdfminer (under pdfplumber) parses a simple form page in about 30 ms; pdfium does it in 1–3 ms. The page objects
are built as the same plain dicts pdfplumber gives (x0, x1, top, bottom, …), and the same public pdfplumber
functions work on them: `TableFinder` for the ruled tables (so cells and «p.1 表1 2行3列» stay what they were),
`chars_to_textmap(...).extract_text_lines` for the body lines, `extract_words`, and `pdfplumber.utils`'s
edge helpers. Paths are classified as pdfminer classifies them (one `m` per subpath: `ml` a line, a closed
axis-aligned `mlllh` a rect, anything else a curve whose points are the segment end points).

`simple_page` says whether a page can be read this way; a page that cannot (rotated page or text, a page
box not at the origin, unmapped glyphs) is read by pdfplumber as before (extractors/pdf.py).
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import TableFinder
from pdfplumber.utils import chars_to_textmap, curve_to_edges, extract_words, line_to_edge, rect_to_edges

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_DEPTH = 15  # nested Form XObjects


class NotSimple(Exception):
    """The page needs pdfplumber (see `PdfiumPage.read`)."""


def _mult(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention, as pdfminer's mult_matrix)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _matrix(obj) -> Matrix:
    raw = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, raw):
        return IDENTITY
    return (raw.a, raw.b, raw.c, raw.d, raw.e, raw.f)


def _metrics(textpage, index: int, obj) -> tuple[float, float, float]:
    """(vertical scale, descent in text space, font size) of a char's text object. pdfium's loose box spans
    ascent − descent; pdfminer's spans one font size from the descent: the same only when they add up to 1000."""
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFText_GetMatrix(textpage, index, matrix):
        raise NotSimple("char without a matrix")
    if not (matrix.a * matrix.d > 0 and matrix.b == 0 and matrix.c == 0):
        raise NotSimple("rotated or skewed text")
    size = pdfium_c.FPDFText_GetFontSize(textpage, index)
    font = pdfium_c.FPDFTextObj_GetFont(obj) if obj else None
    descent = ctypes.c_float()
    if not size or not font or not pdfium_c.FPDFFont_GetDescent(font, ctypes.c_float(size), descent):
        raise NotSimple("char without font metrics")
    return matrix.d, descent.value, size


class PdfiumPage:
    """The parts of a pdfplumber page that extractors/pdf.py and pdf_shapes.py read."""

    def __init__(self, height: float, width: float, objects: dict[str, list[dict]]) -> None:
        self.height = height
        self.width = width
        self.bbox = (0, 0, width, height)
        self.objects = objects
        self._edges: list[dict] | None = None

    # ------------------------------------------------------------------ reading
    @classmethod
    def read(cls, page: pdfium.PdfPage) -> PdfiumPage:
        """Raises NotSimple when the page must go through pdfplumber instead."""
        if page.get_rotation() % 360:
            raise NotSimple("rotated page")
        media = page.get_mediabox()
        if media[0] or media[1] or tuple(page.get_cropbox()) != tuple(media):
            raise NotSimple("page box not at the origin")
        width, height = media[2], media[3]
        objects: dict[str, list[dict]] = {"char": [], "line": [], "rect": [], "curve": [], "image": []}
        reader = cls(height, width, objects)
        reader._walk(page, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, IDENTITY, 0)
        textpage = page.get_textpage()
        try:
            objects["char"] = reader._chars(textpage)
        finally:
            textpage.close()
        return reader

    def _walk(self, parent, count: Callable, get: Callable, outer: Matrix, depth: int) -> None:
        for i in range(count(parent)):
            obj = get(parent, i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                self._path(obj, _mult(_matrix(obj), outer))
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                self._image(_mult(_matrix(obj), outer))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_DEPTH - 1:
                self._walk(obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject,
                           _mult(_matrix(obj), outer), depth + 1)

    def _top(self, y: float) -> float:
        return self.height - y

    def _image(self, m: Matrix) -> None:
        pts = [_apply(m, x, y) for x, y in ((0, 0), (1, 0), (1, 1), (0, 1))]
        x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
        y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts)
        self.objects["image"].append(self._box("image", x0, y0, x1, y1))

    def _box(self, kind: str, x0: float, y0: float, x1: float, y1: float, **extra) -> dict:
        top, bottom = self._top(y1), self._top(y0)
        return {"object_type": kind, "x0": x0, "y0": y0, "x1": x1, "y1": y1, "top": top, "bottom": bottom,
                "doctop": top, "width": x1 - x0, "height": y1 - y0, **extra}

    # ------------------------------------------------------------------ paths
    def _path(self, obj, m: Matrix) -> None:
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke) or (not fill.value and not stroke.value):
            return  # a clipping path (`n`) is no object for pdfminer either
        ops: list[tuple[str, tuple[float, float]]] = []
        x, y = ctypes.c_float(), ctypes.c_float()
        pending_curve = 0
        start: tuple[float, float] | None = None
        for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
            pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
            pt = _apply(m, x.value, y.value)
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                ops.append(("m", pt))
                start = pt
            elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
                ops.append(("l", pt))
            elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
                pending_curve += 1
                if pending_curve == 3:  # control, control, end point: pdfminer keeps the end point
                    ops.append(("c", pt))
                    pending_curve = 0
            else:
                raise NotSimple("unknown path segment")
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                ops.append(("h", start))
        for match in re.finditer(r"m[^m]+", "".join(op for op, _ in ops)):
            self._subpath(ops[match.start() : match.end()])

    def _subpath(self, ops: list[tuple[str, tuple[float, float]]]) -> None:
        shape = "".join(op for op, _ in ops)
        pts = [pt for _, pt in ops]
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
            shape = shape[:-2] + "h"
            pts.pop()
        if shape in {"mlh", "ml"}:
            (ax, ay), (bx, by) = pts[0], pts[1]
            self.objects["line"].append(self._shape("line", pts[:2], min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
            return
        if shape in {"mlllh", "mllll"}:
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
            if pts[0] == pts[4] and square:
                rx0, rx1, ry0, ry1 = min(x0, x2), max(x0, x2), min(y0, y2), max(y0, y2)
                corners = [(rx0, ry0), (rx1, ry0), (rx1, ry1), (rx0, ry1)]
                self.objects["rect"].append(self._shape("rect", corners, rx0, ry0, rx1, ry1))
                return
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        self.objects["curve"].append(self._shape("curve", pts, min(xs), min(ys), max(xs), max(ys)))

    def _shape(self, kind: str, pts: list[tuple[float, float]], x0: float, y0: float, x1: float, y1: float) -> dict:
        return self._box(kind, x0, y0, x1, y1, pts=[(px, self._top(py)) for px, py in pts])

    # ------------------------------------------------------------------ text
    def _chars(self, textpage: pdfium.PdfTextPage) -> list[dict]:
        """pdfplumber's char dicts, pdfium's calls bound once: ≈8 calls per char, a page holds hundreds."""
        chars = []
        rect = pdfium_c.FS_RECTF()
        x, y = ctypes.c_double(), ctypes.c_double()
        tp = textpage.raw
        per_object: dict[int | None, tuple[float, float, float]] = {}  # text object → (scale, descent, size)
        generated = pdfium_c.FPDFText_IsGenerated
        unicode = pdfium_c.FPDFText_GetUnicode
        map_error = pdfium_c.FPDFText_HasUnicodeMapError
        loose_box = pdfium_c.FPDFText_GetLooseCharBox
        origin = pdfium_c.FPDFText_GetCharOrigin
        text_object = pdfium_c.FPDFText_GetTextObject
        address = ctypes.c_void_p.from_buffer  # the object's address (≈5× cheaper than ctypes.cast)
        height = self.height
        for i in range(pdfium_c.FPDFText_CountChars(tp)):
            if generated(tp, i):
                continue  # spaces and line breaks pdfium inferred: pdfminer has no such chars
            code = unicode(tp, i)
            if code == 0xFFFD or map_error(tp, i) == 1:
                raise NotSimple("unmapped glyph")
            if code == 2:  # pdfium's mark for a hyphen at the end of a line: which hyphen it was is lost
                raise NotSimple("line-end hyphen")
            if not loose_box(tp, i, rect) or not origin(tp, i, x, y):
                raise NotSimple("char without a box")
            obj = text_object(tp, i)
            key = address(obj).value
            metrics = per_object.get(key)
            if metrics is None:
                metrics = per_object[key] = _metrics(tp, i, obj)
            scale, descent, size = metrics
            try:
                text = chr(code)
            except ValueError as exc:
                raise NotSimple("bad code point") from exc
            y0 = y.value + descent * scale  # pdfminer's box: baseline + the font's descent, one font size high
            y1 = y0 + size * scale
            x0, x1 = rect.left, rect.right
            top, bottom = height - y1, height - y0
            chars.append({"object_type": "char", "x0": x0, "y0": y0, "x1": x1, "y1": y1, "top": top,
                          "bottom": bottom, "doctop": top, "width": x1 - x0, "height": y1 - y0, "text": text,
                          "upright": True, "size": y1 - y0})  # as _box("char", …) with size = height
        return chars

    # ------------------------------------------------------------------ the pdfplumber page surface
    @property
    def chars(self) -> list[dict]:
        return self.objects["char"]

    @property
    def lines(self) -> list[dict]:
        return self.objects["line"]

    @property
    def rects(self) -> list[dict]:
        return self.objects["rect"]

    @property
    def curves(self) -> list[dict]:
        return self.objects["curve"]

    @property
    def images(self) -> list[dict]:
        return self.objects["image"]

    @property
    def edges(self) -> list[dict]:
        """As pdfplumber's Container.edges: lines, then rect edges, then curve edges."""
        if self._edges is None:
            edges = [line_to_edge(line) for line in self.lines]
            for rect in self.rects:
                edges.extend(rect_to_edges(rect))
            for curve in self.curves:
                edges.extend(curve_to_edges(curve))
            self._edges = edges
        return self._edges

    def find_tables(self, settings: dict) -> list:
        return TableFinder(self, settings).tables

    def filter(self, test: Callable[[dict], bool]) -> PdfiumPage:
        kept = {kind: [o for o in objs if test(o)] for kind, objs in self.objects.items()}
        return PdfiumPage(self.height, self.width, kept)

    def extract_text_lines(self, *, return_chars: bool = True) -> list[dict]:
        textmap = chars_to_textmap(self.chars, layout_bbox=self.bbox, layout_width=self.width,
                                   layout_height=self.height)
        return textmap.extract_text_lines(strip=True, return_chars=return_chars)

    def extract_words(self, **settings) -> list[dict]:
        return extract_words(self.chars, **settings)

    def close(self) -> None:
        self.objects = {}
        self._edges = None
