"""EarlyPictures.flush (output/evidence/early.py): once the files are read, the Word and Excel pictures still
pending start at once, as one job whose batches run one LibreOffice per core (real LibreOffice)."""

from __future__ import annotations

import shutil
import time

import pytest

from output.evidence.early import EarlyPictures
from tests.conftest import EXAMPLES
from tests.test_evidence_pictures import KEIYAKU, MITSUMORI, row_for, spy_conversions

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def test_flush_starts_the_pending_word_and_excel_pictures_together(tmp_path, monkeypatch):
    converted = spy_conversions(monkeypatch)
    out = tmp_path / "out"
    early = EarlyPictures(out, None)  # default batch sizes: neither kind fills a batch
    early.add([row_for(KEIYAKU, "表2 2行4列"), row_for(MITSUMORI, "様式!F9")])
    time.sleep(0.2)
    assert converted == []  # pending until a batch is full, or the files are all read
    early.flush()
    deadline = time.monotonic() + 300
    while len(list((out / "evidence").glob("*.png"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)  # made before finish() is called: while the register would be written
    assert len(list((out / "evidence").glob("*.png"))) == 2
    assert converted == [sorted([EXAMPLES.resolve() / KEIYAKU, EXAMPLES.resolve() / MITSUMORI])]
    assert early.finish() == 2
    assert len(converted) == 1  # nothing was left for finish()

