"""信頼度の段階: the named level and reason that the `confidence` number stands for (rules/confidence.py)."""

from __future__ import annotations

import pytest

from output.columns import COLUMNS, render
from output.models import RegisterRow
from rules.confidence import LOWERED, confidence_level


@pytest.mark.parametrize(("rule", "value", "level"), [
    ("decide.no_seal.v1", 1.0, "高"),
    ("decide.keep_law.v1", 0.95, "高"),
    ("decide.keep_contract.v1", 0.9, "高"),
    ("decide.abolish.v1", 0.85, "中"),
    ("decide.abolish.v1", 0.8, "中"),
    ("decide.abolish.v1", 0.56, "低"),
    ("decide.review.unknown_law.v1", 0.5, "低"),
    ("decide.error.v1", 1.0, "－"),
])
def test_level_follows_rule_and_value(rule: str, value: float, level: str) -> None:
    assert confidence_level(rule, value).split("：", 1)[0] == level


def test_a_value_below_its_rules_constant_says_the_detection_lowered_it() -> None:
    assert LOWERED in confidence_level("decide.abolish.v1", 0.8 * 0.7)
    assert LOWERED not in confidence_level("decide.abolish.v1", 0.8)
    assert LOWERED in confidence_level("decide.no_seal.v1", 0.7)


def test_review_is_low_whatever_the_number_and_names_why() -> None:
    text = confidence_level("decide.review.ocr_unverified.v1", 0.9)
    assert text.startswith("低：") and "人が決める" in text


def _row(rule: str, confidence: float) -> RegisterRow:
    return RegisterRow(path="a.pdf", sha256="0" * 64, format="pdf", title="届", department=None, seal_requested=True,
                       seal_kinds=[], signature_required=False, legal_basis=[], decision="abolish", replacement=None,
                       reason="", evidence=[], confidence=confidence, error=None, rule_id=rule)


def test_the_register_shows_it_in_its_own_column_and_in_jsonl() -> None:
    row = _row("decide.keep_law.v1", 0.95)
    assert COLUMNS[-1] == "信頼度の段階"
    assert render(row, 1).as_dict()["信頼度の段階"] == confidence_level("decide.keep_law.v1", 0.95)
    assert render(row, 1).as_dict()["信頼度"] == 0.95  # the spec's number stays
    assert row.to_json()["confidence_level"].startswith("高：")
    assert row.to_json()["confidence"] == 0.95
