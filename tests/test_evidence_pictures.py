"""Evidence pictures show the finding: the outline drawn in red holds the finding's text, on the finding's own
line, read back from the picture with tesseract. Forms: the bundled examples (a PDF with two 印 lines, a Word
contract with two 印 cells in one table, an Excel quotation)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from output.evidence import settle_evidence
from tests.conftest import EXAMPLES
from tests.test_output_rows import make_row

pytestmark = [pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("tesseract") is None,
                                 reason="LibreOffice or tesseract is not installed")]
NYUSATSU, KEIYAKU, MITSUMORI = "総務企画局/契約課/入札書.pdf", "総務企画局/契約課/工事請負契約書.docx", "総務企画局/契約課/見積書.xlsx"
CASES = [  # (file, location, text) and what the picture must show: inside the outline / on its line left of it
    (NYUSATSU, "p.1 7行目", "代理人", None),
    (NYUSATSU, "p.1 6行目", None, None),
    (KEIYAKU, "表2 2行4列", "印", "代表者"),
    (KEIYAKU, "表2 4行4列", "印", None),
    (MITSUMORI, "様式!F9", "印", "代表者"),
]


def row_for(rel: str, location: str, *, decision: str = "needs_review"):
    path = EXAMPLES / rel
    return make_row(1, path=rel, sha256=hashlib.sha256(path.read_bytes()).hexdigest(), format=path.suffix[1:],
                    input_root=str(EXAMPLES.resolve()), decision=decision,
                    evidence=[{"text": "印", "location": location, "rule": "seal.mark.name_field.v1"}])


def ocr(image: Image.Image, tmp: Path) -> str:
    image = image.resize((image.width * 2, image.height * 2))
    image.save(tmp)
    text = subprocess.run(["tesseract", str(tmp), "-", "-l", "jpn", "--psm", "6"], capture_output=True, text=True,
                          timeout=120).stdout
    return "".join(text.split())


def outline(image: Image.Image) -> tuple[int, int, int, int]:
    px = image.load()
    red = [(x, y) for x in range(image.width) for y in range(image.height)
           if px[x, y][0] > 200 and px[x, y][1] < 40 and px[x, y][2] < 40]
    assert red, "no outline"
    return min(p[0] for p in red), min(p[1] for p in red), max(p[0] for p in red), max(p[1] for p in red)


@pytest.fixture(scope="module")
def pictured(tmp_path_factory):
    out = tmp_path_factory.mktemp("evidence")
    rows = settle_evidence([row_for(rel, loc) for rel, loc, _i, _l in CASES], out)
    return out, rows


@pytest.mark.parametrize("case", range(len(CASES)))
def test_picture_outlines_the_finding_on_its_own_line(pictured, case, tmp_path):
    out, rows = pictured
    _rel, _location, inside, left = CASES[case]
    row = rows[case]
    assert row.evidence_image and row.evidence_image.startswith("evidence/") and row.evidence_image.endswith(".png")
    image = Image.open(out / row.evidence_image).convert("RGB")
    x0, y0, x1, y1 = outline(image)
    inner = ocr(image.crop((x0 + 4, y0 + 4, x1 - 3, y1 - 3)), tmp_path / "inner.png")
    assert "印" in inner, inner
    if inside:
        assert inside in inner, inner
    else:
        assert "代理人" not in inner, inner  # the other 印 line of 入札書
    band = ocr(image.crop((0, y0, x0, y1)), tmp_path / "band.png")  # the finding's line, left of the outline
    assert (left in band) if left else ("代表者" not in band), band


def test_unchanged_pictures_are_reused_and_unused_ones_removed(pictured, tmp_path):
    out, rows = pictured
    stamps = {r.evidence_image: (out / r.evidence_image).stat().st_mtime_ns for r in rows}
    again = settle_evidence([row_for(rel, loc) for rel, loc, _i, _l in CASES[:2]], out)  # the xlsx/docx ones gone
    assert [r.evidence_image for r in again] == [r.evidence_image for r in rows[:2]]
    assert all((out / r.evidence_image).stat().st_mtime_ns == stamps[r.evidence_image] for r in again)  # not redrawn
    assert sorted(p.name for p in (out / "evidence").iterdir()) == sorted(Path(r.evidence_image).name for r in again)


def test_only_rows_with_a_finding_to_show_get_a_picture(tmp_path):
    rows = [row_for(NYUSATSU, "p.1 7行目", decision="abolish"), row_for(NYUSATSU, "p.1 7行目", decision="error"),
            make_row(2, decision="needs_review", evidence=[])]
    rows[0].evidence = [{"text": "押印は不要", "location": "p.1 7行目", "rule": "negation.fuyou.v1"}]
    shown = settle_evidence(rows, tmp_path)
    assert [r.evidence_image for r in shown] == [None, None, None]  # no seal finding / unreadable / no location


def test_which_rows_by_default_and_with_all():
    from output.evidence.select import pictured_item

    pdf, xlsx = row_for(NYUSATSU, "p.1 7行目", decision="abolish"), row_for(MITSUMORI, "様式!F9", decision="abolish")
    review = row_for(MITSUMORI, "様式!F9")
    assert [bool(pictured_item(r)) for r in (pdf, xlsx, review)] == [True, False, True]  # auto
    assert [bool(pictured_item(r, which="all")) for r in (pdf, xlsx, review)] == [True, True, True]
    assert [bool(pictured_item(r, which="review")) for r in (pdf, xlsx, review)] == [False, False, True]
    assert [bool(pictured_item(r, which="none")) for r in (pdf, xlsx, review)] == [False, False, False]


def test_register_and_review_page_link_the_pictures(tmp_path, monkeypatch):
    from html.parser import HTMLParser
    from urllib.parse import unquote

    from openpyxl import load_workbook

    from output.columns import COLUMNS
    from output.register import write_run
    from tests.test_print_layout import RUN_INFO

    monkeypatch.setenv("SEALREVIEW_EVIDENCE", "all")  # Word/Excel rows too, not only 要確認 ones
    out = tmp_path / "out"
    rows = [row_for(NYUSATSU, "p.1 7行目"), row_for(MITSUMORI, "様式!F9", decision="keep_contract"),
            make_row(3, decision="no_seal", seal_requested=False, evidence=[])]
    rows[0].title, rows[1].title = "入札書", "見積書"
    shown, paths = write_run(rows, out, run_info=RUN_INFO, args={"command": "scan"})
    assert [bool(r.evidence_image) for r in shown] == [True, True, False]
    ws = load_workbook(paths["xlsx"])["一覧"]
    column = COLUMNS.index("根拠箇所") + 1
    for r, row in enumerate(shown[:2], start=2):
        assert (out / unquote(ws.cell(r, column).hyperlink.target.replace("\\", "/"))).resolve() == (out / row.evidence_image).resolve()
    assert ws.cell(4, column).hyperlink is None

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[tuple[str, str]] = []

        def handle_starttag(self, tag, attrs):
            self.found += [(tag, v) for k, v in attrs if k in ("href", "src")]

    page = (out / "review.html").read_text(encoding="utf-8")
    parser = Links()
    parser.feed(page)
    assert "入札書" in page and "見積書" not in page  # the 要確認 rows only
    assert ("img", shown[0].evidence_image) in parser.found
    for _tag, link in parser.found:
        assert (out / unquote(link)).is_file(), link  # the form, the picture, the register


def test_a_pdf_picture_drawn_in_the_worker_is_kept_by_the_run(tmp_path):
    from extractors.discover import describe_file
    from extractors.registry import extract
    from output.evidence import picture_pdf_early

    row = row_for(NYUSATSU, "p.1 7行目")
    document = extract(describe_file(EXAMPLES / NYUSATSU, EXAMPLES), ocr=False)
    assert picture_pdf_early(row, document, tmp_path)
    [made] = (tmp_path / "evidence").iterdir()
    stamp = made.stat().st_mtime_ns
    [shown] = settle_evidence([row], tmp_path)
    assert shown.evidence_image == f"evidence/{made.name}" and made.stat().st_mtime_ns == stamp
    assert not picture_pdf_early(row_for(KEIYAKU, "表2 2行4列"), document, tmp_path)  # Word: made by the run


def test_a_picture_that_cannot_be_made_leaves_the_row_without_one(tmp_path):
    gone = row_for(NYUSATSU, "p.1 7行目")
    gone.input_root = str(tmp_path / "moved-away")  # the file is not there any more
    wrong = row_for(KEIYAKU, "表2 2行4列")
    wrong.evidence = [{"text": "この文字はどこにもない", "location": "表9 9行9列", "rule": "seal.mark.name_field.v1"}]
    shown = settle_evidence([gone, wrong], tmp_path / "out")
    assert [r.evidence_image for r in shown] == [None, None]
    assert not list((tmp_path / "out").glob("evidence/*.png"))


def spy_conversions(monkeypatch) -> list[list[Path]]:
    """The files of each office_pdf.to_pdfs call (sorted), which still converts them with the real LibreOffice."""
    from output.evidence import office_pdf

    converted: list[list[Path]] = []
    real = office_pdf.to_pdfs

    def counting(files, work_dir, **kwargs):
        converted.append(sorted(files))
        return real(files, work_dir, **kwargs)

    monkeypatch.setattr(office_pdf, "to_pdfs", counting)
    return converted


def test_a_word_picture_that_cannot_be_made_is_not_tried_again(tmp_path, monkeypatch):
    import json

    from output.evidence import unmade

    gone = row_for(NYUSATSU, "p.1 7行目")
    gone.input_root = str(tmp_path / "moved-away")
    wrong = row_for(KEIYAKU, "表2 2行4列")
    wrong.evidence = [{"text": "この文字はどこにもない", "location": "表9 9行9列", "rule": "seal.mark.name_field.v1"}]
    out = tmp_path / "out"
    converted = spy_conversions(monkeypatch)
    assert [r.evidence_image for r in settle_evidence([gone, wrong], out)] == [None, None]
    assert converted == [[EXAMPLES.resolve() / KEIYAKU]]
    record = json.loads((out / unmade.RECORD).read_text(encoding="utf-8"))
    assert len(record["names"]) == 1 and "moved" not in record["names"][0]  # the missing PDF is not remembered
    settle_evidence([gone, wrong], out)  # a re-audit: LibreOffice is not started for it again
    assert converted[1:] == [[]]
    record["key"] = "0" * 16  # new evidence code or a new LibreOffice: tried again
    (out / unmade.RECORD).write_text(json.dumps(record), encoding="utf-8")
    settle_evidence([wrong], out)
    assert converted[2:] == [[EXAMPLES.resolve() / KEIYAKU]]
    settle_evidence([], out)  # no row wants it any more: forgotten
    assert json.loads((out / unmade.RECORD).read_text(encoding="utf-8"))["names"] == []


def test_a_picture_lost_to_a_libreoffice_timeout_is_tried_again(tmp_path, monkeypatch):
    from output.evidence import office_pdf, unmade

    row = row_for(KEIYAKU, "表2 2行4列")
    monkeypatch.setattr(office_pdf, "TIMEOUT_BASE_S", 0)  # LibreOffice is ended before it can print anything
    monkeypatch.setattr(office_pdf, "TIMEOUT_PER_FILE_S", 0)
    out = tmp_path / "out"
    assert settle_evidence([row], out)[0].evidence_image is None
    assert unmade.unmade_names(out) == set()  # a busy machine is not the file's fault: not remembered
    monkeypatch.undo()
    assert settle_evidence([row], out)[0].evidence_image is not None  # the next run makes it
