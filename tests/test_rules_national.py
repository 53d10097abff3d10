"""National law at scale (issue 14): the catalogue's families, how forms print them, and decisions by date."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import pytest

from rules.catalogue import check_sources, load_catalogue
from rules.engine import decide, load_context
from rules.laws_report import check_form, coverage, law_rows
from tests.rules_helpers import doc, seal

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

D = dt.date
DATES = (D(2020, 12, 1), D(2021, 4, 1), D(2021, 9, 1), D(2023, 10, 1), D(2026, 12, 1))
EXPECTED = {"keep_law": "keep_law", "keep_contract": "keep_contract", "keep_registered": "keep_registered",
            "none": "abolish", "needs_review": "needs_review"}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def contexts():
    return {day: load_context(as_of=day) for day in DATES}


def test_catalogue_covers_the_national_families_with_sources(catalogue):
    check_sources(catalogue)  # every national entry names its ministry; every period has a source URL
    national = [e for e in catalogue.entries if e.level == "national"]
    assert len(national) >= 150
    assert len({e.ministry for e in national}) >= 10
    families = ("地方税法 住民基本台帳法 戸籍法 国民健康保険法 介護保険法 国民年金法 児童手当法 児童扶養手当法 生活保護法 "
                "障害者総合支援法 子ども・子育て支援法 母子保健法 予防接種法 狂犬病予防法 墓地埋葬法 食品衛生法 旅館業法 "
                "廃棄物処理法 騒音規制法 農地法 道路法 河川法 建築基準法 都市計画法 土地区画整理法 宅地造成等規制法 公職選挙法 "
                "学校教育法 地方自治法 不動産登記令第16条 商業登記法 道路運送車両法").split()
    missing = [f for f in families if catalogue.for_citation(f) is None]
    assert missing == []
    for entry in catalogue.entries:  # every family name is found in running text, with its 施行規則
        for name in entry.names:
            hits = catalogue.find_names(f"根拠：{name}施行規則第3条による。")
            assert [h.entry.id for h in hits] == [entry.id], name


@pytest.mark.parametrize(("citation", "entry_id"), [
    ("戸籍法施行規則第59条", "law.koseki.todokesho"),  # the article that prescribes the 届書 (附録第11〜14号様式)
    ("戸籍法第10条", "law.koseki"),
    ("地方自治法第234条第5項", "law.chiho_jichi.keiyaku"),
    ("地方自治法第74条", "law.chiho_jichi.chokusetsu_seikyu"),
    ("地方自治法第2条", "law.chiho_jichi"),
    ("不動産登記令第18条", "law.fudosan_toki.kimei_oin"),
    ("墓埋法第5条", "law.bochi_maiso"),  # a short name
    ("国民健康保険法施行規則第3条", "law.kokumin_kenko_hoken"),  # the family's 施行規則
])
def test_article_level_entries_win_over_their_family(catalogue, citation, entry_id):
    assert catalogue.for_citation(citation).id == entry_id


@pytest.mark.parametrize("text", ["下水道法第10条", "健康保険法第3条"])
def test_a_name_inside_a_longer_name_is_not_that_law(catalogue, text):
    """水道法 inside 下水道法, 健康保険法 is not 国民健康保険法: leftmost-longest with a word boundary."""
    hits = catalogue.find_names(text)
    assert len(hits) == 1 and text.startswith(hits[0].formal(text))


def test_konin_todoke_citing_the_article_is_decided_at_every_date(contexts):
    """19 婚姻届 citing 戸籍法施行規則第59条 went to review as an unknown law (regression)."""
    lines = ("婚姻届", "戸籍法施行規則第59条に定める様式", "夫になる人 署名 印", "妻になる人 署名 印")
    got = {day: decide(doc(*lines), seal(signature=True), rel_path="x", title="婚姻届", ctx=ctx)
           for day, ctx in contexts.items()}
    assert [got[d].decision for d in DATES] == ["keep_law", "keep_law", "abolish", "abolish", "abolish"]
    assert got[D(2021, 9, 1)].replacement == "shomei"
    assert "law.koseki.todokesho" in got[D(2021, 9, 1)].reason


def test_a_form_number_is_not_a_legal_basis(contexts):
    lines = ("補助金交付申請書", "第3号様式(第5条関係)", "申請者 氏名 印")
    d = decide(doc(*lines), seal(), rel_path="x", title=lines[0], ctx=contexts[D(2026, 12, 1)])
    assert d.legal_basis == () and d.form_numbers == ("第3号様式(第5条関係)",)
    assert d.decision == "abolish"
    assert "様式番号「第3号様式(第5条関係)」のほかに根拠の記載がなく" in d.reason  # a form number points to a rule …
    assert "様式番号「第3号様式(第5条関係)」の属する例規" in d.reason  # … which the reason says to look up


def test_no_legal_basis_says_what_was_checked(contexts):
    d = decide(doc("ごみ集積所設置届", "設置者 氏名 印"), seal(), rel_path="x", title="ごみ集積所設置届",
               ctx=contexts[D(2026, 12, 1)])
    assert d.decision == "abolish" and "本文の引用・様式名・様式番号を確認" in d.reason


def test_a_national_form_recognised_by_its_title_is_that_ordinances_form(contexts):
    """A 省令 form printing only 「別記様式第1号(第1条関係)」 was abolished as having no legal basis (regression)."""
    lines = ("国民健康保険被保険者資格取得届", "別記様式第1号(第1条関係)", "世帯主 氏名 印")
    before = decide(doc(*lines), seal(), rel_path="x", title=lines[0], ctx=contexts[D(2020, 12, 1)])
    after = decide(doc(*lines), seal(), rel_path="x", title=lines[0], ctx=contexts[D(2021, 4, 1)])
    assert (before.decision, after.decision) == ("keep_law", "abolish")
    assert [b.entry_id for b in after.basis_details] == ["law.kokumin_kenko_hoken"]
    assert "令和2年厚生労働省令第208号" in after.reason and "https://" in after.reason


def test_an_abbreviation_defined_for_a_law_with_kana_in_its_name(contexts):
    lines = ("認定申請書", "子ども・子育て支援法（平成24年法律第65号。以下「法」という。）第20条の規定により",
             "法第21条の規定による届出をします。", "保護者 氏名 印")
    d = decide(doc(*lines), seal(), rel_path="x", title=lines[0], ctx=contexts[D(2026, 12, 1)])
    assert [c.citation for c in d.legal_basis] == ["子ども・子育て支援法第20条", "子ども・子育て支援法第21条"]
    assert d.decision == "abolish" and d.rule_id == "decide.abolish.v1"


def test_an_unknown_national_law_is_named_in_the_review(contexts):
    lines = ("採取計画認可申請書", "砂利採取法第16条の規定により申請します。", "申請者 氏名 印")
    d = decide(doc(*lines), seal(), rel_path="x", title=lines[0], ctx=contexts[D(2026, 12, 1)])
    assert d.decision == "needs_review" and "「砂利採取法第16条」" in d.reason


def test_no_period_that_keeps_a_seal_is_ever_abolished(catalogue, contexts):
    """For every entry and every date: a form citing it is never abolished while a period keeps the seal."""
    checked = 0
    for entry in catalogue.entries:
        cites = [n + "第3条" for n in entry.surfaces()[:1]] or [t for t in entry.examples if entry.matches_pattern(t)][:1]
        titles = [t for t in entry.examples if entry.matches_title(t) and catalogue.for_title(t) is entry][:1]
        forms = [("届出書", f"{c}の規定により申請します。") for c in cites] + [(t, "") for t in titles]
        for day, ctx in contexts.items():
            period = entry.period_on(day)
            if period is None or not period.effect.startswith("keep"):
                continue
            for title, line in forms:
                d = decide(doc(title, line, "申請者 氏名 印"), seal(), rel_path="x", title=title, ctx=ctx)
                assert d.decision != "abolish", (entry.id, day, title, line, d.reason)
                checked += 1
    assert checked > 200


def test_laws_report_lists_entries_with_effect_and_source(catalogue):
    rows = law_rows(catalogue, D(2020, 12, 1), ministry="環境省")
    assert rows and all(r.ministry.startswith("環境省") or "環境省" in r.ministry for r in rows)
    haiki = next(r for r in rows if r.entry_id == "law.haikibutsu_shori")
    assert haiki.effect_on == "存続（法令等）" and haiki.source.startswith("http")
    assert "令和2年環境省令第31号" in haiki.periods
    ministries = dict((m, n) for m, n, _ in coverage(catalogue))
    assert ministries["厚生労働省"] >= 50 and "・" not in "".join(ministries)


def test_laws_check_maps_form_text_to_entries(contexts):
    lines = ("申請書", "墓埋法第5条の規定により申請します。", "様式第2号（第3条関係）", "氏名 印")
    maps = check_form(doc(*lines), title="申請書", ctx=contexts[D(2026, 12, 1)])
    cells = [m.cells() for m in maps]
    assert cells[0][0] == "墓埋法第5条（墓地、埋葬等に関する法律第5条）" and cells[0][3] == "law.bochi_maiso"
    assert cells[-1][0] == "様式第2号(第3条関係)" and "根拠法令ではない" in cells[-1][5]


@pytest.mark.ginza
def test_generated_corpus_of_national_citations_is_decided(catalogue):
    """The bench's corpus (bench/gen_laws.py), smaller: ≥ 98% of forms citing a catalogue law decided and correct
    at each date, none abolished where a period keeps the seal, 要確認 within the share citing missing laws + 2%."""
    from bench_laws import document, evaluate, review_share
    from gen_laws import generate

    from classifiers.engine import detect

    forms = generate(catalogue, n=400, seed=7)
    assert len({f.law for f in forms}) >= 100
    assert Counter(f.style for f in forms).keys() >= {"full", "alias", "defined", "rule_defined", "form_number",
                                                       "rule_form", "title_only"}
    detections = [detect(document(f.lines)) for f in forms]
    for day in DATES:
        s = evaluate(forms, detections, day)["stats"]
        assert s["known_correct"] >= 0.98 * s["known"], (day, s)
        assert s["wrong_abolish"] == 0
        assert review_share(s) <= s["missing"] / s["forms"] + 0.02, (day, s)
