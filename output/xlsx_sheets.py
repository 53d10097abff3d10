"""Sheets 集計 (totals, the Kawasaki sentence, a chart) and 根拠法令一覧 (legal bases with their forms)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from output.columns import basis_level_text
from output.models import RegisterRow
from output.summary import summarize
from output.xlsx_style import (
    BODY_FONT,
    STYLE_TABLE,
    STYLE_TABLE_WRAP,
    a4_landscape,
    fit_widths,
    header_row,
    put,
    styled,
)
from rules.models import EFFECT_LABELS, NON_LAW_KINDS


def write_summary_sheet(ws: Worksheet, rows: list[RegisterRow], run_info: dict) -> None:
    s = summarize(rows)
    put(ws, 1, 1, "押印・署名の見直し 集計").font = Font(name=BODY_FONT.name, bold=True, size=14)
    put(ws, 2, 1, s["sentence"]).font = Font(name=BODY_FONT.name, bold=True, size=12)
    r = _run_info(ws, 4, run_info, s)
    chart_anchor_row = r + 1
    r = _table(ws, r + 1, "判定別件数", ["判定", "件数"], [[k, v] for k, v in s["by_decision"].items()]
               + [["計", s["total"]]])
    _chart(ws, chart_anchor_row + 1, len(s["by_decision"]))
    r = _cross_table(ws, r + 1, "根拠区分 × 判定", "根拠区分", s["by_basis"])
    r = _cross_table(ws, r + 1, "所管 × 判定", "所管", s["by_department"])
    r = _signature_tables(ws, r + 1, s)
    r = _cross_table(ws, r + 1, "押印・署名の見直し結果（狛江市方式）", "区分", s["signatures"])
    _online_tables(ws, r + 1, s["online"])
    fit_widths(ws, {1: ["根拠区分", "要領その他", "（所管なし）"], **{c: ["存続（登録印）"] for c in range(2, 10)}},
               maximum=30)
    a4_landscape(ws)


def _run_info(ws: Worksheet, row: int, info: dict, s: dict) -> int:
    versions = info.get("versions") or {}
    items = [
        ("基準日", str(info.get("as_of", ""))),
        ("開始", jst(info.get("started"))),
        ("終了", jst(info.get("finished"))),
        ("入力フォルダ", "\n".join(str(p) for p in info.get("inputs", []) or [])),
        ("バージョン", "\n".join(f"{k}: {v}" for k, v in versions.items())),
        ("ファイル数", s["total"]),
        ("レビュー反映済み", s["reviewed"]),
    ]
    for offset, (key, value) in enumerate(items):
        put(ws, row + offset, 1, key).font = Font(name=BODY_FONT.name, bold=True)
        cell = put(ws, row + offset, 2, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        ws.merge_cells(start_row=row + offset, start_column=2, end_row=row + offset, end_column=9)
        lines = str(value).count("\n") + 1
        if lines > 1:
            ws.row_dimensions[row + offset].height = 15 * lines
    return row + len(items)


JST = ZoneInfo("Asia/Tokyo")


def jst(stamp: object) -> str:
    """An ISO time with its offset, in Japan time: `2025-04-01T00:30:00+00:00` → `2025-04-01 09:30:00（日本時間）`.
    A time without an offset or not a time at all is shown as given."""
    text = "" if stamp is None else str(stamp)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    if when.tzinfo is None:
        return text
    return when.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S") + "（日本時間）"


def _signature_tables(ws: Worksheet, row: int, s: dict) -> int:
    """署名 like 押印: forms asking for a signature by 判定, 根拠区分 × 判定 and 所管 × 判定."""
    sig = s["signature"]
    total = sum(sig["by_decision"].values())
    row = _table(ws, row, "署名を求めている様式：判定別件数", ["判定", "件数"],
                 [[k, v] for k, v in sig["by_decision"].items()] + [["計", total]])
    row = _cross_table(ws, row + 1, "署名を求めている様式：根拠区分 × 判定", "根拠区分", sig["by_basis"])
    return _cross_table(ws, row + 1, "署名を求めている様式：所管 × 判定", "所管", sig["by_department"])


def _online_tables(ws: Worksheet, row: int, online: dict) -> int:
    """オンライン化: the sentence, counts by class, 所管 × class."""
    put(ws, row, 1, online["sentence"]).font = Font(name=BODY_FONT.name, bold=True)
    by_class = online["by_class"]
    row = _table(ws, row + 1, "オンライン化の分類別件数", ["オンライン化", "件数"],
                 [[k, v] for k, v in by_class.items() if k != "計"] + [["計", by_class["計"]]])
    return _cross_table(ws, row + 1, "所管 × オンライン化", "所管", online["by_department"])


def _table(ws: Worksheet, row: int, title: str, header: list[str], body: list[list]) -> int:
    put(ws, row, 1, title).font = Font(name=BODY_FONT.name, bold=True)
    header_row(ws, row + 1, header)
    for i, values in enumerate(body, start=row + 2):
        for col, value in enumerate(values, start=1):
            styled(put(ws, i, col, value), STYLE_TABLE)
    return row + 2 + len(body)


def _cross_table(ws: Worksheet, row: int, title: str, label: str, table: dict[str, dict[str, int]]) -> int:
    columns = list(next(iter(table.values())).keys()) if table else ["計"]
    body = [[name, *[counts.get(c, 0) for c in columns]] for name, counts in table.items()]
    totals = ["計", *[sum(counts.get(c, 0) for counts in table.values()) for c in columns]]
    return _table(ws, row, title, [label, *columns], [*body, totals])


def _chart(ws: Worksheet, first_row: int, count: int) -> None:
    chart = BarChart()
    chart.type = "bar"
    chart.title = "判定別件数"
    chart.legend = None
    data = Reference(ws, min_col=2, min_row=first_row, max_row=first_row + count)
    cats = Reference(ws, min_col=1, min_row=first_row + 1, max_row=first_row + count)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.height, chart.width = 8, 14
    ws.add_chart(chart, f"K{first_row}")


BASES_HEADER = ["根拠法令", "区分", "件数", "この根拠法令を挙げている様式", "カタログ", "法令（カタログ）", "所管",
                "基準日の効果", "期間", "改正した法令等", "出典"]
MISSING_HEADER = ["順位", "カタログにない国・県の法令（調査候補）", "区分", "件数", "この法令を挙げている様式"]


def bases_index(rows: list[RegisterRow]) -> dict[str, dict]:
    """citation → {level, forms: [様式名（ファイル）], entry: the catalogue's item or None} over the machine's and
    reviewers' bases, the most cited first."""
    index: dict[str, dict] = {}
    for row in rows:
        cited = [(b.get("citation", ""), b.get("level", ""), b) for b in row.legal_basis]
        if row.corrected_basis:
            cited.append((row.corrected_basis, "reviewer", {}))
        for citation, level, item in cited:
            if not citation:
                continue
            entry = index.setdefault(citation, {"level": level, "forms": [], "entry": None, "kind": item.get("kind")})
            entry["forms"].append(f"{row.title}（{row.path}）")
            if item.get("catalogue_id"):
                entry["entry"] = item
    return dict(sorted(index.items(), key=lambda kv: (-len(kv[1]["forms"]), kv[0])))


def missing_laws(index: dict[str, dict]) -> list[tuple[str, str, list[str]]]:
    """National or prefectural laws cited that the catalogue lacks, by law name (articles merged), most cited first:
    the research list for staff."""
    laws: dict[str, tuple[str, list[str]]] = {}
    for citation, e in index.items():
        if e["entry"] or e["level"] not in ("national", "prefectural") or e.get("kind") in NON_LAW_KINDS:
            continue
        name = re.sub(r"第[0-9]+条.*$", "", citation) or citation
        level, forms = laws.setdefault(name, (e["level"], []))
        forms.extend(f for f in e["forms"] if f not in forms)
    return sorted(((n, lv, f) for n, (lv, f) in laws.items()), key=lambda t: (-len(t[2]), t[0]))


def _catalogue_cells(item: dict | None) -> list[str]:
    if not item:
        return ["", "", "", "", "", "", ""]
    return [item.get("catalogue_id", ""), item.get("law", ""), item.get("ministry", ""),
            EFFECT_LABELS.get(item.get("effect", ""), item.get("effect", "")), item.get("period", ""),
            item.get("instrument", ""), item.get("source", "")]


def write_bases_sheet(ws: Worksheet, rows: list[RegisterRow]) -> None:
    header_row(ws, 1, BASES_HEADER)
    index = bases_index(rows)
    r = 1
    for r, (citation, entry) in enumerate(index.items(), start=2):
        level = "レビュー者の修正" if entry["level"] == "reviewer" else basis_level_text(entry["level"])
        values = [citation, level, len(entry["forms"]), "\n".join(entry["forms"]), *_catalogue_cells(entry["entry"])]
        for col, value in enumerate(values, 1):
            styled(put(ws, r, col, value), STYLE_TABLE_WRAP)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(BASES_HEADER))}{max(len(index) + 1, 2)}"
    missing = missing_laws(index)
    start = r + 2
    put(ws, start, 1, f"カタログにない国・県の法令 {len(missing)} 件（件数の多い順。カタログに追加すると要確認が減ります）").font = \
        Font(name=BODY_FONT.name, bold=True)
    header_row(ws, start + 1, MISSING_HEADER)
    for i, (name, level, forms) in enumerate(missing, start=1):
        for col, value in enumerate([i, name, basis_level_text(level), len(forms), "\n".join(forms)], 1):
            styled(put(ws, start + 1 + i, col, value), STYLE_TABLE_WRAP)
    fit_widths(ws, {1: [BASES_HEADER[0], *index.keys()], 2: ["要綱・要領等"], 3: ["件数"],
                    4: [f for e in index.values() for f in e["forms"]], 5: ["law.kokumin_kenko_hoken"],
                    6: ["国民健康保険法"], 7: ["厚生労働省"], 8: ["押印義務なし（廃止可）"], 9: ["2020-12-25〜"],
                    10: ["令和2年厚生労働省令第208号"], 11: ["https://www.example.go.jp/notice"]},
               caps={1: 40, 4: 70, 6: 30, 10: 40, 11: 40})
    a4_landscape(ws, title_rows="1:1")


def write_revisions_sheet(ws: Worksheet, rows: list[RegisterRow]) -> None:
    """修正一覧: every edit of every revised draft, so a reviewer can check them one by one."""
    header = ["ファイル", "修正案", "場所", "修正前", "修正後"]
    header_row(ws, 1, header)
    r = 1
    for row in rows:
        for edit in row.revisions:
            r += 1
            values = [row.path, row.revised_path or "（PDF のため修正箇所の一覧のみ）", edit.get("location", ""),
                      edit.get("before", ""), edit.get("after") or "（削除）"]
            for col, value in enumerate(values, 1):
                styled(put(ws, r, col, value), STYLE_TABLE_WRAP)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:E{max(r, 2)}"
    fit_widths(ws, {1: [header[0], *(row.path for row in rows if row.revisions)], 2: ["修正案"], 3: ["p.1 表1 2行3列"],
                    4: ["修正前の文字列"], 5: ["修正後の文字列"]}, caps={1: 50, 2: 40, 4: 50, 5: 50})
    a4_landscape(ws, title_rows="1:1")
