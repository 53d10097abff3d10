"""Policies change the outcome where cities differ: 請求書・見積書, unknown external laws, replacements."""

from __future__ import annotations

import datetime as dt

import pytest

from rules.engine import decide, load_context
from tests.rules_helpers import doc, seal

DAY = dt.date(2025, 4, 1)


@pytest.mark.parametrize(("title", "kawasaki", "mitsue"), [
    ("請求書", "keep_contract", "abolish"),
    ("見積書", "keep_contract", "abolish"),
    ("領収書", "keep_contract", "abolish"),
    ("契約書", "keep_contract", "keep_contract"),
    ("入札書", "keep_contract", "keep_contract"),
])
def test_accounting_documents_follow_the_policy(title, kawasaki, mitsue):
    detection = seal()
    results = {name: decide(doc(title, "氏名 印"), detection, rel_path="x", title=title,
                            ctx=load_context(policy=name, as_of=DAY)) for name in ("default", "mitsue")}
    assert results["default"].decision == kawasaki
    assert results["mitsue"].decision == mitsue
    if mitsue == "abolish":
        assert results["mitsue"].replacement == "kimei"
        assert results["mitsue"].versions["policy"] == "mitsue-2021.1"


def test_unknown_external_law_can_be_abolished_by_policy(tmp_path):
    path = tmp_path / "lenient.yaml"
    path.write_text("version: l1\nunknown_external_law: abolish\nshomei_classes: []\ndefault_replacement: shomei\n",
                    encoding="utf-8")
    ctx = load_context(policy=path, as_of=DAY)
    lines = ("使用届", "架空資源保全法第12条の規定により届け出ます。", "氏名 印")
    result = decide(doc(*lines), seal(), rel_path="x", title="使用届", ctx=ctx)
    assert (result.decision, result.replacement) == ("abolish", "shomei")
    seiyaku = decide(doc("誓約書", "氏名 印"), seal(), rel_path="x", title="誓約書", ctx=ctx)
    assert seiyaku.replacement == "shomei"


def test_koseki_signature_requirement_wins_over_the_default_replacement():
    ctx = load_context(as_of=DAY)
    result = decide(doc("死亡届", "届出人 署名 印"), seal(signature=True), rel_path="x", title="死亡届", ctx=ctx)
    assert (result.decision, result.replacement) == ("abolish", "shomei")


def test_the_city_seal_registration_ordinance_keeps_the_seal():
    ctx = load_context(as_of=DAY)
    lines = ("印鑑登録廃止申請書", "川崎市印鑑条例第10条の規定により申請します。", "登録者 氏名 印")
    result = decide(doc(*lines), seal(), rel_path="x", title=lines[0], ctx=ctx)
    assert (result.decision, result.rule_id) == ("keep_registered", "decide.keep_registered.v1")
    assert "印鑑条例" in result.reason


@pytest.mark.parametrize(("setting", "city", "decision", "reiki", "word"), [
    ("needs_review", "川崎市", "needs_review", False, "他の団体"),
    ("abolish", "川崎市", "abolish", False, "自市の例規改正は不要"),
    # No city in the policy: we cannot tell whose rule it is, so it counts as own (例規改正要 is the safer flag).
    ("needs_review", None, "abolish", True, "例規改正要"),
])
def test_another_municipalitys_rule_follows_the_policy(tmp_path, setting, city, decision, reiki, word):
    path = tmp_path / "p.yaml"
    city_line = f"city: {city}\n" if city else ""
    path.write_text(f"version: t1\n{city_line}other_municipality_rule: {setting}\n", encoding="utf-8")
    ctx = load_context(policy=path, as_of=DAY)
    lines = ("補助金交付申請書", "横浜市補助金交付規則第4条の規定により申請します。", "申請者 氏名 印")
    result = decide(doc(*lines), seal(), rel_path="x", title=lines[0], ctx=ctx)
    assert (result.decision, result.reiki_kaisei) == (decision, reiki), result.reason
    assert word in result.reason


def test_a_bad_other_municipality_setting_fails_loudly(tmp_path):
    from rules.errors import RuleDataError

    path = tmp_path / "p.yaml"
    path.write_text("version: t1\nother_municipality_rule: keep\n", encoding="utf-8")
    with pytest.raises(RuleDataError, match="other_municipality_rule"):
        load_context(policy=path, as_of=DAY)


@pytest.mark.parametrize(("yaml_line", "decision"), [
    ("", "needs_review"),  # not in the file: the built-in patterns apply
    ("sample_file_patterns: []\n", "abolish"),  # switched off
    ("sample_file_patterns: ['ひな形']\n", "abolish"),
])
def test_sample_file_patterns_are_a_policy_setting(tmp_path, yaml_line, decision):
    path = tmp_path / "p.yaml"
    path.write_text(f"version: t1\ncity: 川崎市\n{yaml_line}", encoding="utf-8")
    ctx = load_context(policy=path, as_of=DAY)
    result = decide(doc("申請書", "氏名 印"), seal(), rel_path="申請書（見本）.pdf", title="申請書", ctx=ctx)
    assert result.decision == decision, result.reason
