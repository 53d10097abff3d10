"""The Dask path (`--dask-address`, a real `distributed.LocalCluster` with two worker processes) writes the
same register as local worker processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.scan import run_scan
from tests.test_serve import copy_forms, prefect_api_url  # noqa: F401 - the shared server fixture

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.ginza]
FORMS = ["市民文化局/戸籍住民サービス部/婚姻届.pdf", "健康福祉局/障害福祉課/誓約書.xlsx", "会計室/審査課/請求書.docx",
         "環境局/減量推進課/ごみ集積所設置届.docx"]


def register_rows(out: Path) -> dict[str, dict]:
    """register.jsonl by path, without what legitimately differs between two output folders."""
    rows = {}
    for line in (out / "register.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        row.pop("run_id", None)  # each run has its own id; revised_path is already relative to OUT_DIR
        rows[row["path"]] = row
    return rows


def test_dask_cluster_gives_the_same_register(prefect_api_url: str, tmp_path: Path) -> None:  # noqa: F811
    from distributed import Client, LocalCluster

    inputs = copy_forms(tmp_path / "in", FORMS)
    common = {"inputs": [str(inputs)], "as_of": "2025-04-01", "policy": "default", "manifest": None}
    local = run_scan(out=str(tmp_path / "local"), workers=2, **common)
    # workers are started after PREFECT_API_URL is set, so they report to the same real server
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = run_scan(out=str(tmp_path / "dask"), workers=2, dask_address=cluster.scheduler_address, **common)
        with Client(cluster) as client:
            ran_on = client.run(lambda: __import__("classifiers.engine").engine._detector is not None)
    assert local["rows"] == dask["rows"] == len(FORMS)
    assert dask["analysed"] == len(FORMS)
    assert any(ran_on.values()), "no Dask worker ran the detector"
    local_rows, dask_rows = register_rows(tmp_path / "local"), register_rows(tmp_path / "dask")
    assert set(local_rows) == set(FORMS)
    assert dask_rows == local_rows
    assert dask_rows["市民文化局/戸籍住民サービス部/婚姻届.pdf"]["decision"] == "abolish"


def test_dask_workers_keep_the_per_file_limits_when_not_daemonic(prefect_api_url: str, tmp_path: Path,  # noqa: F811
                                                                  monkeypatch) -> None:
    """Dask's worker processes are daemonic by default and may not start the limited worker process. With Dask's
    public setting distributed.worker.daemon = False (DASK_DISTRIBUTED__WORKER__DAEMON=False for `dask worker`),
    a file stuck in a C call on a Dask worker is ended at its time limit like a local one, and the rest goes on."""
    import dask
    from distributed import LocalCluster

    inputs = copy_forms(tmp_path / "in", FORMS)
    stuck = "会計室/審査課/請求書.docx"
    monkeypatch.setenv("SEALREVIEW_FILE_TIMEOUT", "30")  # far past a normal file on a loaded machine
    monkeypatch.setenv("SEALREVIEW_TEST_STALL", "extract:請求書")
    common = {"inputs": [str(inputs)], "as_of": "2025-04-01", "policy": "default", "manifest": None}
    with dask.config.set({"distributed.worker.daemon": False}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        run_scan(out=str(tmp_path / "dask"), workers=2, dask_address=cluster.scheduler_address, **common)
    rows = register_rows(tmp_path / "dask")
    assert set(rows) == set(FORMS)
    assert rows[stuck]["decision"] == "error"
    assert rows[stuck]["reason"] == "処理が制限時間（30秒）を超えたため中断しました（読み取りの段階）"
    assert all(rows[p]["decision"] != "error" for p in FORMS if p != stuck), [rows[p]["reason"] for p in FORMS]
