"""Discover: formats from bytes, hashes, departments from folders, litter skipped."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from extractors.discover import department_of, discover
from extractors.formats import sniff_format
from extractors.models import InputFormat


def make_zip(path: Path, names: list[str]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.pdf", b"%PDF-1.7\n...", InputFormat.PDF),
        ("renamed.txt", b"%PDF-1.4\n...", InputFormat.PDF),  # the bytes win over the extension
        ("empty.docx", b"", InputFormat.EMPTY),
        ("x.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), InputFormat.DOC),
        ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"), InputFormat.XLS),
        ("x.jtd", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, InputFormat.JTD),
        ("x.rtf", b"{\\rtf1\\ansi hello}", InputFormat.RTF),
        ("x.png", b"\x89PNG\r\n\x1a\n....", InputFormat.IMAGE),
        ("notes.txt", "ただのテキスト".encode(), InputFormat.UNKNOWN),
    ],
)
def test_sniff_format_from_bytes(tmp_path: Path, name: str, content: bytes, expected: InputFormat) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert sniff_format(path) is expected


def test_sniff_ooxml_kinds(tmp_path: Path) -> None:
    assert sniff_format(make_zip(tmp_path / "a.bin", ["word/document.xml"])) is InputFormat.DOCX
    assert sniff_format(make_zip(tmp_path / "b.bin", ["xl/workbook.xml"])) is InputFormat.XLSX
    assert sniff_format(make_zip(tmp_path / "c.bin", ["ppt/presentation.xml"])) is InputFormat.PPTX
    truncated = tmp_path / "broken.docx"
    truncated.write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    assert sniff_format(truncated) is InputFormat.DOCX  # corrupt, but still "a Word file"


def test_department_from_folder_layout() -> None:
    assert department_of("総務局/総務課/申請書.docx") == "総務局/総務課"
    assert department_of("総務局/総務課/2020年度/申請書.docx") == "総務局/総務課"
    assert department_of("総務局/申請書.docx") == "総務局"
    assert department_of("申請書.docx") is None


def test_discover_walks_recursively_with_hashes(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "総務局" / "総務課").mkdir(parents=True)
    form = root / "総務局" / "総務課" / "申請書.pdf"
    form.write_bytes(b"%PDF-1.4 test")
    (root / "総務局" / "総務課" / "~$申請書.docx").write_bytes(b"lock")  # Word lock file
    (root / "loop").symlink_to(root, target_is_directory=True)  # a symlink loop must not hang
    files = discover([root])
    assert [f.rel_path for f in files] == ["総務局/総務課/申請書.pdf"]
    only = files[0]
    assert only.sha256 == hashlib.sha256(b"%PDF-1.4 test").hexdigest()
    assert only.department == "総務局/総務課"
    assert only.format is InputFormat.PDF
    assert only.size == len(b"%PDF-1.4 test")


def test_discover_paths_are_nfc(tmp_path: Path) -> None:
    name = "\u30ab\u3099申請書.pdf"  # カ + combining dakuten (NFD), as macOS writes it
    (tmp_path / name).write_bytes(b"%PDF-1.4")
    [found] = discover([tmp_path])
    assert found.rel_path == "ガ申請書.pdf"
