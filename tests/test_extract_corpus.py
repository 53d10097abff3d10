"""The real corpus is read end to end: no exception, every form gives text or a Japanese reason."""

from __future__ import annotations

import pytest

from extractors.models import InputFormat, Status

FORMS = {InputFormat.PDF, InputFormat.DOCX, InputFormat.XLSX, InputFormat.DOC, InputFormat.XLS}


@pytest.mark.slow
def test_real_corpus_reads_end_to_end(real_documents):
    files = [(s, d) for s, d in real_documents.values() if s.format in FORMS]
    assert len(files) >= 20
    unread = []
    for source, doc in files:  # extract() never raised: the session fixture read them all
        assert doc.format is source.format
        if doc.status is Status.FAILED:
            assert doc.errors and all(any(ord(ch) > 0x3000 for ch in e) for e in doc.errors)
            unread.append(source.rel_path)
            continue
        assert doc.blocks, source.rel_path
        assert all(b.location.describe() for b in doc.blocks)
    assert not unread, unread
