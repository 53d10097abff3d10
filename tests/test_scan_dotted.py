"""Dotted and dashed seal rings on a scanned page (extractors/scan_shapes._dot_rings through find_boxes), on page
images drawn here with PIL: rings of dots of several sizes and spacings, of dashes, a dotted square, at 200, 240
and 300 dpi, are found where they are drawn; a dotted rule line, a row of ・, a dotted table border, a shaded
(halftone) square and dotted leaders between words are not rings. Also the real path: a dotted circle printed
into an image-only PDF at 200 and 300 dpi, read back through pdftoppm."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest

from extractors.scan_shapes import find_boxes

A4_MM = (210, 297)


def _blank(dpi: int):
    from PIL import Image

    return Image.new("L", (round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)), 255)


def _dot(draw, x: float, y: float, radius: float, ink: int = 0) -> None:
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)


def _ring(draw, dpi: int, cx_mm: float, cy_mm: float, r_mm: float, spacing_mm: float, dot_px: float, *,
          ry_mm: float | None = None, dash_mm: float = 0.0, ink: int = 0) -> None:
    """Dots (or dashes `dash_mm` long) every `spacing_mm` along an ellipse (a circle when `ry_mm` is None)."""
    px = dpi / 25.4
    ry_mm = ry_mm or r_mm
    steps = max(8, int(2 * math.pi * max(r_mm, ry_mm) / spacing_mm))
    for k in range(steps):
        t = 2 * math.pi * k / steps
        x, y = (cx_mm + r_mm * math.cos(t)) * px, (cy_mm + ry_mm * math.sin(t)) * px
        if dash_mm:
            dx, dy = -math.sin(t) * dash_mm / 2 * px, math.cos(t) * dash_mm / 2 * px
            draw.line((x - dx, y - dy, x + dx, y + dy), fill=ink, width=max(1, round(dot_px)))
        else:
            _dot(draw, x, y, dot_px / 2, ink)


def _dotted_line(draw, dpi: int, x0_mm: float, y0_mm: float, x1_mm: float, y1_mm: float, spacing_mm: float,
                 dot_px: float) -> None:
    px = dpi / 25.4
    length = math.hypot(x1_mm - x0_mm, y1_mm - y0_mm)
    for k in range(int(length / spacing_mm) + 1):
        f = k * spacing_mm / length
        _dot(draw, (x0_mm + f * (x1_mm - x0_mm)) * px, (y0_mm + f * (y1_mm - y0_mm)) * px, dot_px / 2)


def _boxes_mm(img, path: Path, dpi: int) -> list[tuple[float, float, float, float]]:
    img.save(path)
    return [tuple(v * 25.4 / 72 for v in box) for box in find_boxes(path, dpi)]


def _centre(box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


@pytest.mark.parametrize("dpi", [200, 240, 300])
@pytest.mark.parametrize(("r_mm", "spacing_mm", "dot_mm"), [
    (7.5, 1.06, 0.35),  # 1 pt dots, 2 pt gaps (reportlab setDash(1, 2))
    (5.5, 0.7, 0.25),   # fine, close dots on a small ring
    (10.0, 2.0, 0.6),   # larger dots, wider spacing, a large ring
])
def test_dotted_circle_found(tmp_path: Path, dpi: int, r_mm: float, spacing_mm: float, dot_mm: float) -> None:
    from PIL import ImageDraw

    img = _blank(dpi)
    draw = ImageDraw.Draw(img)
    _ring(draw, dpi, 160, 80, r_mm, spacing_mm, max(1.5, dot_mm * dpi / 25.4))
    boxes = _boxes_mm(img, tmp_path / "page.png", dpi)
    assert len(boxes) == 1, boxes
    cx, cy = _centre(boxes[0])
    assert abs(cx - 160) < 1.0 and abs(cy - 80) < 1.0
    assert abs((boxes[0][2] - boxes[0][0]) - 2 * r_mm) < 1.5


def test_dashed_ellipse_grey_and_dotted_square_found(tmp_path: Path) -> None:
    from PIL import ImageDraw

    dpi = 240
    px = dpi / 25.4
    img = _blank(dpi)
    draw = ImageDraw.Draw(img)
    _ring(draw, dpi, 60, 60, 9.0, 1.4, 2, ry_mm=7.0, dash_mm=0.7)  # a dashed ellipse
    _ring(draw, dpi, 160, 60, 7.0, 1.0, 3, ink=140)  # grey dots (a faint scan)
    for k in range(16):  # a dotted 15 mm square
        f = k / 16 * 15
        for x, y in ((40 + f, 150), (55, 150 + f), (55 - f, 165), (40, 165 - f)):
            _dot(draw, x * px, y * px, 1.5)
    centres = sorted(_centre(b) for b in _boxes_mm(img, tmp_path / "page.png", dpi))
    assert len(centres) == 3, centres
    for (cx, cy), (ex, ey) in zip(centres, [(47.5, 157.5), (60, 60), (160, 60)], strict=True):
        assert abs(cx - ex) < 1.0 and abs(cy - ey) < 1.0


def test_dotted_lines_rows_and_borders_are_not_rings(tmp_path: Path) -> None:
    from PIL import ImageDraw

    dpi = 240
    px = dpi / 25.4
    img = _blank(dpi)
    draw = ImageDraw.Draw(img)
    _dotted_line(draw, dpi, 20, 40, 120, 40, 1.06, 3)  # a dotted rule line
    _dotted_line(draw, dpi, 20, 60, 60, 60, 4.0, 6)  # a row of ・
    for y in (80, 95, 110):  # a dotted table border: 3 rows of 15 mm cells
        _dotted_line(draw, dpi, 20, y, 100, y, 1.06, 3)
    for x in (20, 40, 60, 80, 100):
        _dotted_line(draw, dpi, x, 80, x, 110, 1.06, 3)
    _dotted_line(draw, dpi, 120, 80, 190, 80, 1.06, 3)  # a dotted 12 mm × 70 mm box (a long cell)
    _dotted_line(draw, dpi, 120, 92, 190, 92, 1.06, 3)
    _dotted_line(draw, dpi, 120, 80, 120, 92, 1.06, 3)
    _dotted_line(draw, dpi, 190, 80, 190, 92, 1.06, 3)
    for i in range(40):  # a shaded 15 mm square (halftone dots all over)
        for j in range(40):
            _dot(draw, (140 + i * 0.375) * px, (140 + j * 0.375) * px, 0.9)
    for k in range(3):  # dotted leaders between a label and its value, on three rows
        _dotted_line(draw, dpi, 30, 200 + 6 * k, 90, 200 + 6 * k, 1.5, 3)
    _dotted_line(draw, dpi, 20, 240, 35, 255, 1.06, 3)  # a dotted diagonal
    assert _boxes_mm(img, tmp_path / "page.png", dpi) == []


def _halftone(draw, dpi: int, x_mm: float, y_mm: float, side_mm: float, pitch_mm: float) -> None:
    """A halftone picture (a map or photo printed in a scan): dots every `pitch_mm` over a square."""
    px = dpi / 25.4
    n = int(side_mm / pitch_mm)
    for i in range(n):
        for j in range(n):
            _dot(draw, (x_mm + i * pitch_mm) * px, (y_mm + j * pitch_mm) * px, 0.9)


def test_a_halftone_picture_beside_a_dotted_ring(tmp_path: Path) -> None:
    """A page holding a halftone picture of about 20,000 dots still has its dotted ring found (the ring was lost
    when the page held more specks than pairing them in Python could afford), and the picture is no ring."""
    from PIL import ImageDraw

    dpi = 240
    img = _blank(dpi)
    draw = ImageDraw.Draw(img)
    _halftone(draw, dpi, 20, 120, 60, 0.42)
    _ring(draw, dpi, 160, 80, 7.5, 1.06, 2)
    boxes = _boxes_mm(img, tmp_path / "page.png", dpi)
    assert len(boxes) == 1, boxes
    cx, cy = _centre(boxes[0])
    assert abs(cx - 160) < 1.0 and abs(cy - 80) < 1.0


def _partition(labels) -> list[set[int]]:
    groups: dict[int, set[int]] = {}
    for i, g in enumerate(labels.tolist()):
        groups.setdefault(g, set()).add(i)
    return list(groups.values())


def _refines(finer: list[set[int]], coarser: list[set[int]]) -> bool:
    return all(any(group <= other for other in coarser) for group in finer)


def test_both_ways_of_grouping_dots_agree() -> None:
    """Pairing the dots (Python, exact distance) and touching discs (OpenCV) give the same groups on rings and
    dotted lines whose spacing is not within a few pixels of the link distance; on scattered specks the discs'
    groups lie between pairing at the link distance less and plus 2 pixels (centres rounded to pixels)."""
    import cv2
    import numpy as np

    from extractors import scan_shapes

    link = 24.6  # DOT_LINK_MM at 240 dpi, in pixels

    def pairs(pts, distance):
        cells = np.floor(pts / distance).astype(np.int64)
        return _partition(scan_shapes._link_pairs(pts, cells - cells.min(axis=0), distance))

    def discs(pts):
        return _partition(scan_shapes._link_discs(cv2, np, pts, (1500, 1500), link))

    shaped = []
    for cx, cy, r, step in ((300, 300, 70, 10.0), (700, 300, 60, 20.0), (1100, 300, 90, 30.0)):  # rings
        n = int(2 * np.pi * r / step)
        shaped += [(cx + r * np.cos(2 * np.pi * k / n), cy + r * np.sin(2 * np.pi * k / n)) for k in range(n)]
    for row, gap in enumerate((12.0, 20.0, 30.0, 40.0)):  # dotted lines and rows of ・, some joined, some not
        shaped += [(100 + k * gap, 600 + 40 * row) for k in range(12)]
    shaped = np.array(shaped)
    assert len(pairs(shaped, link)) > 20  # the wide rows fall apart, the rings and close lines hold
    assert sorted(map(sorted, pairs(shaped, link))) == sorted(map(sorted, discs(shaped)))

    specks = np.random.default_rng(7).uniform((0, 0), (1400, 1400), size=(2000, 2))
    found = discs(specks)
    assert 20 < len(found) < len(specks)
    assert _refines(pairs(specks, link - 2), found) and _refines(found, pairs(specks, link + 2))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler not installed")
@pytest.mark.parametrize("scan_dpi", [200, 300])
def test_dotted_circle_in_a_scanned_pdf(tmp_path: Path, scan_dpi: int) -> None:
    """The generator's dotted seal circle (setDash(1, 2), line width 1 and 0.5 pt) printed into an image-only PDF,
    rendered back at 240 dpi as the OCR path does: found; before this detector, neither contour nor Hough did."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    source = tmp_path / "vector.pdf"
    c = canvas.Canvas(str(source), pagesize=A4)
    c.setDash(1, 2)
    c.circle(170 * mm, 200 * mm, 7.5 * mm)
    c.setLineWidth(0.5)
    c.circle(60 * mm, 100 * mm, 6 * mm)
    c.save()
    subprocess.run(["pdftoppm", "-r", str(scan_dpi), "-gray", "-png", "-singlefile", str(source),
                    str(tmp_path / "scan")], check=True, timeout=60)
    scan = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(scan), pagesize=A4)
    c.drawImage(str(tmp_path / "scan.png"), 0, 0, width=A4[0], height=A4[1])
    c.save()
    subprocess.run(["pdftoppm", "-r", "240", "-gray", "-singlefile", str(scan), str(tmp_path / "page")], check=True,
                   timeout=60)
    with Image.open(tmp_path / "page.pgm") as img:
        assert img.size[0] > 1900
    boxes = [tuple(v * 25.4 / 72 for v in b) for b in find_boxes(tmp_path / "page.pgm", 240)]
    centres = sorted(_centre(b) for b in boxes)
    assert len(centres) == 2, boxes
    for (cx, cy), (ex, ey) in zip(centres, [(60, 297 - 100), (170, 297 - 200)], strict=True):
        assert abs(cx - ex) < 1.0 and abs(cy - ey) < 1.0
