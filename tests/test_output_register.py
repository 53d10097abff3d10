"""write_register: the three files, spec columns, formula safety, atomic replacement."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from output import atomic
from output.register import write_register
from tests.test_output_rows import SPEC_ORDER, make_row

RUN_INFO = {"as_of": "2024-04-01", "versions": {"pipeline": "0.1.0", "catalogue": "2024.1"},
            "inputs": ["/data/forms"], "started": "2024-04-01T09:00:00+09:00",
            "finished": "2024-04-01T09:05:00+09:00"}
FORMULA_TITLE = '=HYPERLINK("http://example.com","申請書")'


def rows_with_formula():
    return [make_row(1), make_row(2, title=FORMULA_TITLE, decision="needs_review", replacement=None),
            make_row(3, title="+81-3-1234", department="-総務課", decision="no_seal", seal_requested=False,
                     seal_kinds=[], replacement=None),
            make_row(4, title="@申請", decision="error", seal_requested=None, error="破損しています")]


@pytest.fixture
def written(tmp_path: Path) -> dict[str, Path]:
    return write_register(rows_with_formula(), tmp_path / "out", run_info=RUN_INFO)


def test_returns_the_three_paths(written, tmp_path):
    assert {k: p.name for k, p in written.items()} == {
        "xlsx": "register.xlsx", "csv": "register.csv", "jsonl": "register.jsonl"}
    assert all(p.parent == tmp_path / "out" and p.stat().st_size > 0 for p in written.values())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["register.csv", "register.jsonl",
                                                                     "register.xlsx"]


def test_xlsx_list_sheet_columns_and_values(written):
    wb = load_workbook(written["xlsx"])
    assert wb.sheetnames[:3] == ["一覧", "集計", "根拠法令一覧"]
    ws = wb["一覧"]
    header = [c.value for c in ws[1]]
    assert header[: len(SPEC_ORDER)] == SPEC_ORDER
    assert ws.max_row == 5
    row2 = {h: c.value for h, c in zip(header, ws[2], strict=True)}
    assert row2["判定"] == "廃止" and row2["No"] == 1 and row2["様式名"] == "補助金交付申請書1"
    assert row2["根拠箇所"] == "p.1 表1 2行3列: 氏名 … 印 [seal.mark.name_field.v1]"
    assert [ws.cell(r, 11).value for r in range(2, 6)] == ["廃止", "要確認", "押印なし", "読取不可"]
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref.startswith("A1:")


def test_formula_like_text_stays_text_in_xlsx(written):
    ws = load_workbook(written["xlsx"])["一覧"]
    cell = ws["D3"]
    assert cell.value == FORMULA_TITLE and cell.data_type == "s"
    assert ws["D4"].value == "+81-3-1234" and ws["B4"].value == "-総務課" and ws["D5"].value == "@申請"
    with zipfile.ZipFile(written["xlsx"]) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode("utf-8"), name


def test_csv_bom_columns_and_formula_prefix(written):
    raw = written["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(written["csv"], encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    xlsx_header = [c.value for c in load_workbook(written["xlsx"])["一覧"][1]]
    assert table[0] == xlsx_header
    assert len(table) == 5
    by_no = {r[0]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    assert by_no["2"]["様式名"] == "'" + FORMULA_TITLE
    assert by_no["3"]["様式名"] == "'+81-3-1234" and by_no["3"]["所管"] == "'-総務課"
    assert by_no["4"]["様式名"] == "'@申請"
    assert by_no["1"]["様式名"] == "補助金交付申請書1" and by_no["1"]["判定"] == "廃止"


def test_jsonl_exact_values_and_spec_keys(written):
    lines = written["jsonl"].read_text(encoding="utf-8").splitlines()
    objs = [json.loads(line) for line in lines]
    assert len(objs) == 4
    spec_keys = {"path", "sha256", "format", "title", "department", "seal_requested", "seal_kinds",
                 "signature_required", "legal_basis", "decision", "replacement", "reason", "evidence",
                 "confidence", "error", "reviewed"}
    assert all(spec_keys <= set(o) for o in objs)
    assert objs[1]["title"] == FORMULA_TITLE and objs[1]["decision"] == "needs_review"
    assert objs[3]["seal_requested"] is None and objs[3]["error"] == "破損しています"
    assert objs[0]["evidence"][0]["rule"] == "seal.mark.name_field.v1"


def test_summary_sheet_has_sentence_and_run_info(written):
    ws = load_workbook(written["xlsx"])["集計"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "押印を求めている申請書等2件のうち1件（約50%）について押印を廃止" in values
    assert "2024-04-01" in values
    [versions] = [v for v in values if isinstance(v, str) and v.startswith("pipeline: 0.1.0\ncatalogue: 2024.1\n")]
    assert re.fullmatch(r"pipeline: 0\.1\.0\ncatalogue: 2024\.1\nrun_id: 20240401T090000-[0-9a-f]{8}", versions)


def test_the_three_files_carry_one_run_id(written):
    """A crash between the three replaces is recognisable: jsonl rows, sheet 集計 and the state store agree."""
    from output.review_reader import read_review

    ids = {json.loads(line)["run_id"] for line in written["jsonl"].read_text(encoding="utf-8").splitlines()}
    assert len(ids) == 1 and re.fullmatch(r"20240401T090000-[0-9a-f]{8}", next(iter(ids)))
    assert read_review(written["xlsx"]).run_key == next(iter(ids))


def test_write_run_records_the_same_run_id_in_the_state_store(tmp_path):
    from output.register import write_run
    from output.store.state import StateStore

    out = tmp_path / "out"
    shown, paths = write_run([make_row(1), make_row(2)], out, run_info=RUN_INFO)
    [run_id] = {row.run_id for row in shown}
    assert {json.loads(line)["run_id"] for line in paths["jsonl"].read_text(encoding="utf-8").splitlines()} == {run_id}
    with StateStore(out) as store:
        assert store.run_by_key(run_id) == store.last_run_id() == 1
        assert [r.run_id for r in store.load_rows()] == [run_id, run_id]
    again, _ = write_run([make_row(1)], out, run_info=RUN_INFO)  # the same start time: still another id
    assert again[0].run_id != run_id


def test_rewrite_replaces_files_and_leaves_no_temp(tmp_path):
    out = tmp_path / "out"
    write_register([make_row(1)], out, run_info=RUN_INFO)
    write_register([make_row(1), make_row(2)], out, run_info=RUN_INFO)
    assert len(list((out / "register.jsonl").read_text(encoding="utf-8").splitlines())) == 2
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_crash_while_writing_keeps_old_file(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_register([make_row(1)], out, run_info=RUN_INFO)
    before = {name: (out / name).read_bytes() for name in ("register.xlsx", "register.csv", "register.jsonl")}

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr("output.xlsx_writer.close_book", boom)  # the workbook fails as it is written
    with pytest.raises(OSError):
        write_register([make_row(1), make_row(2)], out, run_info=RUN_INFO)
    assert {name: (out / name).read_bytes() for name in before} == before  # all three or none
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_atomic_write_permissions(tmp_path):
    target = atomic.atomic_write(tmp_path / "x.txt", lambda fh: fh.write("あ"), encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "あ"
    assert target.stat().st_mode & 0o777 == 0o666 & ~atomic._UMASK


def test_empty_register_still_writes_headers(tmp_path):
    paths = write_register([], tmp_path, run_info=RUN_INFO)
    ws = load_workbook(paths["xlsx"])["一覧"]
    assert [c.value for c in ws[1]][:3] == ["No", "所管", "ファイル"] and ws.max_row <= 2
    assert paths["jsonl"].read_text(encoding="utf-8") == ""
    assert "押印を求めている申請書等はありませんでした" in [
        c.value for r in load_workbook(paths["xlsx"])["集計"].iter_rows() for c in r]
