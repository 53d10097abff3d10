"""Rendering one RegisterRow into the 一覧 / CSV columns. Also the row factory the other output tests use."""

from __future__ import annotations

import pytest

from output.columns import COLUMNS, SPEC_COLUMNS, csv_safe, evidence_text, render
from output.models import RegisterRow

SPEC_ORDER = ("No, 所管, ファイル, 様式名, 形式, 押印の求め, 押印の種類, 署名の求め, 根拠法令, 根拠区分, 判定, "
              "見直し後の取扱い, 理由, 根拠箇所, 信頼度, レビュー判定, レビュー者コメント, 例規改正要").split(", ")


def make_row(n: int = 1, **over) -> RegisterRow:
    base = dict(
        path=f"総務局/総務課/申請書{n}.docx", sha256=f"{n:064x}", format="docx", title=f"補助金交付申請書{n}",
        department="総務局/総務課", seal_requested=True, seal_kinds=["mitome"], signature_required=False,
        legal_basis=[{"citation": "狛江市補助金等交付規則第4条", "level": "municipal"}], decision="abolish",
        replacement="kimei", reason="法令上の押印義務がないため廃止し、記名のみとする。",
        evidence=[{"text": "氏名 … 印", "location": "p.1 表1 2行3列", "rule": "seal.mark.name_field.v1"}],
        confidence=0.92, error=None, basis_category="規則", rule_id="decide.abolish.v1",
    )
    base.update(over)
    return RegisterRow(**base)


def test_spec_columns_come_first_in_spec_order():
    assert list(SPEC_COLUMNS) == SPEC_ORDER
    assert list(COLUMNS[: len(SPEC_ORDER)]) == SPEC_ORDER
    assert len(set(COLUMNS)) == len(COLUMNS)


def test_render_values_in_japanese():
    values = render(make_row(3), 7).as_dict()
    assert values["No"] == 7
    assert values["判定"] == "廃止"
    assert values["見直し後の取扱い"] == "記名のみ"
    assert values["押印の求め"] == "あり" and values["署名の求め"] == "なし"
    assert values["押印の種類"] == "認印"
    assert values["根拠法令"] == "狛江市補助金等交付規則第4条"
    assert values["根拠箇所"] == "p.1 表1 2行3列: 氏名 … 印 [seal.mark.name_field.v1]"
    assert values["信頼度"] == 0.92
    assert values["ファイルハッシュ"] == f"{3:064x}"
    assert values["レビュー判定"] == ""


def test_every_decision_label():
    expected = {"no_seal": "押印なし", "abolish": "廃止", "keep_law": "存続（法令等）", "keep_contract": "存続（契約等）",
                "keep_registered": "存続（登録印）", "needs_review": "要確認", "error": "読取不可"}
    for code, label in expected.items():
        assert render(make_row(decision=code), 1).as_dict()["判定"] == label


def test_evidence_one_per_line():
    ev = [{"text": "㊞", "location": "p.2", "rule": "seal.mark.maru_in.v1"},
          {"text": "記名押印", "location": "段落4", "rule": "seal.instruction.v1"}]
    assert evidence_text(ev) == "p.2: ㊞ [seal.mark.maru_in.v1]\n段落4: 記名押印 [seal.instruction.v1]"


def test_error_row_shows_unknowns_and_the_error():
    row = make_row(decision="error", seal_requested=None, signature_required=None, seal_kinds=[], evidence=[],
                   replacement=None, reason="ファイルを読み取れませんでした。", error="暗号化されています")
    values = render(row, 1).as_dict()
    assert values["押印の求め"] == "不明" and values["判定"] == "読取不可"
    assert values["理由"] == "ファイルを読み取れませんでした。（暗号化されています）"
    assert values["見直し後の取扱い"] == ""


def test_control_characters_removed_newlines_kept():
    values = render(make_row(title="申請\x0b書\n（様式1）"), 1).as_dict()
    assert values["様式名"] == "申請書\n（様式1）"


def test_csv_safe_prefixes_formula_triggers_only():
    for text in ["=1+1", "+81", "-5", "@SUM(A1)", "\tx", "＝1"]:
        assert csv_safe(text) == "'" + text
    assert csv_safe("申請書") == "申請書"
    assert csv_safe(0.5) == 0.5


def _items(n: int) -> list[dict]:
    return [{"text": f"印{i}", "location": f"段落{i}", "rule": "seal.mark.v1"} for i in range(1, n + 1)]


@pytest.mark.parametrize(("count", "lines", "last"), [
    (0, 0, None),
    (1, 1, "段落1: 印1 [seal.mark.v1]"),
    (8, 8, "段落8: 印8 [seal.mark.v1]"),
    (9, 9, "ほか 1 件（register.jsonl に全件）"),
    (30, 9, "ほか 22 件（register.jsonl に全件）"),
])
def test_evidence_cell_shows_eight_and_counts_the_rest(count, lines, last):
    text = evidence_text(_items(count))
    got = text.split("\n") if text else []
    assert len(got) == lines
    if last:
        assert got[-1] == last
        assert got[0] == "段落1: 印1 [seal.mark.v1]"


def test_the_rendered_cell_is_capped_but_the_row_keeps_everything():
    row = make_row(evidence=_items(12))
    values = render(row, 1).as_dict()
    assert values["根拠箇所"].count("\n") == 8
    assert values["根拠箇所"].endswith("ほか 4 件（register.jsonl に全件）")
    assert len(row.evidence) == 12
