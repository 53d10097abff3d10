"""E-forms: OUT_DIR/eforms/<form path>.json (schema: output/eform_schema.json) and an HTML preview beside it.

Workers write each form's e-form into a staging folder (OUT_DIR/.sealreview/eforms/<root key>/) while they
scan; `settle_eforms` (main process, after the reviewers' corrections) gives every row the オンライン化 of its
final decision, moves the e-forms to OUT_DIR/eforms/[<input folder name>/]<path>.json/.html, and removes every
e-form no row points to. A form without fields (unreadable, scanned, no blanks) gets no e-form; its row says why.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path, PurePosixPath

from classifiers.fields.models import FieldSet
from extractors.discover import stat_signature
from output.atomic import atomic_path
from output.eform_html import render_html
from output.models import RegisterRow
from output.revised.placement import root_labels
from rules.online import classify_online

EFORMS = "eforms"
STAGING = Path(".sealreview") / "eforms"
SCHEMA_ID = "sealreview.eform.v1"
UNGROUPED = "申請内容"
NOTE_MISSING = "電子様式の下書きが見つかりません（次回の実行で作成します）"


def build_eform(row: RegisterRow, fieldset: FieldSet) -> dict:
    """The e-form document of one form (plain data; output/eform_schema.json)."""
    sections: list[dict] = []
    by_group: dict[str | None, dict] = {}
    for f in fieldset.fields:
        section = by_group.get(f.group)
        if section is None:
            section = {"title": f.group or UNGROUPED, "group": f.group, "fields": []}
            by_group[f.group] = section
            sections.append(section)
        section["fields"].append(f.id)
        if f.repeat > 1:
            section["repeat"] = max(section.get("repeat", 1), f.repeat)
    return {
        "schema": SCHEMA_ID,
        "title": row.title,
        "source": {"path": row.path, "sha256": row.sha256, "format": row.format, "department": row.department},
        "online": dict(row.online or {}),
        "sections": sections,
        "fields": [f.to_json() for f in fieldset.fields],
        "notes": list(fieldset.notes),
        "versions": {"fields": fieldset.version, "pipeline": str(row.versions.get("pipeline", ""))},
    }


def staging_dir(out_dir: Path, input_root: str | Path) -> Path:
    key = hashlib.sha256(str(input_root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(out_dir) / STAGING / key


def _safe_rel(path: str) -> PurePosixPath:
    rel = PurePosixPath(path.replace("\\", "/"))
    if rel.is_absolute() or any(part in ("..", "") for part in rel.parts):
        raise ValueError(f"不正な相対パスです: {path}")
    return rel


def _write_text(path: Path, text: str) -> None:
    """Atomic, without fsync: an e-form is derived output, written again by the next run if lost."""
    with atomic_path(path, durable=False) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_eform(eform: dict, target: Path) -> Path:
    """`target`.json and `target`.html (target without suffix)."""
    _write_text(target.with_name(target.name + ".json"), json.dumps(eform, ensure_ascii=False, indent=1))
    _write_text(target.with_name(target.name + ".html"), render_html(eform))
    return target.with_name(target.name + ".json")


def stage_eform(row: RegisterRow, fieldset: FieldSet, out_dir: Path) -> RegisterRow:
    """A worker's step: write the e-form to staging and point the row at it (relative to OUT_DIR).

    Plain writes: the staging folder is this run's own, and `settle_eforms` moves each file into place
    atomically (or drops it when it cannot be read)."""
    if not fieldset.fields:
        return replace(row, eform_path=None, eform_note=fieldset.why)
    target = staging_dir(out_dir, row.input_root) / _safe_rel(row.path)
    json_path = write_staged(target.with_name(target.name + ".json"), build_eform(row, fieldset))
    return replace(row, eform_path=os.path.relpath(json_path, out_dir), eform_note=None)


def write_staged(json_path: Path, eform: dict, text: str | None = None) -> Path:
    """Plain writes of a staged e-form: `json_path` (`text` when given: the JSON staged before, byte for byte)
    and the .html beside it."""
    data = text if text is not None else json.dumps(eform, ensure_ascii=False, indent=1)
    try:
        json_path.write_text(data, encoding="utf-8")
    except FileNotFoundError:  # the folder is made once, by the first e-form staged in it
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(data, encoding="utf-8")
    json_path.with_suffix(".html").write_text(render_html(eform), encoding="utf-8")
    return json_path


def final_rel(row: RegisterRow, label: str) -> PurePosixPath:
    rel = _safe_rel(row.path)
    rel = rel.with_name(rel.name + ".json")
    return PurePosixPath(EFORMS, label, rel) if label else PurePosixPath(EFORMS, rel)


def row_online(row: RegisterRow, identity_documents: tuple[str, ...] | list[str] | None = None) -> dict:
    """The row's オンライン化 (rules/online.py) from its decision, replacement, document class and requests;
    the identity documents are the ones its fields found (kept on the row's `online`)."""
    if identity_documents is None:
        identity_documents = (row.online or {}).get("identity_documents") or ()
    return classify_online(
        decision=row.decision, replacement=row.replacement, document_class=row.document_class,
        signature_required=row.signature_required, seal_kinds=row.seal_kinds, identity_documents=identity_documents,
    ).to_json()


def settle_eforms(rows: list[RegisterRow], out_dir: Path) -> list[RegisterRow]:
    """The オンライン化 of every row's FINAL decision (a reviewer's too), e-forms moved into OUT_DIR/eforms/,
    every e-form no row points to removed, the staging folder emptied.

    An e-form already in place is read to check its オンライン化 unless the record of the last settle
    (`PLACED`: each file's size, times, inode and the オンライン化 written in it) says it is the file placed then,
    with the same オンライン化: an unchanged re-audit does not read 4,508 e-forms again. A file replaced, edited,
    touched or removed since has other stat values and is read (or found missing) as before.

    A staged folder whose folder under eforms/ does not exist yet (a first scan) is moved in one rename, with
    every e-form in it, instead of two renames a form (`_move_new_folders`)."""
    out_dir = Path(out_dir)
    labels = root_labels(r.input_root for r in rows)
    moved = {folder for root, label in labels.items() for folder in _move_new_folders(out_dir, root, label)}
    placed_before = _read_placed(out_dir)
    placed: dict[str, list] = {}
    settled: list[RegisterRow] = []
    keep: set[str] = set()
    for row in rows:
        final = row_online(row)
        changed = final != (row.online or {})
        row = replace(row, online=final) if changed or row.online is None else row
        settled.append(_place(row, out_dir, labels.get(row.input_root, ""), keep, changed, placed_before, placed,
                              moved))
    _sweep(out_dir / EFORMS, keep)
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(out_dir / STAGING)
    _write_placed(out_dir, placed)
    return settled


PLACED = Path(".sealreview") / "eforms-placed.json"  # settle_eforms' record of the e-forms it left in place


def _stat_key(path: Path) -> list[int] | None:
    try:
        return list(stat_signature(os.stat(path)))  # a list: the record is JSON
    except OSError:
        return None


def _read_placed(out_dir: Path) -> dict[str, list]:
    try:
        data = json.loads((out_dir / PLACED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_placed(out_dir: Path, placed: dict[str, list]) -> None:
    with contextlib.suppress(OSError):  # only a shortcut: without it the next run reads the e-forms
        _write_text(out_dir / PLACED, json.dumps(placed, ensure_ascii=False, separators=(",", ":")))


def _move_new_folders(out_dir: Path, input_root: str, label: str) -> set[Path]:
    """Move every folder of `input_root`'s staging whose place under eforms/ does not exist yet, whole (one
    rename for a 課 folder of e-forms); returns the staged folders moved. The files in them are the ones
    `_place` would move one by one to the same paths; a file no row points to is swept afterwards as before."""
    staging, base = staging_dir(out_dir, input_root), out_dir / EFORMS / label if label else out_dir / EFORMS
    if not staging.is_dir() or staging.is_symlink():
        return set()
    moved: set[Path] = set()
    for folder, dirs, _files in os.walk(staging):
        into = base / os.path.relpath(folder, staging)
        for name in list(dirs):
            if not os.path.lexists(into / name) and not os.path.islink(os.path.join(folder, name)):
                into.mkdir(parents=True, exist_ok=True)
                os.rename(os.path.join(folder, name), into / name)
                moved.add(Path(folder, name))
                dirs.remove(name)  # moved: nothing left to walk in it
    return moved


def _place(row: RegisterRow, out_dir: Path, label: str, keep: set[str], changed: bool,
           placed_before: dict[str, list], placed: dict[str, list], moved: set[Path]) -> RegisterRow:
    """Move a staged e-form into place; rewrite it when the オンライン化 changed since it was staged."""
    if not row.eform_path:
        return row
    rel = final_rel(row, label)
    target = out_dir / rel
    html = target.with_name(target.name[: -len(".json")] + ".html")
    source = out_dir / row.eform_path
    staged = source != target  # the file this run staged: read only when its オンライン化 changed
    if staged and not source.exists():
        staged = any(folder in moved for folder in source.parents)  # moved with its folder (same path, target)
        source = target  # else e.g. a row resumed from a checkpoint after a settled run
    stat = _stat_key(source) if source == target else None
    if source == target and stat is None or source != target and not source.exists():
        return replace(row, eform_path=None, eform_note=NOTE_MISSING)
    before = placed_before.get(str(rel))
    known = (not staged and not changed and isinstance(before, list) and len(before) == 2
             and before[0] == stat and before[1] == row.online)  # the file settled last time, same オンライン化
    if not known and (changed or not staged):
        try:
            eform = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return replace(row, eform_path=None, eform_note=NOTE_MISSING)
        if eform.get("online") != row.online:
            eform["online"] = dict(row.online or {})
            write_eform(eform, target.with_name(target.name[: -len(".json")]))
            source = target
    if source != target:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        os.replace(source.with_name(source.name[: -len(".json")] + ".html"), html)
    keep.update({str(target), str(html)})
    placed[str(rel)] = [stat if known else _stat_key(target), row.online]
    return row if row.eform_path == str(rel) else replace(row, eform_path=str(rel))


def _sweep(root: Path, keep: set[str]) -> None:
    """Delete every file under `root` that is not in `keep` (paths as str), then the folders left empty."""
    if not root.is_dir():
        return
    for folder, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            path = os.path.join(folder, name)
            if path not in keep and os.path.isfile(path):
                os.unlink(path)
        if folder != str(root) and not os.listdir(folder):
            os.rmdir(folder)

