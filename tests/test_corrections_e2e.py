"""The reviewers' loop with the real pipeline (extract → detect → decide, no Prefect) on example forms."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractors.discover import discover
from output.corrections import import_corrections
from output.pipeline.steps import PipelineOptions, process_batch
from output.register import write_run
from tests.test_corrections import COL, review
from tests.test_output_register import RUN_INFO

pytestmark = [pytest.mark.slow, pytest.mark.ginza]
FORMS = ["環境局/減量推進課/ごみ集積所設置届.docx", "総務企画局/契約課/工事請負契約書.docx"]


def scan(inputs: Path, out: Path) -> tuple[list, Path]:
    rows = process_batch(discover([inputs]), PipelineOptions(as_of="2024-04-01", ocr=False))
    rows = sorted(rows, key=lambda r: r.path)
    shown, paths = write_run(rows, out, run_info=RUN_INFO)
    return shown, paths["xlsx"]


def test_scan_review_import_scan_again(tmp_path, examples_dir):
    inputs, out = tmp_path / "forms", tmp_path / "out"
    for rel in FORMS:
        (inputs / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(examples_dir / rel, inputs / rel)
    rows, register = scan(inputs, out)
    assert [r.path for r in rows] == sorted(FORMS)
    first = rows[0]
    override = "needs_review" if first.decision != "needs_review" else "keep_contract"
    label = {"needs_review": "要確認", "keep_contract": "存続（契約等）"}[override]
    sent = review(register, tmp_path / "reviewed.xlsx", {
        (2, "レビュー判定"): label, (2, "レビュー者コメント"): "所管課に確認中",
        (2, "根拠法令（修正）"): "廃棄物の処理及び清掃に関する法律"})
    report = import_corrections(sent, out)
    assert report.ok and report.applied == 1, report.errors

    rows2, register2 = scan(inputs, out)
    assert (rows2[0].decision, rows2[0].machine_decision, rows2[0].reviewed) == (override, first.decision, True)
    assert rows2[1].decision == rows[1].decision and not rows2[1].reviewed
    ws = load_workbook(register2)["一覧"]
    assert ws.cell(2, COL["レビュー判定"]).value == label
    assert ws.cell(2, COL["レビュー者コメント"]).value == "所管課に確認中"
    second = shutil.copy(register2, tmp_path / "second.xlsx")  # out/register.xlsx is replaced by each scan

    with (inputs / FORMS[0]).open("ab") as fh:  # the form is edited after the review
        fh.write(b"\0")
    rows3, _ = scan(inputs, out)
    changed = next(r for r in rows3 if r.path == FORMS[0])
    assert changed.reviewed is False and changed.decision in ("needs_review", "error")
    assert "ファイルが変更された" in (changed.review_note or "")

    bad = review(Path(second), tmp_path / "bad.xlsx", {(3, "レビュー判定"): "はいし"})
    report = import_corrections(bad, out)
    assert not report.ok and len(report.errors) == 2
    assert report.errors[0] == (f"一覧!C2: 「{FORMS[0]}」はこの台帳の作成後に変更されています。"
                                "最新の台帳でレビューしてください")
    assert report.errors[1].startswith("一覧!P3: 「はいし」は選択肢にありません")
