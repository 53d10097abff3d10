"""Crash safety: a scan killed with SIGKILL resumes without redoing finished files and ends with a complete,
valid register; reviewers' corrections survive; a second run on the same output folder is refused."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractors.discover import discover
from output.store.checkpoint import CHECKPOINT_FILE
from output.store.lock import BUSY_CODE, read_holder, run_lock
from output.store.state import Correction, StateStore

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.ginza]

# `sealreview scan` with one worker thread and every extraction slowed down, so it can be killed midway.
SLOW_SCAN = """
import sys, time
import output.pipeline.steps as pipeline
real_extract = pipeline.extract
def slow_extract(*args, **kwargs):
    time.sleep(0.4)
    return real_extract(*args, **kwargs)
pipeline.extract = slow_extract
from flows.cli import main
sys.exit(main(sys.argv[1:]))
"""


def cli(*args: str, script: str | None = None, **popen) -> list[str]:
    head = [sys.executable, "-c", script] if script else [sys.executable, "-m", "flows.cli"]
    return [*head, *args]


def checkpointed(out: Path) -> int:
    path = out / CHECKPOINT_FILE
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM done").fetchone()[0])
    except sqlite3.Error:
        return 0


def kill_midway(cmd: list[str], out: Path, *, at_least: int, timeout: float = 240) -> None:
    """Start `cmd`, wait until `at_least` rows are checkpointed, then SIGKILL its whole process group
    (the scan and its temporary Prefect server)."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while checkpointed(out) < at_least:
            assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, "the scan never saved a batch"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def forms(tmp_path_factory, examples_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("forms") / "forms"
    shutil.copytree(examples_dir, folder)
    return folder


def load_register(out: Path) -> dict[str, dict]:
    lines = (out / "register.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["path"]: row for row in map(json.loads, lines)}


def test_sigkill_resume_keeps_work_and_corrections(tmp_path: Path, forms: Path) -> None:
    out = tmp_path / "out"
    sources = discover([forms])
    total = len(sources)
    # a reviewer's correction, imported before the runs (what `corrections import` stores)
    target = next(s for s in sources if s.rel_path.endswith("委任状.docx"))
    with StateStore(out) as store:
        store.add_corrections([Correction(sha256=target.sha256, path=target.rel_path, decision="keep_law",
                                          comment="条例で押印が必要（担当確認済み）", reviewer="審査係")])

    kill_midway(cli("scan", str(forms), "--out", str(out), "--workers", "1", "--as-of", "2026-04-01",
                    script=SLOW_SCAN), out, at_least=3)
    saved = checkpointed(out)
    assert 3 <= saved < total, "killed midway"
    assert not (out / "register.jsonl").exists()  # nothing half-written
    with StateStore(out) as store:
        kept = store.corrections()
    assert kept[(target.sha256, target.rel_path)].decision == "keep_law"

    # the kernel released the dead run's lock: the re-run starts, skips the finished files
    proc = subprocess.run(cli("scan", str(forms), "--out", str(out), "--workers", "1", "--as-of", "2026-04-01"),
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with StateStore(out) as store:
        run = store.runs()[-1]
        corrections = store.corrections()
    assert run["args"]["resumed"] == saved
    assert run["args"]["resumed"] + run["args"]["cached"] + run["args"]["analysed"] == total
    assert run["args"]["analysed"] < total - saved + 1  # finished files were not analysed again

    rows = load_register(out)
    assert set(rows) == {s.rel_path for s in sources}
    assert all(r["decision"] and r["reason"] for r in rows.values())
    corrected = rows[target.rel_path]
    assert corrected["decision"] == "keep_law" and corrected["reviewed"] is True
    assert corrected["reviewer_comment"] == "条例で押印が必要（担当確認済み）"
    assert corrections[(target.sha256, target.rel_path)].reviewer == "審査係"
    from openpyxl import load_workbook

    wb = load_workbook(out / "register.xlsx", read_only=True)
    assert wb.sheetnames  # a complete, readable workbook
    csv_lines = (out / "register.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(csv_lines) >= total + 1
    assert checkpointed(out) == 0  # emptied once the register is complete
    assert not list(out.glob(".register.*.tmp"))  # no temporary files left behind


def test_second_run_on_the_same_output_folder_is_refused(tmp_path: Path, forms: Path) -> None:
    out = tmp_path / "out"
    with run_lock(out, "scan"):
        proc = subprocess.run(cli("scan", str(forms), "--out", str(out), "--workers", "1"),
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == BUSY_CODE
    assert "同じ出力フォルダで別の実行が進行中" in proc.stderr
    assert "another run is using this output folder" in proc.stderr
    assert f"PID {os.getpid()}" in proc.stderr
    assert not (out / "register.jsonl").exists()
    # once the first run is over, the folder is free again
    with run_lock(out, "scan"):
        assert read_holder(out)["pid"] == os.getpid()
    assert read_holder(out) == {}  # the holder is removed with the lock


def test_lock_is_exclusive_in_process(tmp_path: Path) -> None:
    from output.store.lock import OutputBusy

    with run_lock(tmp_path, "scan"):
        with pytest.raises(OutputBusy) as caught:
            with run_lock(tmp_path, "reaudit"):
                pass
    assert caught.value.code == BUSY_CODE and caught.value.holder["command"] == "scan"
    with run_lock(tmp_path, "reaudit"):
        pass


def test_register_files_are_replaced_atomically(tmp_path: Path, monkeypatch) -> None:
    """A crash while writing leaves the previous register complete and no temporary file."""
    import output.register as register
    from output.models import RegisterRow

    row = RegisterRow(path="a.docx", sha256="0" * 64, format="docx", title="a", department=None,
                      seal_requested=False, seal_kinds=[], signature_required=False, legal_basis=[],
                      decision="no_seal", replacement=None, reason="押印を求める記載がないため対象外。",
                      evidence=[], confidence=0.9, error=None)
    info = {"as_of": "2026-04-01", "versions": {}}
    register.write_register([row], tmp_path, run_info=info)
    before = {name: (tmp_path / name).read_bytes() for name in register.REGISTER_FILES.values()}

    def crash(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(register, "write_xlsx", crash)  # the last of the three files fails
    with pytest.raises(OSError):
        register.write_register([row, row], tmp_path, run_info=info)
    after = {name: (tmp_path / name).read_bytes() for name in register.REGISTER_FILES.values()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before)


def test_temporary_prefect_server_listens_on_localhost_only(monkeypatch) -> None:
    from urllib.parse import urlparse

    import psutil

    from flows.serve import prefect_api

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with prefect_api() as url:
        assert urlparse(url).hostname == "127.0.0.1"
        port = urlparse(url).port
        listening = [c for c in psutil.net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port]
        assert listening and all(c.laddr.ip == "127.0.0.1" for c in listening)


def test_serve_binds_its_prefect_server_to_localhost() -> None:
    """`sealreview serve` starts `prefect server start --host 127.0.0.1` (checked without starting it)."""
    import inspect

    from flows import serve

    source = inspect.getsource(serve.launch)  # the one launcher of both servers
    assert '"--host", "127.0.0.1"' in source
    source = inspect.getsource(serve.prefect_server)
    assert "http://127.0.0.1:" in source
