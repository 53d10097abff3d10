"""ファイル opens the form and 修正案 the draft, through relative links that survive moving OUT_DIR and the input
folder together (as onto a shared drive)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from output.columns import COLUMNS
from output.register import write_register
from tests.test_output_rows import make_row
from tests.test_print_layout import RUN_INFO

COL = {name: i + 1 for i, name in enumerate(COLUMNS)}
NAMES = ["総務局/総務課/申請書 1#.docx", "市民局/戸籍課/婚姻届（100%）.pdf"]


def make_share(base: Path) -> tuple[Path, Path]:
    """share/様式 (two real files) and share/台帳 (OUT_DIR with one revised draft), register written."""
    forms, out = base / "share" / "様式", base / "share" / "台帳"
    rows = []
    for n, name in enumerate(NAMES, start=1):
        (forms / name).parent.mkdir(parents=True, exist_ok=True)
        (forms / name).write_bytes(f"form {n}".encode())
        rows.append(make_row(n, path=name, input_root=str(forms)))
    draft = out / "revised" / NAMES[0]
    draft.parent.mkdir(parents=True)
    draft.write_bytes(b"draft")
    rows[0].revised_path = f"revised/{NAMES[0]}"
    rows.append(make_row(3, path="消えた様式.docx", input_root=str(forms)))  # gone: no link
    write_register(rows, out, run_info=RUN_INFO)
    return forms, out


def test_links_resolve_after_moving_out_dir_and_inputs_together(tmp_path):
    make_share(tmp_path)
    moved = tmp_path / "別のドライブ" / "押印見直し"
    moved.parent.mkdir()
    shutil.move(tmp_path / "share", moved)
    out = moved / "台帳"
    ws = load_workbook(out / "register.xlsx")["一覧"]
    for r, name in enumerate(NAMES, start=2):
        assert ws.cell(r, COL["様式名"]).hyperlink is None  # printed: a link cell would not wrap in LibreOffice
        for column in ("ファイル",):
            link = ws.cell(r, COL[column]).hyperlink
            assert link is not None and not link.target.startswith(("/", "file:")), (column, link)
            target = (out / unquote(link.target.replace("\\", "/"))).resolve()
            assert target == (moved / "様式" / name).resolve() and target.read_bytes() == f"form {r - 1}".encode()
    draft = ws.cell(2, COL["修正案"]).hyperlink
    assert (out / unquote(draft.target.replace("\\", "/"))).read_bytes() == b"draft"
    assert ws.cell(3, COL["修正案"]).hyperlink is None  # no draft
    assert ws.cell(4, COL["ファイル"]).hyperlink is None  # the file is not there


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_resolves_the_links_of_a_moved_register(tmp_path):
    """LibreOffice opens the moved workbook and saves it elsewhere: it resolved each link against the moved
    workbook's folder, so the links it writes (relative to its own output, or absolute) lead to the moved forms."""
    make_share(tmp_path)
    moved = tmp_path / "moved"
    shutil.copytree(tmp_path / "share", moved)
    shutil.rmtree(tmp_path / "share")
    out, saved_dir = moved / "台帳", moved / "台帳" / "calc"
    cmd = ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to",
           "xlsx:Calc MS Excel 2007 XML", "--outdir", str(saved_dir), str(out / "register.xlsx")]
    subprocess.run(cmd, capture_output=True, timeout=240, start_new_session=True, check=True)
    ws = load_workbook(saved_dir / "register.xlsx")["一覧"]
    for r, name in enumerate(NAMES, start=2):
        uri = ws.cell(r, COL["ファイル"]).hyperlink.target
        path = Path(unquote(uri.removeprefix("file://"))) if uri.startswith("file:") else saved_dir / unquote(uri)
        assert path.resolve() == (moved / "様式" / name).resolve() and path.is_file(), uri
