"""One Prefect API server per run, shared by the flow and its worker processes.

Without `PREFECT_API_URL`, every process that talks to Prefect starts its own temporary API
server (7–17 s each, pitfalls.md) — worker processes included. So the command line starts
one temporary server (bound to 127.0.0.1) and hands its URL to every worker through the
environment. With `PREFECT_API_URL` set (a real `prefect server start`), it is used as is.

The temporary server dies with the command that started it, also when that command is killed with
SIGKILL (no `finally` runs then): it is started through a small launcher (`LAUNCHER`) that asks the
kernel for SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG, only when started from the main thread:
the signal follows the thread that forked) and keeps a watchdog thread that notices a new parent
process id (any thread, any Unix), then runs uvicorn in the same process.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from flows.server_schema import record_schema, server_environment

PDEATHSIG_ENV = "SEALREVIEW_SERVER_PDEATHSIG"
LAUNCHER = """
import os, runpy, signal, sys, threading, time
parent = int(sys.argv[1])
sys.argv = ["uvicorn", *sys.argv[2:]]
if os.environ.pop("SEALREVIEW_SERVER_PDEATHSIG", "") == "1":
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass
def watchdog():
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn shuts down
    time.sleep(10)
    os._exit(1)
if os.getppid() != parent:
    sys.exit(0)
threading.Thread(target=watchdog, name="parent-watchdog", daemon=True).start()
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""


@contextlib.contextmanager
def use_api(url: str, *, auth: str | None = None) -> Iterator[str]:
    """Point this whole process at `url`, including threads whose context was copied before now.

    Prefect read its settings when it was imported. `temporary_settings` covers this thread only; the
    process-global settings context covers the threads Prefect and Dask clients run callbacks in —
    without it those start a temporary API server of their own and record task runs there.
    """
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    with contextlib.ExitStack() as stack:
        updates = {PREFECT_API_URL: url, **({PREFECT_API_AUTH_STRING: auth} if auth else {})}
        stack.enter_context(temporary_settings(updates))
        try:
            from prefect.context import _temporary_global_settings_context, get_settings_context
        except ImportError:  # a future Prefect without this internal helper
            pass
        else:
            stack.enter_context(_temporary_global_settings_context(get_settings_context()))
        yield url


@contextlib.contextmanager
def prefect_api(while_starting: Callable[[Callable[[], bool]], object] | None = None) -> Iterator[str]:
    """A Prefect API for this run: `PREFECT_API_URL` if set, else a temporary server of its own.

    `while_starting(ready)` runs in this process while the server boots in its own (a few seconds of the
    server's CPU): work that needs no API, such as hashing the input files, overlaps with it; `ready()`
    says whether the server already answers (optional work can stop then).
    """
    configured = os.environ.get("PREFECT_API_URL")
    if configured:  # also for this process, whose settings were read when prefect was imported
        if while_starting is not None:
            while_starting(lambda: True)
        with use_api(configured):
            yield configured
        return
    global _EARLY
    server, _EARLY = _EARLY or TemporaryServer(), None
    try:
        if server.process is None:
            server.launch()
        if while_starting is not None:
            while_starting(server.answers)
        server.wait_ready(float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")))
        os.environ["PREFECT_API_URL"] = server.api_url
        with use_api(server.api_url):
            yield server.api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


class TemporaryServer:
    """Prefect's API served by uvicorn on 127.0.0.1 and a free port, in a process that dies with this one.

    What prefect's SubprocessASGIServer does (same app, same settings), without importing prefect.server
    here (≈3 s of CPU the command does not need) and started through `LAUNCHER`.
    """

    def __init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.env: dict[str, str] = {}

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def answers(self) -> bool:
        return self.process is not None and self.process.poll() is None and healthy(self.api_url)

    def launch(self) -> None:
        """Start uvicorn. Prefect's settings are passed on when Prefect is imported already; before that
        (`start_early`) the server reads the same environment and profile as this process would."""
        self.port = free_port()
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        if "prefect.settings" in sys.modules:
            from prefect.settings import get_current_settings

            env.update(get_current_settings().to_environment_variables(exclude_unset=True))
        if threading.current_thread() is threading.main_thread():
            env[PDEATHSIG_ENV] = "1"
        self.env = env = server_environment(env)  # no migration check when the schema is current
        spec = importlib.util.find_spec("prefect")
        if spec is None or spec.origin is None:
            raise RuntimeError("prefect がインストールされていません")
        site = Path(spec.origin).parent.parent  # what prefect.__module_path__.parent is
        args = ["--app-dir", str(site), "--factory", "prefect.server.api.server:create_app",
                "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        self.process = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(os.getpid()), *args], env=env)

    def wait_ready(self, timeout: float) -> None:
        """Until /api/health answers 200; a port taken in the meantime (uvicorn exits 3) gets another."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll() if self.process else None
            if code == 3:
                self.launch()
            elif code is not None:
                raise RuntimeError(f"一時的な Prefect API サーバーが起動できませんでした（終了コード {code}）")
            if healthy(self.api_url):
                record_schema(self.env)
                return
            time.sleep(0.1)
        raise RuntimeError(f"一時的な Prefect API サーバーが {timeout:.0f} 秒以内に起動しませんでした")

    def stop(self) -> None:
        """SIGTERM, then uvicorn's graceful shutdown (≈0.5 s) is awaited in the background: the run's work is
        done, and the command can end meanwhile (the server goes on shutting down alone). Killed after 5 s."""
        if self.process is None:
            return
        process, self.process = self.process, None
        process.terminate()
        threading.Thread(target=_reap, args=(process,), name="prefect-server-stop", daemon=True).start()


def _reap(process: subprocess.Popen) -> None:
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


_EARLY: TemporaryServer | None = None  # launched by start_early, taken over by the next prefect_api()


def start_early() -> None:
    """Launch the temporary server now, before this process imports Prefect (≈2 s), so both boot at once.

    For the command line: call it first thing in a command that will run a flow. Nothing happens when
    `PREFECT_API_URL` is set. The server is stopped by the `prefect_api()` that takes it over, or dies
    with this process.
    """
    global _EARLY
    if _EARLY is None and not os.environ.get("PREFECT_API_URL"):
        _EARLY = TemporaryServer()
        _EARLY.launch()


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 never through a proxy


def healthy(api_url: str) -> bool:
    try:
        with DIRECT.open(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False
