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
    lines = ("使用届", "家畜伝染病予防法第12条の規定により届け出ます。", "氏名 印")
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
