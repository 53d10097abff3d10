"""Sheet 変更履歴 of register.xlsx: what every run found changed since the run before it, newest first.

Input: `run_info["history"]`, one entry per run (this one first) with its start, 基準日, command, run id and
the JSON dict of its `output.changes.RunChanges` (None for a scan, which does not compare); without a history,
just this run's `run_info["changes"]`. So the workbook itself is the audit trail: a change listed by one
re-audit is still there after the next ones. Writing only: nothing is decided here.
"""

from __future__ import annotations

from output.xlsx_sheets import jst
from output.xlsx_style import (
    STYLE_TABLE_WRAP,
    STYLE_TITLE,
    Sheet,
    a4_landscape,
    fit_widths,
    header_row,
)
from rules.models import DECISIONS, REPLACEMENTS

CHANGES_SHEET = "変更履歴"
COLUMNS = ["区分", "ファイル", "様式名", "変更前の判定", "変更後の判定", "理由", "きっかけ"]
RUN_COLUMNS = ["実行日時", "基準日", "実行"]
HISTORY_COLUMNS = [*RUN_COLUMNS, *COLUMNS, "実行ID"]
KIND_SETTING, KIND_NONE, KIND_SCAN = "設定の変更", "変更なし", "比較なし"
COMMANDS = {"scan": "スキャン", "reaudit": "再監査"}
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


def run_rows(entry: dict) -> list[list[str]]:
    """The lines of one run: its changed settings, then its changes; one line when there is nothing to list."""
    changes = entry.get("changes")
    if changes is None:
        return [[KIND_SCAN, "", "", "", "", "スキャンでは前回の実行との比較を記録しません（再監査で比較します）", ""]]
    settings = [[KIND_SETTING, "", "", a or "不明", b, f"{VERSION_LABELS.get(k, k)}の変更", ""]
                for k, (a, b) in (changes.get("versions") or {}).items()]
    listed = change_rows(changes)
    if not listed:
        listed = [[KIND_NONE, "", "", "", "", "変更はありません。", ""]]
    return settings + listed


def history_rows(history: list[dict]) -> list[list[str]]:
    """Every run's lines, newest run first, each line led by the run's time, 基準日 and kind."""
    out = []
    for entry in history:
        lead = [jst(entry.get("started")), str(entry.get("as_of") or ""),
                COMMANDS.get(entry.get("command") or "", entry.get("command") or "")]
        out += [[*lead, *line, str(entry.get("run_key") or "")] for line in run_rows(entry)]
    return out


def write_changes_sheet(ws: Sheet, changes: dict | None, history: list[dict] | None = None) -> None:
    ws.put(1, 1, "変更履歴（すべての実行、新しい順）", STYLE_TITLE)
    history = history if history is not None else [{"changes": changes}]
    r = _heading(ws, changes) if changes is not None else 4
    header_row(ws, r, HISTORY_COLUMNS)
    rows = history_rows(history)
    for i, values in enumerate(rows, start=r + 1):
        for col, value in enumerate(values, start=1):
            ws.put(i, col, value, STYLE_TABLE_WRAP)
    ws.freeze(r + 1)
    ws.autofilter(r, r + max(len(rows), 1), len(HISTORY_COLUMNS))
    samples = {c: [HISTORY_COLUMNS[c - 1]] + [str(v[c - 1]) for v in rows[:300]]
               for c in range(1, len(HISTORY_COLUMNS) + 1)}
    fit_widths(ws, samples, minimum=8, maximum=30, caps={9: 60, 10: 40})
    a4_landscape(ws, title_rows=(r, r))


def _heading(ws: Sheet, changes: dict) -> int:
    """This run: the previous run, changed versions and the counts; returns the header row of the table."""
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
        ws.put(i, 1, text)
    return len(lines) + 3
