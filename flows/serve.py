"""`sealreview serve`: scheduled re-audits on a real Prefect server.

Schedules do nothing on the temporary per-run API server (its scheduler service does not run), so
`serve` starts a real `prefect server start` bound to 127.0.0.1 with the project's own PREFECT_HOME —
or uses the one PREFECT_API_URL points at — and serves the `scheduled-reaudit` deployment on a
`Cron(..., timezone="Asia/Tokyo")` schedule. On exit (Ctrl+C / SIGTERM) it stops the server it started; if `serve` is killed (even with SIGKILL)
the server notices that its parent is gone and stops its whole process group.

Who may use the API: the server it starts requires Prefect's basic-auth string (PREFECT_SERVER_API_AUTH_STRING),
generated once per installation into `<PREFECT_HOME>/api-auth` (mode 0600, readable by the user running
`serve` only). The served deployment runs only with the folders and options it was served with
(SEALREVIEW_SERVED_PARAMETERS): a flow run asking for other inputs, output or options is refused and logged.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from flows.server import free_port, healthy
from flows.settings import SERVED_ENV, prefect_home

HEALTH_TIMEOUT = 120.0
AUTH_FILE = "api-auth"
AUTH_USER = "sealreview"
LAUNCHER = """
import os, runpy, signal, sys, threading, time
parent = int(sys.argv[1])
sys.argv = ["prefect", *sys.argv[2:]]
try:
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
except Exception:
    pass
def watchdog():
    while os.getppid() == parent:
        time.sleep(0.5)
    os.killpg(0, signal.SIGTERM)  # the server and everything it started (its own session)
    time.sleep(15)
    os.killpg(0, signal.SIGKILL)
if os.getppid() != parent:
    sys.exit(0)
threading.Thread(target=watchdog, name="parent-watchdog", daemon=True).start()
runpy.run_module("prefect", run_name="__main__", alter_sys=True)
"""


def auth_string(home: Path | None = None) -> str:
    """`user:password` for the API of the server `serve` starts: made once per installation, kept in
    `<PREFECT_HOME>/api-auth` with mode 0600 (created that way; tightened if someone loosened it)."""
    path = Path(home or prefect_home()) / AUTH_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    text = f"{AUTH_USER}:{secrets.token_urlsafe(32)}"
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    return text




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
    command = [sys.executable, "-c", LAUNCHER, str(os.getpid()), "server", "start", "--host", "127.0.0.1",
               "--port", str(port)]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            command, env=server_env(home, ui=ui, extra=extra_env), stdout=log, stderr=subprocess.STDOUT,
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
    os.environ[SERVED_ENV] = json.dumps(parameters, ensure_ascii=False)  # flow runs inherit it: no overrides
    own = not os.environ.get("PREFECT_API_URL")
    secret = auth_string() if own else os.environ.get("PREFECT_API_AUTH_STRING")
    extra = {"PREFECT_SERVER_API_AUTH_STRING": secret} if own and secret else None
    with prefect_server(port=port, extra_env=extra) as api_url:
        os.environ["PREFECT_API_URL"] = api_url
        if secret:
            os.environ["PREFECT_API_AUTH_STRING"] = secret
        print(f"Prefect サーバー: {api_url.removesuffix('/api')}（UI）", flush=True)
        if own:
            print(f"UI と API にはパスワードが必要です（{prefect_home() / AUTH_FILE} の内容）", flush=True)
        print(f"再監査を「{cron}」（日本時間）に実行します。終了するには Ctrl+C を押してください。", flush=True)
        with use_api(api_url, auth=secret):
            scheduled_reaudit.serve(name=name, schedules=[schedule], parameters=parameters,
                                    entrypoint_type=EntrypointType.MODULE_PATH, print_starting_message=False,
                                    tags=["sealreview"])
