"""The per-process memo of answers read from GiNZA (classifiers/nlp.py): the same answers as a fresh parse, plain
values only, and boilerplate repeated across forms parsed once. Sentences written for these tests."""

from __future__ import annotations

import pytest

from classifiers import nlp as ginza
from classifiers import scope
from classifiers.engine import detect
from extractors.models import Document, InputFormat, Location, TextBlock

pytestmark = pytest.mark.ginza

SENTENCES = [
    ("誓約書には誓約者の押印が必要です。", "押印"),
    ("委任状には委任者本人の押印をお願いします。", "押印"),
    ("別紙の同意書には保護者が押印してください。", "押印"),
    ("この欄には押印は不要です。", "押印"),
]


def _form(title: str, *rows: str) -> Document:
    blocks = tuple(TextBlock(cell, Location(kind="table", table=1, row=r, col=c), line_key=("t", r), order=c)
                   for r, row in enumerate(rows, start=1) for c, cell in enumerate(row.split("\t"), start=1))
    return Document(format=InputFormat.DOCX, blocks=blocks, title=title)


@pytest.mark.parametrize(("sentence", "word"), SENTENCES)
def test_memoised_answer_is_the_fresh_parse(sentence, word):
    start = sentence.index(word)
    doc, offset = ginza.parse(sentence, start, start + len(word))  # a parse of its own, outside the memo
    fresh = scope._topics(doc, start - offset)
    first = ginza.read_parse(scope._topics, sentence, start, start + len(word))
    again = ginza.read_parse(scope._topics, sentence, start, start + len(word))
    assert first == fresh and again == fresh
    assert isinstance(first, tuple) and all(isinstance(p, str) for p in first[0])  # no spaCy object is kept


def test_title_still_decides_with_a_memoised_parse():
    sentence = "委任状には委任者の押印が必要です。"
    start = sentence.index("押印")
    about = scope.other_document(sentence, start, start + 2, "使用許可申請書")
    same_sentence_own_form = scope.other_document(sentence, start, start + 2, "委任状")  # answered from the memo
    assert about is not None and about.document == "委任状" and about.who == "委任者"
    assert same_sentence_own_form is None


def test_repeated_boilerplate_is_parsed_once_and_detects_the_same():
    rows = ("住所\t〇〇市", "氏名\t山田太郎", "委任状には委任者本人の押印をお願いします。", "押印は不要です。")
    first = detect(_form("補助金交付申請書", *rows))
    hits_before = ginza.memo_info()["parser"][0]
    second = detect(_form("補助金交付申請書", *rows))  # the next form of the library, same boilerplate
    assert ginza.memo_info()["parser"][0] > hits_before
    assert second == first
    assert any(f.rule_id == "seal.scope.other_document.v1" for f in first.findings)
