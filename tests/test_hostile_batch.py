"""Issue 15, items 6–9: one file may not stop or hang the whole run."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from extractors.discover import discover, path_token, root_text, token_path
from output.corrections import import_corrections
from output.pipeline.steps import PipelineOptions, process_file
from output.pipeline.workers import process_batch_limited
from output.register import write_register
from output.store.filestat import STAT_FILE, discover_known
from output.store.state import record_scan
from tests.fixtures import hostile
from tests.test_output_register import RUN_INFO
from tests.test_output_rows import make_row

pytestmark = [pytest.mark.ginza]


def options(out: Path) -> PipelineOptions:
    return PipelineOptions(as_of=hostile.AS_OF, out_dir=str(out), cache_dir=str(out / ".sealreview" / "cache"),
                           work_dir=str(out / ".work"))


def test_item6_shift_jis_names_and_folders_are_carried_safely(tmp_path: Path) -> None:
    sjis_folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + "様式".encode("cp932")))
    sjis_folder.mkdir()
    hostile.sjis_name(sjis_folder)
    out = tmp_path / "out"
    sources, hashed = discover_known([sjis_folder], out)
    assert hashed == 1 and [s.rel_path for s in sources] == ["申請書.docx"]  # shown as Shift_JIS, as promised
    table = json.loads((out / STAT_FILE).read_bytes())["files"]  # the file-stat table was saved
    assert list(table) == ["bytes:" + os.fsencode(sources[0].path).hex()]
    again, hashed_again = discover_known([sjis_folder], out)
    assert again[0].sha256 == sources[0].sha256
    row = process_file(sources[0], options(out))
    assert row.decision == "abolish" and row.input_root == root_text(sjis_folder)
    row.input_root.encode("utf-8")  # valid UTF-8 for the register, the checkpoint and the state
    paths = write_register([row], out, run_info={**RUN_INFO, "inputs": [root_text(sjis_folder)]})
    assert json.loads(paths["jsonl"].read_text(encoding="utf-8"))["path"] == "申請書.docx"
    record_scan(out, [row], run_info=RUN_INFO)


def test_item6_shift_jis_folders_survive_flow_parameters_and_the_state() -> None:
    """Prefect parameters and the state are JSON: a Shift_JIS folder travels as a path token and comes back."""
    folder = Path(os.fsdecode(b"/srv/" + "様式".encode("cp932")))
    token = path_token(folder)
    json.dumps({"inputs": [token]}).encode("utf-8")
    assert token.startswith("fsbytes:") and token_path(token) == folder
    assert path_token(Path("/srv/様式")) == "/srv/様式" and token_path("/srv/様式") == Path("/srv/様式")


def test_item6_undecodable_name_is_shown_with_escapes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    Path(os.fsdecode(os.fsencode(folder) + b"/\xff\xfe.docx")).write_bytes(b"x")
    sources, _ = discover_known([folder], tmp_path / "out")
    assert sources[0].rel_path == "\\xff\\xfe.docx"


def test_item7_hanging_pdf_is_cut_off_and_close_does_not_hang(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SEALREVIEW_FILE_TIMEOUT", "3")
    hostile.hanging_pdf(tmp_path)
    source = next(iter(discover([tmp_path])))
    [row] = process_batch_limited([source], PipelineOptions(as_of=hostile.AS_OF))
    assert row.decision == "error"
    assert row.reason == "処理が制限時間（3秒）を超えたため中断しました（読み取りの段階）"


def test_item8_unreferenced_part_is_not_drafted_and_marks_are_linear(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SEALREVIEW_FILE_TIMEOUT", "60")
    out = tmp_path / "out"
    hostile.unreferenced_marks_docx(tmp_path / "in")
    hostile.many_marks_docx(tmp_path / "in")
    rows = {s.rel_path: process_file(s, options(out)) for s in discover([tmp_path / "in"])}
    hidden = rows["総務局/総務課/ヘッダー77.docx"]
    assert hidden.decision == "abolish" and hidden.revised_path
    assert all("header77" not in e["location"] for e in hidden.revisions)
    with zipfile.ZipFile(out / hidden.revised_path) as zf:
        assert zf.read("word/header77.xml").count("㊞".encode()) == 300_000  # left as it was
    many = rows["総務局/総務課/印だらけ.docx"]
    assert many.decision == "abolish", many.reason
    with zipfile.ZipFile(out / many.revised_path) as zf:
        assert "㊞".encode() not in zf.read("word/document.xml")  # every mark of the name line removed


def test_item8_draft_stage_is_under_the_limit(tmp_path: Path, monkeypatch) -> None:
    """The limit covers drafting too, and the row names the stage that hit it (the draft step blocks in C
    through the test-only setting SEALREVIEW_TEST_STALL)."""
    hostile.abolish_form(tmp_path / "in")
    source = next(iter(discover([tmp_path / "in"])))
    monkeypatch.setenv("SEALREVIEW_TEST_STALL", f"draft:{source.path.name}")
    monkeypatch.setenv("SEALREVIEW_FILE_TIMEOUT", "20")  # far past the work before the draft, on a loaded machine
    [row] = process_batch_limited([source], options(tmp_path / "out"))
    assert row.decision == "error" and row.reason.endswith("（修正案の作成の段階）"), row.reason


def test_item9_import_checks_zip_bombs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_register([make_row(1)], out, run_info=RUN_INFO)
    record_scan(out, [make_row(1)], run_info=RUN_INFO)
    bomb = hostile.shared_strings_bomb(tmp_path / "reviewed.xlsx")
    assert bomb.stat().st_size < 1024 * 1024
    report = import_corrections(bomb, out)
    assert not report.ok and report.applied == 0
    assert report.errors == ["reviewed.xlsx: 圧縮率が異常なため読み取りません（zip爆弾の疑い）"]


@pytest.mark.slow
def test_item7_sigterm_ends_the_run_with_the_register_of_what_finished(tmp_path: Path, examples_dir: Path) -> None:
    """A file stuck in the page walk (limit far away) and SIGTERM: the command ends at once, the register lists
    the finished form and the unfinished one as an error, and the output folder is free again."""
    import fcntl
    import signal
    import subprocess
    import sys
    import time

    from output.pipeline.guard import TERMINATED
    from output.store.lock import lock_path

    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "a.docx").write_bytes((examples_dir / "会計室/審査課/請求書.docx").read_bytes())
    hostile.hanging_pdf(inputs)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "scan", str(inputs), "--out", str(out), "--workers", "1",
         "--file-timeout", "600", "--as-of", hostile.AS_OF],
        cwd=Path(__file__).resolve().parents[1], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        seen = ""
        while "進捗 1/2" not in seen:  # the first batch is done: the second is stuck in the PDF
            line = proc.stderr.readline()
            assert line, seen[-2000:]
            seen += line
        time.sleep(2)
        proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == -signal.SIGTERM, rest[-2000:]  # ended by SIGTERM itself: a shell shows exit status 143
    assert rest.strip().splitlines()[-2:] == [
        "エラー: 中断されました（SIGTERM）。台帳には終わったファイルまでを書き出しました（残りは次回の実行で読み取ります）",
        "error: terminated (SIGTERM); the register lists the files that finished, the rest are read next run"]
    rows = {r["path"]: r for r in map(json.loads, (out / "register.jsonl").read_text(encoding="utf-8").splitlines())}
    assert rows["a.docx"]["decision"] == "keep_contract"
    assert rows["終わらない.pdf"]["decision"] == "error" and rows["終わらない.pdf"]["reason"] == TERMINATED
    with open(lock_path(out), "rb") as fh:  # the lock is free: the next run can start
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
