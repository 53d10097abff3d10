"""The pypdfium2 page reader gives what pdfplumber gave: text lines, table cells and their locations, drawn seal boxes.

PDFs are drawn here with reportlab (IPAex font); both readers of extractors/pdf.py read them and must agree.
On the real corpus (../shared/corpus/real, skipped when absent) a sample of PDFs must give the same findings
and decisions (bench/compare_registers.py runs the whole corpus).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extractors.models import Status
from extractors.pdf import extract_pdf, read_page
from extractors.pdfium_page import NotSimple, PdfiumPage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import compare_registers as cmp  # noqa: E402

FONT = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
REAL = ROOT.parent / "shared" / "corpus" / "real"
MM = 72.0 / 25.4


def _canvas(path: Path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexM", FONT))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("IPAexM", 10.5)
    return c, A4[1]


def _table(c, top: float, rows: list[list[str]], xs: list[float]) -> None:
    """A ruled table: rows of 8 mm, columns at xs (mm), text in the cells."""
    for r, row in enumerate(rows):
        y = top - r * 8 * MM
        for x, text in zip(xs, row, strict=False):
            c.drawString((x + 2) * MM, y - 6 * MM, text)
    bottom = top - len(rows) * 8 * MM
    for r in range(len(rows) + 1):
        c.line(xs[0] * MM, top - r * 8 * MM, 190 * MM, top - r * 8 * MM)
    for x in [*xs, 190]:
        c.line(x * MM, top, x * MM, bottom)


def make_form(path: Path, *, rotate: int = 0) -> Path:
    c, h = _canvas(path)
    if rotate:
        c.setPageRotation(rotate)
    c.drawString(20 * MM, h - 20 * MM, "草花展示会の出展申込書")
    c.drawString(20 * MM, h - 30 * MM, "次のとおり出展を申し込みます。")
    _table(c, h - 40 * MM, [["区分", "内容", "備考"], ["出展者名", "緑町園芸クラブ", ""], ["代表者", "川辺　一郎", "印"]],
           [20, 60, 140])
    c.drawString(20 * MM, h - 90 * MM, "申込者氏名　　川辺　花子")
    c.circle(170 * MM, h - 89 * MM, 7.5 * MM)  # an empty drawn seal circle at the end of the name line
    c.rect(150 * MM, h - 125 * MM, 15 * MM, 15 * MM)  # an empty square on no text line
    c.ellipse(40 * MM, h - 150 * MM, 60 * MM, h - 135 * MM)
    c.drawCentredString(50 * MM, h - 144 * MM, "実印")  # an ellipse holding text: not a drawn box
    form = c.beginForm("stamp")  # a Form XObject, placed moved and scaled: its paths go through two matrices
    c.rect(0, 0, 20 * MM, 20 * MM)
    c.line(0, 10 * MM, 20 * MM, 10 * MM)
    c.endForm()
    del form
    c.saveState()
    c.translate(100 * MM, h - 200 * MM)
    c.scale(0.8, 0.8)
    c.doForm("stamp")
    c.restoreState()
    c.setDash(1, 2)
    c.circle(60 * MM, h - 230 * MM, 8 * MM)  # a dotted circle on its own
    c.setDash()
    c.showPage()
    c.setFont("IPAexM", 10.5)
    c.drawString(20 * MM, h - 20 * MM, "二枚目：注意事項")
    _table(c, h - 30 * MM, [["番号", "事項"], ["１", "会場内での飲食はご遠慮ください。"]], [20, 40])
    c.save()
    return path


def _read_both(path: Path):
    return (extract_pdf(path, ocr=False, reader="pdfplumber"), extract_pdf(path, ocr=False))


def test_generated_form_reads_the_same(tmp_path):
    old, new = _read_both(make_form(tmp_path / "form.pdf"))
    assert new.status == old.status == Status.OK
    assert cmp.lines_of(new) == cmp.lines_of(old)
    assert cmp.bbox_diff(old, new) <= cmp.BBOX_SLACK
    where = {b.text: b.location for b in new.blocks}
    assert (where["緑町園芸クラブ"].table, where["緑町園芸クラブ"].row, where["緑町園芸クラブ"].col) == (1, 2, 2)
    assert where["会場内での飲食はご遠慮ください。"].page == 2
    assert where["会場内での飲食はご遠慮ください。"].table == 3  # table 2: the scaled Form XObject's two cells
    drawn = [b for b in new.blocks if b.location.part == "drawn"]
    assert len(drawn) == 4  # circle, square, dotted circle, the 16 mm stamp frame; not the ellipse holding 実印
    circle = next(b for b in drawn if b.location.line is not None)
    assert circle.line_key == next(b.line_key for b in new.blocks if b.text == "申込者氏名 川辺 花子")


def test_pdfium_page_matches_pdfplumber_objects(tmp_path):
    import pdfplumber

    path = make_form(tmp_path / "form.pdf")
    doc = pdfium.PdfDocument(str(path))
    with pdfplumber.open(path) as pl:
        for number, plumber in enumerate(pl.pages):
            page = doc[number]
            view = PdfiumPage.read(page)
            page.close()
            for kind in ("lines", "rects", "curves"):
                ours = sorted((round(o["x0"], 1), round(o["top"], 1), round(o["x1"], 1), round(o["bottom"], 1))
                              for o in getattr(view, kind))
                theirs = sorted((round(o["x0"], 1), round(o["top"], 1), round(o["x1"], 1), round(o["bottom"], 1))
                                for o in getattr(plumber, kind))
                assert ours == theirs, kind
            assert [c["text"] for c in view.chars if c["text"].strip()] == [
                c["text"] for c in plumber.chars if c["text"].strip()]
            blocks, tables, mode = read_page(view, number + 1, 1)
            assert mode == "text" and tables == (2, 1)[number] and blocks
    doc.close()


def test_rotated_page_goes_to_pdfplumber_and_reads_the_same(tmp_path):
    path = make_form(tmp_path / "turned.pdf", rotate=90)
    doc = pdfium.PdfDocument(str(path))
    with pytest.raises(NotSimple):
        PdfiumPage.read(doc[0])
    doc.close()
    old, new = _read_both(path)
    assert cmp.lines_of(new) == cmp.lines_of(old)
    assert any(b.location.table for b in new.blocks)


def _real_pdfs(n: int) -> list[Path]:
    return sorted(REAL.glob("*.pdf"), key=lambda p: p.stat().st_size)[:n] if REAL.is_dir() else []


@pytest.mark.skipif(not _real_pdfs(1), reason="../shared/corpus/real is not here")
def test_real_corpus_sample_same_findings_and_decisions():
    from classifiers.engine import get_detector
    from extractors.discover import discover
    from rules.engine import load_context

    get_detector()
    ctx = load_context()
    wanted = {p.name for p in _real_pdfs(8)}
    sources = [s for s in discover([REAL]) if s.path.name in wanted]
    assert len(sources) == len(wanted)
    for source in sources:
        outcome = cmp.compare_file(source, ctx, ocr=False)
        assert "findings" not in outcome.differs and "decision" not in outcome.differs, (source.rel_path,
                                                                                          outcome.differs)


def test_looping_page_tree_reads_as_pdfplumber_reads_it(tmp_path):
    """pdfium counts pages in a looping page tree that it then cannot load: the file goes to pdfplumber whole."""
    from tests.fixtures import hostile

    hostile.looping_pdf(tmp_path)
    path = next(tmp_path.glob("*.pdf"))
    old, new = _read_both(path)
    assert (new.status, new.errors, new.pages) == (old.status, old.errors, old.pages)
    assert new.status == Status.FAILED


def test_the_pdfplumber_path_closes_the_file(tmp_path: Path) -> None:
    """Regression (found by tests/test_fuzz.py's ResourceWarning): a PDF read through pdfplumber left its file
    open until the garbage collector closed it — pdfplumber does not close a stream it is given."""
    import gc
    import warnings

    path = make_form(tmp_path / "出展申込書.pdf")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        document = extract_pdf(path, ocr=False, reader="pdfplumber")
        gc.collect()
    assert any("印" in b.text for b in document.blocks)
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == []
