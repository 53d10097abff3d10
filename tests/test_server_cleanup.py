"""A command killed with SIGKILL takes its temporary Prefect API server with it (no stray server)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_serve import copy_forms

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.prefect]


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for_server(cli: subprocess.Popen, timeout: float = 120) -> int:
    """The pid of the server child (`prefect server start`) once its API answers (the CLI prints nothing until then: poll /proc)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cli.poll() is not None:
            raise AssertionError(f"the scan ended before its server was seen: {cli.returncode}")
        for child in children(cli.pid):
            line = cmdline(child)
            if "server start" in line and "--port" in line:
                port = line.split("--port ", 1)[1].split()[0]
                if health(port):
                    return child
        time.sleep(0.2)
    raise AssertionError("no temporary Prefect server started")


def health(port: str) -> bool:
    import httpx

    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_sigkill_of_the_cli_leaves_no_prefect_server(tmp_path: Path) -> None:
    inputs = copy_forms(tmp_path / "in", ["市民文化局/戸籍住民サービス部/婚姻届.pdf", "会計室/審査課/請求書.docx"])
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # the CLI starts its own server
    cli = subprocess.Popen([sys.executable, "-m", "flows.cli", "scan", str(inputs), "--out", str(tmp_path / "out"),
                            "--workers", "1"], cwd=ROOT, env=env, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        server = wait_for_server(cli)
        assert alive(server)
        cli.send_signal(signal.SIGKILL)
        cli.wait(timeout=10)
        deadline = time.monotonic() + 8
        while alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(server), f"the temporary server {server} outlived the killed command: {cmdline(server)}"
    finally:
        try:
            os.killpg(cli.pid, signal.SIGKILL)  # whatever else the killed command left (its group only)
        except ProcessLookupError:
            pass
        cli.wait(timeout=10)
