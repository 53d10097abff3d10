"""The real corpus is read end to end: no exception, every form gives text or a Japanese reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.discover import discover
from extractors.models import InputFormat, Status
from extractors.registry import extract

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
FORMS = {InputFormat.PDF, InputFormat.DOCX, InputFormat.XLSX, InputFormat.DOC, InputFormat.XLS}


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="real corpus not available")
def test_real_corpus_reads_end_to_end():
    files = [f for f in discover([CORPUS]) if f.format in FORMS]
    assert len(files) >= 20
    unread = []
    for source in files:
        doc = extract(source)  # must never raise
        assert doc.format is source.format
        if doc.status is Status.FAILED:
            assert doc.errors and all(any(ord(ch) > 0x3000 for ch in e) for e in doc.errors)
            unread.append(source.rel_path)
            continue
        assert doc.blocks, source.rel_path
        assert all(b.location.describe() for b in doc.blocks)
    assert not unread, unread
