"""What changed since the previous run: new, removed and changed files, and every decision that changed.

Plain functions (no Prefect). `decisions` compares the machine's own decision and replacement on both
sides (a reviewer's override is applied later, the same way each run), so a change there is a change of
the rules' outcome. `reviews` lists the changes of the decision SHOWN in the register that come from the
reviewers (a correction imported, changed or withdrawn, or set aside because the file changed after it).
The result is a JSON-ready dict (`RunChanges.to_json()`), shown on the 変更履歴 sheet, in the Prefect
markdown artifact and kept in the state store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from output.changes_sheet import VERSION_LABELS
from output.changes_sheet import decision_label as label
from output.markdown_text import md
from output.models import RegisterRow


@dataclass
class FileChange:
    path: str
    title: str
    old_sha256: str | None = None
    new_sha256: str | None = None


@dataclass
class DecisionChange:
    path: str
    title: str
    department: str | None
    old_decision: str
    new_decision: str
    old_replacement: str | None
    new_replacement: str | None
    reason: str  # why the new decision is what it is (the rule's own reason, e.g. the law's amendment)
    cause: str  # what moved it: the file changed, the as-of date, the catalogue …


@dataclass
class RunChanges:
    previous_run: int | None = None
    previous_started: str | None = None
    versions: dict[str, list] = field(default_factory=dict)  # key → [old, new], only those that changed
    new_files: list[FileChange] = field(default_factory=list)
    removed_files: list[FileChange] = field(default_factory=list)
    changed_files: list[FileChange] = field(default_factory=list)
    decisions: list[DecisionChange] = field(default_factory=list)
    reviews: list[DecisionChange] = field(default_factory=list)  # shown decision moved by a review

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def empty(self) -> bool:
        return not (self.new_files or self.removed_files or self.changed_files or self.decisions or self.reviews)


def key_of(row: RegisterRow) -> tuple[str, str]:
    return (row.input_root, row.path)


UNKNOWN = object()  # the machine's replacement of a reviewed row stored before machine_replacement existed
CAUSE_STALE = "レビュー後にファイルが変更されたため要確認"
CAUSE_IMPORTED, CAUSE_EDITED, CAUSE_WITHDRAWN = "レビュー結果の反映", "レビュー結果の修正", "レビュー結果の取り消し"


def machine(row: RegisterRow) -> str:
    return row.machine_decision or row.decision


def machine_replacement(row: RegisterRow):
    """The machine's own replacement of a stored (shown) row, or UNKNOWN.

    A row no reviewer touched shows the machine's own values. A reviewed or stale row shows the reviewer's
    replacement (e.g. 記名のみ for an override to abolish); its machine replacement is `machine_replacement`
    when recorded, the shown one when the reviewer kept the machine's decision, else unknown.
    """
    if row.machine_decision is None:
        return row.replacement
    if row.machine_replacement is not None:
        return row.machine_replacement
    if row.machine_decision == row.decision:
        return row.replacement
    return None if row.machine_decision != "abolish" else UNKNOWN


def with_machine_replacement(rows: list[RegisterRow]) -> list[RegisterRow]:
    """Record each machine row's own replacement before the reviewers' corrections are applied."""
    for row in rows:
        if row.machine_decision is None:
            row.machine_replacement = row.replacement
    return rows


def machine_changed(before: RegisterRow, after: RegisterRow) -> bool:
    """Did the machine's outcome change? `after` is a machine row (no correction applied)."""
    if machine(before) != after.decision:
        return True
    old = machine_replacement(before)
    return old is not UNKNOWN and old != after.replacement


def shown(row: RegisterRow) -> tuple[str, str | None]:
    return (row.decision, row.replacement if row.decision == "abolish" else None)


def overridden(row: RegisterRow) -> bool:
    """Does the row show something else than the machine's own outcome (a review, or a stale one)?"""
    return row.machine_decision is not None and (row.reviewed or bool(row.review_note)
                                                  or row.machine_decision != row.decision)


def review_cause(before: RegisterRow, after: RegisterRow) -> str:
    if after.review_note:
        return CAUSE_STALE
    if after.reviewed:
        return CAUSE_EDITED if before.reviewed else CAUSE_IMPORTED
    return CAUSE_WITHDRAWN if before.reviewed else "レビュー状況の変更"


def version_changes(old: dict, new: dict) -> dict[str, list]:
    return {k: [old.get(k), new.get(k)] for k in VERSION_LABELS if old.get(k) != new.get(k) and k in new}


def cause_of(old: RegisterRow, new: RegisterRow) -> str:
    """What moved the decision, in Japanese: the file itself, or which versions changed."""
    if old.sha256 != new.sha256:
        return "様式ファイルが変更されたため"
    moved = version_changes(old.versions or {}, new.versions or {})
    parts = [f"{VERSION_LABELS[k]}の変更（{a or '不明'} → {b}）" for k, (a, b) in moved.items()]
    return "、".join(parts) + "による再判定" if parts else "レビュー結果（根拠法令の修正）などによる再判定"


