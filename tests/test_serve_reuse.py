"""While `sealreview serve` runs, a scan or re-audit of the same installation uses its Prefect server (noted in
<PREFECT_HOME>/serve-server.json) instead of booting a temporary one; a stale note (its process gone, no answer) or
SEALREVIEW_TEMPORARY_SERVER=1 falls back to the temporary server. A real `prefect server start` with basic auth."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from flows import serve
from flows.serve import auth_string, prefect_server, record_serve_server, running_serve_server, serve_note

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "forms"
pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.ginza]


def flow_run_names(url: str, auth: str) -> list[str]:
    token = base64.b64encode(auth.encode()).decode()
    request = urllib.request.Request(f"{url}/flow_runs/filter", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        runs = json.load(response)
    flows = {}
    for run in runs:
        flow_id = run["flow_id"]
        if flow_id not in flows:
            with urllib.request.urlopen(urllib.request.Request(
                    f"{url}/flows/{flow_id}", headers={"Authorization": f"Basic {token}"}), timeout=10) as response:
                flows[flow_id] = json.load(response)["name"]
    return [flows[r["flow_id"]] for r in runs if r["state_type"] == "COMPLETED"]


def test_a_scan_runs_on_the_serve_server_and_a_stale_note_is_ignored(tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "prefect-home"
    home.mkdir()
    monkeypatch.setenv("SEALREVIEW_PREFECT_HOME", str(home))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("SEALREVIEW_TEMPORARY_SERVER", raising=False)
    assert running_serve_server(home) is None  # no note
    secret = auth_string(home)
    with prefect_server(home=home, ui=False, timeout=180, extra_env={"PREFECT_SERVER_API_AUTH_STRING": secret}) as url:
        with serve_note(url):
            assert running_serve_server(home) == (url, secret)
            monkeypatch.setenv("SEALREVIEW_TEMPORARY_SERVER", "1")
            assert running_serve_server(home) is None
            monkeypatch.delenv("SEALREVIEW_TEMPORARY_SERVER")
            monkeypatch.setattr(serve, "_EARLY", None)
            serve.start_early()
            assert os.environ.pop("PREFECT_API_URL") == url and serve._EARLY is None  # nothing booted
            assert os.environ.pop("PREFECT_API_AUTH_STRING") == secret
            forms = tmp_path / "forms"
            for name in ("会計室/審査課/請求書.docx", "健康福祉局/障害福祉課/誓約書.xlsx"):
                (forms / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(EXAMPLES / name, forms / name)
            env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
            done = subprocess.run([sys.executable, "-m", "flows.cli", "scan", str(forms), "--out", str(tmp_path / "out"),
                                   "--workers", "1"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stderr[-2000:]
            assert "scan" in flow_run_names(url, secret)  # the scan's flow run is recorded by the serve server
        assert not (home / serve.SERVE_STATE).exists()  # removed when serve ends
    record_serve_server(url, home)  # a note left behind: the server is gone
    assert running_serve_server(home) is None
    (home / serve.SERVE_STATE).write_text(json.dumps({"api_url": url, "pid": 2**22 + 12345}), encoding="utf-8")
    assert running_serve_server(home) is None
