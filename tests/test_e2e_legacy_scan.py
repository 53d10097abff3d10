"""End to end through the command line: a legacy .xls and a scanned PDF are read, not `error` rows.

Regression: the work folder under OUT_DIR was never created, so LibreOffice conversion and OCR failed
for every file through the CLI (while direct `extract()` calls in other tests passed), with a false
"file not found" reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.extract_fixtures import make_legacy, make_scanned_pdf

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.ginza]


def test_cli_reads_xls_and_scans(tmp_path: Path, examples_dir: Path) -> None:
    inputs = tmp_path / "in" / "健康福祉局" / "障害福祉課"
    inputs.mkdir(parents=True)
    make_legacy(examples_dir / "健康福祉局" / "障害福祉課" / "誓約書.xlsx", inputs, "xls")
    make_scanned_pdf(examples_dir / "総務企画局" / "契約課" / "入札書.pdf", inputs / "入札書（スキャン）.pdf", dpi=300)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "scan", str(tmp_path / "in"), "--out", str(out),
                           "--workers", "1"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {json.loads(line)["path"]: json.loads(line) for line in (out / "register.jsonl").open(encoding="utf-8")}
    xls = rows["健康福祉局/障害福祉課/誓約書.xls"]
    assert (xls["format"], xls["decision"], xls["replacement"]) == ("xls", "abolish", "shomei"), xls["reason"]
    assert xls["seal_requested"] is True
    scan = rows["健康福祉局/障害福祉課/入札書（スキャン）.pdf"]
    assert scan["decision"] != "error", scan["reason"]
    assert scan["error"] is None
    assert any("OCR" in e["location"] for e in scan["evidence"]) or scan["decision"] == "needs_review"
