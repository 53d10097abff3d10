"""Regression: `sealreview scan … --out out` (a relative output folder) made every Word/Excel evidence picture
fail, because LibreOffice's profile folder was given as a file URI built from a relative path."""

from pathlib import Path

import docx
import openpyxl
import pytest

from output.evidence import office_pdf

pytestmark = pytest.mark.skipif(office_pdf.soffice() is None, reason="LibreOffice not installed")


def test_relative_work_dir_still_converts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    document = docx.Document()
    document.add_paragraph("申請者氏名　　　　　　　印")
    document.save("申請書.docx")
    book = openpyxl.Workbook()
    book.active["A1"] = "代表者氏名"
    book.save("届出書.xlsx")
    done = office_pdf.to_pdfs([Path("申請書.docx"), Path("届出書.xlsx")], Path("out") / ".work")
    assert sorted(p.name for p in done) == ["届出書.xlsx", "申請書.docx"]
    for pdf in done.values():
        assert pdf.is_absolute() and pdf.read_bytes()[:5] == b"%PDF-"
