"""The pieces of cells kept per process (classifiers/fields/cells.read_cell, issue 19 H): the same answer as reading
the cell afresh, never an answer of another pattern set."""

from __future__ import annotations

from dataclasses import replace

from classifiers.fields import extract_fields
from classifiers.fields.cells import _Memo, read_cell
from classifiers.fields.data import load_field_patterns
from extractors.models import Document, InputFormat, Location, TextBlock

CELLS = ["住所", "氏名（必須）", "　　年　　月　　日", "電話番号：", "性別　□男　□女", "有　・　無", "　　円",
         "1　事業の名称", "申請者　氏名", "この用紙を印刷して使用してください。", "使用目的"]


def _fresh(text: str, pats, *, single: bool):
    _Memo.patterns = None  # forget every kept piece
    return read_cell(text, pats, single=single)


def test_a_kept_piece_is_the_piece_read_afresh() -> None:
    pats = load_field_patterns()
    for single in (False, True):
        expected = [_fresh(text, pats, single=single) for text in CELLS]
        _Memo.patterns = None
        first = [read_cell(text, pats, single=single) for text in CELLS]
        again = [read_cell(text, pats, single=single) for text in CELLS]
        assert first == expected and again == expected
        assert all(a is b for a, b in zip(first, again, strict=True))  # the second time from the memo
    assert read_cell("住所", pats, single=True) != read_cell("有　・　無", pats, single=True)


def test_another_pattern_set_never_gets_the_pieces_of_the_first() -> None:
    pats = load_field_patterns()
    narrow = replace(pats, max_label=2)  # no label longer than two characters
    assert read_cell("交付申請額", pats).label == "交付申請額"
    assert read_cell("交付申請額", narrow).label == ""
    assert read_cell("交付申請額", pats).label == "交付申請額"


def test_the_fields_of_a_form_read_twice_are_the_same() -> None:
    rows = [["住所", ""], ["氏名", ""], ["生年月日", "　　年　　月　　日"], ["住所", ""]]
    blocks = tuple(TextBlock(text, Location(kind="table", table=1, row=r, col=c), line_key=("t", 1, r), order=c)
                   for r, row in enumerate(rows, 1) for c, text in enumerate(row, 1))
    document = Document(format=InputFormat.DOCX, blocks=blocks)
    _Memo.patterns = None
    first = extract_fields(document)
    assert first == extract_fields(document)
    assert [(f.label, f.kind) for f in first.fields][:3] == [("住所", "address"), ("氏名", "name"), ("生年月日", "date")]
