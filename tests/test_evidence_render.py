"""A PDF evidence picture has the pixels of the plain way of drawing it (pdfium's page region as RGB, the outline
drawn on it in red), whether render.draw writes it as a palette picture (a grey region) or as RGB (colours).
Pages: a bundled example form (black print), a page of its own with blue and red print, the same page in grey."""

from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from output.evidence.locate import Place
from output.evidence.render import OUTLINE, SCALE, crop_box, draw, outline_box, paletted
from tests.conftest import EXAMPLES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from corpus_writers import FONT  # noqa: E402

NYUSATSU = EXAMPLES / "総務企画局" / "契約課" / "入札書.pdf"
FINDING = (160.0, 300.0, 200.0, 316.0)  # points (x0, top, x1, bottom) on a page's print


def plain_picture(path: Path, place: Place) -> Image.Image:
    """The picture drawn the plain way: the region as pdfium renders it (BGR), in RGB, the outline on it."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[place.page - 1]
        width, height = page.get_size()
        left, upper, right, lower = crop_box(place, width, height)
        image = page.render(scale=SCALE, crop=(left, height - lower, width - right, upper)).to_pil().convert("RGB")
        page.close()
    finally:
        pdf.close()
    ImageDraw.Draw(image).rectangle(outline_box(place, left, upper), outline=OUTLINE, width=3)
    return image


def drawn(path: Path, place: Place, target: Path) -> Image.Image:
    pdf = pdfium.PdfDocument(str(path))
    try:
        draw(pdf, place, target)
    finally:
        pdf.close()
    return Image.open(target)


def print_page(path: Path, *, colour: bool) -> Path:
    """An A4 page of print around FINDING: lines of text, a filled box and a rule, in colour or in grey."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexMincho", FONT))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("IPAexMincho", 10.5)
    for n, y in enumerate(range(260, 360, 18)):
        c.setFillColorRGB(*((0.1, 0.2, 0.8) if colour and n % 2 else (0.2, 0.2, 0.2)))
        c.drawString(90, A4[1] - y, f"申請者　氏名　川崎　花子　{n}　印")
    c.setFillColorRGB(*((0.9, 0.1, 0.1) if colour else (0.6, 0.6, 0.6)))
    c.rect(220, A4[1] - 330, 40, 30, fill=1, stroke=0)
    c.setStrokeColorRGB(*((0.0, 0.5, 0.0) if colour else (0.3, 0.3, 0.3)))
    c.line(80, A4[1] - 340, 400, A4[1] - 340)
    c.save()
    return path


@pytest.mark.parametrize("which", ["example", "grey", "colour"])
def test_picture_has_the_pixels_of_the_plain_drawing(which, tmp_path):
    path = NYUSATSU if which == "example" else print_page(tmp_path / f"{which}.pdf", colour=which == "colour")
    place = Place(1, FINDING)
    expected = plain_picture(path, place)
    assert len(expected.getcolors(1 << 24)) > 50  # anti-aliased print, not a blank region
    picture = drawn(path, place, tmp_path / "evidence" / "x.png")
    assert picture.mode == ("RGB" if which == "colour" else "P")  # grey regions are written with a palette
    assert picture.size == expected.size
    assert picture.convert("RGB").tobytes() == expected.tobytes()


def test_a_grey_region_using_every_grey_level_stays_rgb():
    ramp = Image.new("RGB", (256, 4))
    ramp.putdata([(x, x, x) for _y in range(4) for x in range(256)])
    assert paletted(ramp) == (ramp, OUTLINE)  # no level left for the outline's red
    for y in range(4):
        ramp.putpixel((0, y), (1, 1, 1))  # level 0 now unused: the red takes it
    picture, ink = paletted(ramp)
    assert (picture.mode, ink) == ("P", 0)
    assert picture.convert("RGB").tobytes() == ramp.tobytes()
    assert picture.getpalette()[:3] == list(OUTLINE)
