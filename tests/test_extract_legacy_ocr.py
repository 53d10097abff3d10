"""Legacy .doc/.xls through LibreOffice and scanned PDFs through OCR: the seal marks survive."""

from __future__ import annotations

import shutil

import pytest

from extractors.discover import describe_file
from extractors.legacy import doc_eq_paragraphs
from extractors.models import Document, InputFormat, Status
from extractors.registry import extract
from tests.fixtures.extract_fixtures import make_docx, make_legacy, make_pdf, make_scanned_pdf, make_xlsx

needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                               reason="tesseract / poppler not installed")


@pytest.fixture(scope="module")
def legacy_docs(tmp_path_factory) -> dict[str, Document]:
    folder = tmp_path_factory.mktemp("legacy")
    doc = make_legacy(make_docx(folder / "form.docx"), folder, "doc")
    xls = make_legacy(make_xlsx(folder / "form.xlsx"), folder, "xls")
    return {name: extract(describe_file(p, folder)) for name, p in (("doc", doc), ("xls", xls))}


def blocks_with(doc: Document, text: str) -> list:
    return [b for b in doc.blocks if b.text == text]


@pytest.mark.slow
@needs_office
def test_doc_keeps_seal_places(legacy_docs):
    doc = legacy_docs["doc"]
    assert doc.format is InputFormat.DOC and doc.status is Status.OK
    assert doc.meta["converted_by"] == "libreoffice"
    (cell,) = blocks_with(doc, "印")
    assert (cell.location.kind, cell.location.table, cell.location.row, cell.location.col) == ("table", 1, 2, 3)
    (nested,) = blocks_with(doc, "㊞")
    assert nested.location.table == 3
    assert blocks_with(doc, "受付番号　　　受付印")[0].location.kind == "header"
    assert [b.location.kind for b in blocks_with(doc, "代表者印")] == ["textbox"]
    assert [b.location.kind for b in blocks_with(doc, "担当者印")] == ["textbox"]


@pytest.mark.slow
@needs_office
def test_xls_keeps_cells_shape_and_sheets(legacy_docs):
    doc = legacy_docs["xls"]
    assert doc.format is InputFormat.XLS and doc.status is Status.OK
    (cell,) = [b for b in blocks_with(doc, "印") if b.location.sheet == "様式"]
    assert cell.location.cell == "C7"
    (second,) = [b for b in blocks_with(doc, "印") if b.location.sheet == "別紙"]
    assert second.location.cell == "B2"
    (shape,) = [b for b in doc.blocks if b.location.kind == "shape"]
    assert shape.text == "㊞" and shape.line_key == ("x", "様式", 5)
    assert doc.meta["example_sheets"] == ["記入例"] and doc.meta["hidden_sheets"] == ["リスト"]


def test_doc_eq_field_read_from_binary_text():
    data = b"\x00junk" + "前\r氏名　　\x13 eq \\o\\ac(○,印)\x15\r次\r".encode("utf-16-le")
    assert doc_eq_paragraphs(data) == ["氏名　　○印"]
    assert doc_eq_paragraphs("no field here\r".encode("utf-16-le")) == []


@pytest.mark.slow
@needs_office
def test_garbage_with_doc_extension_fails_cleanly(tmp_path):
    path = tmp_path / "random.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(range(256)) * 8)
    doc = extract(describe_file(path, tmp_path))
    assert doc.status is Status.FAILED and doc.format is InputFormat.DOC
    assert doc.errors and "変換できませんでした" in doc.errors[0]


@pytest.mark.slow
@needs_ocr
def test_scanned_pdf_is_read_by_ocr(tmp_path):
    scan = make_scanned_pdf(make_pdf(tmp_path / "form.pdf"), tmp_path / "scan.pdf")
    doc = extract(describe_file(scan, tmp_path))
    assert doc.status is Status.OK and doc.meta["ocr_pages"] == [1]
    assert doc.blocks and all(b.ocr and b.location.kind == "ocr" for b in doc.blocks)
    row = next(line for line in doc.lines() if line.text.startswith("氏名"))
    assert row.text.replace("\t", "").endswith("印")
    seal = row.segments[-1].block
    assert seal.location.page == 1 and seal.location.describe().endswith("（OCR）")


@needs_ocr
def test_scan_without_ocr_is_failed_with_reason(tmp_path):
    scan = make_scanned_pdf(make_pdf(tmp_path / "form.pdf"), tmp_path / "scan.pdf", dpi=50)
    doc = extract(describe_file(scan, tmp_path), ocr=False)
    assert doc.status is Status.FAILED
    assert any("OCR" in w for w in doc.warnings)


@pytest.mark.slow
@needs_ocr
def test_scan_with_a_little_text_is_still_ocred(tmp_path):
    from tests.fixtures.extract_fixtures import add_text_to_scan

    scan = make_scanned_pdf(make_pdf(tmp_path / "form.pdf"), tmp_path / "scan.pdf")
    mixed = add_text_to_scan(scan, tmp_path / "mixed.pdf")
    doc = extract(describe_file(mixed, tmp_path))
    assert doc.meta["ocr_pages"] == [1]
    assert any(b.text.startswith("受付") and not b.ocr for b in doc.blocks)
    assert any(b.ocr and b.text.split()[-1] == "印" for b in doc.blocks)  # its own word, alone or ending a row


@pytest.mark.slow
@needs_office
def test_a_legacy_conversion_runs_no_graphics_self_test(tmp_path):
    """The profile a conversion starts LibreOffice with records this version as the last one run
    (extractors/office_profile.py), so LibreOffice skips its start-up graphics self-tests (≈1 CPU-s a start; it logs
    them in the profile when it runs them); the converted file is read as before."""
    import re
    import subprocess

    from extractors import legacy
    from extractors.office_profile import SETTINGS

    xls = make_legacy(make_xlsx(tmp_path / "form.xlsx"), tmp_path, "xls")
    profile = legacy._take_profile(shutil.which("soffice"))
    legacy._give_back(profile, True)  # the next conversion takes this new profile
    out = tmp_path / "converted"
    out.mkdir()
    converted = legacy.convert(xls, InputFormat.XLS, out)
    assert converted.suffix == ".xlsx" and converted.stat().st_size > 0
    shown = subprocess.run(["soffice", "--version"], capture_output=True, text=True, timeout=120).stdout
    version = ".".join(re.search(r"(\d+)\.(\d+)\.\d+", shown).groups())
    assert f"<value>{version}</value>" in (profile / SETTINGS).read_text(encoding="utf-8")
    assert not (profile / "user" / "GraphicsRenderTests.log").exists()
