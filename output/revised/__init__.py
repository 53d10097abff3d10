"""Revised drafts of forms whose seal is abolished: the corrected form, ready for a person to check.

`revise()` is called for every `abolish` row. It writes `OUT_DIR/revised/<same folder tree>` (the
original is never touched) and returns the list of edits (where, before → after) for the register.
Word and Excel files are edited in their XML, so styles, layout and drawings stay; legacy .doc/.xls
are converted with LibreOffice first and written as .docx/.xlsx; for PDF the edits are only listed.
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from extractors.digest import source_digest
from output.revised.edits import KIMEI, SHOMEI

# The reviser's code, hashed: a changed reviser never reuses an old draft from the draft cache.
REVISER_VERSION = source_digest(Path(__file__).resolve().parent)

log = logging.getLogger(__name__)

WORD = {"docx"}
EXCEL = {"xlsx"}
LEGACY = {"doc": "docx", "rtf": "docx", "odt": "docx", "xls": "xlsx", "ods": "xlsx"}

NOTE_PDF = "PDF は直接修正できないため、必要な修正を一覧にしました"
NOTE_NONE = "押印を求める記載の場所を特定できなかったため、修正案は作成していません。様式を直接確認して修正してください"
NOTE_FORMAT = "この形式の修正案は作成できません。様式を直接修正してください"
NOTE_CONVERT = "LibreOffice で変換できなかったため、修正案は作成していません"
NOTE_FAILED = "修正案の作成中に問題が起きたため、修正案は作成していません（{reason}）"
NOTE_LEGACY = "元の {old} 形式を {new} 形式に変換して修正しました（レイアウトが変わっていないか確認してください）"


FIXED_NOTES = (NOTE_PDF, NOTE_NONE, NOTE_FORMAT, NOTE_CONVERT)
NOTE_PATTERNS = tuple(re.compile(re.sub(r"\\\{\w+\\\}", ".+?", re.escape(t)) + "$") for t in (NOTE_FAILED, NOTE_LEGACY))


@dataclass(frozen=True)
class RevisionResult:
    path: Path | None  # the written draft (None for PDF / when nothing could be written)
    edits: list[dict] = field(default_factory=list)  # [{"location", "before", "after"}]
    note: str | None = None  # Japanese, for the reviewer
    retry: bool = False  # failed for a reason that may pass (conversion, unexpected error): draft again next run


def draft_path(out_dir: Path, rel_path: str, suffix: str | None = None) -> Path:
    """`out_dir/revised/<rel_path>` (with a new suffix for converted files); refuses paths leaving it."""
    rel = PurePosixPath(rel_path.replace("\\", "/"))
    if rel.is_absolute() or any(part in ("..", "") for part in rel.parts):
        raise ValueError(f"不正な相対パスです: {rel_path}")
    if suffix:
        rel = rel.with_suffix(suffix)
    return Path(out_dir) / "revised" / Path(*rel.parts)


def _replacement(value: str) -> str:
    return SHOMEI if (value or "").strip().lower() == SHOMEI else KIMEI


def _write(source: Path, fmt: str, target: Path, replacement: str) -> list[dict]:
    if fmt in WORD:
        from output.revised.docx_reviser import revise_docx

        return revise_docx(source, target, replacement=replacement)
    from output.revised.xlsx_reviser import revise_xlsx

    return revise_xlsx(source, target, replacement=replacement)


def revise(
    source_path: Path,
    *,
    fmt: str,
    rel_path: str,
    replacement: str,
    out_dir: Path,
    work_dir: Path | None = None,
) -> RevisionResult:
    """Write the revised draft of one `abolish` form (never raises; problems go in `note`)."""
    fmt = str(getattr(fmt, "value", fmt)).lower().lstrip(".")
    repl = _replacement(replacement)
    try:
        if fmt == "pdf":
            from output.revised.pdf_plan import plan_pdf

            edits = plan_pdf(Path(source_path), replacement=repl)
            return RevisionResult(None, edits, NOTE_PDF if edits else NOTE_NONE)
        if fmt in LEGACY:
            return _revise_legacy(Path(source_path), fmt, rel_path, repl, Path(out_dir), work_dir)
        if fmt not in WORD | EXCEL:
            return RevisionResult(None, [], NOTE_FORMAT)
        target = draft_path(Path(out_dir), rel_path)
        edits = _write(Path(source_path), fmt, target, repl)
        return RevisionResult(target if edits else None, edits, None if edits else NOTE_NONE)
    except Exception as exc:  # noqa: BLE001 - one bad form must not stop the batch
        log.warning("revision failed for %s: %s", source_path, exc)
        return RevisionResult(None, [], NOTE_FAILED.format(reason=type(exc).__name__), retry=True)


def _revise_legacy(source: Path, fmt: str, rel_path: str, repl: str, out_dir: Path,
                   work_dir: Path | None) -> RevisionResult:
    from extractors.legacy import ConversionError, convert
    from extractors.models import InputFormat

    new_fmt = LEGACY[fmt]
    target = draft_path(out_dir, rel_path, "." + new_fmt)
    with tempfile.TemporaryDirectory(prefix="sealreview-revise-", dir=work_dir) as tmp:
        try:
            converted = convert(source, InputFormat(fmt), Path(tmp))
        except ConversionError:
            return RevisionResult(None, [], NOTE_CONVERT, retry=True)
        edits = _write(converted, new_fmt, target, repl)
    if not edits:
        return RevisionResult(None, [], NOTE_NONE)
    return RevisionResult(target, edits, NOTE_LEGACY.format(old=fmt, new=new_fmt))
