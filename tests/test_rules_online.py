"""オンライン化 classes (rules/data/online.yaml): every decision, identity documents, broken data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rules.errors import RuleDataError
from rules.online import DEFAULT_ONLINE, classify_online, load_online


@pytest.mark.parametrize(("facts", "cls", "words"), [
    ({"decision": "abolish", "replacement": "kimei"}, "kimei", "電子署名なし"),
    ({"decision": "abolish", "replacement": "shomei", "document_class": "誓約書"}, "shomei", "公的個人認証"),
    ({"decision": "no_seal", "signature_required": True}, "shomei", "公的個人認証"),
    ({"decision": "no_seal", "signature_required": False}, "kimei", "押印も署名も求めていない"),
    ({"decision": "keep_registered", "seal_kinds": ["jitsuin"]}, "registered", "電子証明書"),
    ({"decision": "keep_contract", "document_class": "契約書"}, "contract", "地方自治法施行規則第12条の4の2"),
    ({"decision": "keep_law"}, "law", "法令"),
    ({"decision": "needs_review"}, "undecided", "要確認"),
    ({"decision": "error"}, "unreadable", "読み取れない"),
])
def test_each_decision_has_its_class_and_reason(facts, cls, words):
    got = classify_online(**facts)
    assert got.cls == cls
    assert words in got.reason
    assert got.rule.startswith("online.") and "@" in got.rule


def test_identity_documents_are_named_or_said_to_be_absent():
    with_docs = classify_online(decision="abolish", replacement="kimei", identity_documents=("運転免許証", "マイナンバーカード"))
    assert "本人確認書類（運転免許証・マイナンバーカード）は引き続き必要です" in with_docs.reason
    without = classify_online(decision="abolish", replacement="kimei")
    assert "本人確認書類の記載がありません" in without.reason
    assert "本人確認書類" not in classify_online(decision="keep_contract").reason  # the contract route says its own


def test_to_json_keeps_the_identity_documents():
    got = classify_online(decision="no_seal", identity_documents=["在留カード"]).to_json()
    assert got["class"] == "kimei" and got["identity_documents"] == ["在留カード"] and got["label"]


def _broken(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(DEFAULT_ONLINE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "online.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["classes"][0].update({"class": "maybe"}), "分類が不正"),
    (lambda d: d["classes"][0]["when"].update(colour=["red"]), "条件のキー"),
    (lambda d: d["classes"][0]["when"].update(decision=["abolished"]), "判定が不正"),
    (lambda d: d["classes"][1].update(id=d["classes"][0]["id"]), "重複"),
    (lambda d: d["examples"].append({"decision": "keep_law", "class": "kimei"}), "例の分類が合いません"),
])
def test_broken_online_data_fails_loudly(tmp_path, edit, message):
    with pytest.raises(RuleDataError, match=message):
        load_online(_broken(tmp_path, edit))


def test_an_edited_online_file_is_seen_at_the_next_call(tmp_path):
    """A long-lived process (serve) sees an edit of online.yaml: the parsed data is kept under the file's bytes."""
    from rules.online import online_rules

    path = tmp_path / "online.yaml"
    path.write_bytes(DEFAULT_ONLINE.read_bytes())
    first = online_rules(path)
    assert online_rules(path) is first  # unchanged bytes: parsed once
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["version"] = f"{first.version}-edited"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert online_rules(path).version == f"{first.version}-edited"
