"""Sheets 集計 (totals, the Kawasaki sentence, a chart) and 根拠法令一覧 (legal bases with their forms)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from output.columns import basis_level_text
from output.models import RegisterRow
from output.summary import summarize
from output.xlsx_style import (
    STYLE_BOLD,
    STYLE_INFO,
    STYLE_SUBTITLE,
    STYLE_TABLE,
    STYLE_TABLE_WRAP,
    STYLE_TITLE,
    Sheet,
    a4_landscape,
    fit_widths,
    header_row,
)
from rules.models import EFFECT_LABELS, NON_LAW_KINDS


def write_summary_sheet(ws: Sheet, rows: list[RegisterRow], run_info: dict) -> None:
    s = summarize(rows)
    ws.put(1, 1, "押印・署名の見直し 集計", STYLE_TITLE)
    ws.put(2, 1, s["sentence"], STYLE_SUBTITLE)
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


def _run_info(ws: Sheet, row: int, info: dict, s: dict) -> int:
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
        ws.put(row + offset, 1, key, STYLE_BOLD)
        ws.merge(row + offset, 2, 9, value, STYLE_INFO)
        lines = str(value).count("\n") + 1
        if lines > 1:
            ws.height(row + offset, 15 * lines)
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


def _signature_tables(ws: Sheet, row: int, s: dict) -> int:
    """署名 like 押印: forms asking for a signature by 判定, 根拠区分 × 判定 and 所管 × 判定."""
    sig = s["signature"]
    total = sum(sig["by_decision"].values())
    row = _table(ws, row, "署名を求めている様式：判定別件数", ["判定", "件数"],
                 [[k, v] for k, v in sig["by_decision"].items()] + [["計", total]])
    row = _cross_table(ws, row + 1, "署名を求めている様式：根拠区分 × 判定", "根拠区分", sig["by_basis"])
    return _cross_table(ws, row + 1, "署名を求めている様式：所管 × 判定", "所管", sig["by_department"])


def _online_tables(ws: Sheet, row: int, online: dict) -> int:
    """オンライン化: the sentence, counts by class, 所管 × class."""
    ws.put(row, 1, online["sentence"], STYLE_BOLD)
    by_class = online["by_class"]
    row = _table(ws, row + 1, "オンライン化の分類別件数", ["オンライン化", "件数"],
                 [[k, v] for k, v in by_class.items() if k != "計"] + [["計", by_class["計"]]])
    return _cross_table(ws, row + 1, "所管 × オンライン化", "所管", online["by_department"])


def _table(ws: Sheet, row: int, title: str, header: list[str], body: list[list]) -> int:
    ws.put(row, 1, title, STYLE_BOLD)
    header_row(ws, row + 1, header)
    for i, values in enumerate(body, start=row + 2):
        for col, value in enumerate(values, start=1):
            ws.put(i, col, value, STYLE_TABLE)
    return row + 2 + len(body)


def _cross_table(ws: Sheet, row: int, title: str, label: str, table: dict[str, dict[str, int]]) -> int:
    columns = list(next(iter(table.values())).keys()) if table else ["計"]
    body = [[name, *[counts.get(c, 0) for c in columns]] for name, counts in table.items()]
    totals = ["計", *[sum(counts.get(c, 0) for counts in table.values()) for c in columns]]
    return _table(ws, row, title, [label, *columns], [*body, totals])


def _chart(ws: Sheet, first_row: int, count: int) -> None:
    """Bars of 判定別件数: the header row (件数) names the series, the rows below are its values and categories."""
    chart = ws.book.workbook.add_chart({"type": "bar"})
    r0, r1 = first_row - 1, first_row + count - 1  # 0-based: the header row, the last row
    chart.add_series({"name": [ws.title, r0, 1], "categories": [ws.title, r0 + 1, 0, r1, 0],
                      "values": [ws.title, r0 + 1, 1, r1, 1]})
    chart.set_title({"name": "判定別件数"})
    chart.set_legend({"none": True})
    chart.set_size({"width": CHART_PX[0], "height": CHART_PX[1]})
    ws.ws.insert_chart(f"K{first_row}", chart)


CHART_PX = (529, 302)  # 14 × 8 cm at 96 px per inch


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


def write_bases_sheet(ws: Sheet, rows: list[RegisterRow]) -> None:
    header_row(ws, 1, BASES_HEADER)
    index = bases_index(rows)
    r = 1
    for r, (citation, entry) in enumerate(index.items(), start=2):
        level = "レビュー者の修正" if entry["level"] == "reviewer" else basis_level_text(entry["level"])
        values = [citation, level, len(entry["forms"]), "\n".join(entry["forms"]), *_catalogue_cells(entry["entry"])]
        for col, value in enumerate(values, 1):
            ws.put(r, col, value, STYLE_TABLE_WRAP)
    ws.freeze(2)
    ws.autofilter(1, max(len(index) + 1, 2), len(BASES_HEADER))
    missing = missing_laws(index)
    start = r + 2
    ws.put(start, 1, f"カタログにない国・県の法令 {len(missing)} 件（件数の多い順。カタログに追加すると要確認が減ります）",
           STYLE_BOLD)
    header_row(ws, start + 1, MISSING_HEADER)
    for i, (name, level, forms) in enumerate(missing, start=1):
        for col, value in enumerate([i, name, basis_level_text(level), len(forms), "\n".join(forms)], 1):
            ws.put(start + 1 + i, col, value, STYLE_TABLE_WRAP)
    fit_widths(ws, {1: [BASES_HEADER[0], *index.keys()], 2: ["要綱・要領等"], 3: ["件数"],
                    4: [f for e in index.values() for f in e["forms"]], 5: ["law.kokumin_kenko_hoken"],
                    6: ["国民健康保険法"], 7: ["厚生労働省"], 8: ["押印義務なし（廃止可）"], 9: ["2020-12-25〜"],
                    10: ["令和2年厚生労働省令第208号"], 11: ["https://www.example.go.jp/notice"]},
               caps={1: 40, 4: 70, 6: 30, 10: 40, 11: 40})
    a4_landscape(ws, title_rows=(1, 1))


def write_revisions_sheet(ws: Sheet, rows: list[RegisterRow]) -> None:
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
                ws.put(r, col, value, STYLE_TABLE_WRAP)
    ws.freeze(2)
    ws.autofilter(1, max(r, 2), 5)
    fit_widths(ws, {1: [header[0], *(row.path for row in rows if row.revisions)], 2: ["修正案"], 3: ["p.1 表1 2行3列"],
                    4: ["修正前の文字列"], 5: ["修正後の文字列"]}, caps={1: 50, 2: 40, 4: 50, 5: 50})
    a4_landscape(ws, title_rows=(1, 1))
