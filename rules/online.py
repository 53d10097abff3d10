"""オンライン化: the online class of a form (rules/data/online.yaml) from its decision, document class and requests.

A plain function over values the register already holds, so it follows the final decision (a reviewer's too).
It never changes the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rules.errors import RuleDataError
from rules.files import file_digest
from rules.models import DECISIONS
from rules.yamlio import need, read_yaml

DEFAULT_ONLINE = Path(__file__).parent / "data" / "online.yaml"
WHEN_KEYS = frozenset({"decision", "replacement", "document_class", "signature_required", "seal_kinds_any"})
CLASSES = ("kimei", "shomei", "registered", "contract", "law", "undecided", "unreadable")


@dataclass(frozen=True, slots=True)
class OnlineClass:
    """What the register says of one form's オンライン化."""

    cls: str  # kimei / shomei / registered / contract / law / undecided / unreadable
    label: str  # オンライン化 column
    reason: str  # オンライン化の理由 column (with the identity sentence)
    rule: str  # the online.yaml entry
    identity_documents: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"class": self.cls, "label": self.label, "reason": self.reason, "rule": self.rule,
                "identity_documents": list(self.identity_documents)}


@dataclass(frozen=True)
class OnlineRule:
    id: str
    cls: str
    label: str
    reason: str
    when: dict
    identity: bool

    def matches(self, facts: dict) -> bool:
        for key, allowed in self.when.items():
            if key == "seal_kinds_any":
                if not set(allowed) & set(facts.get("seal_kinds") or ()):
                    return False
            elif facts.get(key) not in allowed:
                return False
        return True


@dataclass(frozen=True)
class OnlineRules:
    version: str
    rules: tuple[OnlineRule, ...]
    needed: str
    not_needed: str

    def classify(self, *, decision: str, replacement: str | None = None, document_class: str | None = None,
                 signature_required: bool | None = None, seal_kinds: Iterable[str] = (),
                 identity_documents: Iterable[str] = ()) -> OnlineClass:
        facts = {"decision": decision, "replacement": replacement, "document_class": document_class,
                 "signature_required": signature_required, "seal_kinds": tuple(seal_kinds)}
        documents = tuple(identity_documents)
        rule = next((r for r in self.rules if r.matches(facts)), None)
        if rule is None:
            return OnlineClass("undecided", "未定", f"オンライン化の分類がありません（判定: {decision}）", "online.none")
        reason = rule.reason
        if rule.identity:
            reason += self.needed.format(documents="・".join(documents)) if documents else self.not_needed
        return OnlineClass(rule.cls, rule.label, reason, f"{rule.id}@{self.version}", documents)


def _rule(raw: object, i: int, path: Path) -> OnlineRule:
    where = f"classes[{i}]"
    if not isinstance(raw, dict):
        raise RuleDataError(path, where, "キーと値の組にしてください")
    cls = need(raw, "class", str, path, where)
    if cls not in CLASSES:
        raise RuleDataError(path, f"{where}.class", f"分類が不正です（{cls}）。{' / '.join(CLASSES)} のいずれか")
    when = need(raw, "when", dict, path, where)
    if unknown := set(when) - WHEN_KEYS:
        raise RuleDataError(path, f"{where}.when", f"条件のキーが不正です（{', '.join(sorted(unknown))}）")
    for code in when.get("decision", ()):
        if code not in DECISIONS:
            raise RuleDataError(path, f"{where}.when.decision", f"判定が不正です（{code}）")
    return OnlineRule(need(raw, "id", str, path, where), cls, need(raw, "label", str, path, where),
                      need(raw, "reason", str, path, where), {k: tuple(v) for k, v in when.items()},
                      bool(raw.get("identity", False)))


def load_online(path: str | Path = DEFAULT_ONLINE) -> OnlineRules:
    path = Path(path)
    data = read_yaml(path)
    identity = need(data, "identity", dict, path, "online")
    rules = tuple(_rule(raw, i, path) for i, raw in enumerate(need(data, "classes", list, path, "online")))
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RuleDataError(path, "classes", "id が重複しています")
    online = OnlineRules(str(need(data, "version", (str, int), path, "online")), rules,
                         need(identity, "needed", str, path, "identity"), need(identity, "not_needed", str, path, "identity"))
    for j, example in enumerate(data.get("examples") or ()):
        facts = {k: v for k, v in example.items() if k != "class"}
        got = online.classify(**facts).cls
        if got != example.get("class"):
            raise RuleDataError(path, f"examples[{j}]", f"例の分類が合いません（期待 {example.get('class')}、結果 {got}）")
    return online


def online_rules(path: str | Path = DEFAULT_ONLINE) -> OnlineRules:
    """The parsed online classes of `path`, kept under the file's bytes: an edit is seen at the next call."""
    return _parsed(str(path), file_digest(path))


@lru_cache(maxsize=4)
def _parsed(path: str, _digest: str) -> OnlineRules:
    return load_online(path)


def classify_online(**facts) -> OnlineClass:
    """The online class with the default data (see OnlineRules.classify for the keywords)."""
    return online_rules().classify(**facts)
