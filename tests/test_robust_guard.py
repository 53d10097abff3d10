"""Per-file time limit and memory guard: a hanging or greedy file is ended with its worker process and
reported, the batch and the run go on (output/pipeline/workers.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from extractors.discover import discover
from output.pipeline.steps import BATCH_DIED, PipelineOptions, batch_outcome, process_batch
from output.pipeline.workers import process_batch_limited
from tests.fixtures.extract_fixtures import make_docx, make_pdf

pytestmark = [pytest.mark.ginza]

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = PipelineOptions(as_of="2026-04-01")


def _folder(tmp_path: Path) -> Path:
    make_docx(tmp_path / "あ申請書.docx")
    make_pdf(tmp_path / "終わらないPDF.pdf")
    make_docx(tmp_path / "記入済み申請書.docx")
    return tmp_path


@pytest.mark.parametrize("in_thread", [False, True], ids=["main-thread", "worker-thread"])
def test_file_stuck_in_c_is_ended_and_the_batch_goes_on(tmp_path, monkeypatch, in_thread) -> None:
    """The reader of one file blocks in a C call (libc pause(), through the test-only setting): its worker
    process is ended at the limit, the file gets an error row naming the stage, the next files are read by a
    fresh worker."""
    monkeypatch.setenv("SEALREVIEW_FILE_TIMEOUT", "20")  # far past a normal file on a loaded machine
    monkeypatch.setenv("SEALREVIEW_TEST_STALL", "extract:終わらない")
    sources = discover([_folder(tmp_path)])
    assert [s.path.name for s in sources].index("終わらないPDF.pdf") == 1  # one file before it, one after
    result: dict = {}
    if in_thread:  # Prefect's thread pool (--workers 1) runs tasks in threads
        worker = threading.Thread(target=lambda: result.update(rows=process_batch_limited(sources, OPTIONS)))
        worker.start()
        worker.join(240)
        assert not worker.is_alive()
    else:
        result["rows"] = process_batch_limited(sources, OPTIONS)
    rows = {r.path: r for r in result["rows"]}
    hung = rows["終わらないPDF.pdf"]
    assert hung.decision == "error"
    assert hung.reason == "処理が制限時間（20秒）を超えたため中断しました（読み取りの段階）"
    for name in ("あ申請書.docx", "記入済み申請書.docx"):
        assert rows[name].decision != "error" and rows[name].seal_requested, rows[name].reason


def test_greedy_file_is_stopped_by_the_memory_guard(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SEALREVIEW_FILE_MEMORY_MB", "200")
    monkeypatch.setenv("SEALREVIEW_TEST_HOARD", "extract:終わらない")
    rows = {r.path: r for r in process_batch_limited(discover([_folder(tmp_path)]), OPTIONS)}
    greedy = rows["終わらないPDF.pdf"]
    assert greedy.decision == "error"
    assert greedy.reason == "処理に必要なメモリが上限（200MB）を超えたため中断しました（読み取りの段階）"
    assert rows["記入済み申請書.docx"].decision != "error"


@pytest.mark.slow
@pytest.mark.prefect
def test_stuck_worker_does_not_break_the_runs_process_pool(tmp_path) -> None:
    """Regression (issue 18): a worker stuck in C used to be killed 30 s past the limit, which broke Prefect's
    process pool, and every later batch became worker-died rows. Now only the stuck file is an error."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(6):
        make_docx(inputs / f"申請書{i}.docx")
    make_pdf(inputs / "申請書0終わらない.pdf")
    env = {**os.environ, "SEALREVIEW_FILE_TIMEOUT": "30", "SEALREVIEW_TEST_STALL": "extract:終わらない"}
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "scan", str(inputs), "--out", str(out), "--workers", "2",
                           "--as-of", "2026-04-01"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r["path"]: r for r in map(json.loads, (out / "register.jsonl").read_text(encoding="utf-8").splitlines())}
    assert len(rows) == 7
    assert rows["申請書0終わらない.pdf"]["reason"] == "処理が制限時間（30秒）を超えたため中断しました（読み取りの段階）"
    others = [r for path, r in rows.items() if path != "申請書0終わらない.pdf"]
    assert all(r["decision"] != "error" for r in others), [r["reason"] for r in others]


def test_hanging_conversion_is_killed(tmp_path, monkeypatch) -> None:
    """LibreOffice that never finishes: its process group is killed at the conversion time limit."""
    import extractors.legacy as legacy

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    marker = tmp_path / "soffice.pid"
    fake.write_text(f"#!/bin/sh\necho $$ > {marker}\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setattr(legacy, "TIMEOUT_S", 1)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "旧様式.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"))
    make_docx(folder / "記入済み申請書.docx")
    started = time.monotonic()
    rows = {r.path: r for r in process_batch(discover([folder]), OPTIONS)}
    assert time.monotonic() - started < 20
    row = rows["旧様式.doc"]
    assert row.decision == "error"
    assert row.reason == "旧形式のファイルの変換が制限時間（1秒）を超えたため中断しました"
    assert rows["記入済み申請書.docx"].decision != "error"
    pid = int(marker.read_text())
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_dead_batch_gives_error_rows_not_a_failed_run(tmp_path) -> None:
    """A task-runner worker lost (a Dask worker gone, a crash): its batch becomes error rows saying so,
    not checkpointed, so a re-run reads those files again."""
    from concurrent.futures.process import BrokenProcessPool

    class DeadFuture:
        def result(self):
            raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    class DoneFuture:
        def result(self):
            return ["row"]

    sources = discover([_folder(tmp_path)])
    rows, complete = batch_outcome(DeadFuture(), sources, OPTIONS)
    assert not complete
    assert [r.path for r in rows] == [s.rel_path for s in sources]
    assert all(r.decision == "error" and r.reason == BATCH_DIED for r in rows)
    assert batch_outcome(DoneFuture(), sources, OPTIONS) == (["row"], True)
