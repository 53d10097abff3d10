"""Re-audits: a changed file shows up alone in 変更履歴; an as-of date across 2021-09-01 moves 婚姻届."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.reaudit import run_reaudit
from flows.scan import run_scan
from output.changes import compare
from output.models import RegisterRow
from output.store.state import StateStore
from tests.test_serve import api, copy_forms, prefect_api_url  # noqa: F401 - the shared server fixture

KONIN = "市民文化局/戸籍住民サービス部/婚姻届.pdf"
SEIYAKU = "健康福祉局/障害福祉課/誓約書.xlsx"
SEIKYU = "会計室/審査課/請求書.docx"


def history_sheet(out: Path) -> list[tuple]:
    """The table rows of 変更履歴 (below its header row): every run's, newest first."""
    ws = load_workbook(out / "register.xlsx", read_only=True)["変更履歴"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "実行日時")
    assert rows[header][3:10] == ("区分", "ファイル", "様式名", "変更前の判定", "変更後の判定", "理由", "きっかけ")
    return [r for r in rows[header + 1 :] if r and r[0]]


def changes_sheet(out: Path) -> list[tuple]:
    """The newest run's changed files and decisions in 変更履歴, as (区分, ファイル, 様式名, 変更前, 変更後, 理由,
    きっかけ); its 設定の変更 and 変更なし lines are left out."""
    rows = history_sheet(out)
    return [r[3:10] for r in rows if r[-1] == rows[0][-1] and r[3] not in ("変更なし", "設定の変更")]


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
    assert result["changes"] == {"new_files": 0, "removed_files": 0, "changed_files": 0, "decisions": 1,
                                 "reviews": 0}
    rows = changes_sheet(out)
    assert len(rows) == 1
    kind, path, title, before, after, reason, cause = rows[0]
    assert (kind, path, title) == ("判定変更", KONIN, "婚姻届")
    assert (before, after) == ("存続（法令等）", "廃止（署名）")
    assert "戸籍法施行規則の改正（2021-09-01" in reason and "押印は任意" in reason
    assert cause == "基準日の変更（2021-08-31 → 2021-09-01）による再判定"
    history = history_sheet(out)
    assert ("再監査", "設定の変更", "2021-08-31", "2021-09-01", "基準日の変更") in [
        (r[2], r[3], r[6], r[7], r[8]) for r in history]
    assert [r[1] for r in history] == ["2021-09-01"] * (len(history) - 1) + ["2021-08-31"]  # the scan's 基準日
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


def shown_after_review(rows: list[RegisterRow], store: StateStore) -> list[RegisterRow]:
    from output.corrections import apply_corrections

    return apply_corrections(rows, store)


def machine_rows() -> list[RegisterRow]:
    """What the machine decides on every run: a is abolished (記名のみ), b goes to review, c keeps."""
    from output.changes import with_machine_replacement

    return with_machine_replacement([
        row("a.pdf", "1", "abolish", replacement="kimei"), row("b.pdf", "2", "needs_review"),
        row("c.pdf", "3", "keep_law")])


def reviewed_store(tmp_path: Path) -> StateStore:
    """A state store with overrides from abolish (a → keep_law) and to abolish (b → abolish)."""
    from output.store.state import Correction

    store = StateStore(tmp_path)
    store.add_corrections([Correction("1", "a.pdf", decision="keep_law", comment="条例で必要"),
                           Correction("2", "b.pdf", decision="abolish")])
    return store


@pytest.mark.parametrize("recorded", [True, False])  # False: rows stored before machine_replacement existed
def test_unchanged_reaudit_after_overrides_to_and_from_abolish_lists_nothing(tmp_path: Path, recorded: bool) -> None:
    with reviewed_store(tmp_path) as store:
        previous = shown_after_review(machine_rows(), store)  # the register of the previous run, as stored
        if not recorded:
            for r in previous:
                r.machine_replacement = None
        assert [(r.decision, r.replacement) for r in previous] == [
            ("keep_law", None), ("abolish", "kimei"), ("keep_law", None)]
        rows = machine_rows()  # nothing changed: the machine decides the same
        changes = compare(previous, rows, previous_run=1, shown_rows=shown_after_review(rows, store))
    assert changes.decisions == [] and changes.reviews == [] and changes.empty


def test_machine_change_under_an_override_is_listed_machine_to_machine(tmp_path: Path) -> None:
    with reviewed_store(tmp_path) as store:
        previous = shown_after_review(machine_rows(), store)
        rows = machine_rows()
        rows[0].decision, rows[0].replacement, rows[0].machine_replacement = "abolish", "shomei", "shomei"
        rows[1].decision = "keep_law"
        changes = compare(previous, rows, previous_run=1, shown_rows=shown_after_review(rows, store))
    got = [(d.path, d.old_decision, d.old_replacement, d.new_decision, d.new_replacement) for d in changes.decisions]
    assert got == [("a.pdf", "abolish", "kimei", "abolish", "shomei"), ("b.pdf", "needs_review", None, "keep_law", None)]
    assert changes.reviews == []  # the reviewers' decisions are still shown: nothing moved on the register


