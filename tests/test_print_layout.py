"""Sheet 一覧 on paper: LibreOffice prints it to PDF, and the PDF is read back cell by cell.

The decision columns must fit A4 landscape at 8 pt or more, every printed cell must show its whole text inside
its own box (a row too low for its wrapped text runs into the next row or is cut off: either way the box's text
differs), the technical columns must not print, and the header shows the run date, 基準日 and the page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook

from output.columns import COLUMNS, PRINT_COLUMNS, render
from output.register import write_register
from tests.test_output_rows import make_row

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
RUN_INFO = {"as_of": "2021-09-01", "versions": {"pipeline": "0.1.0"}, "inputs": ["/data/forms"],
            "started": "2026-11-30T23:30:00+00:00", "finished": "2026-11-30T23:35:00+00:00"}
LONG_REASON = ("カタログにない国の法令（建築基準法施行規則第1条の3）を引用しているため、押印を廃止できるか判断できません。"
               "法令の規定を確認してください。OCR で読み取った文字に基づく判定です。")
PRINTED = [name for name in COLUMNS if name in PRINT_COLUMNS]
HEADER = "押印・署名の見直し台帳"


def register_rows(forms: Path | None = None):
    """14 rows; with `forms`, each row's file exists there (so ファイル carries a link, as in a real run)."""
    rows = []
    for n in range(1, 15):
        basis = [{"citation": "建築基準法施行規則第1条の3", "level": "national"},
                 {"citation": "狛江市補助金等交付規則第4条", "level": "municipal"}][: 1 + n % 2]
        row = make_row(n, decision="needs_review" if n % 2 else "abolish", replacement=None if n % 2 else "kimei",
                       title="公共施設使用許可申請書（変更・取消）兼 減免申請書" if n % 3 == 0 else f"申請書{n}",
                       reason=LONG_REASON if n % 2 else "法令上の押印義務がないため廃止し、記名のみとする。",
                       legal_basis=basis, department="まちづくり局/住宅整備推進課", signature_required=n % 4 == 0)
        if forms is not None:
            row.input_root = str(forms)
            (forms / row.path).parent.mkdir(parents=True, exist_ok=True)
            (forms / row.path).write_bytes(b"form")
        if n % 5 == 0:
            row.reviewer_comment = "所管課に確認済み。条例の改正に合わせて、次年度から押印を廃止する予定です。" * 2
            row.review_decision = "keep_law"
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    out = tmp_path_factory.mktemp("print")
    rows = register_rows(out / "forms")
    xlsx = write_register(rows, out, run_info=RUN_INFO)["xlsx"]
    cmd = ["soffice", f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
           "--outdir", str(out), str(xlsx)]
    subprocess.run(cmd, capture_output=True, timeout=240, start_new_session=True, check=True)
    with pdfplumber.open(out / "register.pdf") as pdf:
        pages = [_page(p) for p in pdf.pages if (p.extract_text() or "").startswith(HEADER)]
    return rows, pages, xlsx


def _page(page) -> dict:
    """Text, char sizes, page width, and the text of every cell box (from the drawn cell borders)."""
    xs = _merge(sorted(line["x0"] for line in page.lines if abs(line["x0"] - line["x1"]) < 0.1))
    ys = _merge(sorted(line["top"] for line in page.lines if abs(line["top"] - line["bottom"]) < 0.1))
    cells = [[_text(page, (x0, y0, x1, y1)) for x0, x1 in zip(xs, xs[1:], strict=False)]
             for y0, y1 in zip(ys, ys[1:], strict=False)]
    return {"text": page.extract_text() or "", "sizes": [c["size"] for c in page.chars], "width": page.width,
            "right": max(xs), "left": min(xs), "cells": cells}


def _merge(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > 1.0:
            out.append(v)
    return out


def _text(page, box) -> str:
    x0, y0, x1, y1 = box
    inside = page.within_bbox((x0 - 0.5, y0 - 0.5, x1 + 0.5, y1 + 0.5))
    return re.sub(r"\s+", "", inside.extract_text() or "")


def test_decision_columns_fit_a4_landscape_at_8pt(printed):
    _rows, pages, _xlsx = printed
    assert len(pages) >= 2  # 14 tall rows: the list goes over pages
    for page in pages:
        assert round(page["width"]) == 842  # A4 landscape
        assert min(page["sizes"]) >= 8.0, min(page["sizes"])
        assert page["left"] >= 14 and page["right"] <= page["width"] - 14  # inside the margins
        assert len(page["cells"][0]) == len(PRINTED)  # every decision column, and only them
        assert "".join(page["cells"][0]) == "".join(PRINTED)  # the header row, repeated on every page


def test_technical_columns_do_not_print(printed):
    _rows, pages, _xlsx = printed
    text = "".join(p["text"] for p in pages)
    for name in ("ファイルハッシュ", "ルールID", "入力フォルダ", "機械判定", "根拠箇所", "信頼度"):
        assert name not in text


def test_every_printed_cell_shows_its_whole_text_in_its_box(printed):
    rows, pages, _xlsx = printed
    shown = [p for page in pages for p in page["cells"][1:]]
    assert len(shown) == len(rows)
    for number, (row, cells) in enumerate(zip(rows, shown, strict=True), start=1):
        values = render(row, number).as_dict()
        expected = [re.sub(r"\s+", "", str(values[name])) for name in PRINTED]
        assert cells == expected, f"row {number}"


def test_page_header_and_footer(printed):
    _rows, pages, _xlsx = printed
    for number, page in enumerate(pages, start=1):
        assert "実行日 2026-12-01" in page["text"] and "基準日 2021-09-01" in page["text"]  # the run date in JST
        assert f"{number} / " in page["text"]


def test_technical_columns_are_folded_not_removed(printed):
    _rows, _pages, xlsx = printed
    ws = load_workbook(xlsx)["一覧"]
    assert ws.cell(2, COLUMNS.index("ファイル") + 1).hyperlink is not None  # links live in folded columns
    header = [c.value for c in ws[1]]
    assert header == list(COLUMNS)
    for col, name in enumerate(COLUMNS, start=1):  # a <col> element may cover a run of alike columns
        dim = next(d for d in ws.column_dimensions.values() if d.min is not None and d.min <= col <= (d.max or d.min))
        if name in PRINT_COLUMNS:
            assert not dim.hidden, name
        else:
            assert dim.hidden, name
