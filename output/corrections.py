"""Reviewers' corrections: import them from a returned register.xlsx, and apply them to later runs.

Import is all or nothing: every reviewer cell is validated first; one bad cell and nothing is stored.
The reviewer's workbook is only read, never saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from output.models import RegisterRow
from output.review_reader import ReviewEntry, read_review_cells
from output.state import STATE_DIR, STATE_FILE, Correction, StateStore, now_iso
from rules.models import DECISIONS


@dataclass
class ImportReport:
    register: Path
    ok: bool
    errors: list[str] = field(default_factory=list)
    applied: int = 0  # corrections stored (new or changed)
    unchanged: int = 0  # reviewer rows identical to what is already stored

    @property
    def problems(self) -> list[str]:
        """Alias of `errors` (the bad cells, e.g. `一覧!P5: 「はいし」は選択肢にありません`)."""
        return self.errors

    def message(self) -> str:
        """Japanese summary for the command line (errors one per line)."""
        if not self.ok:
            head = f"取り込みを中止しました（{len(self.errors)}件の誤り。何も反映していません）: {self.register}"
            return "\n".join([head, *self.errors])
        return f"レビュー結果を取り込みました: 反映 {self.applied}件、変更なし {self.unchanged}件（{self.register}）"


def _cell_order(message: str) -> tuple[int, int, str]:
    m = re.search(r"!([A-Z]+)(\d+)", message)
    return (int(m.group(2)), len(m.group(1)), m.group(1)) if m else (0, 0, "")


def import_corrections(register_xlsx: Path, out_dir: Path) -> ImportReport:
    """Validate every reviewer cell of `register_xlsx`, then store all corrections in one transaction."""
    register_xlsx, out_dir = Path(register_xlsx), Path(out_dir)
    if not register_xlsx.is_file():
        return ImportReport(register_xlsx, False, [f"{register_xlsx}: ファイルがありません"])
    if not (out_dir / STATE_DIR / STATE_FILE).is_file():
        return ImportReport(register_xlsx, False, [f"{out_dir}: 状態データベースがありません（先に scan を実行してください）"])
    entries, errors = read_review_cells(register_xlsx)
    with StateStore(out_dir) as store:
        errors += _check_files(entries, store)
        if errors:
            return ImportReport(register_xlsx, False, sorted(errors, key=_cell_order))
        changed, unchanged = _merge(entries, store.corrections(), source=register_xlsx.name)
        store.add_corrections(changed, atomic=True)
    return ImportReport(register_xlsx, True, applied=len(changed), unchanged=unchanged)


def _check_files(entries: list[ReviewEntry], store: StateStore) -> list[str]:
    current = store.current_keys()
    if not current:
        return ["状態データベースにスキャン結果がありません（先に scan を実行してください）"]
    errors, seen = [], {}
    for e in entries:
        if (e.sha256, e.path) in seen:
            errors.append(f"{e.path_ref}: 同じファイルの行が重複しています（{seen[(e.sha256, e.path)]} と同じ）")
        seen.setdefault((e.sha256, e.path), e.path_ref)
        if e.path not in current:
            errors.append(f"{e.path_ref}: 「{e.path}」は最新のスキャンにありません（削除・移動されたファイル）")
        elif current[e.path] != e.sha256:
            errors.append(f"{e.path_ref}: 「{e.path}」はこの台帳の作成後に変更されています。最新の台帳でレビューしてください")
    return errors


def _merge(entries: list[ReviewEntry], stored: dict, *, source: str) -> tuple[list[Correction], int]:
    """Empty cells keep what was stored, unless the register showed a value there and the reviewer cleared it
    (then that value is withdrawn). Only new or changed corrections are returned."""
    changed, unchanged, at = [], 0, now_iso()
    for e in entries:
        old = stored.get((e.sha256, e.path)) or Correction(e.sha256, e.path)
        new = Correction(e.sha256, e.path, decision=_pick(e, "decision", old.decision),
                         comment=_pick(e, "comment", old.comment),
                         legal_basis=_pick(e, "legal_basis", old.legal_basis),
                         reviewer=e.reviewer or old.reviewer, at=at, source=source)
        if (new.decision, new.comment, new.legal_basis, new.reviewer) == (
                old.decision, old.comment, old.legal_basis, old.reviewer):
            unchanged += 1
        else:
            changed.append(new)
    return changed, unchanged


def _pick(entry: ReviewEntry, field: str, previous: str | None) -> str | None:
    given = getattr(entry, field)
    return given or (None if field in entry.cleared else previous)


def corrected_basis(store: StateStore, *, by_path: bool = False) -> dict:
    """The reviewers' corrected 根拠法令, for the rules engine of the next run.

    Default: {(sha256, path): text} (applies to the exact file version reviewed). by_path=True:
    {path: text}, the newest correction per path, also for a file edited since (its basis rarely changes).
    """
    items = sorted((c for c in store.corrections().values() if c.legal_basis), key=lambda c: c.at)
    if by_path:
        return {c.path: c.legal_basis for c in items}
    return {c.key: c.legal_basis for c in items}


def apply_corrections(rows: list[RegisterRow], store: StateStore) -> list[RegisterRow]:
    """Show the reviewers' decisions on the machine's rows (the machine's stays in machine_decision)."""
    corrections = store.corrections()
    by_path: dict[str, Correction] = {}
    for c in sorted(corrections.values(), key=lambda c: c.at):
        by_path[c.path] = c
    out = []
    for row in rows:
        exact = corrections.get((row.sha256, row.path))
        if exact is not None:
            out.append(_apply(row, exact))
        elif row.path in by_path:
            out.append(_stale(row, by_path[row.path]))
        else:
            out.append(row)
    return out


def _apply(row: RegisterRow, c: Correction) -> RegisterRow:
    machine = row.machine_decision or row.decision
    decision = c.decision or row.decision
    replacement = row.replacement if decision == "abolish" else None
    if decision == "abolish" and replacement is None:
        replacement = "kimei"  # the default policy's replacement (記名のみ)
    return replace(row, decision=decision, replacement=replacement, machine_decision=machine, reviewed=True,
                   review_decision=c.decision, reviewer_comment=c.comment, corrected_basis=c.legal_basis,
                   reviewer=c.reviewer)


def _stale(row: RegisterRow, c: Correction) -> RegisterRow:
    """The file changed after the correction: keep the machine's decision and ask for a new review."""
    machine = row.machine_decision or row.decision
    label = DECISIONS.get(c.decision or "", "なし")
    note = (f"レビュー（{c.at[:10]}、判定「{label}」）の後にファイルが変更されたため、前回の修正は適用していません。"
            "再確認してください。")
    decision = row.decision if row.decision == "error" else "needs_review"
    return replace(row, decision=decision, replacement=None if decision != "abolish" else row.replacement,
                   machine_decision=machine, reviewed=False, review_note=note)
