"""The decision procedure, table-driven: the issue 5 'Done when' cases and the steps of domain.md."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from extractors.models import Status
from rules.engine import RuleContext, decide, load_context
from rules.models import DECISIONS
from tests.rules_helpers import doc, finding, no_seal, seal

D = dt.date


@pytest.fixture(scope="module")
def contexts():
    cache: dict[dt.date, RuleContext] = {}

    def get(day: dt.date) -> RuleContext:
        if day not in cache:
            cache[day] = load_context(as_of=day)
        return cache[day]

    return get


KONIN = ("婚姻届", "夫になる人 署名 印", "妻になる人 署名 印")
KOYO = ("雇用保険被保険者資格取得届", "雇用保険法施行規則第6条関係", "事業主 氏名 印")
KEIYAKU = ("工事請負契約書", "地方自治法第234条第5項の規定により、発注者と受注者は記名押印する。", "受注者 印")
TOKI = ("承諾書", "不動産登記令第19条の規定により承諾する。", "印鑑証明書を添付すること。", "承諾者 氏名 実印")
UNKNOWN = ("使用届", "架空資源保全法第12条の規定により届け出ます。", "氏名 印")  # a fictional national law: never in the catalogue
HOJO = ("補助金交付申請書", "様式第1号（第4条関係）", "川崎市補助金等交付規則第4条の規定により申請します。", "申請者 氏名 印")
YOKO = ("事業参加申込書", "川崎市子育て支援事業実施要綱第5条の規定により申し込みます。", "申込者 氏名 印")
KOZA = ("口座振替依頼書", "金融機関お届け印を押印してください。", "預金者 氏名 印")
SEIYAKU = ("誓約書", "私は、次の事項を誓約します。", "氏名 印")

CASES = [
    # id, lines, detection, as_of, decision, replacement, reiki_kaisei, rule_id, words in the reason
    ("konin_before", KONIN, seal(signature=True), D(2021, 4, 1), "keep_law", None, False, "decide.keep_law.v1", ["戸籍法施行規則"]),
    ("konin_after", KONIN, seal(signature=True), D(2021, 9, 1), "abolish", "shomei", False, "decide.abolish.v1", ["2021-09-01", "署名"]),
    ("konin_later", KONIN, seal(signature=True), D(2025, 1, 1), "abolish", "shomei", False, "decide.abolish.v1", ["令和3年法務省令第40号"]),
    ("koyo_before", KOYO, seal(), D(2023, 9, 30), "keep_law", None, False, "decide.keep_law.v1", ["雇用保険法施行規則"]),
    ("koyo_after", KOYO, seal(), D(2023, 10, 1), "abolish", "kimei", False, "decide.abolish.v1", ["2023-10-01"]),
    ("keiyaku", KEIYAKU, seal(), D(2025, 4, 1), "keep_contract", None, False, "decide.keep_contract.v1", ["地方自治法第234条第5項"]),
    ("toki", TOKI, seal("jitsuin"), D(2025, 4, 1), "keep_law", None, False, "decide.keep_law.v1", ["不動産登記令第19条", "印鑑証明書"]),
    ("unknown_law", UNKNOWN, seal(), D(2025, 4, 1), "needs_review", None, False, "decide.review.unknown_law.v1", ["架空資源保全法第12条"]),
    ("hojo_kisoku", HOJO, seal(), D(2025, 4, 1), "abolish", "kimei", True, "decide.abolish.v1", ["川崎市補助金等交付規則", "例規改正要"]),
    ("yoko", YOKO, seal(), D(2025, 4, 1), "abolish", "kimei", False, "decide.abolish.v1", ["記名のみ"]),
    ("koza", KOZA, seal("bank"), D(2025, 4, 1), "keep_registered", None, False, "decide.keep_registered.v1", ["届出印"]),
    ("seiyaku", SEIYAKU, seal(), D(2025, 4, 1), "abolish", "shomei", False, "decide.abolish.v1", ["誓約書", "署名"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_done_when_cases(case, contexts):
    _, lines, detection, as_of, decision, replacement, reiki, rule_id, words = case
    result = decide(doc(*lines), detection, rel_path=f"{lines[0]}.docx", title=lines[0], ctx=contexts(as_of))
    assert result.decision == decision, result.reason
    assert result.replacement == replacement
    assert result.reiki_kaisei is reiki
    assert result.rule_id == rule_id
    for word in words:
        assert word in result.reason, (word, result.reason)
    assert result.versions == {"catalogue": contexts(as_of).catalogue.version,
                               "policy": contexts(as_of).policy.version, "as_of": as_of.isoformat()}
    assert result.decision in DECISIONS


def test_evidence_has_findings_and_the_citation(contexts):
    result = decide(doc(*TOKI), seal("jitsuin"), rel_path="a.docx", title="承諾書", ctx=contexts(D(2025, 4, 1)))
    rules = [e.rule for e in result.evidence]
    assert "law.fudosan_toki.kimei_oin" in rules
    assert any(e.text == "印" and e.location == "表1 5行3列" for e in result.evidence)
    cited = next(e for e in result.evidence if e.rule == "law.fudosan_toki.kimei_oin")
    assert cited.location == "段落2"
    assert [c.catalogue_id for c in result.legal_basis] == ["law.fudosan_toki.kimei_oin"]
    assert result.basis_category == "国の法令"


def test_konin_without_any_citation_is_matched_by_its_title(contexts):
    result = decide(doc(*KONIN), seal(), rel_path="婚姻届.pdf", title="婚姻届", ctx=contexts(D(2021, 4, 1)))
    assert result.legal_basis[0].catalogue_id == "law.koseki.todokesho"
    assert result.legal_basis[0].source == "catalogue"
    assert result.evidence[-1].location == "様式名"


@pytest.mark.parametrize(("lines", "category"), [
    (HOJO, "規則"), (YOKO, "要綱"), (("申請書", "氏名 印"), "なし"), (UNKNOWN, "国の法令"),
    (("申請書", "川崎市手数料条例第3条による。", "氏名 印"), "条例"), (("申請書", "様式第2号（第3条関係）", "氏名 印"), "要領その他"),
])
def test_basis_category(lines, category, contexts):
    result = decide(doc(*lines), seal(), rel_path="x.docx", title=lines[0], ctx=contexts(D(2025, 4, 1)))
    assert result.basis_category == category


def test_failed_document_is_an_error_with_the_extractor_reason(contexts):
    document = doc(status=Status.FAILED, errors=("パスワードで保護されているため読み取れません。",))
    result = decide(document, no_seal(), rel_path="x.pdf", title="", ctx=contexts(D(2025, 4, 1)))
    assert (result.decision, result.rule_id) == ("error", "decide.error.v1")
    assert result.reason == "パスワードで保護されているため読み取れません。"


@pytest.mark.parametrize(("detection", "status", "rule_id", "word"), [
    (seal(ocr_only=True), Status.OK, "decide.review.ocr_only.v1", "OCR"),
    (seal(inconsistent=True), Status.OK, "decide.review.inconsistent.v1", "押印不要"),
    (seal(), Status.PARTIAL, "decide.review.partial.v1", "一部"),
    # Part of the file unread and no seal found in the rest: the seal may be in the unread part.
    (no_seal(), Status.PARTIAL, "decide.review.partial_unread.v1", "読み取れなかった部分"),
])
def test_untrustworthy_forms_go_to_review(detection, status, rule_id, word, contexts):
    document = doc("申請書", "氏名 印", status=status)
    result = decide(document, detection, rel_path="x.pdf", title="申請書", ctx=contexts(D(2025, 4, 1)))
    assert (result.decision, result.rule_id) == ("needs_review", rule_id)
    assert word in result.reason
    assert result.confidence <= 0.5


@pytest.mark.parametrize(("detection", "word"), [(no_seal(signature=True), "署名"), (no_seal(), "対象外")])
def test_no_seal(detection, word, contexts):
    result = decide(doc("申請書", "氏名"), detection, rel_path="x.docx", title="申請書", ctx=contexts(D(2025, 4, 1)))
    assert (result.decision, result.rule_id, result.replacement) == ("no_seal", "decide.no_seal.v1", None)
    assert word in result.reason


@pytest.mark.parametrize(("title", "decision", "replacement"), [
    ("請求書", "keep_contract", None), ("入札書", "keep_contract", None), ("見積書", "keep_contract", None),
    ("領収書", "keep_contract", None), ("協定書", "keep_contract", None), ("委任状", "abolish", "shomei"),
    ("同意書", "abolish", "shomei"), ("承諾書", "abolish", "shomei"), ("印鑑登録申請書", "keep_registered", None),
    ("情報公開開示請求書", "abolish", "kimei"), ("使用許可申請書", "abolish", "kimei"),
])
def test_document_classes_in_the_default_policy(title, decision, replacement, contexts):
    result = decide(doc(title, "氏名 印"), seal(), rel_path="x.docx", title=title, ctx=contexts(D(2025, 4, 1)))
    assert (result.decision, result.replacement) == (decision, replacement), result.reason


def test_daihyo_only_registered_when_checked_against_a_registered_impression(contexts):
    ctx = contexts(D(2025, 4, 1))
    plain = decide(doc("届出書", "代表者 印"), seal("daihyo"), rel_path="x", title="届出書", ctx=ctx)
    checked = decide(doc("届出書", "代表者印（使用印鑑届の印）を押印", "代表者 印"), seal("daihyo"), rel_path="x",
                     title="届出書", ctx=ctx)
    assert plain.decision == "abolish"
    assert checked.decision == "keep_registered"


def test_decide_never_raises(contexts, monkeypatch):
    import rules.engine as engine

    monkeypatch.setattr(engine, "gather", lambda *a, **k: 1 / 0)
    result = decide(doc("申請書", "氏名 印"), seal(), rel_path="x", title="申請書", ctx=contexts(D(2025, 4, 1)))
    assert result.decision == "needs_review"
    assert "ZeroDivisionError" in result.reason


def test_other_koseki_articles_are_not_the_todokesho_entry(contexts):
    """戸籍法第10条 is the 戸籍法 family (its own periods), not the 届書 entry; the reason names the instrument."""
    lines = ("戸籍謄本等交付請求書", "戸籍法第10条第1項の規定により請求します。", "請求者 氏名 印")
    before = decide(doc(*lines), seal(), rel_path="x", title=lines[0], ctx=contexts(D(2021, 4, 1)))
    after = decide(doc(*lines), seal(), rel_path="x", title=lines[0], ctx=contexts(D(2021, 9, 1)))
    assert (before.decision, after.decision) == ("keep_law", "abolish")
    assert [d.entry_id for d in after.basis_details] == ["law.koseki"]
    assert "令和3年法律第37号" in after.reason and "law.koseki" in after.reason
    assert after.replacement == "kimei"  # a 請求書 is not a 届書: no signature required by the family


def test_a_todokesho_listed_deep_in_another_form_is_not_its_title(contexts):
    lines = ("届書記載事項証明書請求書", "様式第1号", "請求の内容", "対象の届書", "出生届", "婚姻届", "請求者 氏名 印")
    result = decide(doc(*lines), seal(), rel_path="x", title=lines[0], ctx=contexts(D(2021, 4, 1)))
    assert result.decision == "abolish"


def test_a_form_that_already_asks_for_a_signature_keeps_it(contexts):
    result = decide(doc("申請書", "申請者 署名 印"), seal(signature=True), rel_path="x", title="申請書",
                    ctx=contexts(D(2025, 4, 1)))
    assert (result.decision, result.replacement) == ("abolish", "shomei")
    assert "署名" in result.reason


def test_a_weak_seal_signal_goes_to_review(contexts):
    result = decide(doc("申請書", "氏名 印"), seal(confidence=0.4), rel_path="x", title="申請書",
                    ctx=contexts(D(2025, 4, 1)))
    assert (result.decision, result.rule_id) == ("needs_review", "decide.review.low_confidence.v1")


def _example_detection(**flags):
    from classifiers.models import SEAL_MARK, Detection, Finding
    from extractors.models import Location

    mark = Finding(rule_id="seal.mark.name_field.v1", label=SEAL_MARK, text="印", context="氏名 印",
                   location=Location(kind="cell", sheet="記入例", cell="D5"), score=0.9, explanation="テスト",
                   example=True)
    return Detection(findings=(mark,), seal_requested=False, example_only=True, **flags)


@pytest.mark.parametrize(("detection", "words"), [
    (_example_detection(), ["記入例（見本）のシートには押印の表示があるが", "様式本体には押印を求める記載がない"]),
    (_example_detection(signature_required=True), ["記入例", "署名（自署）を求める記載あり"]),
])
def test_a_seal_only_in_the_filled_example_sheet_is_no_seal(detection, words):
    ctx = load_context(as_of=D(2025, 4, 1))
    result = decide(doc("申請書", "氏名"), detection, rel_path="x.xlsx", title="申請書", ctx=ctx)
    assert (result.decision, result.rule_id) == ("no_seal", "decide.no_seal.example_only.v1")
    for word in words:
        assert word in result.reason
    assert [(e.text, e.rule) for e in result.evidence][:1] == [("印", "seal.mark.name_field.v1")]


# Whose 条例/規則 is it? Only the policy's city's own rules (or unnamed / placeholder ones) get 例規改正要;
# another municipality's rule goes to review (policy other_municipality_rule: needs_review).
OWNERSHIP = [
    # id, the citing sentence, decision, rule id, reiki_kaisei, words in the reason
    ("own_named", "川崎市補助金等交付規則第4条の規定により申請します。", "abolish", "decide.abolish.v1", True,
     ["例規改正要"]),
    ("own_unnamed", "補助金交付規則第4条の規定により申請します。", "abolish", "decide.abolish.v1", True, ["例規改正要"]),
    ("placeholder_maru", "○○市補助金交付規則第4条の規定により申請します。", "abolish", "decide.abolish.v1", True,
     ["例規改正要"]),
    ("placeholder_zero", "〇〇市補助金交付規則第4条の規定により申請します。", "abolish", "decide.abolish.v1", True,
     ["例規改正要"]),
    ("placeholder_black", "●●市補助金交付規則第4条の規定により申請します。", "abolish", "decide.abolish.v1", True,
     ["例規改正要"]),
    ("own_jorei", "川崎市手数料条例第3条による。", "abolish", "decide.abolish.v1", True, ["例規改正要"]),
    ("yokohama", "横浜市補助金交付規則第4条の規定により申請します。", "needs_review", "decide.review.other_body_rule.v1",
     False, ["横浜市補助金交付規則第4条", "他の団体"]),
    ("otoineppu", "音威子府村財務規則第5条の規定により提出します。", "needs_review", "decide.review.other_body_rule.v1",
     False, ["音威子府村財務規則第5条", "音威子府村"]),
    ("ward", "世田谷区補助金交付規則第2条の規定により申請します。", "needs_review", "decide.review.other_body_rule.v1",
     False, ["世田谷区"]),
    ("other_yoko", "横浜市補助金交付要綱第4条の規定により申請します。", "abolish", "decide.abolish.v1", False, ["記名のみ"]),
]


@pytest.mark.parametrize("case", OWNERSHIP, ids=[c[0] for c in OWNERSHIP])
def test_only_the_citys_own_rules_need_amending(case, contexts):
    _, sentence, decision, rule_id, reiki, words = case
    lines = ("補助金交付申請書", sentence, "申請者 氏名 印")
    result = decide(doc(*lines), seal(), rel_path="x.docx", title=lines[0], ctx=contexts(D(2025, 4, 1)))
    assert (result.decision, result.rule_id, result.reiki_kaisei) == (decision, rule_id, reiki), result.reason
    for word in words:
        assert word in result.reason, (word, result.reason)
    if decision == "needs_review":
        assert any(e.location == "段落2" for e in result.evidence), result.evidence


ABBREVIATIONS = [
    # id, lines, decision, rule id, reiki_kaisei, words in the reason
    ("bare_ho", ("使用届", "法第12条の規定により届け出ます。", "氏名 印"), "needs_review",
     "decide.review.unnamed_law.v1", False, ["「法第12条」", "特定できない"]),
    ("bare_rei", ("承諾書", "令第19条の規定により承諾する。", "氏名 印"), "needs_review",
     "decide.review.unnamed_law.v1", False, ["「令第19条」"]),
    ("defined_ho", ("工事請負契約書", "地方自治法（以下「法」という。）", "法第234条第5項の規定により記名押印する。", "受注者 印"),
     "keep_contract", "decide.keep_contract.v1", False, ["地方自治法第234条第5項"]),
    ("defined_unknown", ("使用届", "架空資源保全法（以下「法」という。）", "法第12条の規定により届け出ます。", "氏名 印"),
     "needs_review", "decide.review.unknown_law.v1", False, ["架空資源保全法第12条"]),
    ("bare_kisoku", ("補助金交付申請書", "規則第5条の規定により申請します。", "申請者 氏名 印"), "abolish",
     "decide.abolish.v1", True, ["規則第5条", "自市の規則とみなした", "例規改正要"]),
]


@pytest.mark.parametrize("case", ABBREVIATIONS, ids=[c[0] for c in ABBREVIATIONS])
def test_abbreviated_citations(case, contexts):
    _, lines, decision, rule_id, reiki, words = case
    result = decide(doc(*lines), seal(), rel_path="x.docx", title=lines[0], ctx=contexts(D(2025, 4, 1)))
    assert (result.decision, result.rule_id, result.reiki_kaisei) == (decision, rule_id, reiki), result.reason
    for word in words:
        assert word in result.reason, (word, result.reason)
    cited = [e for e in result.evidence if e.rule != "test.seal_mark.v1"]
    assert cited and all(e.location.startswith("段落") for e in cited), result.evidence


@pytest.mark.parametrize(("title", "koseki"), [
    ("出生届出書", True), ("婚姻届書", True), ("協議離婚届", True), ("死亡届（届出人用）", True),
    ("死亡届・死亡診断書", True), ("婚 姻 届", True),
    ("婚姻届受理証明書交付申請書", False), ("婚姻届記載事項証明書請求書", False), ("出生届出済証明書", False),
    ("婚姻届の提出について", False),
])
def test_koseki_titles(title, koseki, contexts):
    result = decide(doc(title, "届出人 署名 印"), seal(signature=True), rel_path="x.pdf", title=title,
                    ctx=contexts(D(2021, 4, 1)))
    matched = any(c.catalogue_id == "law.koseki.todokesho" for c in result.legal_basis)
    assert matched is koseki, result.legal_basis
    assert (result.decision == "keep_law") is koseki, result.reason


SAMPLES = [
    # id, file, title, detection, decision, rule id
    ("inin_mihon", "委任状（見本）.pdf", "委任状", seal("jitsuin"), "needs_review", "decide.review.sample_file.v1"),
    ("kinyurei_title", "申請書.pdf", "補助金交付申請書（記入例）", seal(), "needs_review", "decide.review.sample_file.v1"),
    ("kisairei_koseki", "konin.pdf", "婚姻届（記載例）", seal(signature=True), "needs_review",
     "decide.review.sample_file.v1"),
    ("sample_kana", "申請書サンプル.xlsx", "申請書", seal(), "needs_review", "decide.review.sample_file.v1"),
    ("romaji", "r3i_kisairei_kappou.pdf", "経営計画書", seal(), "needs_review", "decide.review.sample_file.v1"),
    ("in_folder", "見本/申請書.docx", "申請書", seal(), "abolish", "decide.abolish.v1"),  # only the file's own name
    ("no_seal", "自認書・承諾書（見本）.pdf", "自認書", no_seal(), "no_seal", "decide.no_seal.v1"),
    ("inkan_mihon", "使用印鑑届.docx", "使用印鑑届（印鑑見本）", seal(), "abolish", "decide.abolish.v1"),
    ("mihon_ichi", "見本市出展申込書.docx", "見本市出展申込書", seal(), "abolish", "decide.abolish.v1"),
    ("kinyurei_tsuki", "申請書（記入例付き）.xlsx", "申請書", seal(), "abolish", "decide.abolish.v1"),
]


@pytest.mark.parametrize("case", SAMPLES, ids=[c[0] for c in SAMPLES])
def test_a_whole_sample_file_goes_to_review_only_when_it_asks_for_a_seal(case, contexts):
    _, path, title, detection, decision, rule_id = case
    result = decide(doc(title, "氏名 印"), detection, rel_path=f"総務課/{path}", title=title,
                    ctx=contexts(D(2025, 4, 1)))
    assert (result.decision, result.rule_id) == (decision, rule_id), result.reason
    if rule_id == "decide.review.sample_file.v1":
        assert result.reason.startswith("見本（記入例）のファイルのため、様式本体で押印欄を確認してください。")
        assert result.evidence[0].rule == rule_id and result.evidence[0].location in ("ファイル名", "様式名")
        assert any(e.text == "印" for e in result.evidence)  # the seal findings stay in the evidence


def _inconsistent(*kinds: str):
    from classifiers.models import INCONSISTENT, SEAL_NOT_REQUIRED

    base = seal(*kinds, inconsistent=True, confidence=0.5)
    extra = (finding(SEAL_NOT_REQUIRED, "押印は不要です", paragraph=9), finding(INCONSISTENT, "印", paragraph=5))
    return dataclasses.replace(base, findings=base.findings + extra, seal_not_required_note=True)


INCONSISTENT_CASES = [
    # id, lines, detection, words in the reason, evidence texts that must be there
    ("kind_and_unknown_law", ("使用届", "架空資源保全法第12条の規定により届け出ます。", "氏名 印"),
     _inconsistent("jitsuin", "daihyo"), ["併存", "「架空資源保全法第12条」", "押印の義務付けの有無も確認"],
     ["押印は不要です", "jitsuin", "daihyo", "架空資源保全法第12条"]),
    ("unnamed_law", ("使用届", "法第12条の規定により届け出ます。", "氏名 印"), _inconsistent("bank"),
     ["併存", "「法第12条」"], ["bank", "法第12条"]),
    ("no_law", ("申請書", "氏名 印"), _inconsistent("jitsuin"), ["併存"], ["jitsuin", "押印は不要です"]),
]


@pytest.mark.parametrize("case", INCONSISTENT_CASES, ids=[c[0] for c in INCONSISTENT_CASES])
def test_inconsistent_review_shows_the_seal_kinds_and_names_unknown_laws(case, contexts):
    _, lines, detection, words, texts = case
    result = decide(doc(*lines), detection, rel_path="x.docx", title=lines[0], ctx=contexts(D(2025, 4, 1)))
    assert (result.decision, result.rule_id) == ("needs_review", "decide.review.inconsistent.v1")
    for word in words:
        assert word in result.reason, (word, result.reason)
    shown = [e.text for e in result.evidence]
    for text in texts:
        assert text in shown, (text, shown)
    if len(words) == 1:
        assert "カタログにない" not in result.reason


def _many_findings():
    from classifiers.models import OFFICE_BOX, SEAL_INSTRUCTION, SEAL_NOT_REQUIRED, SIGNATURE_NOT_REQUIRED

    base = seal("mitome", signature=True)
    more = tuple(finding(SEAL_MARK_LABEL, "㊞", paragraph=10 + i) for i in range(6)) + (
        finding(SEAL_INSTRUCTION, "押印してください", paragraph=20),
        finding(SEAL_NOT_REQUIRED, "押印は任意", paragraph=21),
        finding(SIGNATURE_NOT_REQUIRED, "署名不要", paragraph=22),
        finding(OFFICE_BOX, "受付印", paragraph=23),
    )
    return dataclasses.replace(base, findings=base.findings + more)


SEAL_MARK_LABEL = "SEAL_MARK"

EVIDENCE_CASES = [
    # id, lines, decision, the rule of the citation evidence that must be kept
    ("toki_keep_law", TOKI, "keep_law", "law.fudosan_toki.kimei_oin"),
    ("hojo_abolish", HOJO, "abolish", "citation"),
    ("unknown_review", UNKNOWN, "needs_review", "citation"),
]


@pytest.mark.parametrize("case", EVIDENCE_CASES, ids=[c[0] for c in EVIDENCE_CASES])
def test_every_finding_is_evidence_supporting_ones_first(case, contexts):
    _, lines, decision, citation_rule = case
    detection = _many_findings()
    result = decide(doc(*lines), detection, rel_path="x.docx", title=lines[0], ctx=contexts(D(2025, 4, 1)))
    assert result.decision == decision, result.reason
    rules = [e.rule for e in result.evidence]
    texts = [e.text for e in result.evidence]
    # Every finding is there (no cap), once.
    distinct = {(f.text, f.where, f.rule_id) for f in detection.findings}
    assert {(e.text, e.location, e.rule) for e in result.evidence} >= distinct
    assert len(result.evidence) == len(set(result.evidence))
    # Decision-supporting seal findings first, then the citation, then the rest (signature, negation, office box).
    assert all(r in ("test.seal_mark.v1", "test.seal_instruction.v1", "test.seal_kind.v1") for r in rules[:4])
    assert rules[4] == citation_rule
    assert texts.index("受付印") > texts.index("押印してください")
    assert {"押印は任意", "署名不要", "受付印", "署名"} <= set(texts)


@pytest.mark.parametrize("lines", [
    ("承諾書", "下記のとおり承諾します。", "根拠：不動産登記令第十九条"),  # kanji numerals: found as 第19条
    ("承諾書", "下記のとおり\n承諾します。", "根拠：不動産登記令第19条"),  # a block holding a line break
    ("承諾書", "根拠：\n不動産登記令第19条", "（添付書類）"),  # … and the citation inside such a block
])
def test_citation_evidence_names_its_paragraph(contexts, lines):
    result = decide(doc(*lines), seal("jitsuin"), rel_path="a.docx", title="承諾書", ctx=contexts(D(2025, 4, 1)))
    cited = next(e for e in result.evidence if e.rule == "law.fudosan_toki.kimei_oin")
    expected = next(i + 1 for i, line in enumerate(lines) if "不動産登記令" in line)
    assert cited.location == f"段落{expected}"
