"""OCR-confusion-aware matching (classifiers/ocr_confusions.yaml): tesseract's misreadings of 署 measured on our
generated scans are repaired in OCR text only, in context; the data is validated when loaded; a seal circle
under a vertical name column that OCR ran into is that column's."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.engine import detect
from classifiers.ocr_confusions import CONFUSIONS, load_confusions, repair
from classifiers.patterns import PatternError
from extractors.models import Document, InputFormat, Location, TextBlock
from extractors.scan_shapes import with_seal_boxes


def _doc(*lines: str, ocr: bool) -> Document:
    kind = "ocr" if ocr else "body"
    blocks = tuple(TextBlock(t, Location(kind=kind, page=1, line=i + 1), line_key=("p", 1, i + 1), ocr=ocr)
                   for i, t in enumerate(lines))
    return Document(format=InputFormat.PDF, blocks=blocks, pages=1)


@pytest.mark.parametrize(("read", "meant"), [
    ("本人の賭名をお願いします", "本人の署名をお願いします"),
    ("申請者氏名（自暫）", "申請者氏名（自署）"),
    ("ご贅名ください", "ご署名ください"),
    ("正副2通に割町をしてください", "正副2通に割印をしてください"),
    ("申請者 山田 太郎 [半]", "申請者 山田 太郎 [印]"),
    ("[半角]で入力してください", "[半角]で入力してください"),
    ("一緒にお持ちください", "一緒にお持ちください"),  # 緒 not before 名: a word of its own
    ("自宅の電話番号", "自宅の電話番号"),
    # v2, measured by bench/measure_ocr_confusions.py (seen at least twice)
    ("届出人の氏名（自碑）", "届出人の氏名（自署）"),
    ("受任者氏名（自販）", "受任者氏名（自署）"),
    ("庁舎内の自販機の設置", "庁舎内の自販機の設置"),  # a vending machine stays one
    ("保証人の映名をお願いします", "保証人の署名をお願いします"),
    # v3: the 認 of 認印 (measured with --kind-words; every turned 「※認印不可」 of seeds 201–206)
    ("届出には誰印を使えません", "届出には認印を使えません"),
    ("誰でも記入できます", "誰でも記入できます"),  # 誰 not before 印: a word of its own
    # v3: the 捺 of 捺印 (measured with --kind-words: 54 of 54 misread)
    ("ご擦印の上提出", "ご捺印の上提出"), ("申請者が控印する", "申請者が捺印する"), ("捧印欄", "捺印欄"),
    ("控えを一部お持ちください", "控えを一部お持ちください"),  # 控 not before 印: the copy
    # v3: the 欄 of 押印欄 (measured with --kind-words)
    ("押印村を削除しました", "押印欄を削除しました"), ("押印机は不要", "押印欄は不要"), ("村役場の窓口", "村役場の窓口"),
    # v3: the 捺 of 捺印 (faint and upright pages), the 印 of 割印 read 車
    ("申込書にご擦印ください", "申込書にご捺印ください"),
    ("記名捧印欄", "記名捺印欄"),
    ("控印は省略できます", "捺印は省略できます"),
    ("二通に割車をすること", "二通に割印をすること"),
    ("控えを一部お渡しします", "控えを一部お渡しします"),
    ("控印紙の貼付", "控印紙の貼付"),  # 印紙 stays
    ("割印机", "割印欄"),
    ("山田村役場", "山田村役場"),
    # v4: any kanji between 自 and a closing bracket is the 署 of （自署）, but the words forms write that way
    ("申込者（本人自寺）", "申込者（本人自署）"), ("受任者氏名(自貼)", "受任者氏名(自署)"), ("保護者販名欄", "保護者署名欄"),
    ("緊急連絡先(自宅)", "緊急連絡先(自宅)"), ("所在地（自社）", "所在地（自社）"), ("本人氏名(自筆)", "本人氏名(自筆)"),
    ("自宅の電話(自X)", "自宅の電話(自X)"),  # not a kanji
])
def test_repair_in_context(read, meant):
    assert repair(read) == meant and len(repair(read)) == len(read)


def test_every_confusion_has_observed_examples():
    assert CONFUSIONS and all(c.observed for c in CONFUSIONS)


@pytest.mark.ginza
def test_repair_applies_to_ocr_text_only():
    assert detect(_doc("利用申込書", "本人の賭名をお願いします。", ocr=True)).signature_required
    assert not detect(_doc("利用申込書", "本人の賭名をお願いします。", ocr=False)).signature_required
    det = detect(_doc("届出書", "代表者氏名（自暫）", ocr=True))
    assert det.signature_required and any("自暫" in f.text for f in det.findings)  # the evidence shows what OCR read
    assert detect(_doc("届出書", "申込書にご擦印のうえ提出してください。", ocr=True)).seal_requested
    assert not detect(_doc("届出書", "申込書にご擦印のうえ提出してください。", ocr=False)).seal_requested


@pytest.mark.ginza
def test_negation_of_a_seal_box_read_with_a_misread_ran():
    """「押印欄を削除しました」 read 押印村 (issue 16, a turned page): still a negation, not a request."""
    assert not detect(_doc("使用許可申請", "押印村を削除しました。", ocr=True)).seal_requested
    assert detect(_doc("使用許可申請", "押印してください。", ocr=True)).seal_requested


@pytest.mark.ginza
def test_a_registered_seal_asked_for_in_ocr_text_read_with_the_measured_confusion():
    det = detect(_doc("申込書", "申請者　氏名　　　　印", "※誰印は使えません", ocr=True))
    assert det.seal_requested and "jitsuin" in det.seal_kinds, det.findings


@pytest.mark.ginza
def test_a_seal_instruction_read_with_the_measured_confusion_of_natsu():
    assert detect(_doc("申込書", "申請者　氏名", "ご擦印の上、窓口に提出してください。", ocr=True)).seal_requested
    assert not detect(_doc("申込書", "申請者　氏名", "ご擦印の上、窓口に提出してください。", ocr=False)).seal_requested


@pytest.mark.ginza
def test_a_removed_seal_box_read_with_the_measured_confusion_negates():
    det = detect(_doc("使用許可申請書", "申請者　氏名", "押印村を削除しました。", ocr=True))
    assert not det.seal_requested and det.seal_not_required_note, det.findings


@pytest.mark.ginza
def test_mark_whose_closing_bracket_is_lost():
    assert detect(_doc("申込書", "氏名又は名称　川上　一郎　〔印", ocr=True)).seal_requested
    assert not detect(_doc("申込書", "注意事項（印刷物を添付）", ocr=True)).seal_requested


@pytest.mark.parametrize(("text", "message"), [
    ("confusions:\n  - {id: bad, char: 署, read_as: [賭], before: 名}\n", "id"),
    ("confusions:\n  - {id: ocr.x.v1, char: 署, read_as: [賭名], before: 名}\n", "read_as"),
    ("confusions:\n  - {id: ocr.x.v1, char: 署, read_as: [賭]}\n", "context"),
    ("confusions:\n  - {id: ocr.x.v1, char: 署, read_as: [賭], before: 名, examples: {observed: [賭博]}}\n",
     "not repaired"),
    ("confusions:\n  - {id: ocr.x.v1, char: 署, read_as: [緒], after: 一, examples: {unchanged: [一緒]}}\n", "changed"),
    ("confusions:\n  - {id: ocr.x.v1, char: 署, read_as: any, after: 自, before: ')'}\n", "not_when"),
    ("confusions:\n  - {id: ocr.x.v1, char: 署, read_as: any, after: 自, not_when: [宅]}\n", "not_when"),
])
def test_broken_confusion_data_is_refused(tmp_path: Path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PatternError, match=message):
        load_confusions(path)


def test_box_under_a_vertical_column_that_ocr_ran_into():
    column = TextBlock("委任者氏名田太郎()", Location(kind="ocr", page=1, line=5, bbox=(100.0, 80.0, 116.0, 330.0)),
                       line_key=("p", 1, 5), ocr=True)
    box = (87.0, 312.0, 129.0, 354.0)  # the circle's top is above where the column's reading ended
    blocks = with_seal_boxes([column], [box], 1)
    assert [b.line_key for b in blocks] == [("p", 1, 5), ("p", 1, 5)]


@pytest.mark.parametrize("text", ["著名な作家の記念館です", "著名人の講演会", "著名度の高い観光地"])
def test_the_real_word_chomei_is_not_turned_into_shomei(text: str) -> None:
    """著 is one of tesseract's misreadings of 署, but 著名な / 著名人 … are words of their own (`not_when`)."""
    assert repair(text) == text


def test_not_when_still_repairs_the_misread_signature_word() -> None:
    assert repair("著名をお願いします") == "署名をお願いします"


def test_a_bracketed_jisho_read_as_any_kanji_asks_for_a_signature_on_ocr_rows_only():
    """「届出人（本人自X）」: on a scan, a signature request whatever X tesseract printed (held-out scans read 夏, 貼);
    the same characters typed in a digital form, and 「（自宅）」 on a scan, ask nothing."""
    assert detect(_doc("届出書", "届出人(本人自貼)", ocr=True)).signature_required
    assert not detect(_doc("届出書", "届出人(本人自貼)", ocr=False)).signature_required
    assert not detect(_doc("届出書", "緊急連絡先(自宅)", ocr=True)).signature_required
