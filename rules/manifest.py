"""The manifest: staff's own sheet mapping a file or 様式名 to its 根拠法令 (and 所管).

CSV (UTF-8 with or without BOM, or CP932) or Excel (.xlsx, first sheet), with a header row:
ファイル / 様式名 / 根拠法令 / 所管 (or path / title / legal_basis / department).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from rules.citations import joined_text, parse_citations
from rules.errors import RuleDataError
from rules.models import Citation

COLUMNS = {
    "path": ("ファイル", "ファイル名", "パス", "path", "file"),
    "title": ("様式名", "様式", "title", "form"),
    "basis": ("根拠法令", "根拠", "legal_basis", "basis"),
    "department": ("所管", "所管課", "department"),
}
NONE_WORDS = {"", "なし", "無し", "-", "ー", "－", "なし(慣行)", "none"}


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    title: str
    basis: str  # as written
    citations: tuple[Citation, ...]
    department: str | None = None
    row: int = 0


def _key(text: str) -> str:
    return re.sub(r"\s+", "", joined_text(text)).replace("\\", "/").strip("/")


@dataclass(frozen=True)
class Manifest:
    entries: tuple[ManifestEntry, ...]
    path: str = ""

    def lookup(self, rel_path: str, title: str) -> ManifestEntry | None:
        """By file path (exact, then by file name), then by 様式名."""
        rel, name, title_key = _key(rel_path), _key(rel_path).rsplit("/", 1)[-1], _key(title)
        for entry in self.entries:
            if entry.path and _key(entry.path) == rel:
                return entry
        for entry in self.entries:
            if entry.path and "/" not in _key(entry.path) and _key(entry.path) == name:
                return entry
        for entry in self.entries:
            if entry.title and title_key and _key(entry.title) == title_key:
                return entry
        return None


def _rows(path: Path) -> list[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds
            raise RuleDataError(path, "ファイル", f"Excel ファイルとして読めません（{exc}）") from exc
        sheet = book.worksheets[0]
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return list(csv.reader(io.StringIO(raw.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise RuleDataError(path, "ファイル", "文字コードが判別できません（UTF-8 か Shift_JIS で保存してください）")


def _header(row: list[str], path: Path) -> dict[str, int]:
    names = [joined_text(c).strip().lower() for c in row]
    found = {}
    for field, aliases in COLUMNS.items():
        for alias in aliases:
            if alias.lower() in names:
                found[field] = names.index(alias.lower())
                break
    if "basis" not in found or not ({"path", "title"} & found.keys()):
        raise RuleDataError(path, "見出し行", "「根拠法令」と「ファイル」または「様式名」の列が必要です")
    return found


def basis_citations(basis: str, *, city: str | None) -> tuple[Citation, ...]:
    """The citations in a 根拠法令 cell (manifest or reviewer); unparseable text is kept as internal."""
    if joined_text(basis).strip().lower() in NONE_WORDS:
        return ()
    found = parse_citations(basis, source="manifest", city=city)
    if found:
        return tuple(found)
    # Written in a way the parser does not know: keep it, as internal, for the reviewer to see.
    return (Citation(joined_text(basis).strip(), "internal", "", joined_text(basis).strip(), source="manifest"),)


def load_manifest(path: str | Path, *, city: str | None = None) -> Manifest:
    path = Path(path)
    if not path.exists():
        raise RuleDataError(path, "--manifest", "ファイルが見つかりません")
    rows = [r for r in _rows(path) if any(c.strip() for c in r)]
    if not rows:
        raise RuleDataError(path, "全体", "行がありません")
    cols = _header(rows[0], path)

    def cell(row: list[str], field: str) -> str:
        i = cols.get(field)
        return row[i].strip() if i is not None and i < len(row) else ""

    entries = []
    for n, row in enumerate(rows[1:], start=2):
        basis = cell(row, "basis")
        entries.append(ManifestEntry(cell(row, "path"), cell(row, "title"), basis,
                                     basis_citations(basis, city=city), cell(row, "department") or None, n))
    return Manifest(tuple(entries), str(path))
