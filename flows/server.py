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
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

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
def use_api(url: str) -> Iterator[str]:
    """Point this whole process at `url`, including threads whose context was copied before now.

    Prefect read its settings when it was imported. `temporary_settings` covers this thread only; the
    process-global settings context covers the threads Prefect and Dask clients run callbacks in —
    without it those start a temporary API server of their own and record task runs there.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with contextlib.ExitStack() as stack:
        stack.enter_context(temporary_settings({PREFECT_API_URL: url}))
        try:
            from prefect.context import _temporary_global_settings_context, get_settings_context
        except ImportError:  # a future Prefect without this internal helper
            pass
        else:
            stack.enter_context(_temporary_global_settings_context(get_settings_context()))
        yield url


@contextlib.contextmanager
def prefect_api() -> Iterator[str]:
    configured = os.environ.get("PREFECT_API_URL")
    if configured:  # also for this process, whose settings were read when prefect was imported
        with use_api(configured):
            yield configured
        return
    server = tied_server()
    server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")))
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with use_api(server.api_url):
            yield server.api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


def tied_server() -> Any:
    """A temporary Prefect API server (127.0.0.1, a free port) that dies with this process."""
    import subprocess

    import prefect
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class TiedASGIServer(SubprocessASGIServer):
        _instances: dict = {}  # not shared with Prefect's own ephemeral servers

        def _run_uvicorn_command(self) -> subprocess.Popen:
            env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                   "PREFECT__SERVER_FINAL": "1",
                   **get_current_settings().to_environment_variables(exclude_unset=True)}
            if threading.current_thread() is threading.main_thread():
                env[PDEATHSIG_ENV] = "1"
            args = ["--app-dir", str(prefect.__module_path__.parent), "--factory",
                    "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
                    "--log-level", "error", "--lifespan", "on"]
            return subprocess.Popen([sys.executable, "-c", LAUNCHER, str(os.getpid()), *args], env=env)

    return TiedASGIServer()
