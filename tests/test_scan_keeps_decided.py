"""A scan keeps the rows its workers decided (output/decided_rows.py `keep_read`), so the re-audit right after it
reuses them: the same register, no file decided again. What a row depends on still decides again: an edited
policy file, a reviewer's corrected 根拠法令, another as-of date. Real files, real runs (Prefect server, workers)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows.reaudit import run_reaudit
from flows.scan import run_scan
from output.corrections import import_corrections
from output.store.analysis import cache_dir_of
from rules.policy import POLICY_DIR
from tests.test_corrections import review
from tests.test_serve import copy_forms, prefect_api_url  # noqa: F401 - the shared server fixture

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.ginza]
FORMS = ["市民文化局/戸籍住民サービス部/婚姻届.pdf", "健康福祉局/障害福祉課/誓約書.xlsx", "会計室/審査課/請求書.docx",
         "環境局/減量推進課/ごみ集積所設置届.docx"]
AS_OF = "2025-04-01"


def register_lines(out: Path) -> list[dict]:
    """register.jsonl without what differs between runs by design (run_id, versions)."""
    lines = [json.loads(line) for line in (out / "register.jsonl").read_text(encoding="utf-8").splitlines()]
    return [{k: v for k, v in line.items() if k not in ("run_id", "versions")} for line in lines]


def kept_entries(out: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in (cache_dir_of(out) / "decided").rglob("*.json")}


def reaudit(out: Path, policy: str, as_of: str = AS_OF) -> dict:
    return run_reaudit(inputs=None, out=str(out), as_of=as_of, policy=policy, workers=1)


@pytest.fixture(scope="module")
def policy_copy(tmp_path_factory) -> Path:
    policy = tmp_path_factory.mktemp("policy") / "policy.yaml"
    shutil.copyfile(POLICY_DIR / "default.yaml", policy)
    return policy


def test_scan_keeps_rows_and_the_next_reaudit_reuses_them(prefect_api_url: str, tmp_path: Path,  # noqa: F811
                                                         policy_copy: Path) -> None:
    inputs, out = copy_forms(tmp_path / "in", FORMS), tmp_path / "out"
    policy = str(policy_copy)
    scanned = run_scan(inputs=[str(inputs)], out=str(out), as_of=AS_OF, policy=policy, manifest=None, workers=1)
    assert scanned["analysed"] == len(FORMS) and scanned["rows_stored"] == len(FORMS)
    entries = kept_entries(out)
    assert len(entries) == len(FORMS)
    after_scan = register_lines(out)
    assert any(line["decision"] == "abolish" for line in after_scan)

    again = reaudit(out, policy)
    assert (again["cached"], again["rows_reused"], again["rows_redecided"]) == (len(FORMS), len(FORMS), 0)
    assert register_lines(out) == after_scan
    assert kept_entries(out) == entries  # reused, not written again

    other_day = reaudit(out, policy, as_of="2019-04-01")  # the as-of date is in the key
    assert (other_day["rows_reused"], other_day["rows_redecided"]) == (0, len(FORMS))

    text = policy_copy.read_text(encoding="utf-8")  # the policy file's bytes are in the key
    assert "default_replacement: kimei" in text
    policy_copy.write_text(text.replace("default_replacement: kimei", "default_replacement: shomei"),
                           encoding="utf-8")
    # no cache to clear: rule_context keys its parsed data on the rule files' bytes (rules/files.py)
    edited = reaudit(out, policy)
    assert (edited["rows_reused"], edited["rows_redecided"]) == (0, len(FORMS))
    before = {line["path"]: line["replacement"] for line in after_scan}
    moved = {line["path"]: line["replacement"] for line in register_lines(out)
             if line["replacement"] != before[line["path"]]}
    assert moved and set(moved.values()) == {"shomei"}  # the policy's default replacement, where it applies

    row = 1 + next(i for i, line in enumerate(register_lines(out), start=1) if line["decision"] == "abolish")
    sent = review(out / "register.xlsx", tmp_path / "reviewed.xlsx", {(row, "根拠法令（修正）"): "戸籍法第29条"})
    report = import_corrections(sent, out)
    assert report.ok and report.applied == 1, report.problems
    corrected = reaudit(out, policy)  # a reviewer's 根拠法令 is in the key
    assert (corrected["rows_reused"], corrected["rows_redecided"]) == (0, len(FORMS))
    unchanged = reaudit(out, policy)
    assert (unchanged["rows_reused"], unchanged["rows_redecided"]) == (len(FORMS), 0)
