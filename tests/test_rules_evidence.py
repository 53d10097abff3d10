"""rules/evidence.py: every finding becomes evidence; one that does not count as a request says why."""

from __future__ import annotations

import dataclasses

import pytest

from classifiers.models import OFFICE_BOX, SEAL_MARK, SIGNATURE
from rules.evidence import as_evidence, build
from rules.models import Evidence
from tests.rules_helpers import finding

MARK = finding(SEAL_MARK, "印", paragraph=2)


@pytest.mark.parametrize(("changes", "location"), [
    ({}, "表1 2行3列"),
    ({"example": True}, "表1 2行3列（記入例・見本）"),
    ({"hidden": True}, "表1 2行3列（非表示）"),
    ({"score": 0.3}, "表1 2行3列（弱い一致）"),
    ({"example": True, "hidden": True}, "表1 2行3列（記入例・見本・非表示）"),
])
def test_a_finding_that_does_not_count_says_why(changes, location):
    ev = as_evidence(dataclasses.replace(MARK, **changes))
    assert (ev.text, ev.location, ev.rule) == ("印", location, "test.seal_mark.v1")


def test_order_supporting_then_citations_then_the_rest_without_duplicates():
    marks = [finding(SEAL_MARK, f"印{i}", paragraph=i) for i in range(6)]
    example = dataclasses.replace(finding(SEAL_MARK, "印例", paragraph=9), example=True)
    office, sign = finding(OFFICE_BOX, "受付印", paragraph=7), finding(SIGNATURE, "署名", paragraph=8)
    cited = Evidence("地方自治法第234条第5項", "段落2", "law.chiho_jichi.keiyaku")
    marker = Evidence("委任状（見本）", "ファイル名", "decide.review.sample_file.v1")
    out = build([office, example, *marks, sign, marks[0]], (SEAL_MARK,), [cited], [marker])
    assert [e.text for e in out] == ["委任状（見本）", "印0", "印1", "印2", "印3", "地方自治法第234条第5項", "印4", "印5",
                                     "印例", "署名", "受付印"]
