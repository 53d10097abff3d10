"""Sheet 変更履歴 of register.xlsx: what a re-audit found changed since the previous run.

Input: the JSON dict of `flows.changes.RunChanges` (given as `run_info["changes"]`). Writing only:
nothing is decided here.
"""

from __future__ import annotations

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from output.xlsx_style import BODY_FONT, BORDER, WRAP_TOP, a4_landscape, fit_widths, header_row, put
from rules.models import DECISIONS, REPLACEMENTS

CHANGES_SHEET = "変更履歴"
COLUMNS = ["区分", "ファイル", "様式名", "変更前の判定", "変更後の判定", "理由", "きっかけ"]
KIND_NEW, KIND_REMOVED, KIND_CHANGED, KIND_DECISION = "新規", "削除", "内容変更", "判定変更"
KIND_REVIEW = "判定変更（レビュー）"  # the shown decision moved because of a review, not the machine's
VERSION_LABELS = {"as_of": "基準日", "catalogue": "根拠法令カタログ", "policy": "判定方針",
                  "patterns": "検出パターン", "extractor": "読取処理", "ja_ginza": "言語モデル（ja_ginza）"}


def decision_label(decision: str | None, replacement: str | None = None) -> str:
    text = DECISIONS.get(decision or "", decision or "")
    return f"{text}（{REPLACEMENTS[replacement]}）" if replacement in REPLACEMENTS else text


def change_rows(changes: dict) -> list[list[str]]:
    """One line per new / removed / changed file, per changed machine decision and per review change."""
    out: list[list[str]] = []
    out += [[KIND_NEW, f["path"], f["title"], "", "", "前回の実行以降に追加された様式", ""] for f in changes["new_files"]]
    out += [[KIND_REMOVED, f["path"], f["title"], "", "", "入力フォルダから無くなった様式", ""]
            for f in changes["removed_files"]]
    out += [[KIND_CHANGED, f["path"], f["title"], "", "", "ファイルの内容が変更された（ハッシュ値が異なる）", ""]
            for f in changes["changed_files"]]
    out += [[KIND_DECISION, d["path"], d["title"], decision_label(d["old_decision"], d["old_replacement"]),
             decision_label(d["new_decision"], d["new_replacement"]), d["reason"], d["cause"]]
            for d in changes["decisions"]]
    out += [[KIND_REVIEW, d["path"], d["title"], decision_label(d["old_decision"], d["old_replacement"]),
             decision_label(d["new_decision"], d["new_replacement"]), d["reason"], d["cause"]]
            for d in changes.get("reviews") or []]
    return out


def write_changes_sheet(ws: Worksheet, changes: dict) -> None:
    put(ws, 1, 1, "変更履歴（前回の実行との比較）").font = Font(name=BODY_FONT.name, bold=True, size=14)
    r = _heading(ws, changes)
    header_row(ws, r, COLUMNS)
    rows = change_rows(changes)
    for i, values in enumerate(rows, start=r + 1):
        for col, value in enumerate(values, start=1):
            cell = put(ws, i, col, value)
            cell.font, cell.alignment, cell.border = BODY_FONT, WRAP_TOP, BORDER
    if not rows:
        put(ws, r + 1, 1, "変更はありません。")
    ws.freeze_panes = f"A{r + 1}"
    if rows:
        ws.auto_filter.ref = f"A{r}:G{r + len(rows)}"
    samples = {c: [COLUMNS[c - 1]] + [str(v[c - 1]) for v in rows[:300]] for c in range(1, len(COLUMNS) + 1)}
    fit_widths(ws, samples, minimum=8, maximum=30, caps={6: 60, 7: 40})
    a4_landscape(ws, title_rows=f"{r}:{r}")


def _heading(ws: Worksheet, changes: dict) -> int:
    """Previous run, changed versions and the counts; returns the header row of the table."""
    if changes.get("previous_run") is None:
        lines = ["前回の実行がないため、すべての様式を新規として扱いました。"]
    else:
        lines = [f"前回の実行: #{changes['previous_run']}（{changes.get('previous_started') or '不明'}）"]
        lines += [f"{VERSION_LABELS.get(k, k)}: {a or '不明'} → {b}" for k, (a, b) in
                  (changes.get("versions") or {}).items()]
    lines.append(f"新規 {len(changes['new_files'])} 件、削除 {len(changes['removed_files'])} 件、"
                 f"内容変更 {len(changes['changed_files'])} 件、判定の変更 {len(changes['decisions'])} 件、"
                 f"レビューによる変更 {len(changes.get('reviews') or [])} 件")
    for i, text in enumerate(lines, start=2):
        put(ws, i, 1, text)
    return len(lines) + 3
