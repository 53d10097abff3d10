"""Revised drafts remove the drawn seal boxes of Word and Excel (an empty seal-sized ellipse or square, a ㊞
picture: the shapes extraction reads as seal boxes) like the text 印, on name-field lines only. Real files made
here, revised, opened back with python-docx / openpyxl and converted by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from classifiers.engine import detect
from extractors.discover import describe_file
from extractors.registry import extract
from output.revised import revise
from output.revised.docx_reviser import DRAWN_BOX
from output.revised.xlsx_reviser import EMPTY_CIRCLE
from tests.fixtures.extract_fixtures import add_xlsx_drawing
from tests.test_seal_boxes import _word_drawing

pytestmark = pytest.mark.ginza
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _detect(path: Path):
    return detect(extract(describe_file(path, path.parent)))


def _docx(path: Path, lines: list[tuple[str, str | None]]) -> Path:
    """Paragraphs of (text, drawing XML or None); the drawing goes in a run after the text."""
    from docx import Document as Docx
    from docx.oxml import parse_xml

    d = Docx()
    for text, drawing in lines:
        p = d.add_paragraph(text)
        if drawing:
            p.add_run()._r.append(parse_xml(drawing.replace("<w:drawing>", f"<w:drawing {W_NS}>", 1)))
    d.save(str(path))
    return path


def _drawings(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml").decode("utf-8").count("<w:drawing")


def _libreoffice_text(path: Path, tmp: Path) -> str:
    out = tmp / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/lo-profile", "--headless", "--convert-to", "txt",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    return (out / f"{path.stem}.txt").read_text(encoding="utf-8", errors="replace")


def test_word_drawn_seal_boxes_go_and_other_drawings_stay(tmp_path):
    src = _docx(tmp_path / "form.docx", [
        ("使用許可申請書", None),
        ("申請者　氏名　山田　太郎　　", _word_drawing("ellipse", 15)),
        ("代表者氏名　　　　", _word_drawing("rect", 8, name="㊞の画像")),
        ("備考", _word_drawing("ellipse", 15)),  # no name field: not a seal box, stays
        ("申請者　氏名", _word_drawing("ellipse", 60)),  # a large drawing, not a seal: stays
    ])
    assert _detect(src).seal_requested and _drawings(src) == 4
    result = revise(src, fmt="docx", rel_path="課/form.docx", replacement="kimei", out_dir=tmp_path / "out")
    assert [e["before"] for e in result.edits] == [DRAWN_BOX, DRAWN_BOX]
    assert [e["location"].split()[-1] for e in result.edits] == ["図形", "図形"]
    assert _drawings(result.path) == 2
    import docx

    reopened = docx.Document(str(result.path))
    assert [p.text.strip() for p in reopened.paragraphs][:3] == ["使用許可申請書", "申請者　氏名　山田　太郎", "代表者氏名"]
    assert _detect(result.path).seal_requested is False


def _xlsx_anchor(row: int, col: int, mm: float, prst: str = "ellipse", name: str = "楕円 1") -> str:
    emu = int(mm * 36000)
    return (f'<xdr:oneCellAnchor><xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row - 1}'
            f'</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="{emu}" cy="{emu}"/>'
            f'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="{row}" name="{name}"/><xdr:cNvSpPr/>'
            f'</xdr:nvSpPr><xdr:spPr><a:prstGeom prst="{prst}"><a:avLst/></a:prstGeom></xdr:spPr></xdr:sp>'
            '<xdr:clientData/></xdr:oneCellAnchor>')


def _xlsx(path: Path, anchors: list[str]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "様式"
    ws["A1"] = "使用許可申請書"
    ws["A5"] = "申請者氏名"
    ws["B5"] = "山田　太郎"
    ws["A9"] = "備考"
    ws["A12"] = "受付"
    ws["B12"] = "処理欄"  # an office row: its box stays
    wb.save(path)
    add_xlsx_drawing(path, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
                     'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">' + "".join(anchors)
                     + "</xdr:wsDr>")
    return path


def _shape_count(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(zf.read(n).decode("utf-8").count("<xdr:sp ") for n in zf.namelist()
                   if n.startswith("xl/drawings/drawing") and n.endswith(".xml"))


def test_excel_drawn_seal_boxes_go_and_other_drawings_stay(tmp_path):
    src = _xlsx(tmp_path / "form.xlsx", [_xlsx_anchor(5, 3, 15), _xlsx_anchor(9, 3, 15),
                                         _xlsx_anchor(12, 3, 15), _xlsx_anchor(5, 6, 15, prst="rect")])
    assert _detect(src).seal_requested and _shape_count(src) == 4
    result = revise(src, fmt="xlsx", rel_path="課/form.xlsx", replacement="kimei", out_dir=tmp_path / "out")
    assert sorted((e["location"], e["before"]) for e in result.edits) == [
        ("様式!D5 図形", EMPTY_CIRCLE), ("様式!G5 図形", "㊞（押印欄の図形）")]
    assert _shape_count(result.path) == 2
    ws = openpyxl.load_workbook(result.path).active
    assert (ws["A5"].value, ws["B5"].value, ws["A12"].value) == ("申請者氏名", "山田　太郎", "受付")
    assert _detect(result.path).seal_requested is False


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_drafts_without_drawn_boxes_open_in_libreoffice(tmp_path):
    docx_src = _docx(tmp_path / "w.docx", [("委任者　氏名　山田　太郎", _word_drawing("ellipse", 15))])
    xlsx_src = _xlsx(tmp_path / "x.xlsx", [_xlsx_anchor(5, 3, 15)])
    for src, fmt in ((docx_src, "docx"), (xlsx_src, "xlsx")):
        result = revise(src, fmt=fmt, rel_path=f"課/{src.name}", replacement="kimei", out_dir=tmp_path / "out")
        assert result.edits and result.path is not None
        if fmt == "docx":
            assert "山田　太郎" in _libreoffice_text(result.path, tmp_path)
        else:
            out = tmp_path / "lo-x"
            subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                            "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(result.path)], check=True,
                           capture_output=True, timeout=180)
            assert "申請者氏名" in (out / "x.csv").read_text(encoding="utf-8", errors="replace")
