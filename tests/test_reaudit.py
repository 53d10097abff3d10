"""Re-audits: a changed file shows up alone in 変更履歴; an as-of date across 2021-09-01 moves 婚姻届."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.changes import compare
from flows.reaudit import run_reaudit
from flows.scan import run_scan
from output.models import RegisterRow
from output.state import StateStore
from tests.test_serve import api, copy_forms, prefect_api_url  # noqa: F401 - the shared server fixture

KONIN = "市民文化局/戸籍住民サービス部/婚姻届.pdf"
SEIYAKU = "健康福祉局/障害福祉課/誓約書.xlsx"
SEIKYU = "会計室/審査課/請求書.docx"


def changes_sheet(out: Path) -> list[tuple]:
    """The table rows of 変更履歴 (below its header row)."""
    ws = load_workbook(out / "register.xlsx", read_only=True)["変更履歴"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "区分")
    return [r for r in rows[header + 1 :] if r and r[0]]


def scan(inputs: Path, out: Path, as_of: str) -> dict:
    return run_scan(inputs=[str(inputs)], out=str(out), as_of=as_of, policy="default", manifest=None, workers=1)


@pytest.mark.slow
@pytest.mark.prefect
@pytest.mark.ginza
def test_as_of_across_koseki_amendment_lists_konin_with_reason(prefect_api_url: str, tmp_path: Path) -> None:  # noqa: F811
    inputs = copy_forms(tmp_path / "in", [KONIN, SEIKYU])
    out = tmp_path / "out"
    first = scan(inputs, out, "2021-08-31")
    assert first["analysed"] == 2 and first["cached"] == 0
    result = run_reaudit(inputs=None, out=str(out), as_of="2021-09-01")  # inputs from the previous run
    assert (result["cached"], result["analysed"]) == (2, 0)  # nothing re-read
    assert result["changes"] == {"new_files": 0, "removed_files": 0, "changed_files": 0, "decisions": 1}
    rows = changes_sheet(out)
    assert len(rows) == 1
    kind, path, title, before, after, reason, cause = rows[0]
    assert (kind, path, title) == ("判定変更", KONIN, "婚姻届")
    assert (before, after) == ("存続（法令等）", "廃止（署名）")
    assert "戸籍法施行規則の改正（2021-09-01" in reason and "押印は任意" in reason
    assert cause == "基準日の変更（2021-08-31 → 2021-09-01）による再判定"
    with StateStore(out) as store:
        runs = store.runs()
        saved = store.changes()
    assert [r["args"]["command"] for r in runs] == ["scan", "reaudit"]
    assert saved["decisions"][0]["path"] == KONIN and saved["previous_run"] == runs[0]["id"]
    artifacts = api(prefect_api_url, "/artifacts/filter", {"artifacts": {"key": {"any_": ["sealreview-changes"]}}})
    assert any(KONIN in (a.get("data") or "") and "戸籍法施行規則の改正" in a["data"] for a in artifacts)


@pytest.mark.slow
@pytest.mark.prefect
@pytest.mark.ginza
def test_one_changed_file_is_the_only_file_in_changes(prefect_api_url: str, tmp_path: Path) -> None:  # noqa: F811
    inputs = copy_forms(tmp_path / "in", [KONIN, SEIYAKU, SEIKYU])
    out = tmp_path / "out"
    scan(inputs, out, "2025-04-01")
    wb = load_workbook(inputs / SEIYAKU)
    wb.active["A40"] = "（令和7年4月改訂）"  # a small edit: new bytes, same kind of form
    wb.save(inputs / SEIYAKU)
    result = run_reaudit(inputs=[str(inputs)], out=str(out), as_of="2025-04-01")
    assert (result["cached"], result["analysed"]) == (2, 1)
    rows = changes_sheet(out)
    assert [(r[0], r[1]) for r in rows] == [("内容変更", SEIYAKU)]
    jsonl = [json.loads(line) for line in (out / "register.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["path"] for r in jsonl} == {KONIN, SEIYAKU, SEIKYU}


def row(path: str, sha: str, decision: str, **extra) -> RegisterRow:
    return RegisterRow(path=path, sha256=sha, format="pdf", title=Path(path).stem, department=None,
                       seal_requested=True, seal_kinds=["mitome"], signature_required=False, legal_basis=[],
                       decision=decision, replacement=extra.pop("replacement", None), reason=extra.pop("reason", ""),
                       evidence=[], confidence=1.0, error=None, input_root="/in", **extra)


def test_compare_new_removed_changed_and_reviewer_overrides() -> None:
    old = [row("a.pdf", "1", "abolish", replacement="kimei"), row("b.pdf", "2", "keep_law"),
           row("c.pdf", "3", "needs_review", machine_decision="keep_law")]  # a reviewer changed c
    new = [row("a.pdf", "1", "abolish", replacement="kimei"), row("c.pdf", "3", "keep_law"),
           row("d.pdf", "4", "no_seal")]
    changes = compare(old, new, previous_run=7)
    assert [f.path for f in changes.new_files] == ["d.pdf"]
    assert [f.path for f in changes.removed_files] == ["b.pdf"]
    assert changes.changed_files == [] and changes.decisions == []  # c: the machine said keep_law both times
    edited = compare(old, [row("a.pdf", "9", "keep_law", reason="法令で必要")])
    assert [f.path for f in edited.changed_files] == ["a.pdf"]
    assert edited.decisions[0].cause == "様式ファイルが変更されたため" and edited.decisions[0].reason == "法令で必要"


def test_reaudit_without_previous_run_or_inputs_says_so(tmp_path: Path, capsys) -> None:
    from flows.cli import main

    assert main(["reaudit", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "前回の実行記録がありません" in err and "no previous run" in err
