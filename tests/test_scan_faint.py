"""Faint scans (light toner): forms written here, printed faint by bench/gen_scans.py's scanner at 200 and 300 dpi,
read by the real pdftoppm + tesseract and detection. Tesseract (jpn) reads the 捺 of 捺印 in this Mincho as 擦, 捧 or
控 (bench/measure_ocr_confusions.py --modes faint); classifiers/ocr_confusions.yaml repairs it in OCR text only, so
a 捺印 instruction is a seal request and a 捺印は不要 line a negation, read faint or not."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from classifiers.engine import detect
from extractors.discover import discover
from extractors.registry import extract

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from corpus_writers import write_lines_pdf  # noqa: E402
from gen_scans import _scan  # noqa: E402

pytestmark = [pytest.mark.ginza, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                                 reason="tesseract / poppler not installed")]

ASKS = ["自転車駐車場使用届", "住所　〇〇市桜台二丁目4番8号", "届出者　川村　次郎",
        "この届出書にご捺印のうえ、窓口へお持ちください。"]
WAIVES = ["自転車駐車場使用届", "住所　〇〇市桜台二丁目4番8号", "届出者　川村　次郎", "この届出書への捺印は不要です。"]
# tesseract reads the 欄 of 押印欄 as 村, 柚, 杜… (a turned page of seed 67 made 「押印欄を削除」 a request)
BOX_REMOVED = ["自転車駐車場使用届", "住所　〇〇市桜台二丁目4番8号", "届出者　川村　次郎", "本様式の押印欄は廃止しました。"]


def _form(path: Path, lines: list[str]) -> Path:
    return write_lines_pdf(path, lines, left=60, top=70, step=30)


def _read(tmp_path: Path, lines: list[str], dpi: int):
    scans = tmp_path / "scans"
    scans.mkdir()
    _scan(_form(tmp_path / "form.pdf", lines), scans / "form.pdf", dpi, "faint")
    (source,) = discover([scans])
    document = extract(source, ocr=True)
    assert document.meta.get("ocr_pages") == [1]
    return detect(document)


@pytest.mark.parametrize("dpi", [200, 300])
def test_faint_natsuin_instruction_is_a_seal_request(tmp_path, dpi):
    det = _read(tmp_path, ASKS, dpi)
    assert det.seal_requested, [(f.rule_id, f.text) for f in det.findings]
    assert any(f.rule_id.startswith("seal.instruction.") for f in det.findings)


@pytest.mark.parametrize(("lines", "dpi"), [(WAIVES, 200), (WAIVES, 300), (BOX_REMOVED, 200), (BOX_REMOVED, 300)],
                         ids=["natsuin-fuyou-200", "natsuin-fuyou-300", "oinran-haishi-200", "oinran-haishi-300"])
def test_faint_waived_seal_is_no_request(tmp_path, lines, dpi):
    det = _read(tmp_path, lines, dpi)
    assert not det.seal_requested, [(f.rule_id, f.text) for f in det.findings]
