"""Seal boxes drawn as graphics (PDF curves and rects): a seal-sized circle or square at the end of a name
line is a seal box, with or without 印 in it; other circles and staff stamp grids are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.engine import detect
from extractors.discover import describe_file
from extractors.pdf_shapes import DRAWN_PART
from extractors.registry import extract

pytestmark = pytest.mark.ginza
FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
MM = 72.0 / 25.4


def _pdf(path: Path, lines: list[str], draw) -> Path:
    """A one-page PDF: text lines from the top, then `draw(canvas, y_of_line)` adds the graphics."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexG", FONT))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    height = A4[1]
    c.setFont("IPAexG", 11)
    ys = []
    for i, text in enumerate(lines):
        y = height - (30 + 14 * i) * MM
        c.drawString(20 * MM, y, text)
        ys.append(y)
    draw(c, ys)
    c.save()
    return path


def _circle(c, y, r_mm=7.5, x_mm=170, dash=False):
    if dash:
        c.setDash(1, 2)
    c.circle(x_mm * MM, y + 3, r_mm * MM)
    c.setDash()


def _read(path: Path):
    document = extract(describe_file(path, path.parent), ocr=False)
    return document, detect(document)


@pytest.mark.parametrize("style", ["solid", "dotted", "square", "ellipse"])
def test_drawn_box_at_the_end_of_a_name_line_is_a_seal_box(tmp_path, style):
    def draw(c, ys):
        y = ys[1]
        if style == "square":
            c.rect(163 * MM, y - 18, 15 * MM, 15 * MM)
        elif style == "ellipse":
            c.ellipse(160 * MM, y - 18, 180 * MM, y + 24)
        else:
            _circle(c, y, dash=style == "dotted")

    path = _pdf(tmp_path / f"{style}.pdf", ["委任状", "委任者　氏名　山田　太郎", "上記の者に委任します。"], draw)
    document, det = _read(path)
    shapes = [b for b in document.blocks if b.location.part == DRAWN_PART]
    assert len(shapes) == 1 and shapes[0].location.bbox is not None
    assert det.seal_requested
    finding = next(f for f in det.findings if f.rule_id == "seal.mark.drawn_box.v1")
    assert finding.supporting == "委任者" and finding.location.kind == "shape"
    assert "図形" in finding.where


def test_circle_holding_jitsuin_is_read_from_the_text(tmp_path):
    def draw(c, ys):
        _circle(c, ys[1])
        c.drawCentredString(170 * MM, ys[1] - 1, "実印")

    path = _pdf(tmp_path / "jitsuin.pdf", ["譲渡証明書", "譲渡人　氏名　山田　太郎"], draw)
    document, det = _read(path)
    assert not [b for b in document.blocks if b.location.part == DRAWN_PART]  # it holds text: the text speaks
    assert det.seal_requested and "jitsuin" in det.seal_kinds


@pytest.mark.parametrize(("case", "lines", "draw"), [
    ("small option circles", ["申請者　氏名　山田　太郎　　有　　無"],
     lambda c, ys: [_circle(c, ys[0], r_mm=2, x_mm=x) for x in (120, 140)]),
    ("a map-sized circle", ["申請者　氏名　山田　太郎"], lambda c, ys: _circle(c, ys[0], r_mm=30, x_mm=150)),
    ("no name field on the row", ["第一号様式", "備考欄"], lambda c, ys: _circle(c, ys[1])),
    ("circle holding a word", ["申請者　氏名　山田　太郎"],
     lambda c, ys: (_circle(c, ys[0]), c.drawCentredString(170 * MM, ys[0], "有"))),
])
def test_other_circles_are_not_seal_boxes(tmp_path, case, lines, draw):
    _document, det = _read(_pdf(tmp_path / "x.pdf", lines, draw))
    assert not det.seal_requested, case


def test_staff_stamp_grid_is_the_offices(tmp_path):
    def draw(c, ys):
        for x in (20, 45, 70, 95):
            c.rect(x * MM, ys[1] - 20 * MM, 16 * MM, 16 * MM)

    lines = ["申請者　氏名　山田　太郎", "局長　　　部長　　　次長　　　課長"]
    path = _pdf(tmp_path / "grid.pdf", lines, lambda c, ys: draw(c, ys))
    document, det = _read(path)
    assert len([b for b in document.blocks if b.location.part == DRAWN_PART]) == 4
    assert not det.seal_requested
    assert {f.supporting for f in det.findings if f.label == "OFFICE_BOX"} == {"局長部長"}


WP_NS = ('xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
         'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
         'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')


def _word_drawing(prst: str, mm: float, name: str = "楕円 1") -> str:
    emu = int(mm * 36000)
    return (f'<w:drawing><wp:inline {WP_NS}><wp:extent cx="{emu}" cy="{emu}"/><wp:docPr id="7" name="{name}"/>'
            '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            f'<wps:wsp><wps:spPr><a:prstGeom prst="{prst}"><a:avLst/></a:prstGeom></wps:spPr><wps:bodyPr/>'
            '</wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing>')


def _docx_with(path: Path, label: str, drawing: str) -> Path:
    from docx import Document as Docx
    from docx.oxml import parse_xml

    d = Docx()
    p = d.add_paragraph(label + "\u3000" * 6)
    run = p.add_run()
    run._r.append(parse_xml(drawing.replace("<w:drawing>", '<w:drawing xmlns:w="http://schemas.openxmlformats.org/'
                                                             'wordprocessingml/2006/main">', 1)))
    d.save(str(path))
    return path


@pytest.mark.parametrize(("label", "drawing", "seal"), [
    ("委任者　氏名　山田　太郎", _word_drawing("ellipse", 15), True),
    ("代表者氏名", _word_drawing("rect", 2, name="印影 ㊞"), False),  # too small even for a ㊞ picture
    ("代表者氏名", _word_drawing("rect", 8, name="㊞の画像"), True),  # a picture of ㊞ beside the name
    ("備考", _word_drawing("ellipse", 15), False),  # no name field on the line
    ("申請者　氏名", _word_drawing("ellipse", 60), False),  # a drawing, not a seal
])
def test_word_drawn_ellipse_or_seal_picture(tmp_path, label, drawing, seal):
    _document, det = _read(_docx_with(tmp_path / "form.docx", label, drawing))
    assert det.seal_requested is seal
    if seal:
        assert any(f.rule_id == "seal.mark.drawn_box.v1" for f in det.findings)


def test_excel_empty_ellipse_on_the_name_row(tmp_path):
    from openpyxl import Workbook

    from tests.fixtures.extract_fixtures import add_xlsx_drawing

    wb = Workbook()
    ws = wb.active
    ws.title = "様式"
    ws["A1"] = "使用許可申請書"
    ws["A5"] = "申請者氏名"
    ws["B5"] = "山田　太郎"
    path = tmp_path / "form.xlsx"
    wb.save(path)
    add_xlsx_drawing(path, (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<xdr:oneCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>4</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="540000" cy="540000"/>'
        '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="楕円 1"/><xdr:cNvSpPr/></xdr:nvSpPr>'
        '<xdr:spPr><a:prstGeom prst="ellipse"><a:avLst/></a:prstGeom></xdr:spPr></xdr:sp>'
        '<xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>'))
    document, det = _read(path)
    rows = {b.location.row for b in document.blocks if b.location.part == DRAWN_PART}
    assert 5 in rows and all(b.location.sheet == "様式" for b in document.blocks)
    assert det.seal_requested
    assert [f.location.row for f in det.findings if f.rule_id == "seal.mark.drawn_box.v1"] == [5]
