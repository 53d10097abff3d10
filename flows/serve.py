"""`sealreview serve`: scheduled re-audits on a real Prefect server.

Schedules do nothing on the temporary per-run API server (its scheduler service does not run), so
`serve` starts a real `prefect server start` bound to 127.0.0.1 with the project's own PREFECT_HOME —
or uses the one PREFECT_API_URL points at — and serves the `scheduled-reaudit` deployment on a
`Cron(..., timezone="Asia/Tokyo")` schedule. On exit (Ctrl+C / SIGTERM) it stops the server it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from flows.settings import prefect_home

HEALTH_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def prefect_command() -> list[str]:
    """The Prefect CLI of this environment (SQLAlchemy is pinned below 2.1: with 2.1, prefect 3.8.8's
    scheduler fails every loop with "Can't evaluate bulk DML statement" and never creates a run)."""
    return [sys.executable, "-m", "prefect"]


def server_env(home: Path, *, ui: bool, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_UI_ENABLED="true" if ui else "false",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    env.update(extra or {})
    return env


@contextlib.contextmanager
def prefect_server(
    *,
    home: Path | None = None,
    port: int | None = None,
    ui: bool = True,
    extra_env: dict[str, str] | None = None,
    timeout: float = HEALTH_TIMEOUT,
) -> Iterator[str]:
    """Yield the API URL of a real Prefect server: PREFECT_API_URL's, or one started here (and stopped)."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    home = home or prefect_home()
    port = port or free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    if healthy(api_url):
        raise RuntimeError(f"ポート {port} は既に使われています（--port で別のポートを指定してください）")
    log_path = home / "server.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [*prefect_command(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env(home, ui=ui, extra=extra_env), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_healthy(api_url, proc, timeout, log_path)
        yield api_url
    finally:
        stop_process_group(proc)


def wait_healthy(api_url: str, proc: subprocess.Popen, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Prefect サーバーが起動できませんでした（ログ: {log_path}）")
        if healthy(api_url):
            return
        time.sleep(0.5)
    stop_process_group(proc)
    raise RuntimeError(f"Prefect サーバーが {timeout:.0f} 秒以内に応答しませんでした（ログ: {log_path}）")


def stop_process_group(proc: subprocess.Popen, grace: float = 20.0) -> None:
    """Stop the server we started (its own session/process group), politely first."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def serve_reaudit(
    *,
    inputs: list[str],
    out: str,
    cron: str,
    policy: str = "default",
    manifest: str | None = None,
    workers: int = 1,
    dask_address: str | None = None,
    as_of: str | None = None,
    port: int | None = None,
    name: str = "sealreview-reaudit",
) -> None:
    """Serve the re-audit deployment until interrupted (blocks)."""
    from prefect.flows import EntrypointType
    from prefect.schedules import Cron

    from flows.reaudit import scheduled_reaudit
    from flows.server import use_api

    schedule = Cron(cron, timezone="Asia/Tokyo")
    parameters = {"inputs": inputs, "out": out, "policy": policy, "manifest": manifest, "workers": workers,
                  "dask_address": dask_address, "as_of": as_of}
    with prefect_server(port=port) as api_url:
        os.environ["PREFECT_API_URL"] = api_url
        print(f"Prefect サーバー: {api_url.removesuffix('/api')}（UI）", flush=True)
        print(f"再監査を「{cron}」（日本時間）に実行します。終了するには Ctrl+C を押してください。", flush=True)
        with use_api(api_url):
            scheduled_reaudit.serve(name=name, schedules=[schedule], parameters=parameters,
                                    entrypoint_type=EntrypointType.MODULE_PATH, print_starting_message=False,
                                    tags=["sealreview"])
