"""Protected, oversized and hostile files become FAILED documents with a Japanese reason."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from extractors.discover import describe_file
from extractors.models import InputFormat, Status
from extractors.registry import extract
from extractors.safety import UnsafeContainer, check_zip, parse_xml


def test_password_protected_office_file(tmp_path):
    path = tmp_path / "secret.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le"))
    doc = extract(describe_file(path, tmp_path))
    assert doc.status is Status.FAILED
    assert doc.errors == ("パスワードで保護されているため読み取れません",)


def test_password_protected_pdf(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    path = tmp_path / "secret.pdf"
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("user-pass", "owner-pass"))
    c.drawString(100, 700, "secret")
    c.showPage()
    c.save()
    doc = extract(describe_file(path, tmp_path))
    assert doc.status is Status.FAILED and doc.format is InputFormat.PDF
    assert "パスワード" in doc.errors[0]


class _Info:
    def __init__(self, size: int, compressed: int) -> None:
        self.file_size = size
        self.compress_size = compressed


class _FakeZip:
    def __init__(self, infos: list[_Info]) -> None:
        self._infos = infos

    def infolist(self) -> list[_Info]:
        return self._infos


def test_zip_bomb_sizes_are_refused():
    with pytest.raises(UnsafeContainer, match="zip爆弾"):
        check_zip(_FakeZip([_Info(300 * 1024 * 1024, 1000)]))
    with pytest.raises(UnsafeContainer, match="圧縮率"):
        check_zip(_FakeZip([_Info(50 * 1024 * 1024, 1000)]))
    check_zip(_FakeZip([_Info(5 * 1024 * 1024, 4 * 1024 * 1024)]))


def test_xml_entities_are_not_expanded():
    xml = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>'
    root = parse_xml(xml)
    assert "root:" not in "".join(root.itertext())


def test_docx_without_document_part_is_broken(tmp_path: Path):
    path = tmp_path / "odd.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/styles.xml", "<x/>")
    doc = extract(describe_file(path, tmp_path))
    assert doc.status is Status.FAILED and "Word" in doc.errors[0]


@pytest.mark.parametrize("keep", [0.3, 0.8])
def test_truncated_pdf_is_partial_or_failed(tmp_path, keep):
    from tests.fixtures.extract_fixtures import make_pdf

    data = make_pdf(tmp_path / "full.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    doc = extract(describe_file(path, tmp_path))
    assert doc.status in (Status.FAILED, Status.PARTIAL)
    if doc.status is Status.FAILED:
        assert doc.errors == ("PDFが壊れているため読み取れません",)
    else:
        assert doc.blocks and doc.warnings
