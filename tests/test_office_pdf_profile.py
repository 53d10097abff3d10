"""The LibreOffice profile kept once and copied for each start (output/evidence/office_pdf.py), with the real
LibreOffice: it records this version as the last one run (so the graphics self-tests are skipped), survives a
killed start, and another LibreOffice binary gets its own."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pypdfium2 as pdfium
import pytest

from output.evidence import office_pdf

pytestmark = pytest.mark.skipif(office_pdf.soffice() is None, reason="LibreOffice not installed")


def forms(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    document.add_paragraph("申請者　住所　氏名　　　　　　　　印")
    document.save(folder / "申請書.docx")
    book = openpyxl.Workbook()
    book.active["A1"] = "届出者氏名"
    book.active["C1"] = "㊞"
    book.save(folder / "届出書.xlsx")
    return [folder / "申請書.docx", folder / "届出書.xlsx"]


def kept(profiles: Path) -> list[Path]:
    return sorted(profiles.glob(f"{office_pdf.PROFILE_PREFIX}*"))


def batch_profiles(work: Path) -> list[Path]:
    return sorted(p for p in work.glob("*/profile") if p.is_dir())


def shown_version() -> str:
    shown = subprocess.run([office_pdf.soffice(), "--version"], capture_output=True, text=True, timeout=120).stdout
    major, minor = re.search(r"(\d+)\.(\d+)\.\d+", shown).groups()
    return f"{major}.{minor}"


def test_the_first_normal_start_leaves_a_profile_the_next_starts_copy(tmp_path):
    files, profiles = forms(tmp_path / "in"), tmp_path / "profiles"
    first = office_pdf.to_pdfs(files, tmp_path / "w1", profiles=profiles)
    assert sorted(p.name for p in first) == ["届出書.xlsx", "申請書.docx"]
    [template] = kept(profiles)
    assert template.name == office_pdf.profile_template(office_pdf.soffice(), profiles).name
    settings = (template / office_pdf.SETTINGS).read_text(encoding="utf-8")
    assert f'ooSetupLastVersion" oor:op="fuse"><value>{shown_version()}</value>' in settings
    assert not (template / ".lock").exists()
    again = office_pdf.to_pdfs(files, tmp_path / "w2", profiles=profiles)
    assert sorted(p.name for p in again) == ["届出書.xlsx", "申請書.docx"]
    assert kept(profiles) == [template]
    for profile in [*batch_profiles(tmp_path / "w1"), *batch_profiles(tmp_path / "w2")]:
        # LibreOffice ran no graphics self-test at any start (it logs them in the profile when it does)
        assert not (profile / "user" / "GraphicsRenderTests.log").exists()
    for source in files:  # the same pages, drawn the same, from a new and from a copied profile
        pages = [pdfium.PdfDocument(str(pdf[source])) for pdf in (first, again)]
        assert [len(p) for p in pages] == [len(pages[0])] * 2
        bitmaps = [p[0].render(scale=1).to_pil().tobytes() for p in pages]
        assert bitmaps[0] == bitmaps[1]
        for p in pages:
            p.close()


def test_a_killed_start_leaves_the_kept_profile_usable(tmp_path, monkeypatch):
    files, profiles = forms(tmp_path / "in"), tmp_path / "profiles"
    office_pdf.to_pdfs(files[:1], tmp_path / "w1", profiles=profiles)
    [template] = kept(profiles)
    before = sorted(str(p.relative_to(template)) for p in template.rglob("*"))
    monkeypatch.setattr(office_pdf, "TIMEOUT_BASE_S", 0)  # every start is killed before it prints anything
    monkeypatch.setattr(office_pdf, "TIMEOUT_PER_FILE_S", 0)
    unsettled: set[Path] = set()
    assert office_pdf.to_pdfs(files, tmp_path / "w2", profiles=profiles, unsettled=unsettled) == {}
    assert unsettled == set(files)
    assert kept(profiles) == [template]
    assert sorted(str(p.relative_to(template)) for p in template.rglob("*")) == before
    monkeypatch.undo()
    (template / ".lock").write_text("a LibreOffice killed while this profile was in use", encoding="utf-8")
    done = office_pdf.to_pdfs(files, tmp_path / "w3", profiles=profiles)
    assert sorted(p.name for p in done) == ["届出書.xlsx", "申請書.docx"]
    assert all(not (p / ".lock").exists() for p in batch_profiles(tmp_path / "w3"))


def test_a_start_that_fails_leaves_no_profile_to_copy(tmp_path, monkeypatch):
    files, profiles = forms(tmp_path / "in"), tmp_path / "profiles"
    monkeypatch.setattr(office_pdf, "TIMEOUT_BASE_S", 0)
    monkeypatch.setattr(office_pdf, "TIMEOUT_PER_FILE_S", 0)
    assert office_pdf.to_pdfs(files, tmp_path / "w1", profiles=profiles) == {}
    assert kept(profiles) == []


def test_another_libreoffice_gets_its_own_profile(tmp_path, monkeypatch):
    files, profiles = forms(tmp_path / "in"), tmp_path / "profiles"
    office_pdf.to_pdfs(files[:1], tmp_path / "w1", profiles=profiles)
    [old] = kept(profiles)
    wrapper = tmp_path / "bin" / "soffice"  # stands for an updated LibreOffice: another binary, another key
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec {shutil.which("soffice")} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setattr(office_pdf, "soffice", lambda: str(wrapper))
    done = office_pdf.to_pdfs(files, tmp_path / "w2", profiles=profiles)
    assert sorted(p.name for p in done) == ["届出書.xlsx", "申請書.docx"]
    [new] = kept(profiles)
    assert new != old and new == office_pdf.profile_template(str(wrapper), profiles)
    os.utime(wrapper, ns=(1, 1))  # the same path with another time: a new key again
    assert office_pdf.profile_template(str(wrapper), profiles) != new


def test_spread_batches_gives_each_core_an_even_share():
    """A scan's last pictures: 25 Word and 3 Excel files on 2 cores ran as one batch per kind, one core busy
    for the 25 while the other idled after the 3."""
    words = [Path(f"w{i}.docx") for i in range(25)]
    sheets = [Path(f"s{i}.xlsx") for i in range(3)]
    spread = office_pdf.spread_batches([(sheets, "calc"), (words, "pdf")], 2)
    assert [len(files) for files, _ in spread] == [13, 12, 3]  # largest first: 13 | 12 + 3 on two cores
    assert sorted(f for files, _ in spread for f in files) == sorted(sheets + words)  # nothing lost or doubled
    assert all(t == ("pdf" if files[0] in words else "calc") for files, t in spread)
    assert office_pdf.spread_batches([(words[:7], "pdf")], 2) == [(words[:4], "pdf"), (words[4:7], "pdf")]
    assert office_pdf.spread_batches([(words[:3], "pdf")], 2) == [(words[:3], "pdf")]  # too small to split
    assert office_pdf.spread_batches([], 2) == []
    assert len(office_pdf.spread_batches([(words, "pdf")], 1)) == 1
