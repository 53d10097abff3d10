"""summarize / kawasaki_sentence: the counts reviewers and the 集計 sheet rely on."""

from __future__ import annotations

from output.summary import kawasaki_sentence, percent, summarize
from tests.test_output_rows import make_row


def rows_kawasaki():
    """Kawasaki's published figures: 4,508 forms asked for a seal, 3,928 abolished."""
    rows = [make_row(i) for i in range(3928)]
    rows += [make_row(i, decision="keep_contract", replacement=None) for i in range(580)]
    rows += [make_row(i, decision="no_seal", seal_requested=False, replacement=None) for i in range(50)]
    return rows


def test_kawasaki_sentence_exact():
    assert kawasaki_sentence(rows_kawasaki()) == (
        "押印を求めている申請書等4,508件のうち3,928件（約87%）について押印を廃止")


def test_sentence_small_and_empty():
    rows = [make_row(1), make_row(2, decision="needs_review", replacement=None),
            make_row(3, decision="error", seal_requested=None)]
    assert kawasaki_sentence(rows) == "押印を求めている申請書等2件のうち1件（約50%）について押印を廃止"
    assert kawasaki_sentence([]) == "押印を求めている申請書等はありませんでした"
    no_seal = [make_row(1, decision="no_seal", seal_requested=False, replacement=None)]
    assert kawasaki_sentence(no_seal) == "押印を求めている申請書等はありませんでした"
    assert summarize(no_seal)["sentence"] == "押印を求めている申請書等はありませんでした"
    one = [make_row(1, decision="keep_law", replacement=None)]  # N ≥ 1: always the spec's sentence
    assert kawasaki_sentence(one) == "押印を求めている申請書等1件のうち0件（約0%）について押印を廃止"


def test_percent_rounds_half_up():
    assert percent(1, 8) == 13  # 12.5 → 13 (not banker's 12)
    assert percent(3928, 4508) == 87 and percent(2915, 3087) == 94 and percent(0, 0) == 0


def test_summarize_counts():
    rows = [make_row(1), make_row(2, decision="keep_law", replacement=None, basis_category="国の法令",
                                  department="市民局/戸籍課", signature_required=True),
            make_row(3, decision="no_seal", seal_requested=False, replacement=None, basis_category="なし",
                     signature_required=True),
            make_row(4, decision="abolish", replacement="shomei", signature_required=True)]
    s = summarize(rows)
    assert (s["total"], s["seal_requested"], s["abolished"], s["percent"]) == (4, 3, 2, 67)
    assert s["by_decision"]["廃止"] == 2 and s["by_decision"]["存続（法令等）"] == 1
    assert s["by_decision"]["押印なし"] == 1 and s["by_decision"]["要確認"] == 0
    assert list(s["by_basis"]) == ["条例", "規則", "要綱", "要領その他", "国の法令", "なし"]
    assert s["by_basis"]["規則"]["廃止"] == 2 and s["by_basis"]["規則"]["計"] == 2
    assert s["by_basis"]["国の法令"]["存続（法令等）"] == 1 and s["by_basis"]["条例"]["計"] == 0
    assert s["by_department"]["市民局/戸籍課"]["計"] == 1 and s["by_department"]["総務局/総務課"]["計"] == 3
    assert s["signatures"]["押印"] == {"廃止": 2, "継続": 1, "要確認": 0, "読取不可": 0, "計": 3}
    # 署名: keep_law keeps it, no_seal keeps it, abolish→署名 keeps it
    assert s["signatures"]["署名"] == {"廃止": 0, "継続": 3, "要確認": 0, "読取不可": 0, "計": 3}


def test_summarize_department_missing():
    s = summarize([make_row(1, department=None)])
    assert s["by_department"] == {"（所管なし）": {**{k: 0 for k in s["by_decision"]}, "廃止": 1, "計": 1}}


def test_signature_tables_like_the_seal_tables():
    """Forms asking for a signature, counted by 判定, 根拠区分 × 判定 and 所管 × 判定."""
    rows = [make_row(1, signature_required=True),  # abolish, 規則, 総務局/総務課
            make_row(2, decision="keep_law", replacement=None, basis_category="国の法令", department="市民局/戸籍課",
                     signature_required=True),
            make_row(3, decision="no_seal", seal_requested=False, replacement=None, basis_category="なし",
                     department=None, signature_required=True),
            make_row(4, decision="needs_review", replacement=None, signature_required=True),
            make_row(5, signature_required=False),  # no signature: not counted
            make_row(6, decision="error", seal_requested=None, signature_required=None)]
    sig = summarize(rows)["signature"]
    assert sig["by_decision"] == {"押印なし": 1, "廃止": 1, "存続（法令等）": 1, "存続（契約等）": 0, "存続（登録印）": 0,
                                  "要確認": 1, "読取不可": 0}
    assert list(sig["by_basis"]) == ["条例", "規則", "要綱", "要領その他", "国の法令", "なし"]
    assert (sig["by_basis"]["規則"]["廃止"], sig["by_basis"]["規則"]["要確認"], sig["by_basis"]["規則"]["計"]) == (1, 1, 2)
    assert sig["by_basis"]["国の法令"]["存続（法令等）"] == 1 and sig["by_basis"]["なし"]["押印なし"] == 1
    assert sig["by_basis"]["条例"]["計"] == 0
    assert {k: v["計"] for k, v in sig["by_department"].items()} == {
        "総務局/総務課": 2, "市民局/戸籍課": 1, "（所管なし）": 1}
    assert summarize([])["signature"]["by_basis"]["規則"]["計"] == 0
