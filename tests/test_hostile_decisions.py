"""Issue 15, items 10–13: a decision may never land on the wrong form."""

from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path

import pytest

from extractors.discover import discover
from extractors.safety import HOSTILE_XML
from output.corrections import import_corrections
from output.pipeline.steps import CHANGED_DURING_SCAN, PipelineOptions, process_file
from output.revised.placement import settle_drafts
from output.store.analysis import AnalysisCache
from tests.fixtures import hostile
from tests.test_corrections import review, scan
from tests.test_output_rows import make_row

pytestmark = [pytest.mark.ginza]


def options(out: Path) -> PipelineOptions:
    return PipelineOptions(as_of=hostile.AS_OF, out_dir=str(out), cache_dir=str(out / ".sealreview" / "cache"),
                           work_dir=str(out / ".work"))


def test_item10_form_saved_during_the_scan_does_not_poison_the_cache(tmp_path: Path, examples_dir: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    form = hostile.abolish_form(inputs)
    old = next(iter(discover([inputs])))  # hashed at discovery: the abolish form
    shutil.copyfile(examples_dir / "会計室/審査課/請求書.docx", form)  # saved over before it is read
    row = process_file(old, options(out))
    assert row.decision == "needs_review" and row.reason.startswith(CHANGED_DURING_SCAN)
    assert not row.revised_path
    assert not AnalysisCache(options(out).cache_dir).has(old.sha256)  # the old hash keeps no foreign analysis
    copy = tmp_path / "copy"
    hostile.abolish_form(copy)  # a later copy of the old version is judged on its own bytes
    again = process_file(next(iter(discover([copy]))), options(out))
    assert again.decision == "abolish"


def test_item11_names_shown_alike_get_their_own_drafts(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    nfc = "総務局/総務課/ガイド.docx"
    hostile.abolish_form(inputs, nfc)
    hostile.abolish_form(inputs, unicodedata.normalize("NFD", nfc), variant=1)
    hostile.abolish_form(inputs, "総務局/総務課\\ガイド.docx", variant=2)  # a backslash in a file name
    sources = discover([inputs])
    assert len(sources) == 3
    rows = [process_file(s, options(out)) for s in sources]
    assert all(r.decision == "abolish" and r.revised_path for r in rows)
    settled = settle_drafts(rows, out)
    paths = [r.revised_path for r in settled]
    assert len(set(paths)) == 3 and all((out / p).is_file() for p in paths)
    digests = {(out / p).read_bytes() for p in paths}
    assert len(digests) == 3  # each row points to its own file's draft
    noted = [r for r in settled if any("表示上同じ名前" in w for w in r.warnings)]
    assert len(noted) == 2, [(r.path, r.revised_path, r.warnings) for r in settled]


def test_item12_doctype_after_a_long_comment_is_refused(tmp_path: Path) -> None:
    hostile.late_doctype_docx(tmp_path)
    row = process_file(next(iter(discover([tmp_path]))), options(tmp_path / "out"))
    assert row.decision == "error" and row.reason == HOSTILE_XML and not row.revised_path


def test_item13_import_refuses_two_rows_naming_one_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows = [make_row(1, input_root="/data/a"), make_row(2, input_root="/data/b")]
    register = scan(out, rows)
    path1, sha1 = rows[0].path, rows[0].sha256
    sent = review(register, tmp_path / "reviewed.xlsx", {
        (2, "レビュー判定"): "存続（契約等）",
        (3, "ファイル"): path1, (3, "ファイルハッシュ"): sha1, (3, "レビュー判定"): "要確認"})
    report = import_corrections(sent, out)
    assert not report.ok and report.applied == 0
    assert any(e.startswith("一覧!C3: 一覧!C2 と同じファイル") for e in report.errors), report.errors
    assert os.path.exists(sent)