def compare(
    old_rows: list[RegisterRow],
    new_rows: list[RegisterRow],
    *,
    previous_run: int | None = None,
    previous_started: str | None = None,
    shown_rows: list[RegisterRow] | None = None,
) -> RunChanges:
    """Compare the previous run's rows (as shown) with this run's machine rows and, when given, this
    run's rows as shown (the reviewers' corrections applied): changes that come from reviews only."""
    old = {key_of(r): r for r in old_rows}
    new = {key_of(r): r for r in new_rows}
    changes = RunChanges(previous_run=previous_run, previous_started=previous_started)
    if old_rows and new_rows:
        changes.versions = version_changes(old_rows[0].versions or {}, new_rows[0].versions or {})
    for key in sorted(new.keys() - old.keys()):
        changes.new_files.append(FileChange(new[key].path, new[key].title, new_sha256=new[key].sha256))
    for key in sorted(old.keys() - new.keys()):
        changes.removed_files.append(FileChange(old[key].path, old[key].title, old_sha256=old[key].sha256))
    for key in sorted(old.keys() & new.keys()):
        before, after = old[key], new[key]
        if before.sha256 != after.sha256:
            changes.changed_files.append(FileChange(after.path, after.title, before.sha256, after.sha256))
        if machine_changed(before, after):
            old_replacement = machine_replacement(before)
            changes.decisions.append(DecisionChange(
                path=after.path, title=after.title, department=after.department,
                old_decision=machine(before), new_decision=after.decision,
                old_replacement=None if old_replacement is UNKNOWN else old_replacement,
                new_replacement=after.replacement, reason=after.reason, cause=cause_of(before, after)))
    changes.reviews = review_changes(old, {key_of(r): r for r in shown_rows or []})
    return changes


def review_changes(old: dict, shown_new: dict) -> list[DecisionChange]:
    """Shown decisions that moved because of a review (not because the machine's outcome moved)."""
    out = []
    for key in sorted(old.keys() & shown_new.keys()):
        before, after = old[key], shown_new[key]
        if shown(before) == shown(after) or not (overridden(before) or overridden(after)):
            continue
        out.append(DecisionChange(
            path=after.path, title=after.title, department=after.department,
            old_decision=before.decision, new_decision=after.decision,
            old_replacement=shown(before)[1], new_replacement=shown(after)[1],
            reason=after.review_note or after.reviewer_comment or after.reason, cause=review_cause(before, after)))
    return out


def markdown(changes: dict) -> str:
    """The 変更履歴 as Markdown (the Prefect artifact)."""
    lines = ["# 変更履歴（前回の実行との比較）", ""]
    if changes.get("previous_run") is None:
        return "\n".join(lines + ["前回の実行がないため、すべての様式を新規として扱いました。"])
    lines.append(f"前回の実行: #{changes['previous_run']}（{md(changes.get('previous_started') or '不明')}）")
    for key, (a, b) in (changes.get("versions") or {}).items():
        lines.append(f"- {VERSION_LABELS.get(key, key)}: {a or '不明'} → {b}")
    lines.append("")
    for title, items in (("新規の様式", changes["new_files"]), ("削除された様式", changes["removed_files"]),
                         ("内容が変更された様式", changes["changed_files"])):
        lines.append(f"## {title}（{len(items)} 件）")
        lines += [f"- {md(f['path'])}（{md(f['title'])}）" for f in items[:500]] or ["なし"]
        lines.append("")
    lines += [f"## 判定が変わった様式（{len(changes['decisions'])} 件）", ""]
    if changes["decisions"]:
        lines += ["| ファイル | 変更前 | 変更後 | 理由 | きっかけ |", "|---|---|---|---|---|"]
        lines += [f"| {md(d['path'])} | {md(label(d['old_decision'], d['old_replacement']))} | "
                  f"{md(label(d['new_decision'], d['new_replacement']))} | {md(d['reason'])} | {md(d['cause'])} |"
                  for d in changes["decisions"][:500]]
    else:
        lines.append("なし")
    reviews = changes.get("reviews") or []
    lines += ["", f"## レビューにより表示が変わった様式（{len(reviews)} 件）", ""]
    if reviews:
        lines += ["| ファイル | 変更前 | 変更後 | 理由 | きっかけ |", "|---|---|---|---|---|"]
        lines += [f"| {md(d['path'])} | {md(label(d['old_decision'], d['old_replacement']))} | "
                  f"{md(label(d['new_decision'], d['new_replacement']))} | {md(d['reason'])} | {md(d['cause'])} |"
                  for d in reviews[:500]]
    else:
        lines.append("なし")
    return "\n".join(lines)


def summary_line(changes: dict) -> str:
    if changes.get("previous_run") is None:
        return "前回の実行がないため、すべて新規として扱いました。"
    return (f"前回から: 新規 {len(changes['new_files'])} 件、削除 {len(changes['removed_files'])} 件、"
            f"内容変更 {len(changes['changed_files'])} 件、判定の変更 {len(changes['decisions'])} 件、"
            f"レビューによる変更 {len(changes.get('reviews') or [])} 件。")
