"""End to end: `sealreview scan` over the bundled example forms, checked against EXPECTED.tsv."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.ginza]


def expected_rows() -> dict[str, dict]:
    with (ROOT / "examples" / "EXPECTED.tsv").open(encoding="utf-8") as fh:
        return {row["path"]: row for row in csv.DictReader(fh, delimiter="\t")}


@pytest.fixture(scope="session")
def scanned(tmp_path_factory, examples_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("scan-out")
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "scan", str(examples_dir), "--out", str(out), "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "進捗" in proc.stderr  # progress was shown
    return out


def load_jsonl(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in (out / "register.jsonl").read_text(encoding="utf-8").splitlines()]
    return {row["path"]: row for row in rows}


def test_one_row_per_example_form(scanned: Path) -> None:
    rows = load_jsonl(scanned)
    assert set(rows) == set(expected_rows())
    for name in ("register.xlsx", "register.csv", "register.jsonl"):
        assert (scanned / name).stat().st_size > 0


@pytest.mark.parametrize("path", sorted(expected_rows()))
def test_example_decision(scanned: Path, path: str) -> None:
    want = expected_rows()[path]
    got = load_jsonl(scanned)[path]
    assert got["decision"] == want["decision"], got["reason"]
    assert (got["replacement"] or "") == want["replacement"], got["reason"]
    if want["decision"] == "error":
        assert got["error"] and got["seal_requested"] is None
        return
    assert got["seal_requested"] is (want["seal_requested"] == "true")
    assert got["signature_required"] is (want["signature_required"] == "true")
    assert set(got["seal_kinds"]) == set(filter(None, want["seal_kinds"].split(",")))
    assert got["reason"]
    if got["seal_requested"]:
        assert got["evidence"], "a seal decision must show its evidence"
        assert all(e["rule"] and e["location"] and e["text"] for e in got["evidence"])


def test_register_sentence_and_csv(scanned: Path) -> None:
    rows = load_jsonl(scanned).values()
    asked = sum(1 for r in rows if r["seal_requested"])
    abolished = sum(1 for r in rows if r["decision"] == "abolish")
    pct = round(100 * abolished / asked)
    sentence = f"押印を求めている申請書等{asked}件のうち{abolished}件（約{pct}%）について押印を廃止"
    from openpyxl import load_workbook

    wb = load_workbook(scanned / "register.xlsx", read_only=True)
    texts = [c for row in wb["集計"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(sentence in t for t in texts), texts[:5]
    raw = (scanned / "register.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["No", "所管", "ファイル", "様式名"]


def test_every_needs_review_row_with_a_location_has_a_picture(scanned: Path) -> None:
    """The run draws the pictures (PDFs in the workers, Word/Excel through LibreOffice) and lists them on
    review.html; PDF rows with a seal or signature finding have one too (SEALREVIEW_EVIDENCE=auto)."""
    rows = load_jsonl(scanned).values()
    review = [r for r in rows if r["decision"] == "needs_review" and any(e["location"] for e in r["evidence"])]
    assert review, "the examples have 要確認 rows"
    for row in review:
        assert row["evidence_image"] and (scanned / row["evidence_image"]).is_file(), row["path"]
    page = (scanned / "review.html").read_text(encoding="utf-8")
    assert all(r["evidence_image"] in page for r in review)
    seals = [r for r in rows if r["format"] == "pdf" and r["decision"] != "error"
             and any(e["rule"].startswith(("seal.", "signature.")) for e in r["evidence"])]
    assert seals and all(r["evidence_image"] for r in seals)
    assert {p.name for p in (scanned / "evidence").iterdir()} == {
        Path(r["evidence_image"]).name for r in rows if r.get("evidence_image")}


ONLINE_BY_DECISION = {"abolish": {"kimei": "kimei", "shomei": "shomei"}, "keep_contract": "contract",
                      "keep_registered": "registered", "keep_law": "law", "needs_review": "undecided",
                      "error": "unreadable"}


def test_online_class_and_eforms_follow_each_row(scanned: Path) -> None:
    import jsonschema

    schema = json.loads((ROOT / "output" / "eform_schema.json").read_text(encoding="utf-8"))
    rows = load_jsonl(scanned)
    for path, row in rows.items():
        want = ONLINE_BY_DECISION.get(row["decision"])
        if isinstance(want, dict):
            want = want[row["replacement"]]
        if row["decision"] == "no_seal":
            want = "shomei" if row["signature_required"] else "kimei"
        assert row["online"]["class"] == want, (path, row["online"])
        if row["decision"] == "error":
            assert row["eform_path"] is None and row["eform_note"]
            continue
        if row["eform_path"]:
            eform = json.loads((scanned / row["eform_path"]).read_text(encoding="utf-8"))
            jsonschema.validate(eform, schema)
            assert eform["source"]["path"] == path and eform["online"] == row["online"]
            assert (scanned / row["eform_path"].replace(".json", ".html")).is_file()
    with_eform = [r for r in rows.values() if r["eform_path"]]
    assert len(with_eform) >= len(rows) - 4
    files = {str(p.relative_to(scanned)) for p in (scanned / "eforms").rglob("*.json")}
    assert files == {r["eform_path"] for r in with_eform}  # no stray e-form, none missing
    assert not (scanned / ".sealreview" / "eforms").exists()
    with (scanned / "register.csv").open(encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    assert header[-4:] == ["オンライン化", "オンライン化の理由", "電子様式", "信頼度の段階"]
