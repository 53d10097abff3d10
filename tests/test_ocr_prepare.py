"""The page image before OCR (extractors/ocr_prepare.py) and printed ㊞ marks on it (scan_shapes.find_printed_marks),
on page images drawn here with PIL and the IPAex font: a faint page is stretched from its own histogram, a clean
page is left byte for byte, ruled lines are painted out for tesseract, and a small printed ㊞ is found while 〇,
田 and ① are not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FONT = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
DPI = 240
needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                               reason="tesseract / poppler not installed")


def _page(path: Path, rows: list[tuple[int, int, str]], *, ink: int = 0, paper: int = 255, rules=(),
          size: int = 34) -> Path:
    """An A4 page at 240 dpi with text rows (x, y, text) and ruled lines ((x0, y0, x1, y1), ...)."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1984, 2806), paper)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, size)
    for x, y, text in rows:
        draw.text((x, y), text, fill=ink, font=font)
    for box in rules:
        draw.line(box, fill=ink, width=3)
    img.save(path)
    return path


FORM = [(180, 150, "利用申込書"), (180, 300, "住所　〇〇市〇〇町1-2-3"), (180, 400, "氏名　山田　太郎　　　㊞"),
        (180, 500, "①　有〇　無〇　田中")]


def _gray(path: Path):
    import numpy as np
    from PIL import Image

    with Image.open(path) as img:
        return np.asarray(img.convert("L"))


def test_faint_page_is_stretched_and_clean_page_left_alone(tmp_path):
    from extractors.ocr_prepare import normalise, plan

    faint = _page(tmp_path / "faint.png", FORM, ink=150)
    clean = _page(tmp_path / "clean.png", FORM)
    before = clean.read_bytes()
    assert plan(_gray(faint)) == ["stretch"] and plan(_gray(clean)) == []
    assert normalise(faint, DPI) == ["stretch"] and normalise(clean, DPI) == []
    assert _gray(faint).min() == 0  # the ink is black again
    assert clean.read_bytes() == before  # untouched, so a clean scan reads as before


def test_grey_uneven_paper_is_divided_by_its_background(tmp_path):
    import numpy as np
    from PIL import Image

    from extractors.ocr_prepare import normalise

    path = _page(tmp_path / "grey.png", FORM)
    gray = _gray(path).astype(np.float32)
    shade = np.linspace(0.7, 1.0, gray.shape[1])[None, :]  # a copier's shadow along one edge
    Image.fromarray((gray * shade).astype(np.uint8)).save(path)
    assert "background" in normalise(path, DPI)
    out = _gray(path)
    assert np.percentile(out[:, :300], 90) >= 250 and np.percentile(out[:, -300:], 90) >= 250  # white paper
    assert out.min() <= 40  # the text stays dark


def test_rules_are_painted_out_for_tesseract_only(tmp_path):
    from extractors.ocr_prepare import without_rules

    rules = [(150, 380, 1800, 380), (150, 460, 1800, 460), (150, 380, 150, 460), (1100, 380, 1100, 460)]
    page = _page(tmp_path / "table.png", FORM, rules=rules)
    text = tmp_path / "table-text.png"
    assert without_rules(page, text, DPI)
    out, original = _gray(text), _gray(page)
    assert out[380, 900] > 200 and out[420, 1100] > 200  # the horizontal and the vertical rule are gone
    assert original[380, 900] < 50  # the page itself keeps them (square seal boxes are found on it)
    assert (out[390:450, 180:400] < 128).sum() > 200  # 氏名 is still there
    assert not without_rules(_page(tmp_path / "plain.png", FORM), tmp_path / "plain-text.png", DPI)


def test_printed_seal_mark_is_found_but_not_circles_or_square_glyphs(tmp_path):
    from extractors.scan_shapes import find_printed_marks

    page = _page(tmp_path / "marks.png", FORM)
    marks = find_printed_marks(page, DPI)
    assert len(marks) == 1
    x0, top, x1, bottom = (v * DPI / 72.0 for v in marks[0])
    assert top < 420 < bottom and x0 > 500  # the ㊞ of the 氏名 row, not 〇 / 有〇 / ① / 田


def test_wrapped_mark_joins_the_name_row_above():
    from extractors.models import Location, TextBlock
    from extractors.scan_shapes import with_seal_boxes

    name = TextBlock("代表者の役職・氏名 株式会社〇〇", Location(kind="ocr", page=1, bbox=(57.0, 160.0, 300.0, 175.0)),
                     line_key=("p", 1, 5), ocr=True)
    below = TextBlock("電子申請もできます。", Location(kind="ocr", page=1, bbox=(57.0, 220.0, 270.0, 235.0)),
                      line_key=("p", 1, 6), ocr=True)
    mark = (341.0, 184.0, 350.0, 194.0)  # alone on its row, in the cell under the name's row
    out = with_seal_boxes([name, below], [mark], 1, wrapped=True)
    assert [b.line_key for b in out if b.text == "㊞"] == [("p", 1, 5)]
    out = with_seal_boxes([name, below], [mark], 1)  # a drawn box is not wrapped: a row of its own
    assert [b.line_key[0] for b in out if b.text == "㊞"] == ["pd"]
    far = (341.0, 200.0, 350.0, 210.0)  # more than two mark heights below: not that row's
    assert [b.line_key[0] for b in with_seal_boxes([name, below], [far], 1, wrapped=True) if b.text == "㊞"] == ["pd"]


@pytest.mark.slow
@needs_ocr
def test_faint_ruled_scan_reads_its_mark(tmp_path):
    """Through real tesseract: a faint page with a ruled name row whose mark OCR misses at page resolution."""
    from extractors.ocr import ocr_image
    from extractors.ocr_prepare import normalise

    rules = [(150, 380, 1800, 380), (150, 470, 1800, 470), (150, 380, 150, 470), (1800, 380, 1800, 470),
             (700, 380, 700, 470)]
    page = _page(tmp_path / "page.png", FORM, ink=150, rules=rules)
    normalise(page, DPI)
    blocks = ocr_image(page, 1, DPI)
    row = next(b.line_key for b in blocks if "氏名" in b.text)
    assert any(b.text == "㊞" and b.line_key == row for b in blocks)
