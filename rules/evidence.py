"""The evidence of a decision: every finding of the document, decision-supporting first, and the citations.

The register (register.jsonl) keeps all of it; only the spreadsheet cell (output/columns.py) is shortened.
Order: the decision's own markers (e.g. the 見本 file name), the first LEAD findings that support the
decision, the citations it rests on, the other supporting findings, then every other finding (negations,
signatures, office boxes …) in LABEL_ORDER.
"""

from __future__ import annotations

from collections.abc import Iterable

from classifiers.models import (
    INCONSISTENT,
    OFFICE_BOX,
    SEAL_INSTRUCTION,
    SEAL_KIND,
    SEAL_MARK,
    SEAL_NOT_REQUIRED,
    SIGNATURE,
    SIGNATURE_NOT_REQUIRED,
    Finding,
)
from rules.models import Evidence

LEAD = 4  # supporting findings before the citations (the cell shows the first lines)
LABEL_ORDER = (INCONSISTENT, SEAL_MARK, SEAL_INSTRUCTION, SEAL_KIND, SEAL_NOT_REQUIRED, SIGNATURE,
               SIGNATURE_NOT_REQUIRED, OFFICE_BOX)
COUNTED_SCORE = 0.5  # classifiers/summary.py REQUEST_SCORE: below it a finding is not counted as a request


def _rank(f: Finding) -> tuple:
    return (f.example, f.hidden, f.comment, f.score < COUNTED_SCORE, -f.score)


def _label_rank(f: Finding) -> int:
    return LABEL_ORDER.index(f.label) if f.label in LABEL_ORDER else len(LABEL_ORDER)


def as_evidence(f: Finding) -> Evidence:
    """A finding as evidence; a finding that does not count as a request says why in its location."""
    notes = [n for n, on in (("記入例・見本", f.example), ("非表示", f.hidden),
                             ("コメント（様式には印刷されない）", f.comment), ("弱い一致", f.score < COUNTED_SCORE)) if on]
    where = f"{f.where}（{'・'.join(notes)}）" if notes else f.where
    return Evidence(f.text, where, f.rule_id)


def build(findings: Iterable[Finding], labels: tuple[str, ...], cited: Iterable[Evidence],
          extra: Iterable[Evidence] = ()) -> tuple[Evidence, ...]:
    """All findings and citations, decision-supporting first, without duplicates."""
    findings = list(findings)
    supporting = sorted((f for f in findings if f.label in labels), key=_rank)
    others = sorted((f for f in findings if f.label not in labels), key=lambda f: (_label_rank(f), _rank(f)))
    ordered = [*extra, *map(as_evidence, supporting[:LEAD]), *cited, *map(as_evidence, supporting[LEAD:]),
               *map(as_evidence, others)]
    return tuple(dict.fromkeys(ordered))
