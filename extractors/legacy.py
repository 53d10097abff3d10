"""Legacy formats through LibreOffice (filled in below)."""

from __future__ import annotations

from pathlib import Path

from extractors.models import Document, InputFormat, failed


def extract_legacy(path: Path, *, fmt: InputFormat, **_: object) -> Document:
    return failed(fmt, "旧形式の変換はまだ実装されていません", extractor="legacy")