def test_review_and_stale_review_changes_are_listed_with_their_own_cause(tmp_path: Path) -> None:
    from output.changes import CAUSE_IMPORTED, CAUSE_STALE, markdown
    from output.changes_sheet import change_rows

    with StateStore(tmp_path) as plain:
        previous = shown_after_review(machine_rows(), plain)  # no corrections yet
    with reviewed_store(tmp_path / "later") as store:
        rows = machine_rows()
        imported = compare(previous, rows, previous_run=1, shown_rows=shown_after_review(rows, store))
        assert imported.decisions == []
        assert [(d.path, d.old_decision, d.new_decision, d.new_replacement, d.cause) for d in imported.reviews] == [
            ("a.pdf", "abolish", "keep_law", None, CAUSE_IMPORTED),
            ("b.pdf", "needs_review", "abolish", "kimei", CAUSE_IMPORTED)]
        reviewed = shown_after_review(rows, store)
        edited = machine_rows()
        edited[0].sha256 = "9"  # a.pdf edited after its review: the machine still abolishes it
        stale = compare(reviewed, edited, previous_run=2, shown_rows=shown_after_review(edited, store))
    assert [f.path for f in stale.changed_files] == ["a.pdf"] and stale.decisions == []
    assert [(d.path, d.old_decision, d.new_decision, d.cause) for d in stale.reviews] == [
        ("a.pdf", "keep_law", "needs_review", CAUSE_STALE)]
    assert "ファイルが変更された" in stale.reviews[0].reason
    sheet = change_rows(stale.to_json())
    assert [r[0] for r in sheet] == ["内容変更", "判定変更（レビュー）"]
    assert sheet[1][3:5] == ["存続（法令等）", "要確認"] and sheet[1][6] == CAUSE_STALE
    assert "レビューにより表示が変わった様式（1 件）" in markdown(stale.to_json())


@pytest.mark.slow
@pytest.mark.prefect
@pytest.mark.ginza
def test_reaudits_after_overrides_to_and_from_abolish(prefect_api_url: str, tmp_path: Path,  # noqa: F811
                                                     monkeypatch) -> None:
    """Reviewers override 誓約書 (abolish → keep_contract) and 請求書 (keep_contract → abolish): the first
    re-audit lists the two review changes, an unchanged one after it lists nothing (and starts no pool)."""
    import flows.reaudit as reaudit_module
    from output.changes import CAUSE_IMPORTED
    from output.store.state import Correction

    runners: list[tuple] = []
    real_runner = reaudit_module.task_runner
    monkeypatch.setattr(reaudit_module, "task_runner", lambda *a: runners.append(a) or real_runner(*a))

    inputs = copy_forms(tmp_path / "in", [SEIYAKU, SEIKYU])
    out = tmp_path / "out"
    scan(inputs, out, "2025-04-01")
    with StateStore(out) as store:
        machine = {r.path: r for r in store.load_rows()}
        assert (machine[SEIYAKU].decision, machine[SEIKYU].decision) == ("abolish", "keep_contract")
        store.add_corrections([Correction(machine[SEIYAKU].sha256, SEIYAKU, decision="keep_contract"),
                               Correction(machine[SEIKYU].sha256, SEIKYU, decision="abolish")])
    first = run_reaudit(inputs=None, out=str(out), as_of="2025-04-01", workers=2)
    assert runners == [(1,)]  # every file cached: one thread, no worker processes
    assert (first["cached"], first["analysed"]) == (2, 0)
    assert first["changes"] == {"new_files": 0, "removed_files": 0, "changed_files": 0, "decisions": 0,
                                "reviews": 2}
    assert [(r[0], r[1], r[6]) for r in changes_sheet(out)] == [
        ("判定変更（レビュー）", SEIKYU, CAUSE_IMPORTED), ("判定変更（レビュー）", SEIYAKU, CAUSE_IMPORTED)]
    for again_number in range(1, 3):  # unchanged: nothing new to list, twice in a row
        again = run_reaudit(inputs=None, out=str(out), as_of="2025-04-01")
        assert again["changes"] == {"new_files": 0, "removed_files": 0, "changed_files": 0, "decisions": 0,
                                    "reviews": 0}
        assert changes_sheet(out) == []
        history = history_sheet(out)  # newest first: the unchanged runs, the first re-audit, then the scan
        assert [(r[2], r[3]) for r in history] == [("再監査", "変更なし")] * again_number + [
            ("再監査", "判定変更（レビュー）"), ("再監査", "判定変更（レビュー）"), ("スキャン", "比較なし")]
        assert [(r[4], r[9]) for r in history[again_number:again_number + 2]] == [
            (SEIKYU, CAUSE_IMPORTED), (SEIYAKU, CAUSE_IMPORTED)]  # the first re-audit's changes are still there
        assert all(r[1] == "2025-04-01" and r[0].endswith("（日本時間）") for r in history)
    shown = {r["path"]: r for r in map(json.loads, (out / "register.jsonl").read_text(encoding="utf-8").splitlines())}
    assert (shown[SEIYAKU]["decision"], shown[SEIYAKU]["machine_decision"]) == ("keep_contract", "abolish")
    assert (shown[SEIKYU]["decision"], shown[SEIKYU]["machine_decision"]) == ("abolish", "keep_contract")
