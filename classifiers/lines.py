"""Per-line analysis: run the pattern roles in order over the normalised, progressively masked line."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from classifiers import models as m
from classifiers.negation import NegationRule, negated_by
from classifiers.nlp import is_own_token
from classifiers.normalize import View
from classifiers.patterns import MASKING_ROLES, Pattern, PatternSet
from classifiers.seal import RowContext, layout_holds

MASK = "〓"
ROLE_LABEL = {
    "office": m.OFFICE_BOX,
    "kind": m.SEAL_KIND,
    "instruction": m.SEAL_INSTRUCTION,
    "signature": m.SIGNATURE,
    "mark": m.SEAL_MARK,
}
NEGATED_LABEL = {m.SIGNATURE: m.SIGNATURE_NOT_REQUIRED}


@dataclass(slots=True)
class Hit:
    """A match in the view of one line, before it becomes a `Finding`."""

    rule_id: str
    label: str
    start: int
    end: int
    score: float
    explanation: str
    seal_kind: str | None = None
    supporting: str | None = None
    same_row: bool = False  # the supporting name field is on the mark's own row


@dataclass(slots=True)
class LineResult:
    hits: list[Hit] = field(default_factory=list)
    trace: set[str] = field(default_factory=set)


def _mask(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] not in " \t":
            chars[i] = MASK


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


class _Taken:
    """The union of spans, kept as sorted disjoint intervals: `overlaps` and `add` by bisection (a line
    holding tens of thousands of marks made the check against every earlier mark quadratic)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(spans):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)  # intervals starting before `end`: only the last can reach
        return i > 0 and self.ends[i - 1] > start

    def add(self, start: int, end: int) -> None:  # only spans that overlap nothing are added
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


class LineAnalyser:
    """Applies a `PatternSet` to one line view."""

    def __init__(self, patterns: PatternSet) -> None:
        self.patterns = patterns
        self.parse_rule = NegationRule.from_pattern(patterns.get("negation.parse.v1"))
        self.name_field = patterns.by_role("name_field")
        self.office_context = patterns.by_role("office_context")
        self.roles = [r for r in ("mask", "office", "required_condition", "alternative", "not_required",
                                  "signature_not_required", "both", "kind", "instruction", "signature")]
        self.role_patterns = [(role, patterns.by_role(role)) for role in self.roles]  # filtered once
        self.mark_patterns = patterns.by_role("mark")

    def context_word(self, text: str, role: str) -> tuple[str, str] | None:
        """(rule id, word) of the first context pattern of `role` found in `text`."""
        for p in self.name_field if role == "name_field" else self.office_context:
            hit = p.regex.search(text)
            if hit:
                return p.id, hit.group(0).replace(" ", "")
        return None

    def analyse(self, view: View, row: RowContext) -> LineResult:
        result = LineResult()
        chars = list(view.text)
        current = view.text  # re-joined only after a mask changed `chars`
        consumed: list[tuple[int, int]] = []
        for role, patterns in self.role_patterns:
            for p in patterns:
                masked = False
                for match in p.regex.finditer(current):
                    start, end = match.span()
                    if start == end or _overlaps(consumed, start, end) and role not in MASKING_ROLES:
                        continue
                    if p.context is None or p.context.search(view.text):
                        result.trace.add(p.id)  # a pattern "fires" when its required context holds
                    result.hits.extend(self._role_hits(p, role, start, end, view.text))
                    if role in MASKING_ROLES:
                        _mask(chars, start, end)
                        masked = True
                    else:
                        consumed.append((start, end))
                if masked:
                    current = "".join(chars)
        self._marks(current, view.text, row, consumed, result)
        self._negate(view.text, result)
        return result

    def _role_hits(self, p: Pattern, role: str, start: int, end: int, text: str) -> list[Hit]:
        if role == "mask":
            return []
        labels = p.labels or (ROLE_LABEL[role],)
        score = p.score
        if p.context is not None and not p.context.search(text):
            score = p.score_without_context
        return [Hit(p.id, label, start, end, score, p.explanation, p.seal_kind) for label in labels]

    def _marks(self, masked: str, text: str, row: RowContext, consumed: list, result: LineResult) -> None:
        taken = _Taken(list(consumed))
        own: dict[int, bool] = {}
        for p in self.mark_patterns:
            for match in p.regex.finditer(masked):
                start, end = match.span()
                if taken.overlaps(start, end):
                    continue
                if p.layout != "any":
                    if start not in own:
                        own[start] = is_own_token(masked, start, end)
                    if not own[start]:
                        continue
                if not layout_holds(p.layout, masked, start, end, row):
                    continue
                taken.add(start, end)
                hit = self._mark_hit(p, start, end, row)
                result.trace.add(hit.rule_id)
                result.hits.append(hit)

    def _mark_hit(self, p: Pattern, start: int, end: int, row: RowContext) -> Hit:
        office = row.office or row.office_above
        if office and not row.name_field and p.layout != "prose":
            return Hit("context.office.v1", m.OFFICE_BOX, start, end, 0.8,
                       "事務処理欄（受付・決裁等）の行にある印であり、申請者への押印要求ではない",
                       supporting=office)
        support = row.name_field or row.neighbour_name_field
        score = p.score
        if p.layout in ("any", "standalone") and support:
            score = max(score, 0.95 if row.name_field else 0.9)
        explanation = p.explanation + (f"（記名欄「{support}」）" if support and p.layout != "prose" else "")
        return Hit(p.id, m.SEAL_MARK, start, end, score, explanation, None,
                   support if p.layout != "prose" else None, same_row=bool(row.name_field))

    def _negate(self, text: str, result: LineResult) -> None:
        for hit in result.hits:
            if hit.label not in (m.SEAL_INSTRUCTION, m.SEAL_KIND, m.SIGNATURE) or hit.score < 0.5:
                continue
            pattern = self.patterns.get(hit.rule_id)
            if not pattern.negatable or (pattern.role in MASKING_ROLES and pattern.role != "both"):
                continue
            word = negated_by(self.parse_rule, text, hit.start, hit.end)
            if word:
                result.trace.add("negation.parse.v1")
                hit.explanation = f"{hit.explanation}が、「{word}」により否定されている"
                hit.supporting = word
                hit.rule_id = "negation.parse.v1"
                hit.label = NEGATED_LABEL.get(hit.label, m.SEAL_NOT_REQUIRED)


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)
