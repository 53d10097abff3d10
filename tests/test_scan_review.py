"""Never silent on scans: a page read only by OCR that has a name field but no readable mark goes to review
(押印欄の有無を原本で確認), a seal circle printed on a scan is found on the page image, and the register says
which pages were read by OCR."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from classifiers.engine import detect
from extractors.discover import describe_file
from extractors.models import Document, InputFormat, Location, TextBlock
from extractors.registry import extract
from output.pipeline.steps import PipelineOptions, process_file
from rules.engine import decide, load_context
from tests.fixtures.extract_fixtures import make_scanned_pdf
from tests.fixtures.tesseract_tsv import tsv as _tsv

pytestmark = pytest.mark.ginza
needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                               reason="tesseract / poppler not installed")
FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
MM = 72.0 / 25.4


@pytest.fixture(scope="module")
def ctx():
    return load_context(as_of=dt.date(2025, 4, 1))


def _ocr_doc(*lines: str) -> Document:
    blocks = tuple(TextBlock(t, Location(kind="ocr", page=1, line=i + 1), line_key=("p", 1, i + 1), ocr=True)
                   for i, t in enumerate(lines))
    return Document(format=InputFormat.PDF, blocks=blocks, pages=1, meta={"ocr_pages": [1]})


def test_ocr_name_field_without_a_mark_is_reviewed(ctx):
    document = _ocr_doc("委任状", "私は下記の者に委任します。", "委任者 氏名 山田太郎")
    det = detect(document)
    assert not det.seal_requested and det.ocr_name_pages == (1,)
    decision = decide(document, det, rel_path="scan.pdf", title="委任状", ctx=ctx)
    assert decision.decision == "needs_review" and decision.rule_id == "decide.review.ocr_unverified.v1"
    assert "押印欄の有無を原本で確認" in decision.reason and "p.1" in decision.reason


def test_ocr_page_without_a_name_field_stays_out_of_scope(ctx):
    document = _ocr_doc("保管場所の所在図", "道路　駐車場　自宅")
    det = detect(document)
    decision = decide(document, det, rel_path="map.pdf", title="所在図", ctx=ctx)
    assert det.ocr_name_pages == () and decision.decision == "no_seal"


def _form_with_circle(path: Path, *, circle: bool) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexG", FONT))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    height = A4[1]
    c.setFont("IPAexG", 14)
    c.drawString(80 * MM, height - 30 * MM, "委任状")
    c.setFont("IPAexG", 12)
    c.drawString(20 * MM, height - 50 * MM, "私は、下記の者を代理人と定め、権限を委任します。")
    y = height - 80 * MM
    c.drawString(20 * MM, y, "委任者　氏名　　山田　太郎")
    if circle:
        c.circle(150 * MM, y + 4, 8 * MM)
    c.save()
    return path


@pytest.mark.slow
@needs_ocr
def test_printed_seal_circle_on_a_scan_is_found(tmp_path, ctx):
    scan = make_scanned_pdf(_form_with_circle(tmp_path / "form.pdf", circle=True), tmp_path / "scan.pdf", dpi=200)
    document = extract(describe_file(scan, tmp_path))
    det = detect(document)
    box = next(f for f in det.findings if f.rule_id == "seal.mark.drawn_box.v1")
    assert box.ocr and box.location.kind == "shape" and det.ocr_only
    decision = decide(document, det, rel_path="scan.pdf", title="委任状", ctx=ctx)
    assert decision.decision == "needs_review" and decision.rule_id == "decide.review.ocr_only.v1"


@pytest.mark.slow
@needs_ocr
def test_register_row_says_which_pages_were_ocred(tmp_path):
    scan = make_scanned_pdf(_form_with_circle(tmp_path / "form.pdf", circle=False), tmp_path / "scan.pdf", dpi=200)
    row = process_file(describe_file(scan, tmp_path), PipelineOptions(as_of="2025-04-01"))
    assert row.ocr_pages == [1] and row.to_json()["ocr_pages"] == [1]
    assert row.decision == "needs_review" and row.rule_id == "decide.review.ocr_unverified.v1"


def test_trailing_glyphs_are_the_doubtful_ends_of_rows():
    from extractors.ocr_reread import trailing_glyphs

    tsv = _tsv(
        [("氏名", 10, 60, 95), ("山田太郎", 80, 120, 93), ("ぶ", 400, 28, 40)],  # isolated, doubtful: re-read
        [("令和", 10, 60, 96), ("年", 120, 30, 95), ("日", 300, 30, 96)],  # isolated but read for sure
        [("代表者", 10, 90, 90), ("[", 110, 6, 80), ("還", 120, 20, 30), ("]", 145, 6, 70)],  # [印] in pieces
        [("申請者", 10, 90, 90), ("山田", 110, 60, 90), ("印", 400, 30, 92)],  # already a seal mark
        [("申請者[半]", 10, 150, 90)],  # a bracketed group ending the word
    )
    found = trailing_glyphs(tsv, 0.9)
    assert [g["text"] for g in found] == ["ぶ", "日", "[還]", "[半]"]
    assert [g["text"] for g in found if g["conf"] < 90] == ["ぶ", "[還]", "[半]"]  # the ones read again
    assert found[2]["left"] == 110 and found[2]["width"] == 41
    assert found[3]["left"] == 10 + 150 - 75 and found[3]["width"] == 75  # 3 of the word's 6 characters


def _shape(line: int) -> TextBlock:
    from extractors.pdf_shapes import DRAWN_PART, DRAWN_TEXT

    loc = Location(kind="shape", page=1, line=line, part=DRAWN_PART, bbox=(400.0, 100.0 + line, 440.0, 140.0 + line))
    return TextBlock(DRAWN_TEXT, loc, line_key=("p", 1, line), ocr=True)


def test_ocr_seal_box_whose_name_is_unread_is_reviewed(ctx):
    """A seal-sized circle on a scanned page whose name column OCR lost: review, never a silent 対象外."""
    document = Document(format=InputFormat.PDF, pages=1, meta={"ocr_pages": [1]}, blocks=(
        *_ocr_doc("委任状", "私は下記の者に委任します。").blocks, _shape(3)))
    det = detect(document)
    assert not det.seal_requested and det.ocr_name_pages == (1,)
    decision = decide(document, det, rel_path="scan.pdf", title="委任状", ctx=ctx)
    assert decision.rule_id == "decide.review.ocr_unverified.v1" and "図形" in decision.reason


def test_ocr_stamp_grid_boxes_are_the_offices(ctx):
    document = Document(format=InputFormat.PDF, pages=1, meta={"ocr_pages": [1]}, blocks=(
        *_ocr_doc("事業報告書", "上記のとおり報告します。", "決裁 局長 部長 課長").blocks, _shape(4)))
    assert detect(document).ocr_name_pages == ()


def test_unread_ink_after_an_isolated_last_word_is_read_again():
    """山田　太郎 … 印 in the last cell: OCR's last word (太郎) is isolated and sure, the 印 right of it was not
    read at all; both the word and the ink are looked at, the ink in the row's height."""
    import numpy as np

    from extractors.ocr_reread import trailing_glyphs

    tsv = _tsv([("代表者氏名", 10, 150, 95), ("山田", 200, 60, 95), ("太郎", 300, 60, 96)],
               [("住所", 10, 60, 95), ("〇〇市", 120, 90, 95)])
    ink = np.zeros((400, 1200), dtype=bool)
    ink[102:128, 800:826] = True  # the unread 印 on the first row (top 100, height 30)
    found = trailing_glyphs(tsv, 0.9, ink)
    assert [(g["text"], g["conf"] < 90) for g in found] == [("太郎", False), ("", True), ("〇〇市", False)]
    assert found[1]["left"] == 800 and found[1]["width"] == 26


