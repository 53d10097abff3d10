"""Table-driven detection tests: rows of cells → expected flags, labels and seal kinds."""

from __future__ import annotations

import pytest

from classifiers import models as m
from classifiers.engine import PATTERNS_VERSION, detect, versions
from classifiers.title import guess_title
from extractors.models import Document, InputFormat, Location, TextBlock

pytestmark = pytest.mark.ginza


def doc(*rows: str, example: bool = False, hidden: bool = False, ocr: bool = False) -> Document:
    """Each row is one visual line; tabs separate its cells (one TextBlock per cell)."""
    blocks = []
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row.split("\t"), start=1):
            loc = Location(kind="table", table=1, row=r, col=c)
            blocks.append(TextBlock(cell, loc, line_key=("t", r), order=c,
                                    example=example, hidden=hidden, ocr=ocr))
    return Document(format=InputFormat.DOCX, blocks=tuple(blocks))


# (rows, seal_requested, kinds, signature_required, labels that must appear)
CASES = [
    (["申請者\t氏名\t\t印"], True, ("mitome",), False, {m.SEAL_MARK}),
    (["代表者氏名　山田　太郎　　㊞"], True, ("mitome",), False, {m.SEAL_MARK}),
    (["氏名", "（印）"], True, ("mitome",), False, {m.SEAL_MARK}),
    (["住所", "氏名　　　　　　　〔印〕"], True, ("mitome",), False, {m.SEAL_MARK}),
    (["委任者 氏名 ○印"], True, ("mitome",), False, {m.SEAL_MARK}),
    (["下記の欄に記名押印してください。"], True, ("mitome",), False, {m.SEAL_INSTRUCTION}),
    (["ご署名・ご捺印のうえ提出してください"], True, ("mitome",), True, {m.SIGNATURE, m.SEAL_INSTRUCTION}),
    (["実印を押印し、印鑑登録証明書を添付してください。"], True, ("jitsuin",), False, {m.SEAL_KIND}),
    (["代表者印を押すこと"], True, ("daihyo",), False, {m.SEAL_KIND}),
    (["金融機関お届け印"], True, ("bank",), False, {m.SEAL_KIND}),
    (["訂正する場合は訂正印を押してください"], True, ("teisei",), False, {m.SEAL_KIND}),
    (["捨印", "契印", "割印"], True, ("sute", "keiin", "wariin"), False, {m.SEAL_KIND}),
    (["押印がない場合は受理しません。"], True, ("mitome",), False, {m.SEAL_INSTRUCTION}),
    (["押印のない申請書は受け付けない"], True, ("mitome",), False, {m.SEAL_INSTRUCTION}),
    (["氏名（自署）"], False, (), True, {m.SIGNATURE}),
    (["氏名 ___________ （※自署または記名捺印）"], True, ("mitome",), True, {m.SIGNATURE, m.SEAL_INSTRUCTION}),
    (["署名又は記名押印"], True, ("mitome",), True, {m.SIGNATURE}),
    (["※押印は不要です。", "氏名"], False, (), False, {m.SEAL_NOT_REQUIRED}),
    (["押印を省略することができます"], False, (), False, {m.SEAL_NOT_REQUIRED}),
    (["（※押印は任意）"], False, (), False, {m.SEAL_NOT_REQUIRED}),
    (["押印欄は廃止されました"], False, (), False, {m.SEAL_NOT_REQUIRED}),
    (["押印の必要はありません"], False, (), False, {m.SEAL_NOT_REQUIRED}),
    (["申請書への押印は、令和3年4月1日から不要になりました。"], False, (), False, {m.SEAL_NOT_REQUIRED}),
    (["押印・署名欄は廃止しました"], False, (), False, {m.SEAL_NOT_REQUIRED, m.SIGNATURE_NOT_REQUIRED}),
    (["認印不可"], True, ("jitsuin",), False, {m.SEAL_KIND}),  # rules out the everyday seal: a registered one (issue 16)
    (["はんこレスを推進しています"], False, (), False, set()),
    (["確認欄\t印"], False, (), False, {m.OFFICE_BOX}),
    (["申請者の押印は求めません"], False, (), False, {m.SEAL_NOT_REQUIRED}),
    (["両面印刷してください。矢印の方向に記入。目印をつける。"], False, (), False, set()),
    (["収入印紙（消印しないこと）"], False, (), False, set()),
    (["受付印\t確認印\t担当印\t検印"], False, (), False, {m.OFFICE_BOX}),
    (["受付\t決裁\t担当", "印\t\t"], False, (), False, set()),
    (["（公印省略）"], False, (), False, set()),
    (["印鑑登録証明書交付申請書"], False, (), False, set()),
    (["該当するものに○印をつけてください"], False, (), False, set()),
    (["氏名（ゴム印可）"], False, (), False, set()),
    (["記名のみで可"], False, (), False, set()),
    (["電子署名を付与してください"], False, (), False, set()),
    (["デザインを選んでください"], False, (), False, set()),
    (["署名不要"], False, (), False, {m.SIGNATURE_NOT_REQUIRED}),
    (["この印について説明します"], False, (), False, {m.SEAL_MARK}),  # weak, not a request
    (["本人が自署した場合は押印不要です", "氏名\t\t印"], True, ("mitome",), True, {m.SIGNATURE, m.SEAL_MARK}),
    # concessive + affirmative acceptance: not required; with a negative acceptance: still a request
    (["押印が無い場合でも受け付けます。"], False, (), False, {m.SEAL_NOT_REQUIRED}),
    (["押印がなくても受け付けます"], False, (), False, {m.SEAL_NOT_REQUIRED}),
    (["捺印のない届出書でも受理します。", "届出人氏名"], False, (), False, {m.SEAL_NOT_REQUIRED}),
    (["押印がない場合でも受け付けできません。"], True, ("mitome",), False, {m.SEAL_INSTRUCTION}),
    (["代表者印を押印できない場合は委任状を提出してください。"], True, ("daihyo",), False, {m.SEAL_KIND}),
    # office boxes and mentions that are not requests (general rules, own examples)
    (["窓口で受付印を押印した控えをお返しします"], False, (), False, {m.OFFICE_BOX}),
    (["事務局使用欄", "受付番号\t\t印"], False, (), False, {m.OFFICE_BOX}),
    (["使用印鑑の登録については窓口へお問い合わせください"], False, (), False, set()),
    (["印鑑登録証明書の記載事項に変更があった場合は届け出てください"], False, (), False, {m.SEAL_KIND}),
    (["受任者\t使用印\t"], True, ("mitome",), False, {m.SEAL_KIND}),
    (["印鑑証明書と同じ印を押してください"], True, ("jitsuin",), False, {m.SEAL_KIND}),
    (["申請者署名 Signature of applicant"], False, (), True, {m.SIGNATURE}),
    (["This form uses an electronic signature"], False, (), False, set()),
]


