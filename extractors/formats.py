"""Recognise a file's format from its bytes, not only its extension."""

from __future__ import annotations

import zipfile
from pathlib import Path

from extractors.models import InputFormat

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
ICHITARO_EXTENSIONS = {".jtd", ".jtt", ".jtdc", ".jttc"}

# Japanese names of the formats, for messages and the 形式 column.
FORMAT_LABELS = {
    InputFormat.PDF: "PDF",
    InputFormat.DOCX: "Word",
    InputFormat.XLSX: "Excel",
    InputFormat.DOC: "Word（旧形式）",
    InputFormat.XLS: "Excel（旧形式）",
    InputFormat.RTF: "RTF",
    InputFormat.ODT: "ODF文書",
    InputFormat.ODS: "ODF表計算",
    InputFormat.JTD: "一太郎",
    InputFormat.PPTX: "PowerPoint",
    InputFormat.IMAGE: "画像",
    InputFormat.EMPTY: "空ファイル",
    InputFormat.UNKNOWN: "不明",
}


def sniff_format(path: Path, head: bytes | None = None) -> InputFormat:
    """The format the bytes say, falling back to the extension only to tell OLE2 kinds apart."""
    if head is None:
        with path.open("rb") as fh:
            head = fh.read(8192)
    if not head:
        return InputFormat.EMPTY
    if b"%PDF-" in head[:1024]:
        return InputFormat.PDF
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path)
    if head.startswith(OLE2_MAGIC):
        return _sniff_ole2(path)
    if head.lstrip().startswith(b"{\\rtf"):
        return InputFormat.RTF
    if head.startswith(IMAGE_MAGICS):
        return InputFormat.IMAGE
    if path.suffix.lower() in ICHITARO_EXTENSIONS:
        return InputFormat.JTD  # older Ichitaro files are not OLE2 containers
    return InputFormat.UNKNOWN


def _sniff_zip(path: Path) -> InputFormat:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mimetype = zf.read("mimetype")[:100]
                if b"opendocument.text" in mimetype:
                    return InputFormat.ODT
                if b"opendocument.spreadsheet" in mimetype:
                    return InputFormat.ODS
    except (zipfile.BadZipFile, OSError, ValueError):
        # A truncated OOXML file still starts with PK: judge by its extension so the
        # register says "a corrupt Word file", not "unknown".
        return {".docx": InputFormat.DOCX, ".xlsx": InputFormat.XLSX, ".xlsm": InputFormat.XLSX}.get(
            path.suffix.lower(), InputFormat.UNKNOWN
        )
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        return InputFormat.DOCX
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        return InputFormat.XLSX
    if any(n.startswith("ppt/") for n in names):
        return InputFormat.PPTX
    return InputFormat.UNKNOWN


def _sniff_ole2(path: Path) -> InputFormat:
    """Old Office files are OLE2 containers; their stream names say which kind."""
    if path.suffix.lower() in ICHITARO_EXTENSIONS:
        return InputFormat.JTD
    with path.open("rb") as fh:
        data = fh.read(4 * 1024 * 1024)
    if "WordDocument".encode("utf-16-le") in data:
        return InputFormat.DOC
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return InputFormat.XLS
    if "PowerPoint".encode("utf-16-le") in data:
        return InputFormat.PPTX
    return InputFormat.UNKNOWN
