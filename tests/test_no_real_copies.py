"""No pattern example (classifiers/patterns/*.yaml), rule-data example (rules/data/**/*.yaml) or test sentence is a
copy of a line of the real corpus (../shared/corpus/real, for measuring only). Skips when the corpus is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.models import Document, InputFormat, Location, TextBlock
from tests.corpus_copies import copies, flat, own_sentences, real_lines

ROOT = Path(__file__).resolve().parents[1]


def _doc(*lines: str) -> Document:
    blocks = tuple(TextBlock(t, Location(kind="body", paragraph=i + 1)) for i, t in enumerate(lines))
    return Document(format=InputFormat.DOCX, blocks=blocks)


def test_the_comparison_finds_a_copy_and_ignores_generic_phrases():
    lines = real_lines([_doc("申請者は、窓口で本人確認書類を提示してください。", "氏名", "押印してください")])
    sentences = [("a", "申請者は窓口で本人確認書類を提示してください"), ("b", "押印してください"), ("c", "氏名"),
                 ("d", "本人確認書類を提示"), ("e", "保管場所使用承諾証明書")]
    assert [where for where, *_ in copies(sentences, lines)] == ["a"]
    assert flat("（※ 自署 ）") == "※自署"


def test_own_sentences_are_collected():
    sentences = own_sentences(ROOT)
    places = {where.split(":")[0] for where, _ in sentences}
    assert any(p.startswith("classifiers/patterns/") for p in places)
    assert any(p.startswith("rules/data/") for p in places)
    assert any(p.startswith("tests/") for p in places)


@pytest.mark.slow
def test_no_own_sentence_copies_a_real_line(real_documents):
    lines = real_lines(document for _source, document in real_documents.values())
    assert len(lines) > 500
    found = copies(own_sentences(ROOT), lines)
    assert not found, "\n".join(f"{where}: {sentence} ← {line[:60]}" for where, sentence, line in found)
