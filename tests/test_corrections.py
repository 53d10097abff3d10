"""The reviewers' loop: write the register, edit it as a reviewer would, import, apply on the next run."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from output.columns import COLUMNS
from output.corrections import apply_corrections, corrected_basis, import_corrections
from output.register import write_register
from output.store.state import StateStore, record_scan
from tests.test_output_register import RUN_INFO
from tests.test_output_rows import make_row

COL = {name: i + 1 for i, name in enumerate(COLUMNS)}


def machine_rows():
    return [make_row(1), make_row(2, decision="needs_review", replacement=None), make_row(3, title="=危険な様式名")]


def scan(out: Path, rows=None) -> Path:
    """What the pipeline does after deciding: apply corrections, write the register, record the run."""
    rows = machine_rows() if rows is None else rows
    if (out / ".sealreview").exists():
        with StateStore(out) as store:
            rows = apply_corrections(rows, store)
    paths = write_register(rows, out, run_info=RUN_INFO)
    record_scan(out, rows, run_info=RUN_INFO)
    return paths["xlsx"]


def review(register: Path, dest: Path, edits: dict[tuple[int, str], object]) -> Path:
    """A reviewer opens the workbook, types into cells, saves a copy and sends it back."""
    shutil.copy(register, dest)
    wb = load_workbook(dest)
    ws = wb["一覧"]
    for (row, column), value in edits.items():
        ws.cell(row=row, column=COL[column]).value = value
    wb.save(dest)
    return dest


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


def test_round_trip_corrections_survive_the_next_scan(out, tmp_path):
    register = scan(out)
    sent = review(register, tmp_path / "reviewed.xlsx", {
        (2, "レビュー判定"): "存続（契約等）", (2, "レビュー者コメント"): "契約書として扱う",
        (2, "根拠法令（修正）"): "地方自治法第234条第5項", (2, "レビュー者"): "総務課 山田",
        (3, "レビュー判定"): "廃止"})
    before = digest(sent)
    report = import_corrections(sent, out)
    assert report.ok, report.errors
    assert (report.applied, report.unchanged) == (2, 0)
    assert digest(sent) == before  # the reviewer's workbook is never re-saved

    with StateStore(out) as store:
        assert corrected_basis(store) == {(f"{1:064x}", "総務局/総務課/申請書1.docx"): "地方自治法第234条第5項"}
        assert corrected_basis(store, by_path=True) == {"総務局/総務課/申請書1.docx": "地方自治法第234条第5項"}
        rows = apply_corrections(machine_rows(), store)
    first = rows[0]
    assert (first.decision, first.machine_decision, first.reviewed) == ("keep_contract", "abolish", True)
    assert first.replacement is None and first.reviewer_comment == "契約書として扱う"
    assert first.reviewer == "総務課 山田" and first.corrected_basis == "地方自治法第234条第5項"
    assert (rows[1].decision, rows[1].replacement, rows[1].machine_decision) == ("abolish", "kimei", "needs_review")
    assert rows[2].reviewed is False and rows[2].machine_decision is None

    register = scan(out)  # the next run shows the reviewer's decisions and keeps the machine's visible
    ws = load_workbook(register)["一覧"]
    cell = {name: ws.cell(row=2, column=COL[name]).value for name in COLUMNS}
    assert (cell["判定"], cell["機械判定"], cell["レビュー判定"]) == ("存続（契約等）", "廃止", "存続（契約等）")
    assert cell["レビュー者コメント"] == "契約書として扱う" and cell["根拠法令（修正）"] == "地方自治法第234条第5項"
    assert ws.cell(row=4, column=COL["様式名"]).value == "=危険な様式名"
    again = import_corrections(register, out)  # importing the fresh register changes nothing
    assert again.ok and (again.applied, again.unchanged) == (0, 2)


def test_clearing_a_prefilled_cell_withdraws_it(out, tmp_path):
    register = scan(out)
    blank = shutil.copy(register, tmp_path / "blank.xlsx")  # a register from before any review
    first = review(register, tmp_path / "1.xlsx", {
        (2, "レビュー判定"): "要確認", (2, "レビュー者コメント"): "確認中", (3, "レビュー判定"): "存続（法令等）"})
    assert import_corrections(first, out).ok
    register = scan(out)  # pre-filled with the stored corrections
    second = review(register, tmp_path / "2.xlsx", {
        (2, "レビュー判定"): None, (3, "レビュー判定"): None})  # row 2 keeps its comment; row 3 withdrawn
    report = import_corrections(second, out)
    assert report.ok and report.applied == 2
    with StateStore(out) as store:
        [kept] = store.corrections().values()
        assert (kept.path, kept.decision, kept.comment) == ("総務局/総務課/申請書1.docx", None, "確認中")
        rows = apply_corrections(machine_rows(), store)
    assert (rows[0].decision, rows[0].reviewer_comment) == ("abolish", "確認中")
    assert rows[1].reviewed is False and rows[1].decision == "needs_review"
    report = import_corrections(Path(blank), out)  # an older workbook's empty cells withdraw nothing
    assert report.ok and report.applied == 0
    with StateStore(out) as store:
        assert len(store.corrections()) == 1


def test_bad_values_are_named_by_cell_and_nothing_is_applied(out, tmp_path):
    register = scan(out)
    sent = review(register, tmp_path / "bad.xlsx", {
        (2, "レビュー判定"): "廃止",  # valid, but must not be applied either
        (3, "レビュー判定"): "はいし", (4, "レビュー者コメント"): "=1+1", (4, "レビュー判定"): 5})
    report = import_corrections(sent, out)
    assert not report.ok and report.applied == 0
    assert report.errors[0].startswith("一覧!P3: 「はいし」は選択肢にありません")
    assert report.errors[1].startswith("一覧!P4: 「5」は選択肢にありません")
    assert report.errors[2].startswith("一覧!Q4: 数式は使えません")
    assert len(report.errors) == 3
    assert "何も反映していません" in report.message() and "一覧!P3" in report.message()
    with StateStore(out) as store:
        assert store.corrections() == {} and store.correction_log() == []


def test_choices_accept_half_width_brackets_and_codes(out, tmp_path):
    register = scan(out)
    sent = review(register, tmp_path / "r.xlsx", {(2, "レビュー判定"): "存続(契約等)", (3, "レビュー判定"): "keep_law"})
    assert import_corrections(sent, out).ok
    with StateStore(out) as store:
        assert sorted(c.decision for c in store.corrections().values()) == ["keep_contract", "keep_law"]


def test_row_whose_file_changed_since_the_register_is_refused(out, tmp_path):
    register = scan(out)
    sent = review(register, tmp_path / "r.xlsx", {(2, "レビュー判定"): "廃止", (3, "レビュー判定"): "廃止"})
    rows = machine_rows()
    rows[0].sha256 = "f" * 64  # 申請書1 was edited and re-scanned
    scan(out, rows[1:] + [rows[0]])
    report = import_corrections(sent, out)
    assert not report.ok
    assert report.errors == [
        "一覧!C2: 「総務局/総務課/申請書1.docx」はこの台帳の作成後に変更されています。最新の台帳でレビューしてください"]


def test_file_changed_after_correction_asks_for_review(out, tmp_path):
    register = scan(out)
    assert import_corrections(review(register, tmp_path / "r.xlsx", {(2, "レビュー判定"): "存続（契約等）"}), out).ok
    changed = make_row(1, sha256="e" * 64)
    with StateStore(out) as store:
        [row] = apply_corrections([changed], store)
    assert (row.decision, row.machine_decision, row.reviewed) == ("needs_review", "abolish", False)
    assert "ファイルが変更された" in row.review_note and "存続（契約等）" in row.review_note
    assert row.review_decision is None


def test_reviewer_falls_back_to_last_modified_by(out, tmp_path):
    register = scan(out)
    sent = tmp_path / "r.xlsx"
    shutil.copy(register, sent)
    wb = load_workbook(sent)
    wb["一覧"].cell(row=2, column=COL["レビュー判定"]).value = "要確認"
    wb["一覧"].cell(row=3, column=COL["レビュー判定"]).value = "廃止"
    wb["一覧"].cell(row=3, column=COL["レビュー者"]).value = "契約課 佐藤"
    wb.properties.lastModifiedBy = "総務課 鈴木"
    wb.save(sent)
    assert import_corrections(sent, out).ok
    with StateStore(out) as store:
        assert sorted(c.reviewer for c in store.corrections().values()) == ["契約課 佐藤", "総務課 鈴木"]


def test_missing_state_store_and_non_workbook(tmp_path):
    bogus = tmp_path / "x.xlsx"
    bogus.write_bytes(b"not a zip")
    report = import_corrections(bogus, tmp_path / "nowhere")
    assert not report.ok and "状態データベースがありません" in report.errors[0]
    assert not (tmp_path / "nowhere").exists()
    out = tmp_path / "out"
    scan(out)
    report = import_corrections(bogus, out)
    assert report.errors == ["x.xlsx: Excel ブック（.xlsx）として開けません"]
    docx = shutil.make_archive(str(tmp_path / "fake"), "zip", root_dir=tmp_path / "out")  # a zip, not a workbook
    report = import_corrections(Path(docx), out)
    assert report.errors == ["fake.zip: Excel ブック（.xlsx）として開けません"]


def test_rows_with_empty_key_are_refused(out, tmp_path):
    register = scan(out)
    sent = review(register, tmp_path / "r.xlsx", {(5, "レビュー判定"): "廃止", (5, "No"): 4})
    report = import_corrections(sent, out)
    assert not report.ok
    assert report.errors[0].startswith("一覧!C5: 照合用の「ファイル」が空です")


def test_cli_import_exit_codes(out, tmp_path, capsys):
    """`sealreview corrections import`: exit 1 with the bad cells on stderr; exit 0 when valid."""
    from flows.cli import main

    register = scan(out)
    bad = review(register, tmp_path / "bad.xlsx", {(2, "レビュー判定"): "廃止", (4, "レビュー判定"): "はいし"})
    assert main(["corrections", "import", str(bad), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "一覧!P4: 「はいし」は選択肢にありません" in err
    with StateStore(out) as store:
        assert store.corrections() == {}
    good = review(register, tmp_path / "good.xlsx", {(2, "レビュー判定"): "廃止"})
    assert main(["corrections", "import", str(good), "--out", str(out)]) == 0
    with StateStore(out) as store:
        assert [c.decision for c in store.corrections().values()] == ["abolish"]


def test_edited_machine_column_is_a_warning_and_ignored(tmp_path):
    """判定 (K) is the machine's: an edit there is reported as a warning, not imported, not an error."""
    from output.register import write_run

    out = tmp_path / "out"
    _shown, paths = write_run(machine_rows(), out, run_info=RUN_INFO)
    untouched = review(paths["xlsx"], tmp_path / "plain.xlsx", {(2, "レビュー判定"): "要確認"})
    report = import_corrections(untouched, out)
    assert report.ok and report.warnings == []  # re-saved by openpyxl, formula-like title included: no noise
    sent = review(paths["xlsx"], tmp_path / "r.xlsx", {(3, "判定"): "廃止", (2, "様式名"): "別の名前",
                                                       (2, "レビュー者コメント"): "確認済み"})
    report = import_corrections(sent, out)
    assert report.ok and report.applied == 1, report.errors
    assert report.warnings == [
        "一覧!D2: 機械の列は取り込みません（レビュー判定の列に入力してください）",
        "一覧!K3: 機械の列は取り込みません（レビュー判定の列に入力してください）"]
    assert report.message().endswith(report.warnings[-1])
    with StateStore(out) as store:
        assert {c.path: c.decision for c in store.corrections().values()} == {machine_rows()[0].path: "needs_review"}


def test_import_refuses_to_run_during_a_scan(out, tmp_path, capsys):
    from flows.cli import main
    from output.store.lock import OutputBusy, run_lock

    register = scan(out)
    sent = review(register, tmp_path / "r.xlsx", {(2, "レビュー判定"): "廃止"})
    with run_lock(out, "scan"):
        with pytest.raises(OutputBusy):
            import_corrections(sent, out)
        assert main(["corrections", "import", str(sent), "--out", str(out)]) == 3
    assert "別の実行が進行中" in capsys.readouterr().err
    with StateStore(out) as store:
        assert store.corrections() == {}
    assert import_corrections(sent, out).ok  # the lock is free again


def test_missing_state_store_says_the_register_was_not_made_here(tmp_path):
    report = import_corrections(Path(__file__), tmp_path / "elsewhere")
    assert not report.ok and report.no_register
    assert "台帳が作成されていません" in report.message() and "件の誤り" not in report.message()
