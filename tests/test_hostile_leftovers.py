"""Issue 15, items 14, 16–18: crashes leave nothing behind, odd PDFs are unreadable, text stays text."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from extractors.discover import discover
from extractors.pdf import NO_PAGES
from flows.cli import main
from flows.scan import review_markdown
from output.corrections import import_corrections
from output.pipeline.steps import PipelineOptions, process_file
from output.register import write_register, write_run
from output.revised.placement import settle_drafts
from output.store.state import record_scan
from tests.fixtures import hostile
from tests.test_output_register import RUN_INFO
from tests.test_output_rows import make_row


def drafted(out: Path, n: int) -> object:
    """A row whose draft sits in the staging folder, as a worker leaves it."""
    staged = out / ".sealreview" / "drafts" / "k" / f"d{n}.docx"
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(f"draft {n}".encode())
    return make_row(n, revised_path=str(staged.relative_to(out)), machine_decision="abolish")


def test_item14_kill_during_the_register_write_leaves_no_tmp_and_keeps_drafts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows, _ = write_run([drafted(out, 1), drafted(out, 2)], out, run_info=RUN_INFO)
    listed = [out / r.revised_path for r in rows]
    assert all(p.is_file() for p in listed)
    for name in ("register.xlsx", "register.csv", "register.jsonl"):  # what SIGKILL during the write leaves
        (out / f".{name}.x1y2z3.tmp").write_bytes(b"half")
    # the next run places its drafts but, until its register is in place, deletes none of the previous ones
    settle_drafts([make_row(1, decision="needs_review", replacement=None)], out, prune_now=False)
    assert all(p.is_file() for p in listed)
    write_run([make_row(1, decision="needs_review", replacement=None)], out, run_info=RUN_INFO)
    assert not list(out.glob(".register.*.tmp"))
    assert not any(p.is_file() for p in listed)  # pruned once the new register no longer lists them


def test_item16_looping_page_tree_is_unreadable(tmp_path: Path) -> None:
    hostile.looping_pdf(tmp_path)
    row = process_file(next(iter(discover([tmp_path]))), PipelineOptions(as_of=hostile.AS_OF))
    assert row.decision == "error" and row.reason == NO_PAGES


@pytest.mark.slow
def test_item16_blank_pdf_says_it_is_blank(tmp_path: Path) -> None:
    hostile.blank_pdf(tmp_path, pages=400)
    row = process_file(next(iter(discover([tmp_path]))), PipelineOptions(as_of=hostile.AS_OF))
    assert row.decision == "error"
    assert row.reason == "PDFの読み取った300ページのどれにも文字も画像もありません（白紙のため、押印の求めを判断できません）"


def test_item17_file_names_are_text_in_the_markdown_artifact() -> None:
    names = ["a|b|c.pdf", "[x](javascript:alert(1)).docx", "![](http://example.com/t.png).pdf",
             "<img src=x onerror=alert(1)>.xlsx"]
    rows = [make_row(i, path=name, decision="needs_review", replacement=None) for i, name in enumerate(names)]
    text = review_markdown(rows, {"xlsx": Path("/out/register.xlsx")})
    table = [line for line in text.splitlines() if line.startswith("| ") and "判定" not in line]
    assert len(table) == 4
    assert all(line.replace("\\|", "").count("|") == 4 for line in table)  # three columns, never more
    assert "](" not in text.replace("\\](", "") and "<img" not in text and "![" not in text
    assert "\\[x\\](javascript:alert(1)).docx" in text and "\\!\\[\\](http://example.com/t.png).pdf" in text
    assert "&lt;img src=x onerror=alert(1)&gt;.xlsx" in text


def test_item18_truncated_sheet_is_one_clear_error(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    register = write_register([make_row(1)], out, run_info=RUN_INFO)["xlsx"]
    record_scan(out, [make_row(1)], run_info=RUN_INFO)
    broken = hostile.truncated_sheet(register, tmp_path / "broken.xlsx")
    report = import_corrections(broken, out)
    assert report.errors == ["broken.xlsx: ブックの一部が壊れているため読み取れません（保存し直してください）"]
    assert main(["corrections", "import", str(broken), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "Traceback" not in "\n".join(err) and len(err) == 3


def test_item18_unwritable_state_is_one_line_in_each_language(tmp_path: Path, capsys, monkeypatch) -> None:
    """A disk that fails under SQLite (as a full disk does): one line ja + one line en, no traceback."""
    out = tmp_path / "out"
    write_register([make_row(1)], out, run_info=RUN_INFO)
    record_scan(out, [make_row(1)], run_info=RUN_INFO)
    register = out / "register.xlsx"

    def failing_import(*_args, **_kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr("output.corrections.import_corrections", failing_import)
    assert main(["corrections", "import", str(register), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[0].startswith("エラー: ") and err[1].startswith("error: ")
    assert "disk I/O error" in err[1]
    assert json.loads((out / "register.jsonl").read_text(encoding="utf-8").splitlines()[0])["path"]
