"""Per-file time limit and memory guard: a hanging or greedy file is cut off and reported, the batch goes on."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from extractors.discover import discover
from output.pipeline.guard import FileLimitExceeded, file_guard
from output.pipeline.steps import PipelineOptions, process_batch
from tests.fixtures.extract_fixtures import make_docx, make_pdf

pytestmark = [pytest.mark.ginza]

OPTIONS = PipelineOptions(as_of="2026-04-01")


@pytest.fixture(scope="module", autouse=True)
def warm_model() -> None:
    """Load GiNZA before the clocks start (workers load it in their initializer)."""
    import gc

    from output.pipeline.steps import warm_worker

    threshold = gc.get_threshold()
    warm_worker()
    gc.unfreeze()  # the worker's GC tuning is for worker processes, not for this test process
    gc.set_threshold(*threshold)


def _busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(200))


@pytest.fixture
def hanging_pdf(monkeypatch):
    """Every PDF page parses for ever (pure Python, like pdfminer on a hostile file); errors per page are
    swallowed by the reader, so the guard's interruption must get through `except Exception`."""
    import extractors.pdf as pdf

    def read_page(*_args, **_kwargs):
        while True:
            try:
                _busy(0.05)
            except Exception:  # noqa: BLE001 - a parser that swallows everything
                pass

    monkeypatch.setattr(pdf, "read_page", read_page)


def _folder(tmp_path: Path) -> Path:
    make_pdf(tmp_path / "終わらないPDF.pdf")
    make_docx(tmp_path / "正常な申請書.docx")
    return tmp_path


@pytest.mark.parametrize("in_thread", [False, True], ids=["main-thread", "worker-thread"])
def test_hanging_file_is_cut_off_and_reported(tmp_path, monkeypatch, hanging_pdf, in_thread) -> None:
    monkeypatch.setenv("SEALREVIEW_FILE_TIMEOUT", "1")
    sources = discover([_folder(tmp_path)])
    result: dict = {}
    started = time.monotonic()
    if in_thread:  # Prefect's thread pool (--workers 1) and Dask run tasks in threads
        worker = threading.Thread(target=lambda: result.update(rows=process_batch(sources, OPTIONS)))
        worker.start()
        worker.join(60)
        assert not worker.is_alive()
    else:
        result["rows"] = process_batch(sources, OPTIONS)
    elapsed = time.monotonic() - started
    rows = {r.path: r for r in result["rows"]}
    hung = rows["終わらないPDF.pdf"]
    assert hung.decision == "error"
    assert hung.reason == "処理が制限時間（1秒）を超えたため中断しました（読み取りの段階）"
    assert rows["正常な申請書.docx"].decision != "error" and rows["正常な申請書.docx"].seal_requested
    assert elapsed < 15


def test_greedy_file_is_stopped_by_the_memory_guard(tmp_path, monkeypatch) -> None:
    import extractors.pdf as pdf

    hoard: list[bytearray] = []

    def read_page(*_args, **_kwargs):
        for _ in range(2000):  # up to 4 GB, 2 MB at a time
            hoard.append(bytearray(2 * 1024 * 1024))
            time.sleep(0.001)
        raise AssertionError("the guard did not stop the allocation")

    monkeypatch.setattr(pdf, "read_page", read_page)
    monkeypatch.setenv("SEALREVIEW_FILE_MEMORY_MB", "200")
    sources = discover([_folder(tmp_path)])
    rows = {r.path: r for r in process_batch(sources, OPTIONS)}
    hoard.clear()
    greedy = rows["終わらないPDF.pdf"]
    assert greedy.decision == "error"
    assert greedy.reason == "処理に必要なメモリが上限（200MB）を超えたため中断しました（読み取りの段階）"
    assert rows["正常な申請書.docx"].decision != "error"


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
    make_docx(folder / "正常な申請書.docx")
    started = time.monotonic()
    rows = {r.path: r for r in process_batch(discover([folder]), OPTIONS)}
    assert time.monotonic() - started < 20
    row = rows["旧様式.doc"]
    assert row.decision == "error"
    assert row.reason == "旧形式のファイルの変換が制限時間（1秒）を超えたため中断しました"
    assert rows["正常な申請書.docx"].decision != "error"
    pid = int(marker.read_text())
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_guard_leaves_no_stray_interruption() -> None:
    """A file that finishes right at its limit must not get the interruption later, in the next file."""
    for _ in range(30):
        try:
            with file_guard(0.02, 0):
                _busy(0.019)
        except FileLimitExceeded:
            pass
    _busy(0.5)  # a stray asynchronous exception would surface here


def test_guard_overhead_is_negligible() -> None:
    started = time.perf_counter()
    for _ in range(2000):
        with file_guard(60, 2048):
            pass
    per_file = (time.perf_counter() - started) / 2000
    assert per_file < 0.001  # well under a millisecond per file (measured: ~40 µs)


def test_dead_worker_gives_error_rows_not_a_failed_run(tmp_path) -> None:
    """A worker process killed (out of memory, a crash in C code): its batch becomes error rows saying so,
    not checkpointed, so a re-run reads those files again."""
    from concurrent.futures.process import BrokenProcessPool

    from output.pipeline.guard import WORKER_DIED, batch_outcome

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
    assert all(r.decision == "error" and r.reason == WORKER_DIED for r in rows)
    assert batch_outcome(DoneFuture(), sources, OPTIONS) == (["row"], True)
