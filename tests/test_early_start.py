"""Issue 19 phase 2: the fixed costs overlapped — worker processes started (GiNZA loaded) before the first
batch, the Documents of the Word/Excel rows to picture kept from the workers, and the LibreOffice pictures
made while the files are read (real worker processes, real LibreOffice)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from extractors.discover import describe_file
from extractors.registry import extract
from flows.scan import make_options
from output.evidence import settle_evidence
from output.evidence.early import EarlyPictures
from output.pipeline.steps import rule_context
from output.pipeline.workers import (
    forget_kept,
    kept_document,
    limited_worker,
    prestart,
    prestart_soon,
    process_batch_limited,
    release_spares,
    warm_spares,
)
from tests.conftest import EXAMPLES
from tests.test_evidence_pictures import KEIYAKU, MITSUMORI, NYUSATSU, row_for

pytestmark = [pytest.mark.ginza]
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def in_thread(function):
    """Run `function` in a new thread (as Prefect's task threads do) and return its result."""
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(value=function()))
    thread.start()
    thread.join()
    return result["value"]


def test_a_prestarted_worker_is_taken_by_the_first_batch(tmp_path) -> None:
    assert release_spares() == 0
    assert prestart(1) == 1
    assert prestart(1) == 1  # already waiting: none more
    options = make_options(tmp_path / "out", as_of=None, policy="default", manifest=None)
    source = describe_file(EXAMPLES / KEIYAKU, EXAMPLES)
    [row] = in_thread(lambda: process_batch_limited([source], options))
    assert row.decision != "error" and row.path == KEIYAKU
    assert prestart(0) == 0  # the batch's thread took the waiting worker instead of spawning one
    assert prestart(1) == 1 and release_spares() == 1 and release_spares() == 0


def test_workers_start_in_a_thread_while_the_caller_goes_on(monkeypatch) -> None:
    """A first scan hashes its files while the first worker's start waits for the forkserver's GiNZA (2.5–4 s on 2
    cores): `prestart_soon` returns before the starts are done, and they are done once it is joined."""
    from output.pipeline import workers

    caller_went_on = threading.Event()
    seen: dict = {}
    real = workers.prestart

    def slow_start(count: int) -> int:  # the real start, once the caller has shown that it was not held up
        seen["caller_went_on"] = caller_went_on.wait(timeout=10)
        return real(count)

    monkeypatch.setattr(workers, "prestart", slow_start)
    assert release_spares() == 0
    try:
        thread = prestart_soon(2)
        caller_went_on.set()  # reached only if prestart_soon did not wait for the starts
        thread.join(timeout=120)
        assert not thread.is_alive() and seen == {"caller_went_on": True}
        monkeypatch.setattr(workers, "prestart", real)
        assert prestart(2) == 2  # both waiting already: none more
    finally:
        assert release_spares() == 2


def test_a_failed_start_ahead_is_logged_and_leaves_no_worker(monkeypatch, caplog) -> None:
    from output.pipeline import workers

    def broken(count: int) -> int:
        raise OSError("no more processes")

    monkeypatch.setattr(workers, "prestart", broken)
    with caplog.at_level("WARNING"):
        prestart_soon(1).join(timeout=30)
    assert "作業プロセスを先に起動できませんでした" in caplog.text and release_spares() == 0


def test_a_scan_whose_hashing_fails_leaves_no_worker_started_ahead(tmp_path, monkeypatch) -> None:
    """Hashing fails while the workers are still starting (a slow start, as with the forkserver loading GiNZA):
    run_scan waits for the starts before it closes the workers no batch took, so none is left running."""
    import time

    import flows.scan as scan
    from output.pipeline import workers

    real = workers.prestart

    def slow_start(count: int) -> int:
        time.sleep(2)
        return real(count)

    def failing_hash(*args, **kwargs):
        raise RuntimeError("入力フォルダを読めません")

    monkeypatch.setattr(workers, "prestart", slow_start)
    monkeypatch.setattr(scan, "prepare_scan", failing_hash)
    forms = tmp_path / "forms"
    shutil.copytree(EXAMPLES, forms)
    assert release_spares() == 0
    with pytest.raises(RuntimeError, match="入力フォルダ"):
        scan.run_scan(inputs=[str(forms)], out=str(tmp_path / "out"), as_of=None, policy="default", manifest=None,
                      workers=2)
    for thread in threading.enumerate():  # a start still under way would leave its workers behind
        if thread.name == "sealreview-prestart":
            thread.join(timeout=120)
    assert release_spares() == 0  # both started ahead were closed by run_scan, not left waiting


def rules_loaded() -> int:
    """In a worker process: how many option sets' rules it has loaded (rule_context's cache)."""
    return rule_context.cache_info().currsize


def test_a_prestarted_worker_loads_the_rules_while_it_waits(tmp_path) -> None:
    options = make_options(tmp_path / "out", as_of=None, policy="default", manifest=None)
    assert release_spares() == 0
    try:
        assert prestart(1) == 1
        assert in_thread(lambda: limited_worker().pool.schedule(rules_loaded).result()) == 0  # not warmed
        assert prestart(1) == 1 and warm_spares(options) == 1
        assert in_thread(lambda: limited_worker().pool.schedule(rules_loaded).result()) >= 1  # (+ its rule data)
    finally:
        release_spares()


def test_the_document_of_a_word_row_to_picture_comes_back_with_its_row(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SEALREVIEW_EVIDENCE", "all")  # a 押印 row of a Word file is pictured
    options = make_options(tmp_path / "out", as_of=None, policy="default", manifest=None)
    word, pdf = describe_file(EXAMPLES / KEIYAKU, EXAMPLES), describe_file(EXAMPLES / NYUSATSU, EXAMPLES)
    try:
        rows = in_thread(lambda: process_batch_limited([word, pdf], options))
        assert [r.decision != "error" for r in rows] == [True, True]
        kept = kept_document(word.sha256)
        assert kept is not None
        again = extract(word, ocr=False)
        assert [b.text for b in kept.blocks] == [b.text for b in again.blocks]
        assert kept_document(pdf.sha256) is None  # a PDF's picture is drawn in the worker itself
    finally:
        forget_kept()
    assert kept_document(word.sha256) is None


@needs_soffice
def test_early_pictures_are_those_the_register_shows_and_are_reused(tmp_path) -> None:
    out = tmp_path / "out"
    rows = [row_for(KEIYAKU, "表2 2行4列"), row_for(MITSUMORI, "様式!F9"), row_for(NYUSATSU, "p.1 7行目")]
    early = EarlyPictures(out, None, batch=1)
    early.add(rows)
    early.add(rows)  # the same pictures again: queued once
    assert early.finish() == 2  # the Word and the Excel picture; the PDF's is the worker's
    made = {p.name: p.stat().st_mtime_ns for p in (out / "evidence").glob("*.png")}
    assert len(made) == 2
    shown = settle_evidence(rows, out)
    office = [r.evidence_image for r in shown[:2]]
    assert sorted(Path(name).name for name in office) == sorted(made)
    assert all((out / "evidence" / name).stat().st_mtime_ns == stamp for name, stamp in made.items())
    assert shown[2].evidence_image is not None  # drawn by settle_evidence (no worker drew it here)
    again = EarlyPictures(out, None)
    again.add(rows)
    assert again.finish() == 0  # unchanged pictures are not converted again
    assert not list((out / ".work").glob("evidence-early-*"))
