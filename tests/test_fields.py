"""Field extraction on Documents built in the test: every layout, each pattern's examples, broken data."""

from __future__ import annotations

import pytest
import yaml

from classifiers.fields import extract_fields
from classifiers.fields.data import PATTERNS, FieldPatternError, load_field_patterns, parse
from classifiers.fields.models import STATUS_EMPTY, STATUS_SCANNED, STATUS_UNREADABLE
from extractors.models import Document, InputFormat, Location, Status, TextBlock, failed

PATS = load_field_patterns()
KIND_CASES = [(p.id, p.kind, t, True) for p in PATS.kinds for t in p.positive] + [
    (p.id, p.kind, t, False) for p in PATS.kinds for t in p.negative]


@pytest.mark.parametrize(("pid", "kind", "text", "positive"), KIND_CASES,
                         ids=[f"{c[0]}:{'+' if c[3] else '-'}:{c[2]}" for c in KIND_CASES])
def test_kind_examples(pid, kind, text, positive):
    found = PATS.kind_of(text)
    if positive:
        assert found is not None and found.kind == kind, found
    else:
        assert found is None or found.id != pid


@pytest.mark.parametrize("text", PATS.bad_label_examples[0])
def test_not_a_label(text):
    assert PATS.bad_label.search(text)


@pytest.mark.parametrize("text", PATS.bad_label_examples[1])
def test_still_a_label(text):
    assert not PATS.bad_label.search(text)


def test_identity_examples():
    positive, negative = PATS.identity_examples
    assert positive and negative
    assert all(PATS.identity.search(t) for t in positive)
    assert not any(PATS.identity.search(t) for t in negative)


def test_every_kind_pattern_has_examples_and_unique_ids():
    assert all(p.positive and p.negative for p in PATS.kinds)
    assert len({p.id for p in PATS.kinds}) == len(PATS.kinds)


def _data() -> dict:
    return yaml.safe_load(PATTERNS.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["kinds"][0].update(kind="colour"), "kind"),
    (lambda d: d["kinds"][0].update(regex="(unclosed"), "正規表現"),
    (lambda d: d["kinds"][1].update(id=d["kinds"][0]["id"]), "id"),
    (lambda d: d.pop("blank"), "blank"),
])
def test_broken_data_fails_loudly(edit, message):
    data = _data()
    edit(data)
    with pytest.raises(FieldPatternError, match=message):
        parse(data)


def _doc(*rows, fmt=InputFormat.DOCX, **flags) -> Document:
    """rows: a str (a paragraph) or a list of cells (a table row)."""
    blocks = []
    for r, row in enumerate(rows, 1):
        if isinstance(row, str):
            blocks.append(TextBlock(row, Location(kind="body", paragraph=r), **flags))
            continue
        for c, text in enumerate(row, 1):
            blocks.append(TextBlock(text, Location(kind="table", table=1, row=r, col=c), line_key=("t", 1, r),
                                    order=c, **flags))
    return Document(format=fmt, blocks=tuple(blocks))


def _fields(*rows, **kw) -> list[tuple]:
    return [(f.label, f.kind) for f in extract_fields(_doc(*rows, **kw)).fields]


def test_table_rows_are_typed_by_label_and_by_value_cell():
    got = extract_fields(_doc(["住所", "〇〇市〇〇町1-2-3"], ["生年月日", "　　年　　月　　日"], ["交付申請額", "　　　　円"],
                              ["参加人数", "　　人"], ["電話番号"], ["使用目的", ""]))
    assert [(f.label, f.kind) for f in got.fields] == [
        ("住所", "address"), ("生年月日", "date"), ("交付申請額", "money"), ("参加人数", "number"),
        ("電話番号", "phone"), ("使用目的", "text")]
    assert got.fields[0].location == "表1 1行1列" and got.fields[0].id == "f001"


