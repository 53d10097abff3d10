"""Issue 15, items 1 and 15: `serve`'s API needs credentials, a run may not change the served folders, and
the server dies with `serve` (SIGKILL included). A real `prefect server start`, started by `serve` itself."""

from __future__ import annotations

import base64
import json
import os
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from flows.serve import AUTH_FILE, free_port, healthy
from tests.fixtures import hostile

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.prefect]
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(url: str, path: str, body: dict | None = None, auth: str | None = None):
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    for attempt in range(6):  # a busy server (SQLite under load) answers 503 for a moment, as Prefect's client knows
        request = urllib.request.Request(f"{url}{path}", data=json.dumps(body or {}).encode(), method="POST",
                                         headers=headers)
        try:
            with DIRECT.open(request, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code not in (429, 503) or attempt == 5:
                raise
            time.sleep(2)
    raise AssertionError("unreachable")


def wait_for(predicate, seconds: float, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(proc.stdout.read()[-3000:])
        value = predicate()
        if value:
            return value
        time.sleep(1)
    raise AssertionError("timed out")


def test_item1_and_15_serve_needs_credentials_refuses_overrides_and_dies_with_its_parent(tmp_path: Path) -> None:
    home, inputs, out = tmp_path / "home", tmp_path / "in", tmp_path / "out"
    hostile.abolish_form(inputs)
    foreign_out = tmp_path / "foreign-out"
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
    env.update(SEALREVIEW_PREFECT_HOME=str(home), PREFECT_HOME=str(home), PREFECT_RUNNER_POLL_FREQUENCY="2")
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve", str(inputs), "--out", str(out), "--cron", "0 2 * * 1",
         "--port", str(port), "--workers", "1", "--name", "hostile"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        auth_file = home / AUTH_FILE
        wait_for(lambda: auth_file.is_file() and healthy(url), 180, proc)
        assert stat.S_IMODE(auth_file.stat().st_mode) == 0o600
        secret = auth_file.read_text(encoding="utf-8").strip()
        with pytest.raises(urllib.error.HTTPError) as refused:  # any local user, without the credentials
            call(url, "/deployments/filter")
        assert refused.value.code == 401
        with pytest.raises(urllib.error.HTTPError):
            call(url, "/deployments/filter", auth="sealreview:wrong")

        def deployment():
            found = [d for d in call(url, "/deployments/filter", auth=secret) if d["name"] == "hostile"]
            return found[0] if found else None

        served = wait_for(deployment, 120, proc)
        run = call(url, f"/deployments/{served['id']}/create_flow_run", auth=secret,
                   body={"parameters": {"inputs": [str(tmp_path)], "out": str(foreign_out)}})

        def finished():
            found = call(url, "/flow_runs/filter", auth=secret, body={"flow_runs": {"id": {"any_": [run["id"]]}}})[0]
            return found if found["state_type"] in ("FAILED", "CRASHED", "COMPLETED") else None

        done = wait_for(finished, 150, proc)
        assert done["state_type"] == "FAILED"  # refused: another output than served
        assert "OverrideRefused" in (done["state"]["message"] or ""), done["state"]
        assert not foreign_out.exists()
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # serve only, not its process group
        proc.wait(timeout=30)
    wait_for(lambda: not healthy(url), 45)  # the server noticed and stopped
    output = proc.stdout.read()
    assert "パスワードが必要です" in output
