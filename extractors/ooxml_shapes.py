"""Seal boxes drawn in Word and Excel (DrawingML): an empty ellipse or square of seal size, or a picture
whose name or description says 印 / ㊞, is a drawn seal box (the text ㊞ with `part="drawn"`, like
extractors/pdf_shapes.py). Shapes holding text are read as text boxes elsewhere."""

from __future__ import annotations

from lxml import etree

from extractors.pdf_shapes import MAX_ASPECT, SQUARE_ASPECT

EMU_PER_MM = 36000
MIN_MM, MAX_MM, MIN_SQUARE_MM = 9.0, 26.0, 10.0
PICTURE_MM = (4.0, 30.0)  # a ㊞ picture may be type-sized
ROUND = {"ellipse", "flowChartConnector", "donut"}
SQUARE = {"rect", "roundRect", "square", "flowChartProcess"}
SEAL_WORDS = ("印", "㊞")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _size_mm(el: etree._Element) -> tuple[float, float] | None:
    for child in el.iter():
        if _local(child) in ("extent", "ext") and child.get("cx") and child.get("cy"):
            try:
                return int(child.get("cx")) / EMU_PER_MM, int(child.get("cy")) / EMU_PER_MM
            except ValueError:
                return None
    return None


def _has_text(el: etree._Element) -> bool:
    return any(_local(t) == "t" and (t.text or "").strip() for t in el.iter())


def is_seal_shape(el: etree._Element, size_mm: tuple[float, float] | None = None) -> bool:
    """`el` (a w:drawing, or an xdr anchor) draws a seal box. `size_mm` when the caller knows it better (a
    two-cell anchor spans cells)."""
    size = _size_mm(el) or size_mm
    if size is None or min(size) <= 0:
        return False
    w, h = size
    aspect = max(w, h) / min(w, h)
    for child in el.iter():
        name = _local(child)
        if name in ("docPr", "cNvPr") and any(word in (child.get("descr") or "") + (child.get("name") or "") +
                                               (child.get("title") or "") for word in SEAL_WORDS):
            return PICTURE_MM[0] <= min(w, h) and max(w, h) <= PICTURE_MM[1]
        if name == "prstGeom" and not _has_text(el):
            prst = child.get("prst") or ""
            sized = MIN_MM <= min(w, h) and max(w, h) <= MAX_MM
            if prst in ROUND and sized and aspect <= MAX_ASPECT:
                return True
            if prst in SQUARE and sized and min(w, h) >= MIN_SQUARE_MM and aspect <= SQUARE_ASPECT:
                return True
    return False
