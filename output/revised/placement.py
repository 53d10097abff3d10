"""Where revised drafts live, and making OUT_DIR/revised/ follow the FINAL decision of every row.

Workers draft the machine's `abolish` forms into a staging folder (OUT_DIR/.sealreview/drafts/<root key>/,
one per input folder, so equal relative paths under two INPUT_DIRs never collide). After the reviewers'
corrections are applied, `settle_drafts` (main process):
- drops the draft of every row whose final decision is not `abolish` (reviewer, stale correction, re-audit),
- drafts the rows a reviewer turned into `abolish` (few; the machine did not draft them),
- moves each remaining draft to OUT_DIR/revised/[<input folder name>/]<path> (the folder name only when
  the run has more than one input folder) and sets `revised_path` relative to OUT_DIR,
- removes every file under OUT_DIR/revised/ that no `abolish` row points to, and empties the staging folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from output.confine import inside, refuse_links, restrict_like
from output.models import RegisterRow

REVISED = "revised"
STAGING = Path(".sealreview") / "drafts"
NOTE_MISSING = "元のファイルが見つからないため、修正案は作成していません"
NOTE_CHANGED = "元のファイルが台帳の作成中に変更されたため、修正案は作成していません（次回の実行で作成します）"
NOTE_OUTSIDE = "記録にある修正案の場所が出力フォルダの外を指しているため、無視しました"
NOTE_COLLISION = "表示上同じ名前のファイルが他にもあるため、修正案を「{name}」として書き出しました"


def staging_dir(out_dir: Path, input_root: str | Path) -> Path:
    """The workers' draft folder for one input folder."""
    key = hashlib.sha256(str(input_root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(out_dir) / STAGING / key


def file_staging(out_dir: Path, input_root: str | Path, real_path: str | Path) -> tuple[Path, str]:
    """Where one file's draft is staged, as the (`out_dir`, `rel_path`) that `revise()` and `DraftCache.get`
    write `draft_path(out_dir, rel_path)` from: `<root's staging folder>/revised/<file key><suffix>`. The key
    (a hash of the file's real path) keeps two files shown under the same name (NFC and NFD, Shift_JIS and
    UTF-8, `sub\\b.docx` and `sub/b.docx`) from writing over each other's draft, with no folder per file: a
    scan's staging folder used to hold four folders per draft (key/revised/局/課), and removing those of 1,257
    drafts took 6.7 s of disk waits on this machine (0.8 CPU-s)."""
    key = hashlib.sha256(os.fsencode(str(real_path))).hexdigest()[:16]
    return staging_dir(out_dir, input_root), key + Path(real_path).suffix


def root_labels(roots: Iterable[str]) -> dict[str, str]:
    """input_root → folder label in revised/: "" for a single root; else the folder's name (made unique)."""
    unique = sorted(set(roots))
    if len(unique) <= 1:
        return {root: "" for root in unique}
    labels: dict[str, str] = {}
    used: set[str] = set()
    for root in unique:
        base = Path(root).name or "input"
        label, n = base, 2
        while label in used:
            label, n = f"{base}-{n}", n + 1
        used.add(label)
        labels[root] = label
    return labels


def final_rel(row: RegisterRow, label: str, suffix: str) -> str:
    """`revised/[label/]<path>` with the draft's suffix (a converted .doc becomes .docx)."""
    rel = PurePosixPath(row.path.replace("\\", "/"))
    if rel.is_absolute() or any(part in ("..", "") for part in rel.parts):
        raise ValueError(f"不正な相対パスです: {row.path}")
    if suffix and rel.suffix.lower() != suffix.lower():
        rel = rel.with_suffix(suffix)
    return str(PurePosixPath(REVISED, label, rel) if label else PurePosixPath(REVISED, rel))


def _resolve(out_dir: Path, revised_path: str | None) -> Path | None:
    """The staged draft a row points to, only when it lies in OUT_DIR's staging folder or revised/ (a path
    from a checkpoint, the state or a cache that leads anywhere else is ignored: see `_place`)."""
    if not revised_path:
        return None
    path = Path(revised_path)
    path = path if path.is_absolute() else out_dir / path
    if path.is_symlink() or not (inside(path, out_dir / STAGING) or inside(path, out_dir / REVISED)):
        return None
    return path


def is_draft_note(text: str) -> bool:
    """A row warning written by the drafting (dropped with the draft when the row is not abolished)."""
    from output.revised import FIXED_NOTES, NOTE_PATTERNS

    return (text in (*FIXED_NOTES, NOTE_MISSING, NOTE_CHANGED, NOTE_OUTSIDE)
            or text.startswith(NOTE_COLLISION.split("「")[0]) or any(p.match(text) for p in NOTE_PATTERNS))


def drop_draft(row: RegisterRow) -> RegisterRow:
    """No draft for a row that is not abolished: no path, no edit list, no drafting notes."""
    if not row.revised_path and not row.revisions and not any(is_draft_note(w) for w in row.warnings):
        return row
    return replace(row, revised_path=None, revisions=[], warnings=[w for w in row.warnings if not is_draft_note(w)])


def draft_now(row: RegisterRow, out_dir: Path, work_dir: Path | None = None) -> RegisterRow:
    """Draft one row here (a reviewer's `abolish`): into the staging folder, like a worker would."""
    from output.revised import revise

    row = drop_draft(row)
    source = Path(row.input_root) / row.path
    if not source.is_file():
        return replace(row, warnings=[*row.warnings, NOTE_MISSING])
    if hashlib.sha256(source.read_bytes()).hexdigest() != row.sha256:
        return replace(row, warnings=[*row.warnings, NOTE_CHANGED])
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)  # legacy formats are converted there
    staging, staged = file_staging(out_dir, row.input_root, source)
    result = revise(source, fmt=row.format, rel_path=staged, replacement=row.replacement or "kimei",
                    out_dir=staging, work_dir=work_dir)
    path = os.path.relpath(result.path, out_dir) if result.path else None
    notes = [result.note] if result.note else []
    return replace(row, revised_path=path, revisions=list(result.edits), warnings=[*row.warnings, *notes])


def drafted_by_machine(row: RegisterRow) -> bool:
    """The workers drafted this row: the machine's own decision was `abolish` (a reviewer's `abolish` of such a
    row keeps the machine's replacement, so its draft stands)."""
    return (row.machine_decision or row.decision) == "abolish"


def settle_drafts(rows: list[RegisterRow], out_dir: Path, *, work_dir: Path | None = None,
                  prune_now: bool = True) -> list[RegisterRow]:
    """Make OUT_DIR/revised/ hold exactly the drafts of the rows finally decided `abolish` (see module doc).

    `prune_now=False` places the drafts but deletes nothing: the caller writes the register first and then
    calls `finish_drafts`, so a run killed in between leaves the previous register's drafts in place."""
    out_dir = Path(out_dir)
    refuse_links(out_dir)
    labels = root_labels(r.input_root for r in rows)
    claimed: set[str] = set()
    settled = []
    for row in rows:
        if row.decision != "abolish":
            settled.append(drop_draft(row))
            continue
        if not drafted_by_machine(row):
            row = draft_now(row, out_dir, work_dir)
        settled.append(_place(row, out_dir, labels.get(row.input_root, ""), claimed))
    if prune_now:
        finish_drafts(settled, out_dir)
    return settled


def finish_drafts(rows: list[RegisterRow], out_dir: Path) -> int:
    """After the register is in place: delete every file under revised/ that no row points to, and the
    staging folder. Returns the number of files deleted."""
    out_dir = Path(out_dir)
    refuse_links(out_dir)
    removed = prune(out_dir / REVISED, keep={out_dir / r.revised_path for r in rows if r.revised_path})
    shutil.rmtree(out_dir / STAGING, ignore_errors=True)
    return removed


def _place(row: RegisterRow, out_dir: Path, label: str, claimed: set[str]) -> RegisterRow:
    """Move a row's draft to its final place under revised/ (a PDF has only its edit list)."""
    if not row.revised_path:
        return row
    source = _resolve(out_dir, row.revised_path)
    if source is None:
        return replace(row, revised_path=None, warnings=[*row.warnings, NOTE_OUTSIDE])
    target = final_rel(row, label, source.suffix)
    converted = PurePosixPath(row.path).suffix.lower() != source.suffix.lower()
    if target in claimed and converted:  # 様式.doc and 様式.docx in one folder: the converted one keeps its old suffix too
        target = final_rel(row, label, "") + source.suffix
    notes: list[str] = []
    if target in claimed:  # two files shown under one name (NFC/NFD, Shift_JIS/UTF-8, sub\b and sub/b)
        stem, suffix = os.path.splitext(target)
        n = 2
        while f"{stem} ({n}){suffix}" in claimed:
            n += 1
        target = f"{stem} ({n}){suffix}"
        notes.append(NOTE_COLLISION.format(name=target))
    final = out_dir / target
    (out_dir / REVISED).mkdir(parents=True, exist_ok=True)  # a real folder (refuse_links checked it is no link)
    if not inside(_existing_ancestor(final.parent), out_dir / REVISED):  # a link to elsewhere inside revised/
        return replace(row, revised_path=None, warnings=[*row.warnings, NOTE_OUTSIDE])
    if source.is_file() and source != final:
        final.parent.mkdir(parents=True, exist_ok=True)
        if not inside(final.parent, out_dir / REVISED):  # a link inside revised/
            return replace(row, revised_path=None, warnings=[*row.warnings, NOTE_OUTSIDE])
        os.replace(source, final)
        restrict_like(final, Path(row.input_root) / row.path)
    if not final.is_file():  # the draft is gone (e.g. a resumed row whose staging folder was emptied)
        return replace(row, revised_path=None)
    claimed.add(target)
    return replace(row, revised_path=target, warnings=[*row.warnings, *notes])


def _existing_ancestor(path: Path) -> Path:
    """`path` or its nearest ancestor that exists (where a mkdir would start creating folders)."""
    while not os.path.lexists(path) and path.parent != path:
        path = path.parent
    return path


def prune(folder: Path, *, keep: set[Path]) -> int:
    """Delete the files under `folder` not in `keep`, then empty folders; returns the number deleted."""
    if not folder.is_dir():
        return 0
    removed = 0
    if folder.is_symlink():
        return 0
    for current, dirs, files in os.walk(folder, topdown=False):  # links to folders are not followed
        for name in files:
            path = Path(current) / name
            if path not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        for name in dirs:
            with contextlib.suppress(OSError):
                (Path(current) / name).rmdir()  # only when empty
    return removed