def test_kind_glued_to_a_misread_glyph_in_an_ocr_staff_row_is_the_office_box():
    """OCR read 確認印 as 座認印 in the staff row: still the office's box, not a request for a 認印."""
    det = detect(_ocr_doc("届出書", "住所 〇〇市〇〇町1-2-3", "（以下は記入しないでください）", "受付印 座認印 担当印"))
    assert not det.seal_requested
    assert any(f.rule_id == "context.office.v1" and f.text == "認印" for f in det.findings)
    det = detect(_ocr_doc("届出書", "氏名 山田太郎 認印"))  # on a name row the kind is still a request
    assert det.seal_requested


def test_doubtful_lines_are_those_with_an_unread_word():
    from extractors.ocr_reread import doubtful_lines

    tsv = _tsv([("正副", 10, 60, 91), ("2通に割", 80, 120, 92), ("有", 210, 30, 0), ("をしてください。", 250, 200, 93)],
               [("住所", 10, 60, 95), ("〇〇市", 120, 90, 65)],  # unsure, but every word placed
               [("有", 10, 30, 0)])  # a lone word: nothing to read it against
    found = doubtful_lines(tsv)
    assert [(g["text"], g["left"], g["width"]) for g in found] == [("正副2通に割有をしてください。", 10, 440)]


def test_a_doubtful_line_joins_its_row_only_when_its_closer_reading_adds_a_seal_or_signature_char(tmp_path):
    """The re-reading of a line with an unread word (割有 for 割印) is added to the row when it reads 印 (or 署)
    more often than the first reading; a re-reading that adds none (割町) leaves the row as it was. Tesseract is
    replaced by a function returning what it would read from the strip: the strip itself is made for real."""
    import subprocess

    from PIL import Image

    from extractors.ocr import parse_tsv
    from extractors.ocr_reread import reread

    image = tmp_path / "page.png"
    Image.new("L", (1200, 400), 255).save(image)
    tsv = _tsv([("正副", 10, 60, 91), ("2通に割", 80, 120, 92), ("有", 210, 30, 0), ("をしてください。", 250, 200, 93)])
    blocks = parse_tsv(tsv, 1, 72.0 / 240)

    def fake(reading: str):
        def run(cmd, timeout):
            strip = Image.open(cmd[1])
            assert strip.height > 2 * 30 * 2.5  # the line at both enlargements
            out = _tsv([(reading, 40, 400, 90)]).replace("\t100\t", f"\t{40 + 75}\t", 1)
            return subprocess.CompletedProcess(cmd, 0, out.encode(), b"")
        return run

    joined = reread(image, tsv, blocks, 1, 240, gap=0.9, run=fake("正副2通に割印をしてください。"), timeout=10)
    added = [b for b in joined if b.location.part == "reread"]
    assert [b.text for b in added] == ["正副2通に割印をしてください。"] and added[0].line_key == blocks[0].line_key
    same = reread(image, tsv, blocks, 1, 240, gap=0.9, run=fake("正副2通に割町をしてください。"), timeout=10)
    assert same == blocks
