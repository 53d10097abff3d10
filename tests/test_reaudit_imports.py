"""An unchanged re-audit imports only what it needs: no model (spaCy, GiNZA, Sudachi) and no reader (pdfplumber,
pdfminer, pypdfium2, python-docx, OpenCV), nor openpyxl (only importing corrections reads a workbook), in the
command's process, and it starts no worker process. The re-audit
runs as the command line does, in a subprocess that reports its sys.modules at the end (real files, real run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.scan import run_scan
from output.store.state import StateStore
from tests.conftest import ROOT
from tests.test_serve import copy_forms, prefect_api_url  # noqa: F401 - the shared server fixture

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.ginza]
FORMS = ["市民文化局/戸籍住民サービス部/婚姻届.pdf", "健康福祉局/障害福祉課/誓約書.xlsx", "会計室/審査課/請求書.docx"]
NOT_NEEDED = ("spacy", "ginza", "ja_ginza", "sudachipy", "thinc", "cv2", "pdfplumber", "pdfminer", "pypdfium2",
              "pypdfium2_raw", "docx", "openpyxl")  # openpyxl: only to read a returned register (corrections)
PROBE = """
import json, sys
from flows.cli import main
from output.pipeline import workers
code = main(sys.argv[1:])
print("PROBE " + json.dumps({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules}),
                             "workers": len(workers._ALL)}))
"""


def probe(args: list[str], api_url: str) -> dict:
    env = {**os.environ, "PREFECT_API_URL": api_url}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("PROBE "))
    return json.loads(line.removeprefix("PROBE "))


def test_unchanged_reaudit_imports_no_model_or_reader(prefect_api_url: str, tmp_path: Path) -> None:  # noqa: F811
    inputs, out = copy_forms(tmp_path / "in", FORMS), tmp_path / "out"
    scanned = run_scan(inputs=[str(inputs)], out=str(out), as_of="2025-04-01", policy="default", manifest=None,
                       workers=1)
    assert scanned["analysed"] == len(FORMS)
    report = probe(["reaudit", "--out", str(out), "--as-of", "2025-04-01", "--workers", "2"], prefect_api_url)
    assert report["code"] == 0 and report["workers"] == 0
    assert "xlsxwriter" in report["modules"]  # the probe sees what the run imported (the register is written)
    assert sorted(set(NOT_NEEDED) & set(report["modules"])) == []
    with StateStore(out) as store:
        args = store.runs()[-1]["args"]
    assert (args["command"], args["analysed"], args["rows_reused"], args["rows_redecided"]) == (
        "reaudit", 0, len(FORMS), 0)
    changed = inputs / FORMS[0]  # a file to read again: one worker reads it (the probe can see workers)
    changed.write_bytes(changed.read_bytes() + b"\n%")
    report = probe(["reaudit", "--out", str(out), "--as-of", "2025-04-01", "--workers", "1"], prefect_api_url)
    assert report["code"] == 0 and report["workers"] == 1
