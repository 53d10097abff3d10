"""Whose seal and which document: the issuer's seal, staff stamp grids, sentences about another document
(GiNZA's parse), checklists, 「押印｜不要」 over two cells and 「認印不可」. Sentences written for these tests."""

from __future__ import annotations

import pytest

from classifiers.engine import detect
from classifiers.models import ABOUT_OTHER_DOCUMENT
from classifiers.scope import other_document
from extractors.models import Document, InputFormat, Location, TextBlock

pytestmark = pytest.mark.ginza


def _doc(*rows: str, title: str = "", sheet: str | None = None) -> Document:
    """One line per row; cells of a row separated by tabs."""
    blocks = []
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row.split("\t"), start=1):
            loc = Location(kind="cell" if sheet else "table", table=None if sheet else 1, row=r, col=c, sheet=sheet,
                           cell=f"{'ABCDEFGH'[c - 1]}{r}" if sheet else None)
            blocks.append(TextBlock(cell, loc, line_key=("t", r), order=c))
    return Document(format=InputFormat.XLSX if sheet else InputFormat.DOCX, blocks=tuple(blocks), title=title)


@pytest.mark.parametrize(("sentence", "document", "who"), [
    ("誓約書には誓約者の押印が必要です。", "誓約書", "誓約者"),  # the title below is 使用許可申請書
    ("委任状には委任者本人の押印をお願いします。", "委任状", "委任者本人"),
    ("契約締結時には実印を押印していただきます。", "契約締結時", None),
    ("別紙の同意書には保護者が押印してください。", "別紙の同意書", None),
])
def test_sentence_about_another_document(sentence, document, who):
    start = sentence.index("押印") if "押印" in sentence else sentence.index("実印")
    found = other_document(sentence, start, start + 2, "使用許可申請書")
    assert found is not None and found.document == document
    if who:
        assert found.who == who


@pytest.mark.parametrize(("sentence", "title"), [
    ("本申請書には代表者が押印してください。", "補助金交付申請書"),
    ("申請書には必ず押印すること。", "承諾書"),  # a form's generic name for itself
    ("委任状には委任者の押印が必要です。", "委任状"),  # the form is that 委任状
    ("申請者欄に押印の上、提出してください。", "届出書"),  # no document named at all
])
def test_sentence_about_this_form(sentence, title):
    start = sentence.index("押印")
    assert other_document(sentence, start, start + 2, title) is None


def test_other_document_sentence_is_evidence_not_a_request():
    det = detect(_doc("使用許可申請書", "住所\t〇〇市", "氏名\t山田", "請求書には口座の届出印を押印してください。",
                      title="使用許可申請書"))
    assert not det.seal_requested
    about = [f for f in det.findings if f.label == ABOUT_OTHER_DOCUMENT]
    assert about and all(f.rule_id == "seal.scope.other_document.v1" for f in about)
    assert "「請求書」" in about[0].explanation


@pytest.mark.parametrize("ocr", [False, True])
def test_other_document_sentence_with_a_blank_before_the_seal_word(ocr):
    """Regression (held-out scan seed 67): OCR put a blank inside the sentence (「承諾書には承諾者の 押印が必要」);
    the instruction pattern took the blank into its match, the parse has no token on a blank, so the sentence was
    not found to be about the other document and became a request of this form. Typed text can hold the blank too."""
    blocks = [TextBlock(text, Location(kind="ocr" if ocr else "paragraph", paragraph=n, line=n), ocr=ocr)
              for n, text in enumerate(["利用休止届", "住所　〇〇市", "承諾書には承諾者の 押印が必要です。"], start=1)]
    det = detect(Document(format=InputFormat.PDF, blocks=tuple(blocks), title="利用休止届"))
    assert not det.seal_requested, [(f.rule_id, f.text) for f in det.findings]
    assert any(f.label == ABOUT_OTHER_DOCUMENT and "「承諾書」" in f.explanation for f in det.findings)


def _ocr_doc(*lines: str, title: str) -> Document:
    blocks = [TextBlock(text, Location(kind="ocr", page=1, line=n), line_key=("p", 1, n), ocr=True)
              for n, text in enumerate(lines, start=1)]
    return Document(format=InputFormat.PDF, blocks=tuple(blocks), title=title)


@pytest.mark.parametrize("line", ["承諾 書には承諾者の押印が必要です。", "口座振替依頼 書には届出印の押印が必要です。",
                                  "誓 約書には誓約者の押印をお願いします。"])
def test_other_document_word_split_by_an_ocr_blank(line):
    """Regression (tuning scan seed 301): OCR put a blank inside the other document's name (「請求 書には…押印が
    必要」); the cue needs the word whole, so the sentence became a request of this form. On OCR rows the blanks
    between two CJK characters are left out for this question; a request of this form stays one."""
    det = detect(_ocr_doc("利用休止届", "住所 〇〇市", line, title="利用休止届"))
    assert not det.seal_requested, [(f.rule_id, f.text) for f in det.findings]
    assert any(f.label == ABOUT_OTHER_DOCUMENT for f in det.findings)
    assert detect(_ocr_doc("利用休止届", "住所 〇〇市", "本 届出書には押印してください。", title="利用休止届")).seal_requested


def test_ocr_blanks_are_left_out_only_between_cjk_characters():
    from classifiers.scope import without_ocr_blanks

    assert without_ocr_blanks("請求 書には 押印 A B", 7, 9) == ("請求書には押印 A B", 5, 7)


@pytest.mark.parametrize("rows", [
    ("上記のとおり相違ないことを証明します。\t△△警察署長\t印",),
    ("証明者\t△△町長\t△△　△△\t㊞",),
    ("△△区長\t㊞（公印）",),
    ("（以下は記入しないでください）", "局長\t部長\t次長\t課長", "印\t印\t印\t印"),
    ("受付\t\t処理", "令和　年　月　日\t\t", "印\t\t印"),  # the heading is two rows above the 印 row
])
def test_issuer_and_staff_seals_are_not_requests(rows):
    det = detect(_doc("保管場所使用承諾証明書", "使用者\t住所\t〇〇市", *rows))
    assert not det.seal_requested, [(f.rule_id, f.text) for f in det.findings]


def test_addressee_line_is_no_issuer():
    det = detect(_doc("申請書", "△△市長\t様", "申請者\t山田　太郎\t印"))
    assert det.seal_requested


def test_checklist_items_are_about_the_forms_checked():
    rows = ("番号\t点検する内容\t済", "代表者の氏名\t記載\t自署", "様式２\t押印\t代表者印")
    det = detect(_doc(*rows, sheet="提出書類チェックリスト"))
    assert not det.signature_required and not det.seal_requested
    assert {f.rule_id for f in det.findings if f.label == ABOUT_OTHER_DOCUMENT} == {"seal.scope.checklist.v1"}
    same_rows_in_a_form = detect(_doc(*rows, sheet="様式"))
    assert same_rows_in_a_form.signature_required


def test_seal_and_not_required_split_over_two_cells():
    det = detect(_doc("届出書", "氏名\t山田", "押印\t不要"))
    assert not det.seal_requested and det.seal_not_required_note


@pytest.mark.parametrize("note", ["※認印不可", "認め印は使用できません。", "認印では不可"])
def test_mitome_not_accepted_asks_for_a_registered_seal(note):
    det = detect(_doc("委任状", "委任者\t山田\t印", note))
    assert det.seal_requested and "jitsuin" in det.seal_kinds
    assert not det.seal_not_required_note
