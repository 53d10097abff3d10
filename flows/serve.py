"""Prefect API servers, both started as `prefect server start` in a child process (Prefect's own command).

- `prefect_api()`: one temporary API server per run (no services, no UI, 127.0.0.1, a free port), shared
  by the flow and its worker processes. Without `PREFECT_API_URL`, every process that talks to Prefect
  would start a temporary server of its own (7–17 s each, pitfalls.md). The command line launches it first
  thing (`start_early`), before this process imports Prefect, and puts its URL into the environment then,
  so every thread and worker process of the run reads it as its own setting. With `PREFECT_API_URL` set by
  the user (a real `prefect server start`), that one is used as is.
- `prefect_server()`: a real server with its services (the scheduler) for `sealreview serve`: schedules do
  nothing on a temporary server.

Either server dies with the command that started it, also when that command is killed with SIGKILL (no
`finally` runs then): it is started through `LAUNCHER`, which asks the kernel for SIGTERM when its parent
dies (prctl PR_SET_PDEATHSIG, effective when started from the main thread: the signal follows the thread
that forked) and keeps a watchdog thread that notices a new parent process id and ends its process group.

Who may use `serve`'s API: the server it starts requires Prefect's basic-auth string
(PREFECT_SERVER_API_AUTH_STRING), generated once per installation into `<PREFECT_HOME>/api-auth` (mode 0600,
readable by the user running `serve` only). The served deployment runs only with the folders and options it
was served with (SEALREVIEW_SERVED_PARAMETERS): a flow run asking for other inputs, output or options is
refused and logged (flows/reaudit.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from flows import prefect_home

HEALTH_TIMEOUT = 120.0
AUTH_FILE = "api-auth"
SERVE_STATE = "serve-server.json"  # `sealreview serve`'s running server: scan and reaudit use it instead of booting one
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


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_free_now(port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 never through a proxy


def healthy(api_url: str) -> bool:
    try:
        with DIRECT.open(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def launch(port: int, env: dict[str, str], log_path: Path, *, services: bool) -> subprocess.Popen:
    """`prefect server start` on 127.0.0.1:`port` through LAUNCHER, in a session of its own."""
    command = [sys.executable, "-c", LAUNCHER, str(os.getpid()), "server", "start", "--host", "127.0.0.1",
               "--port", str(port)]
    if not services:
        command += ["--no-services", "--log-level", "ERROR"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def stop_process_group(proc: subprocess.Popen, grace: float = 20.0) -> None:
    """Stop a server we started (its own session/process group), politely first."""
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


class TemporaryServer:
    """The run's API server: `prefect server start --no-services` on a free port, in a process that dies
    with this one. `launch()` returns at once; `wait_ready()` waits for /api/health."""

    def __init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def answers(self) -> bool:
        return self.process is not None and self.process.poll() is None and healthy(self.api_url)

    def launch(self) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(PREFECT_UI_ENABLED="false", PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
        home = Path(env.get("PREFECT_HOME") or prefect_home())
        self.process = launch(self.port, env, home / "temporary-server.log", services=False)

    def wait_ready(self, timeout: float) -> None:
        """Until /api/health answers 200; a server whose port was taken meanwhile is started again on another."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll() if self.process else None
            if code is not None:
                if not port_free_now(self.port):
                    self.launch()
                    continue
                raise RuntimeError(f"一時的な Prefect API サーバーが起動できませんでした（終了コード {code}）")
            if healthy(self.api_url):
                return
            time.sleep(0.1)
        raise RuntimeError(f"一時的な Prefect API サーバーが {timeout:.0f} 秒以内に起動しませんでした")

    def stop(self) -> None:
        """SIGTERM to its process group; the graceful shutdown is awaited in the background (the run's work is
        done, and the command can end meanwhile: the server goes on shutting down alone)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        threading.Thread(target=stop_process_group, args=(process, 5.0), name="prefect-server-stop",
                         daemon=True).start()


_EARLY: TemporaryServer | None = None  # launched by start_early, taken over by the next prefect_api()


def start_early() -> None:
    """Launch the temporary server now, before this process imports Prefect, so both boot at once, and put its
    URL into this process's environment: Prefect, imported later, reads it as its setting in every thread.

    For the command line: call it first thing in a command that will run a flow. Nothing happens when
    `PREFECT_API_URL` is set. The server is stopped by the `prefect_api()` that takes it over, or dies
    with this process.
    """
    global _EARLY
    if _EARLY is not None or os.environ.get("PREFECT_API_URL"):
        return
    served = running_serve_server()
    if served is not None:  # `sealreview serve` is up: its server answers at once (no boot, no migration check)
        os.environ["PREFECT_API_URL"], auth = served
        if auth:
            os.environ["PREFECT_API_AUTH_STRING"] = auth
        return
    _EARLY = TemporaryServer()
    _EARLY.launch()
    os.environ["PREFECT_API_URL"] = _EARLY.api_url


def stop_early() -> None:
    """Stop the server `start_early` launched when no flow will take it over (the command stops first)."""
    global _EARLY
    server, _EARLY = _EARLY, None
    if server is None:
        return
    if os.environ.get("PREFECT_API_URL") == server.api_url:
        del os.environ["PREFECT_API_URL"]
    server.stop()


def record_serve_server(api_url: str, home: Path | None = None) -> Path:
    """`sealreview serve`: note its server (URL and process id) in `<PREFECT_HOME>/serve-server.json` (mode 0600),
    so that scan and reaudit of the same installation use it while it runs."""
    path = Path(home or prefect_home()) / SERVE_STATE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"api_url": api_url, "pid": os.getpid()}, fh)
    os.replace(tmp, path)
    return path


@contextlib.contextmanager
def serve_note(api_url: str | None) -> Iterator[None]:
    """While `serve`'s own server runs: the note that lets scan and reaudit use it (none for a user's server)."""
    if api_url:
        record_serve_server(api_url)
    try:
        yield
    finally:
        if api_url:
            forget_serve_server()


def forget_serve_server(home: Path | None = None) -> None:
    """Remove the note when `serve` ends (only its own: another serve may have replaced it)."""
    path = Path(home or prefect_home()) / SERVE_STATE
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def running_serve_server(home: Path | None = None) -> tuple[str, str | None] | None:
    """(API URL, auth string) of the `sealreview serve` server of this installation when it runs and answers;
    None otherwise (no note, its process gone, or no answer), or when SEALREVIEW_TEMPORARY_SERVER=1 asks for a
    server of the run's own."""
    if os.environ.get("SEALREVIEW_TEMPORARY_SERVER") == "1":
        return None
    home = Path(home or prefect_home())
    try:
        note = json.loads((home / SERVE_STATE).read_text(encoding="utf-8"))
        url, pid = str(note["api_url"]), int(note["pid"])
        os.kill(pid, 0)  # the serve process is alive (the server dies with it)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not url.startswith("http://127.0.0.1:") or not healthy(url):
        return None
    try:
        auth = (home / AUTH_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        auth = None
    return url, auth


@contextlib.contextmanager
def use_api(url: str, *, auth: str | None = None) -> Iterator[str]:
    """Point this process at `url`: the environment (read by worker processes, and by Prefect where it is
    imported later) and, for this thread, Prefect's public `temporary_settings`."""
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    os.environ["PREFECT_API_URL"] = url
    updates = {PREFECT_API_URL: url, **({PREFECT_API_AUTH_STRING: auth} if auth else {})}
    with temporary_settings(updates):
        yield url


HEARTBEAT = "flows.heartbeat_frequency"  # Prefect's setting (PREFECT_FLOWS_HEARTBEAT_FREQUENCY), seconds or none


@contextlib.contextmanager
def without_heartbeats() -> Iterator[None]:
    """No flow-run heartbeats, for a run on its own temporary server (Prefect's public `temporary_settings`).

    Heartbeats let a long-lived server tell a crashed run from a running one; the temporary server ends with the run
    and has no services to watch them. The heartbeat thread sleeps in steps of one second and the end of every flow
    run waits for it: measured on 2 cores, a flow run returned 1.0 s after its last statement with heartbeats and
    0.03–0.05 s without. A run on the user's server (`PREFECT_API_URL`, `sealreview serve`) keeps them."""
    from prefect.settings import temporary_settings

    with temporary_settings({HEARTBEAT: None}):
        yield


@contextlib.contextmanager
def prefect_api(while_starting: Callable[[Callable[[], bool]], object] | None = None) -> Iterator[str]:
    """A Prefect API for this run: `PREFECT_API_URL` if the user set it, else the run's temporary server.

    `while_starting(ready)` runs in this process while the server boots in its own (a few seconds of the
    server's CPU): work that needs no API, such as hashing the input files, overlaps with it; `ready()`
    says whether the server already answers (optional work can stop then). On the temporary server the flow
    runs send no heartbeats (`without_heartbeats`).
    """
    global _EARLY
    server, _EARLY = _EARLY, None
    configured = os.environ.get("PREFECT_API_URL")
    if server is None and configured:
        if while_starting is not None:
            while_starting(lambda: True)
        with use_api(configured):
            yield configured
        return
    server = server or TemporaryServer()
    try:
        if server.process is None:
            server.launch()
        os.environ["PREFECT_API_URL"] = server.api_url  # worker processes started meanwhile inherit it
        if while_starting is not None:
            while_starting(server.answers)
        server.wait_ready(float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")))
        with use_api(server.api_url), without_heartbeats():
            yield server.api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


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
    proc = launch(port, server_env(home, ui=ui, extra=extra_env), log_path, services=True)
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


