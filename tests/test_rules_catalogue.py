"""The rule data loads, validates and fails loudly: catalogue, policy, document classes."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from rules.catalogue import load_catalogue
from rules.doc_class import load_doc_classes
from rules.engine import load_context, today_tokyo
from rules.errors import RuleDataError
from rules.policy import load_policy

GOOD_ENTRY = """
  - id: law.test.one
    name: テスト法
    patterns: ['^テスト法']
    periods:
      - to: 2021-08-31
        effect: keep_law
      - from: 2021-09-01
        effect: none
        replacement: shomei
"""


def write(tmp_path: Path, body: str, name: str = "legal_bases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_shipped_catalogue_loads_with_the_domain_facts():
    cat = load_catalogue()
    assert cat.version
    koseki = cat.get("law.koseki.todokesho")
    assert koseki.period_on(dt.date(2021, 8, 31)).effect == "keep_law"
    after = koseki.period_on(dt.date(2021, 9, 1))
    assert (after.effect, after.replacement) == ("none", "shomei")
    koyo = cat.get("law.koyo_hoken.jigyonushi")
    assert koyo.period_on(dt.date(2023, 9, 30)).effect == "keep_law"
    assert koyo.period_on(dt.date(2023, 10, 1)).effect == "none"
    assert cat.for_citation("地方自治法第234条第5項").id == "law.chiho_jichi.keiyaku"
    assert cat.for_citation("地方自治法第234条").id == "law.chiho_jichi"  # the family, not the contract article
    assert cat.for_citation("不動産登記令第18条").period_on(dt.date(2025, 1, 1)).effect == "keep_law"
    assert cat.for_citation("川崎市印鑑条例").period_on(dt.date(2025, 1, 1)).effect == "keep_registered"
    assert all(p.source for e in cat.entries for p in e.periods)


def test_a_good_custom_catalogue_loads(tmp_path):
    cat = load_catalogue(write(tmp_path, f"version: t1\nentries:{GOOD_ENTRY}"))
    assert [e.id for e in cat.entries] == ["law.test.one"]


@pytest.mark.parametrize(("body", "words"), [
    ("version: t1\nentries:" + GOOD_ENTRY + GOOD_ENTRY, ["重複", "law.test.one"]),
    ("version: t1\nentries:" + GOOD_ENTRY.replace("law.test.one", "Law Test"), ["id が不正", "Law Test"]),
    ("version: t1\nentries:" + GOOD_ENTRY.replace("from: 2021-09-01", "from: 2021-08-01"), ["重なって", "law.test.one"]),
    ("version: t1\nentries:" + GOOD_ENTRY.replace("to: 2021-08-31", "to: 2021-02-30"), ["日付が不正", "periods[0].to"]),
    ("version: t1\nentries:" + GOOD_ENTRY.replace("effect: keep_law", "effect: keep_forever"), ["効果が不正", "keep_forever"]),
    ("version: t1\nentries:" + GOOD_ENTRY.replace("replacement: shomei", "replacement: hanko"), ["取扱いが不正"]),
    ("version: t1\nentries:" + GOOD_ENTRY.replace("'^テスト法'", "'^テスト(法'"), ["正規表現が不正", "patterns[0]"]),
    ("version: t1\nentries:" + GOOD_ENTRY + "    examples: {match: [別の法]}\n", ["例「別の法」", "examples.match"]),
    ("entries:" + GOOD_ENTRY, ["version", "必須"]),
    ("version: t1\nentries: [\n", ["YAML"]),
    ("version: t1\nentries:\n  - id: law.test.two\n    patterns: [x]\n", ["periods", "必須"]),
    ("version: t1\nentries:\n  - id: law.test.two\n    periods: [{effect: none}]\n", ["patterns か titles"]),
])
def test_broken_catalogue_fails_loudly_naming_file_and_entry(tmp_path, body, words):
    path = write(tmp_path, body)
    with pytest.raises(RuleDataError) as err:
        load_catalogue(path)
    message = str(err.value)
    assert str(path) in message
    for word in words:
        assert word in message, message


def test_missing_catalogue_file(tmp_path):
    with pytest.raises(RuleDataError, match="見つかりません"):
        load_catalogue(tmp_path / "nothing.yaml")


def test_load_context_fails_on_a_broken_catalogue(tmp_path):
    path = write(tmp_path, "version: t1\nentries:" + GOOD_ENTRY + GOOD_ENTRY)
    with pytest.raises(RuleDataError):
        load_context(catalogue=path)


def test_default_policy_is_kawasaki():
    pol = load_policy()
    assert "川崎" in pol.name
    assert {"契約書", "入札書", "請求書", "見積書", "領収書"} <= set(pol.keep_contract_classes)
    assert set(pol.shomei_classes) == {"誓約書", "同意書", "承諾書", "委任状"}
    assert (pol.default_replacement, pol.unknown_external_law) == ("kimei", "needs_review")


def test_policy_by_name_and_by_file(tmp_path):
    assert load_policy("mitsue").keep_contract_classes.count("請求書") == 0
    path = write(tmp_path, "version: p1\nunknown_external_law: abolish\n", "mine.yaml")
    pol = load_policy(str(path))
    assert (pol.version, pol.unknown_external_law, pol.default_replacement) == ("p1", "abolish", "kimei")


@pytest.mark.parametrize(("body", "words"), [
    ("version: p1\nunknown_external_law: maybe\n", ["unknown_external_law", "maybe"]),
    ("version: p1\ndefault_replacement: hanko\n", ["default_replacement"]),
    ("name: x\n", ["version"]),
])
def test_broken_policy_fails_loudly(tmp_path, body, words):
    path = write(tmp_path, body, "bad.yaml")
    with pytest.raises(RuleDataError) as err:
        load_policy(path)
    assert all(w in str(err.value) for w in [str(path), *words])


def test_unknown_policy_name_lists_the_known_ones():
    with pytest.raises(RuleDataError, match="default"):
        load_policy("no_such_policy")


def test_document_classes_load_and_bad_regex_fails(tmp_path):
    assert load_doc_classes().classify("工事請負契約書") == "請負契約書"
    path = write(tmp_path, "version: 1\nclasses:\n  - id: 契約書\n    titles: ['契約(']\n", "classes.yaml")
    with pytest.raises(RuleDataError, match="契約書"):
        load_doc_classes(path)


def test_as_of_defaults_to_today_in_tokyo():
    ctx = load_context()
    assert ctx.as_of == today_tokyo()
    assert ctx.versions()["as_of"] == today_tokyo().isoformat()
    assert set(ctx.versions()) == {"catalogue", "policy", "as_of"}
