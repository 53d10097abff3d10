"""A register a reviewer sorted in reverse, filtered and saved again with LibreOffice Calc imports, with each
correction on the right file: corrections are keyed on the file (入力フォルダ, ファイル, ファイルハッシュ), never
on the row's position."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from output.columns import COLUMNS
from output.corrections import import_corrections
from output.store.state import StateStore
from tests.test_corrections import scan
from tests.test_output_rows import make_row

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
COL = {name: i + 1 for i, name in enumerate(COLUMNS)}
EDITS = {1: ("存続（契約等）", "契約書として扱う"), 3: ("廃止", None), 4: (None, "所管課に確認中")}


def rows():
    return [make_row(n, decision="needs_review" if n % 2 else "abolish", replacement=None if n % 2 else "kimei")
            for n in range(1, 6)]


def sort_reverse_and_filter(register: Path, dest: Path) -> Path:
    """What a reviewer does in Calc: sort by No descending (whole rows move), hide some rows by a filter,
    fill in the reviewer cells of the rows now in other places."""
    wb = load_workbook(register)
    ws = wb["一覧"]
    ws.protection.sheet = False  # Calc sorts only after 「シートの保護を解除」
    data = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=ws.max_row)]
    for r, values in enumerate(reversed(data), start=2):
        for col, value in enumerate(values, start=1):
            ws.cell(r, col).value = value
    for r in range(2, ws.max_row + 1):
        number = int(ws.cell(r, COL["No"]).value)
        decision, comment = EDITS.get(number, (None, None))
        ws.cell(r, COL["レビュー判定"]).value = decision
        ws.cell(r, COL["レビュー者コメント"]).value = comment
        ws.row_dimensions[r].hidden = number == 2  # filtered out
    wb.save(dest)
    return dest


def libreoffice_save(src: Path, out_dir: Path, profile: Path) -> Path:
    """Open in LibreOffice Calc and save again as .xlsx (as 「名前を付けて保存」 Excel 2007-365)."""
    out_dir.mkdir()
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
           "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), str(src)]
    subprocess.run(cmd, capture_output=True, timeout=240, start_new_session=True, check=True)
    saved = out_dir / src.name
    assert saved.is_file() and saved.read_bytes()[:2] == b"PK"
    return saved


def test_reverse_sorted_register_saved_by_libreoffice_imports_onto_the_right_files(tmp_path):
    out = tmp_path / "out"
    register = scan(out, rows())
    sorted_book = sort_reverse_and_filter(register, tmp_path / "並べ替え.xlsx")
    saved = libreoffice_save(sorted_book, tmp_path / "calc", tmp_path / "profile")
    ws = load_workbook(saved)["一覧"]
    assert [ws.cell(r, COL["No"]).value for r in range(2, 7)] == [5, 4, 3, 2, 1]  # really reversed
    report = import_corrections(saved, out)
    assert report.ok, report.errors
    assert report.applied == 3
    assert report.warnings == []  # Calc's re-save changed no machine cell
    with StateStore(out) as store:
        stored = {c.path: (c.decision, c.comment) for c in store.corrections().values()}
    assert stored == {
        "総務局/総務課/申請書1.docx": ("keep_contract", "契約書として扱う"),
        "総務局/総務課/申請書3.docx": ("abolish", None),
        "総務局/総務課/申請書4.docx": (None, "所管課に確認中"),
    }
    register = scan(out, rows())  # the next run shows each on its own file
    ws = load_workbook(register)["一覧"]
    shown = {ws.cell(r, COL["ファイル"]).value: ws.cell(r, COL["判定"]).value for r in range(2, 7)}
    assert shown["総務局/総務課/申請書1.docx"] == "存続（契約等）" and shown["総務局/総務課/申請書3.docx"] == "廃止"
    assert shown["総務局/総務課/申請書5.docx"] == "要確認" and shown["総務局/総務課/申請書2.docx"] == "廃止"
