"""Turned pages (issue 16): a form printed, scanned and wrapped into an image-only PDF turned 90° one way or the
other is set upright (tesseract OSD) and read like an upright scan: its 押印不要 note negates, its 認印不可 asks for
a registered seal, and its 自署 / 署名 asks for a signature. Forms written here, read by the real tesseract."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from classifiers.engine import detect
from extractors.models import Document, InputFormat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from corpus_writers import write_lines_pdf  # noqa: E402

pytestmark = [pytest.mark.ginza, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                                 reason="tesseract / poppler not installed")]

HEAD = ["使用料減免申請書", "令和　　年　　月　　日", "〇〇市長　様", "次のとおり申請します。",
        "住所　〇〇市〇〇町三丁目四番"]


def _form(path: Path, lines: list[str]) -> None:
    write_lines_pdf(path, lines, step=26)


def _turned_scan(source: Path, target: Path, *, dpi: int, angle: int) -> None:
    """`source` printed to a `dpi` image, turned `angle`° counter-clockwise, wrapped into a landscape PDF."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    prefix = target.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", str(source), str(prefix)],
                   check=True, timeout=60)
    image = prefix.with_suffix(".png")
    with Image.open(image) as img:
        img.rotate(angle, expand=True).save(image)
    size = landscape(A4)
    c = canvas.Canvas(str(target), pagesize=size, invariant=1)
    c.drawImage(str(image), 0, 0, width=size[0], height=size[1])
    c.showPage()
    c.save()


def _read(tmp_path: Path, lines: list[str], *, dpi: int, angle: int):
    from extractors.ocr import ocr_pdf_page

    source, scan = tmp_path / "form.pdf", tmp_path / "scan.pdf"
    _form(source, [*HEAD, *lines])
    _turned_scan(source, scan, dpi=dpi, angle=angle)
    blocks = tuple(ocr_pdf_page(scan, 1))
    text = "".join(b.text for b in blocks).replace(" ", "")
    assert "申請書" in text and "住所" in text, text  # read upright, not sideways
    return detect(Document(format=InputFormat.PDF, blocks=blocks, pages=1)), text


@pytest.mark.parametrize(("dpi", "angle"), [(200, 90), (300, 270)])
def test_a_seal_not_required_note_on_a_turned_page_negates(tmp_path: Path, dpi: int, angle: int) -> None:
    det, text = _read(tmp_path, ["申請者　氏名", "※この申請書への押印は不要です。"], dpi=dpi, angle=angle)
    assert not det.seal_requested, (text, det.findings)
    assert det.seal_not_required_note, (text, det.findings)


def test_a_registered_seal_asked_for_on_a_turned_page(tmp_path: Path) -> None:
    det, text = _read(tmp_path, ["申請者　氏名　　　　　　　　　　印", "認印は使用できません。"], dpi=300, angle=90)
    assert det.seal_requested, (text, det.findings)
    assert "jitsuin" in det.seal_kinds, (text, det.findings)


@pytest.mark.parametrize(("dpi", "angle"), [(200, 90), (300, 270)])
def test_a_signature_asked_for_on_a_turned_page(tmp_path: Path, dpi: int, angle: int) -> None:
    det, text = _read(tmp_path, ["受任者　氏名（自署）", "上記の者に手続を委任します。"], dpi=dpi, angle=angle)
    assert det.signature_required, (text, det.findings)
    assert not det.seal_requested, (text, det.findings)


def test_rows_of_ink_tesseract_dropped_are_found_for_a_closer_look():
    """A row of ink no line read by tesseract overlaps (a 〔印〕 wrapped onto a row of its own) is read again; ink
    beside or inside the rows read, a speck, and a thin stray rule are not rows."""
    import numpy as np

    from extractors.ocr_reread import unread_rows
    from tests.fixtures.tesseract_tsv import tsv

    page = tsv([("氏名", 10, 60, 95), ("山田太郎", 200, 120, 95)], [("電話番号", 10, 120, 95)])  # tops 100, 200
    ink = np.zeros((600, 800), dtype=bool)
    ink[100:130, 10:320] = ink[200:230, 10:130] = True  # the rows read
    ink[150:178, 500:530] = True  # a glyph on a row of its own, between them
    ink[300:302, 40:42] = True  # a speck
    ink[400:403, 20:700] = True  # a stray rule, 3 px thin
    for left in range(100, 400, 90):  # a spaced row: 申　請　者　[印]
        ink[480:510, left:left + 28] = True
    rows = unread_rows(page, ink)
    assert sorted((r["top"], r["left"]) for r in rows) == [(150, 500), (480, 100)]
    assert all(r["line"] and r["text"] == "" for r in rows)