@pytest.mark.parametrize(("rows", "seal", "kinds", "signature", "labels"), CASES,
                         ids=[c[0][0][:16] for c in CASES])
def test_detect_table(rows, seal, kinds, signature, labels):
    det = detect(doc(*rows))
    found = {f.label for f in det.findings}
    assert det.seal_requested is seal, [(f.rule_id, f.text, f.score) for f in det.findings]
    assert det.seal_kinds == kinds
    assert det.signature_required is signature
    assert labels <= found, found
    assert det.patterns_version == PATTERNS_VERSION


def test_inconsistent_mark_beside_not_required_note():
    det = detect(doc("※押印不要", "申請者氏名\t\t印"))
    assert det.seal_requested and det.inconsistent and det.seal_not_required_note
    assert any(f.label == m.INCONSISTENT and f.rule_id == "seal.inconsistent.v2" for f in det.findings)


def placed(*rows: tuple[dict, str]) -> Document:
    """One line per (location fields, text), e.g. ({"page": 2}, "氏名　印") or ({"sheet": "様式"}, …)."""
    blocks = tuple(TextBlock(text, Location(kind="body", line=i, **where), line_key=("l", i), order=0)
                   for i, (where, text) in enumerate(rows, start=1))
    return Document(format=InputFormat.PDF, blocks=blocks)


@pytest.mark.parametrize(("note_where", "mark_where", "inconsistent"), [
    ({"page": 3}, {"page": 3}, True),  # same PDF page: one form
    ({"page": 3}, {"page": 9}, False),  # a guide bundling forms: the note is about another form
    ({"sheet": "申請書"}, {"sheet": "申請書"}, True),
    ({"sheet": "注意事項"}, {"sheet": "申請書"}, False),
    ({}, {}, True),  # docx: no page, no sheet: the document is one form
])
def test_inconsistent_only_within_one_form(note_where, mark_where, inconsistent):
    det = detect(placed((note_where, "※この様式への押印は不要です。"), (mark_where, "代表者氏名　山田　印"),
                        (mark_where, "実印を押印してください")))
    assert det.seal_requested and det.seal_not_required_note  # both facts stay reported either way
    assert det.inconsistent is inconsistent
    flags = [f for f in det.findings if f.label == m.INCONSISTENT]
    assert len(flags) == int(inconsistent)
    if inconsistent:
        assert "同じ様式" in flags[0].explanation and "実印" in flags[0].explanation  # the kind is evidence too
    assert any(f.label == m.SEAL_KIND and f.seal_kind == "jitsuin" for f in det.findings)


def test_example_sheet_alone_does_not_request():
    det = detect(doc("氏名\t山田太郎\t㊞", example=True))
    assert det.example_only and not det.seal_requested
    assert det.findings and all(f.example for f in det.findings)


def test_hidden_sheet_is_evidence_only():
    det = detect(doc("納付者氏名\t署名 / Signature", hidden=True))
    assert not det.signature_required
    sig = [f for f in det.findings if f.label == m.SIGNATURE]
    assert sig and sig[0].hidden and "非表示" in sig[0].explanation


def test_ocr_only():
    det = detect(doc("氏名 山田 ㊞", ocr=True))
    assert det.seal_requested and det.ocr_only and det.confidence < 0.5


def test_finding_maps_to_its_cell():
    det = detect(doc("申請者\t氏名\t山田\t印"))
    mark = next(f for f in det.findings if f.label == m.SEAL_MARK)
    assert (mark.location.row, mark.location.col) == (1, 4)
    assert mark.rule_id == "seal.mark.name_field.v1" and mark.text == "印" and mark.supporting == "申請者"
    assert mark.where == "表1 1行4列"


def test_fullwidth_and_spaced_text_normalised():
    det = detect(doc("代　表　者　氏　名　　　　印"))
    assert det.seal_requested


def test_versions_have_model_and_patterns():
    v = versions()
    assert v["patterns"] == PATTERNS_VERSION and v["ja_ginza"] and v["spacy"].startswith("3.")


@pytest.mark.parametrize(("rows", "expected"), [
    (["様式第1号（第5条関係）", "令和　年　月　日", "補助金交付申請書"], "補助金交付申請書"),
    (["別記様式第2号 使用許可申請書"], "使用許可申請書"),
    (["委　任　状"], "委任状"),
    (["川崎市市税口座振替依頼書（兼自動払込利用申込書）"], "川崎市市税口座振替依頼書(兼自動払込利用申込書)"),
    (["上記のとおり申請します。"], "fallback"),
])
def test_guess_title(rows, expected):
    assert guess_title(doc(*rows), "/x/fallback.docx") == expected