def test_paragraph_layouts_date_blank_choice_yesno():
    got = extract_fields(_doc("令和　年　月　日", "電話番号：＿＿＿＿＿＿", "性別　□男　□女", "市税の滞納の有無　□有　□無",
                              "申請区分 □新規 □変更 □廃止"))
    assert [(f.label, f.kind, f.options) for f in got.fields] == [
        ("日付", "date", ()), ("電話番号", "phone", ()), ("性別", "choice", ("男", "女")),
        ("市税の滞納の有無", "yesno", ("有", "無")), ("申請区分", "choice", ("新規", "変更", "廃止"))]


def test_required_marks_and_bracket_notes():
    got = extract_fields(_doc(["※氏名（自署）", ""], ["電話番号（必須）"], ["住所"]))
    assert [(f.label, f.required, f.note) for f in got.fields] == [
        ("氏名", True, "自署"), ("電話番号", True, ""), ("住所", False, "")]


def test_groups_and_repeated_table():
    got = extract_fields(_doc("【代理人】", ["住所"], ["氏名"], "世帯員", ["氏名", "続柄", "生年月日"], ["1"], ["2"], ["3"]))
    assert [(f.label, f.group, f.repeat) for f in got.fields] == [
        ("住所", "代理人", 1), ("氏名", "代理人", 1), ("氏名", "世帯員", 3), ("続柄", "世帯員", 3), ("生年月日", "世帯員", 3)]
    assert got.groups == ("代理人", "世帯員")


def test_a_header_row_without_numbered_rows_is_plain_fields():
    assert _fields(["氏名", "電話番号"]) == [("氏名", "name"), ("電話番号", "phone")]


def test_name_word_alone_is_a_field_not_a_heading():
    assert _fields(["申込者", "㊞"], ["入札者"]) == [("申込者", "name"), ("入札者", "name")]


def test_office_zone_titles_prose_and_salutations_are_not_fields():
    got = _fields("補助金交付申請書", "受理　令和　年　月　日", "〇〇市長　様", "次のとおり申請します。",
                  "両面印刷で提出してください。", ["氏名", ""], "（以下は記入しないでください）", ["受付印", "確認印"], ["住所"])
    assert got == [("氏名", "name")]


def test_stacked_cell_lines_and_letter_spaced_labels():
    got = _fields(["使 用 者", "〒（ － ）\n住 所\n電 話"], ["使 用 期 間", "年 月 日 か ら\n年 月 日 ま で"],
                  fmt=InputFormat.PDF)
    assert got == [("郵便番号", "address"), ("住所", "address"), ("電話", "phone"), ("使用期間", "date")]


def test_single_line_pdf_text_label_then_value():
    got = _fields("住所 〇〇市〇〇町1-2-3", "委任者 氏名 山田 太郎 （印）", "申 請 者 (印)", fmt=InputFormat.PDF)
    assert got == [("住所", "address"), ("委任者氏名", "name"), ("申請者", "name")]


def test_example_and_hidden_sheets_headers_hold_no_fields():
    assert _fields(["氏名", "㊞"], example=True) == []
    assert _fields(["氏名", "㊞"], hidden=True) == []
    header = TextBlock("電話番号", Location(kind="header", paragraph=1))
    assert extract_fields(Document(format=InputFormat.DOCX, blocks=(header,))).status == STATUS_EMPTY


def test_identity_documents_and_notes():
    got = extract_fields(_doc(["氏名"], "※本人確認書類（運転免許証等）を提示してください。"))
    assert got.identity_documents == ("本人確認書類", "運転免許証")
    assert got.notes == ("※本人確認書類（運転免許証等）を提示してください。",)


def test_unreadable_scanned_and_empty_forms_say_why():
    bad = extract_fields(failed(InputFormat.PDF, "暗号化されています"))
    assert bad.status == STATUS_UNREADABLE and "暗号化されています" in bad.why and not bad.fields
    scan = extract_fields(Document(format=InputFormat.PDF, blocks=(
        TextBlock("氏名", Location(kind="ocr", page=1), ocr=True),), status=Status.PARTIAL))
    assert scan.status == STATUS_SCANNED and "OCR" in scan.why and not scan.fields
    empty = extract_fields(_doc("お知らせ", "次のとおりお知らせします。"))
    assert empty.status == STATUS_EMPTY and "見つからない" in empty.why
