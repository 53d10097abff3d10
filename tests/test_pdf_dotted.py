"""Dotted seal boxes drawn in a PDF as many short pieces (extractors/pdf_shapes._dotted_boxes): PDFs drawn here with
reportlab, read by extractors/pdf.extract_pdf and detected. A circle of short arcs, a circle of straight dashes and
a square of short segments at the end of a name line become the row's seal box; a dash-pattern circle (one curve)
still does; a dotted rule line, a dotted table border and dashes along a long box do not."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from classifiers.engine import detect
from extractors.pdf import extract_pdf
from extractors.pdf_shapes import DRAWN_PART

FONT = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
MM = 72.0 / 25.4


def _canvas(path: Path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexM", FONT))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("IPAexM", 10.5)
    return c


def _arcs(c, cx, cy, r, n=24):
    for k in range(n):
        c.arc(cx - r, cy - r, cx + r, cy + r, startAng=360 * k / n, extent=180 / n)


def _dashes(c, cx, cy, r, n=28):
    for k in range(n):
        t0, t1 = 2 * math.pi * k / n, 2 * math.pi * (k + 0.5) / n
        c.line(cx + r * math.cos(t0), cy + r * math.sin(t0), cx + r * math.cos(t1), cy + r * math.sin(t1))


def _square(c, x, y, side, n=10):
    step = side / n
    for k in range(n):
        a = k * step
        for x0, y0, x1, y1 in ((x + a, y, x + a + step / 2, y), (x + side, y + a, x + side, y + a + step / 2),
                               (x + a, y + side, x + a + step / 2, y + side), (x, y + a, x, y + a + step / 2)):
            c.line(x0, y0, x1, y1)


def _dotted_line(c, x0, y0, x1, y1, step=3.0):
    length = math.hypot(x1 - x0, y1 - y0)
    for k in range(int(length / step)):
        f0, f1 = k * step / length, (k * step + step / 2) / length
        c.line(x0 + f0 * (x1 - x0), y0 + f0 * (y1 - y0), x0 + f1 * (x1 - x0), y0 + f1 * (y1 - y0))


def _drawn_rows(path: Path) -> list[str]:
    doc = extract_pdf(path)
    rows: dict = {}
    for block in doc.blocks:
        rows.setdefault(block.line_key, []).append(block)
    return ["".join(b.text for b in sorted(row, key=lambda b: b.order)) for row in rows.values()
            if any(b.location.part == DRAWN_PART for b in row)]


@pytest.mark.parametrize("style", ["arcs", "dashes", "square", "dash_pattern"])
def test_dotted_box_of_pieces_joins_the_name_line(tmp_path: Path, style: str) -> None:
    path = tmp_path / f"{style}.pdf"
    c = _canvas(path)
    c.drawString(20 * MM, 700, "申込書")
    c.drawString(20 * MM, 600, "氏名　　山田　太郎")
    cx, cy, r = 150 * MM, 603, 7.5 * MM
    if style == "arcs":
        _arcs(c, cx, cy, r)
    elif style == "dashes":
        _dashes(c, cx, cy, r)
    elif style == "square":
        _square(c, cx - r, cy - r, 2 * r)
    else:
        c.setDash(1, 2)
        c.circle(cx, cy, r)
    c.save()
    rows = _drawn_rows(path)
    assert len(rows) == 1 and rows[0].startswith("氏名") and rows[0].endswith("㊞"), rows
    assert detect(extract_pdf(path)).seal_requested


def test_dotted_lines_and_borders_are_no_boxes(tmp_path: Path) -> None:
    path = tmp_path / "negatives.pdf"
    c = _canvas(path)
    c.drawString(20 * MM, 700, "氏名　　山田　太郎")
    _dotted_line(c, 20 * MM, 690, 120 * MM, 690)  # a dotted rule under the name
    for y in (400, 440, 480):  # a dotted table border, cells of 14 mm × 40 pt
        _dotted_line(c, 20 * MM, y, 104 * MM, y)
    for x in range(20, 105, 14):
        _dotted_line(c, x * MM, 400, x * MM, 480)
    _dotted_line(c, 120 * MM, 400, 190 * MM, 400)  # dashes round a long 12 mm high box
    _dotted_line(c, 120 * MM, 434, 190 * MM, 434)
    _dotted_line(c, 120 * MM, 400, 120 * MM, 434)
    _dotted_line(c, 190 * MM, 400, 190 * MM, 434)
    _dotted_line(c, 20 * MM, 300, 60 * MM, 340)  # a dotted diagonal
    c.save()
    assert _drawn_rows(path) == []
    assert not detect(extract_pdf(path)).seal_requested
