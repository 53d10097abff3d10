"""The one entry point the pipeline calls: `extract(source) -> Document`, never raising."""

from __future__ import annotations

import logging
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from extractors.digest import source_digest
from extractors.discover import SourceFile, os_error_reason
from extractors.formats import OLE2_MAGIC
from extractors.models import Document, InputFormat, failed
from extractors.safety import BrokenFile, EncryptedFile, UnsafeContainer, is_ole_encrypted

# The extractors' code and data, hashed: any change to them is a new version (the analysis cache key uses it).
EXTRACTOR_VERSION = source_digest(Path(__file__).resolve().parent)

log = logging.getLogger(__name__)
logging.getLogger("pdfminer").setLevel(logging.WARNING)

UNSUPPORTED: dict[InputFormat, str] = {
    InputFormat.JTD: "一太郎（.jtd）はこのツールでは変換できません。一太郎で PDF か Word 形式に保存してから再度読み込んでください",
    InputFormat.PPTX: "この形式（PowerPoint）は対象外です",
    InputFormat.IMAGE: "この形式（画像ファイル）は対象外です。PDF にしてから再度読み込んでください",
    InputFormat.EMPTY: "空のファイルです",
    InputFormat.UNKNOWN: "ファイル形式を判別できないため読み取れません（対象は PDF・Word・Excel です）",
}

BROKEN: dict[InputFormat, str] = {
    InputFormat.PDF: "PDFが壊れているため読み取れません",
    InputFormat.DOCX: "Wordファイルが壊れているため読み取れません",
    InputFormat.XLSX: "Excelファイルが壊れているため読み取れません",
}
PASSWORD = "パスワードで保護されているため読み取れません"


def _extractors() -> dict[InputFormat, Callable[..., Document]]:
    from extractors import excel, legacy, pdf, word

    return {
        InputFormat.PDF: pdf.extract_pdf,
        InputFormat.DOCX: word.extract_docx,
        InputFormat.XLSX: excel.extract_xlsx,
        InputFormat.DOC: legacy.extract_legacy,
        InputFormat.XLS: legacy.extract_legacy,
        InputFormat.RTF: legacy.extract_legacy,
        InputFormat.ODT: legacy.extract_legacy,
        InputFormat.ODS: legacy.extract_legacy,
    }


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(64 * 1024)


def _unsupported(source: SourceFile) -> Document:
    fmt = source.format
    if fmt is InputFormat.UNKNOWN:
        try:
            head = _head(source.path)
        except OSError:
            head = b""
        if head.startswith(OLE2_MAGIC) and is_ole_encrypted(head):
            return failed(fmt, PASSWORD, extractor="registry")
    return failed(fmt, UNSUPPORTED[fmt], extractor="registry")


def extract(source: SourceFile, *, work_dir: Path | None = None, ocr: bool = True) -> Document:
    """Read one file into a `Document`; any problem becomes a FAILED document with a Japanese reason."""
    fmt = source.format
    if source.error:
        return failed(fmt, source.error, extractor="registry", retry=True)
    if fmt in UNSUPPORTED:
        return _unsupported(source)
    handler = _extractors().get(fmt)
    if handler is None:
        return failed(fmt, UNSUPPORTED[InputFormat.UNKNOWN], extractor="registry")
    try:
        return handler(source.path, fmt=fmt, work_dir=work_dir, ocr=ocr)
    except EncryptedFile:
        return failed(fmt, PASSWORD, extractor="registry")
    except (UnsafeContainer, BrokenFile) as exc:
        return failed(fmt, str(exc), extractor="registry")
    except (zipfile.BadZipFile, zlib.error, KeyError) as exc:  # zlib.error: a part whose data cannot be inflated
        log.info("broken container %s: %s", source.rel_path, exc)
        return failed(fmt, BROKEN.get(fmt, "ファイルが壊れているため読み取れません"), extractor="registry")
    except MemoryError:
        return failed(fmt, "ファイルが大きすぎるため読み取れません", extractor="registry", retry=True)
    except OSError as exc:  # the file vanished or became unreadable after discovery
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            return failed(fmt, os_error_reason(exc), extractor="registry", retry=True)
        log.warning("extraction failed for %s: %r", source.rel_path, exc, exc_info=True)
        reason = BROKEN.get(fmt, "ファイルが壊れているため読み取れません")
        return failed(fmt, f"{reason}（{type(exc).__name__}）", extractor="registry", retry=True)
    except Exception as exc:  # noqa: BLE001 - the pipeline must never see an exception
        log.warning("extraction failed for %s: %r", source.rel_path, exc, exc_info=True)
        reason = BROKEN.get(fmt, "ファイルが壊れているため読み取れません")
        return failed(fmt, f"{reason}（{type(exc).__name__}）", extractor="registry", retry=True)
