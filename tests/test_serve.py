"""A real `prefect server start` (own PREFECT_HOME, 127.0.0.1) and a re-audit that runs on its own schedule.

`shared_server()` starts one server per test process; test_reaudit.py and test_dask.py use it too.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from flows.serve import healthy, prefect_server

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "forms"
pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.ginza]

_server: dict[str, str] = {}


def shared_server() -> str:
    """The API URL of one real Prefect server for this test process (stopped at exit)."""
    if "url" not in _server:
        stack = contextlib.ExitStack()
        home = Path(tempfile.mkdtemp(prefix="sealreview-test-server-"))
        saved = os.environ.pop("PREFECT_API_URL", None)
        try:
            url = stack.enter_context(prefect_server(
                home=home, ui=False, timeout=180,
                extra_env={"PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5"}))
        finally:
            if saved is not None:
                os.environ["PREFECT_API_URL"] = saved
        atexit.register(stack.close)
        _server["url"] = url
    return _server["url"]


@pytest.fixture()
def prefect_api_url(monkeypatch: pytest.MonkeyPatch) -> str:
    """PREFECT_API_URL of the shared server, for this test only (the run code reads it)."""
    url = shared_server()
    monkeypatch.setenv("PREFECT_API_URL", url)
    return url


def copy_forms(target: Path, names: list[str]) -> Path:
    """A tiny input folder: the named example forms (relative paths kept)."""
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(EXAMPLES / name, target / name)
    return target


def api(url: str, path: str, body: dict | None = None):
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def completed_runs(url: str, deployment_name: str) -> list[dict]:
    deployments = [d for d in api(url, "/deployments/filter") if d["name"] == deployment_name]
    if not deployments:
        return []
    runs = api(url, "/flow_runs/filter", {"flow_runs": {"deployment_id": {"any_": [deployments[0]["id"]]}}})
    return [r for r in runs if r["state_type"] == "COMPLETED"]


def test_server_is_real_and_local(prefect_api_url: str) -> None:
    assert prefect_api_url.startswith("http://127.0.0.1:")
    assert healthy(prefect_api_url)


def test_scheduled_reaudit_runs_on_its_own(prefect_api_url: str, tmp_path: Path) -> None:
    inputs = copy_forms(tmp_path / "in", ["市民文化局/戸籍住民サービス部/婚姻届.pdf", "会計室/審査課/請求書.docx"])
    out = tmp_path / "out"
    name = "test-reaudit-every-minute"
    env = {**os.environ, "PREFECT_API_URL": prefect_api_url, "PREFECT_RUNNER_POLL_FREQUENCY": "5"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve", str(inputs), "--out", str(out), "--cron", "* * * * *",
         "--workers", "1", "--name", name],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not completed_runs(prefect_api_url, name):
            assert proc.poll() is None, proc.stdout.read()[-3000:]
            time.sleep(3)
        runs = completed_runs(prefect_api_url, name)
        assert runs, "no scheduled run completed within 3 minutes"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    assert all(r["auto_scheduled"] for r in runs)  # made by the server's scheduler, not by hand
    deployment = [d for d in api(prefect_api_url, "/deployments/filter") if d["name"] == name][0]
    schedule = deployment["schedules"][0]["schedule"]
    assert schedule == {"cron": "* * * * *", "timezone": "Asia/Tokyo", "day_or": True}
    rows = [json.loads(line) for line in (out / "register.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["path"]: r["decision"] for r in rows} == {
        "市民文化局/戸籍住民サービス部/婚姻届.pdf": "abolish", "会計室/審査課/請求書.docx": "keep_contract"}
    from openpyxl import load_workbook

    assert "変更履歴" in load_workbook(out / "register.xlsx", read_only=True).sheetnames
    assert "再監査を「* * * * *」（日本時間）に実行します" in output
