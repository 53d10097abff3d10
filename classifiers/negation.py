"""Negation and scope from GiNZA's dependency parse (only on candidate sentences).

For a seal/signature mention, walk the token and its ancestors up to the clause: a negating
predicate (不要, 省略, 廃止, 任意…), an `aux` ない/ず, or the adjective 無い negates it; a clause
marked by 場合/ば/と/なら stops the walk, and a negated predicate that itself heads such a clause
(押印できない場合は委任状を…) is a condition, not an exemption. Conditionals and double negatives
(押印がない場合は受理しません) are caught earlier by the `required_condition` patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers import nlp as ginza
from classifiers.patterns import Pattern

SENTENCE_END = re.compile(r"[。!?\t]")


@dataclass(frozen=True, slots=True)
class NegationRule:
    trigger: re.Pattern
    negating: frozenset[str]
    aux: frozenset[str]
    stop: frozenset[str]

    @classmethod
    def from_pattern(cls, pattern: Pattern) -> NegationRule:
        cues = pattern.cues
        return cls(
            trigger=re.compile(cues.get("trigger", "不要")),
            negating=frozenset(cues.get("negating", ())),
            aux=frozenset(cues.get("aux", ())),
            stop=frozenset(cues.get("stop", ())),
        )


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = start
    while lo > 0 and not SENTENCE_END.match(text[lo - 1]):
        lo -= 1
    hi = end
    while hi < len(text) and not SENTENCE_END.match(text[hi]):
        hi += 1
    return lo, min(hi + 1, len(text))


def negated_by(rule: NegationRule, text: str, start: int, end: int) -> str | None:
    """The word that negates text[start:end] in its sentence, or None. Parses only when needed."""
    lo, hi = sentence_bounds(text, start, end)
    sentence = text[lo:hi]
    tail = text[end:hi]
    if not rule.trigger.search(tail) and not rule.trigger.search(text[start:end]):
        return None  # no negation cue after the mention: no parse
    return ginza.read_parse(_negating_word, sentence, start - lo, end - lo, rule)  # memoised by the window


def _negating_word(doc, offset: int, rule: NegationRule) -> str | None:
    token = ginza.token_at(doc, offset)
    return None if token is None else _walk(rule, token)


def _conditional(rule: NegationRule, node) -> bool:
    """The predicate heads a conditional clause (押印できない場合は… / 押印がなければ…): a condition, not an exemption."""
    if node.dep_ in ("acl", "advcl") and (node.head.norm_ in rule.stop or node.head.lemma_ in rule.stop):
        return True
    return any(c.dep_ == "mark" and c.norm_ in rule.stop for c in node.children)


def _walk(rule: NegationRule, token) -> str | None:
    for node in [token, *token.ancestors]:
        if node is not token and (node.norm_ in rule.negating or node.lemma_ in rule.negating):
            return node.text
        if node is not token and node.norm_ == "無い" and node.pos_ == "ADJ":
            return None if _conditional(rule, node) else node.text
        for child in node.children:
            if child.dep_ == "aux" and (child.norm_ in rule.aux or child.lemma_ in rule.aux):
                return None if _conditional(rule, node) else child.text
            if node is not token and child.dep_ in ("advcl", "xcomp") and child.norm_ in rule.negating:
                return child.text  # 押印は…不要になりました: 不要 hangs on なる
        if node is not token and (node.norm_ in rule.stop or any(
            c.dep_ in ("mark", "case") and c.norm_ in rule.stop for c in node.children
        )):
            return None
        if node.dep_ == "ROOT":
            break
    return None
