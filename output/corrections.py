"""Reviewers' corrections: import them from a returned register.xlsx, and apply them to later runs.

Import is all or nothing: every reviewer cell is validated first; one bad cell and nothing is stored.
The reviewer's workbook is only read, never saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from output.columns import render
from output.models import RegisterRow
from output.review_reader import ReviewEntry, ReviewSheet, read_review
from output.store.lock import run_lock  # the one-run-per-folder lock shared with scan / reaudit
from output.store.state import STATE_DIR, STATE_FILE, Correction, StateStore, now_iso
from rules.models import DECISIONS

REVIEW_PREFIX = "レビューにより"


@dataclass
class ImportReport:
    register: Path
    ok: bool
    errors: list[str] = field(default_factory=list)
    applied: int = 0  # corrections stored (new or changed)
    unchanged: int = 0  # reviewer rows identical to what is already stored
    warnings: list[str] = field(default_factory=list)  # e.g. an edited machine column (ignored, not an error)
    no_register: str | None = None  # the register was not made in this OUT_DIR (no state store): the reason

    @property
    def problems(self) -> list[str]:
        """Alias of `errors` (the bad cells, e.g. `一覧!P5: 「はいし」は選択肢にありません`)."""
        return self.errors

    def message(self) -> str:
        """Japanese summary for the command line (errors one per line, then the warnings)."""
        if self.no_register:
            return f"取り込みを中止しました。{self.no_register}"
        if not self.ok:
            head = f"取り込みを中止しました（{len(self.errors)}件の誤り。何も反映していません）: {self.register}"
            return "\n".join([head, *self.errors, *self.warnings])
        done = f"レビュー結果を取り込みました: 反映 {self.applied}件、変更なし {self.unchanged}件（{self.register}）"
        return "\n".join([done, *self.warnings])


def _cell_order(message: str) -> tuple[int, int, str]:
    m = re.search(r"!([A-Z]+)(\d+)", message)
    return (int(m.group(2)), len(m.group(1)), m.group(1)) if m else (0, 0, "")


def import_corrections(register_xlsx: Path, out_dir: Path, *, lock: bool = True) -> ImportReport:
    """Validate every reviewer cell of `register_xlsx`, then store all corrections in one transaction.

    lock=True: holds the output folder's run lock (output/store/lock.py), so an import never runs during a scan or
    re-audit of the same OUT_DIR (raises output.store.lock.OutputBusy, which the command line reports).
    """
    register_xlsx, out_dir = Path(register_xlsx), Path(out_dir)
    if not register_xlsx.is_file():
        return ImportReport(register_xlsx, False, [f"{register_xlsx}: ファイルがありません"])
    if not (out_dir / STATE_DIR / STATE_FILE).is_file():
        reason = (f"出力フォルダ {out_dir} では台帳が作成されていません（状態データベースがありません）。"
                  "台帳を作成した scan の --out と同じフォルダを指定してください")
        return ImportReport(register_xlsx, False, [reason], no_register=reason)
    if not lock:
        return _import(register_xlsx, out_dir)

    with run_lock(out_dir, "corrections import"):
        return _import(register_xlsx, out_dir)


def _import(register_xlsx: Path, out_dir: Path) -> ImportReport:
    sheet = read_review(register_xlsx)
    entries, errors = sheet.entries, list(sheet.errors)
    with StateStore(out_dir) as store:
        check_errors, roots = _check_files(entries, store)
        errors += check_errors
        warnings = machine_edit_warnings(sheet, store)
        if errors:
            return ImportReport(register_xlsx, False, sorted(errors, key=_cell_order), warnings=warnings)
        changed, unchanged = _merge(entries, roots, store.corrections(), source=register_xlsx.name)
        store.add_corrections(changed, atomic=True)
    return ImportReport(register_xlsx, True, applied=len(changed), unchanged=unchanged, warnings=warnings)


def _check_files(entries: list[ReviewEntry], store: StateStore) -> tuple[list[str], list[str]]:
    """The errors, and for each entry the input folder to key its correction on ("" = the path is unique)."""
    by_path: dict[str, dict[str, str]] = {}
    for (root, path), sha in store.current_files().items():
        by_path.setdefault(path, {})[root] = sha
    if not by_path:
        return ["状態データベースにスキャン結果がありません（先に scan を実行してください）"], []
    errors, seen, roots = [], {}, []
    for e in entries:
        everywhere = by_path.get(e.path, {})
        found = {e.input_root: everywhere[e.input_root]} if e.input_root in everywhere else everywhere
        owners = sorted(root for root, sha in found.items() if sha == e.sha256)
        key = (owners[0] if len(owners) == 1 else (e.input_root or ""), e.sha256, e.path)  # the file it names
        if key in seen:  # e.g. ファイル and ファイルハッシュ copied from another row: it would overwrite that review
            errors.append(f"{e.path_ref}: {seen[key]} と同じファイル「{e.path}」を指しています。"
                          "1つのファイルに2つのレビューは取り込めません（どちらかの行を直してください）")
        seen.setdefault(key, e.path_ref)
        if not found:
            errors.append(f"{e.path_ref}: 「{e.path}」は最新のスキャンにありません（削除・移動されたファイル）")
        elif e.sha256 not in found.values():
            errors.append(f"{e.path_ref}: 「{e.path}」はこの台帳の作成後に変更されています。最新の台帳でレビューしてください")
        matching = [root for root, sha in found.items() if sha == e.sha256]
        roots.append(matching[0] if len(everywhere) > 1 and len(matching) == 1 else "")
    return errors, roots


def machine_edit_warnings(sheet: ReviewSheet, store: StateStore) -> list[str]:
    """One warning per machine cell that differs from what the register was written with (the edit is not
    imported). Needs the run id on sheet 集計; an older register without one is not checked."""
    run_id = store.run_by_key(sheet.run_key) if sheet.run_key else None
    if run_id is None:
        return []
    written = {(r.input_root, r.path, r.sha256): r for r in store.load_rows(run_id)}
    warnings = []
    for key, (number, cells) in sheet.machine.items():
        row = written.get((str(key[0]), str(key[1]), str(key[2])))
        if row is None:
            continue
        shown = render(row, number - 1).as_dict()
        for column, value in cells.items():
            if column in shown and not _same(shown[column], value):
                warnings.append(f"{sheet.ref(number, column)}: 機械の列は取り込みません（レビュー判定の列に入力してください）")
    return sorted(warnings, key=_cell_order)


def _same(written: object, read: object) -> bool:
    if isinstance(written, int | float) and isinstance(read, int | float):
        return abs(float(written) - float(read)) < 1e-9
    return str(written or "") == str(read or "")


def _merge(entries: list[ReviewEntry], roots: list[str], stored: dict, *,
           source: str) -> tuple[list[Correction], int]:
    """Empty cells keep what was stored, unless the register showed a value there and the reviewer cleared it
    (then that value is withdrawn). Only new or changed corrections are returned."""
    changed, unchanged, at = [], 0, now_iso()
    for e, root in zip(entries, roots, strict=True):
        blank = Correction(e.sha256, e.path, input_root=root)
        old = stored.get(blank.key) or stored.get((e.sha256, e.path)) or blank
        new = Correction(e.sha256, e.path, decision=_pick(e, "decision", old.decision),
                         comment=_pick(e, "comment", old.comment),
                         legal_basis=_pick(e, "legal_basis", old.legal_basis),
                         reviewer=e.reviewer or old.reviewer, at=at, source=source, input_root=root)
        if old.key == new.key and (new.decision, new.comment, new.legal_basis, new.reviewer) == (
                old.decision, old.comment, old.legal_basis, old.reviewer):
            unchanged += 1
        else:
            changed.append(new)
    return changed, unchanged


def _pick(entry: ReviewEntry, name: str, previous: str | None) -> str | None:
    given = getattr(entry, name)
    return given or (None if name in entry.cleared else previous)


def corrected_basis(store: StateStore, *, by_path: bool = False) -> dict:
    """The reviewers' corrected 根拠法令, for the rules engine of the next run.

    Default: {(sha256, path): text} (applies to the exact file version reviewed). by_path=True:
    {path: text}, the newest correction per path, also for a file edited since (its basis rarely changes).
    """
    items = sorted((c for c in store.corrections().values() if c.legal_basis), key=lambda c: c.at)
    if by_path:
        return {c.path: c.legal_basis for c in items}
    return {c.key: c.legal_basis for c in items}


def apply_corrections(rows: list[RegisterRow], store: StateStore, *, policy: str = "default") -> list[RegisterRow]:
    """Show the reviewers' decisions on the machine's rows (the machine's stays in machine_decision).

    A correction tied to an input folder wins over one for any folder. A correction whose file version is
    not in this run is stale for its path (the file changed): that row asks for a new review. A correction
    for any folder is not stale for a path whose reviewed version is still there (in another input folder).
    """
    corrections = store.corrections()
    current = {(r.sha256, r.path) for r in rows}
    newest: dict[tuple[str, str], Correction] = {}  # (input_root or "", path) → the newest correction
    for c in sorted(corrections.values(), key=lambda c: c.at):
        newest[(c.input_root, c.path)] = c
    out = []
    for row in rows:
        exact = corrections.get((row.sha256, row.path, row.input_root)) or corrections.get((row.sha256, row.path))
        if exact is not None:
            out.append(_apply(row, exact, policy))
            continue
        old = newest.get((row.input_root, row.path))
        if old is None:
            anywhere = newest.get(("", row.path))
            old = anywhere if anywhere is not None and (anywhere.sha256, anywhere.path) not in current else None
        out.append(_stale(row, old) if old is not None else row)
    return out


@lru_cache(maxsize=8)
def _policy(name: str):
    from rules.policy import load_policy

    try:
        return load_policy(name or "default")
    except Exception:  # noqa: BLE001 - a policy that no longer loads: the default one's choice
        return load_policy("default")


def reviewed_replacement(row: RegisterRow, policy: str = "default") -> str:
    """見直し後の取扱い of a row a reviewer decided `abolish`, derived as the rules would: the machine's when it
    said abolish; else 署名 for the policy's shomei document classes (誓約書/同意書/承諾書/委任状), for a
    form already asking for a signature (keep_existing_signature) or where the machine said 署名; else the
    policy's default (記名のみ)."""
    machine = row.machine_decision or row.decision
    if machine == "abolish" and row.replacement:
        return row.replacement
    pol = _policy(policy)
    signed = pol.keep_existing_signature and bool(row.signature_required)
    if "shomei" in (row.replacement, row.machine_replacement) or (row.document_class or "") in pol.shomei_classes or signed:
        return "shomei"
    return pol.default_replacement


def _apply(row: RegisterRow, c: Correction, policy: str = "default") -> RegisterRow:
    machine = row.machine_decision or row.decision
    decision = c.decision or row.decision
    replacement = reviewed_replacement(row, policy) if decision == "abolish" else None
    reason = row.reason
    if c.decision and not reason.startswith(REVIEW_PREFIX):
        reason = f"{REVIEW_PREFIX}「{DECISIONS.get(decision, decision)}」と判定（機械判定: {DECISIONS.get(machine, machine)}）。{reason}"
    return replace(row, decision=decision, replacement=replacement, reason=reason, machine_decision=machine,
                   machine_replacement=machine_replacement(row), reviewed=True, review_decision=c.decision, reviewer_comment=c.comment,
                   corrected_basis=c.legal_basis, reviewer=c.reviewer)


def _stale(row: RegisterRow, c: Correction) -> RegisterRow:
    """The file changed after the correction: keep the machine's decision and ask for a new review."""
    machine = row.machine_decision or row.decision
    label = DECISIONS.get(c.decision or "", "なし")
    note = (f"レビュー（{c.at[:10]}、判定「{label}」）の後にファイルが変更されたため、前回の修正は適用していません。"
            "再確認してください。")
    decision = row.decision if row.decision == "error" else "needs_review"
    return replace(row, decision=decision, replacement=None if decision != "abolish" else row.replacement,
                   machine_decision=machine, machine_replacement=machine_replacement(row), reviewed=False,
                   review_note=note)


def machine_replacement(row: RegisterRow) -> str | None:
    """The machine's own replacement, kept when a correction changes the shown one (for 変更履歴)."""
    return row.machine_replacement or (row.replacement if row.machine_decision is None else None)
