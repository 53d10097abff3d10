"""Relative hyperlinks from register.xlsx (in OUT_DIR) to the forms, the revised drafts and evidence pictures.

A link is the path from OUT_DIR to the file, `/`-separated and percent-encoded (Excel and LibreOffice resolve
it against the workbook's own folder). So the links keep working when OUT_DIR and the input folders are moved
or copied together (same relative layout, e.g. both under one folder of a shared drive). A file that does not
exist when the register is written (a name with undecodable bytes shown as \\xNN) gets no link.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from output.models import RegisterRow


def href(target: Path | str, base: Path, *, must_exist: bool = True) -> str | None:
    """The relative link from folder `base` to `target`, or None (no such file when `must_exist`, or no
    relative path exists)."""
    target_text = os.path.abspath(target)
    if must_exist and not os.path.isfile(target_text):
        return None
    try:
        rel = os.path.relpath(target_text, _absolute(str(base)))
    except ValueError:  # another drive (Windows): no relative path
        return None
    return quote(rel.replace(os.sep, "/"), safe="/")


@lru_cache(maxsize=64)
def _absolute(folder: str) -> str:
    return os.path.abspath(folder)


def source_href(row: RegisterRow, base: Path) -> str | None:
    """ファイル → the form itself (INPUT_DIR/path)."""
    if not row.input_root or not row.path:
        return None
    return href(os.path.join(row.input_root, row.path), base)


def draft_href(row: RegisterRow, base: Path) -> str | None:
    """修正案 → the revised draft (its path is relative to OUT_DIR)."""
    return href(base / row.revised_path, base) if row.revised_path else None


def evidence_href(row: RegisterRow, base: Path) -> str | None:
    """根拠箇所 → the picture of the finding (OUT_DIR/evidence/…). Not checked on disk: settle_evidence sets
    `evidence_image` only for a picture that is there, and register.xlsx may be written while the last
    pictures are being made (output/register.py WorkbookAhead, kept only when every row is as settle_evidence
    then gives it)."""
    return href(base / row.evidence_image, base, must_exist=False) if row.evidence_image else None
