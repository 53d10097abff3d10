"""Load and validate the pattern data in `classifiers/patterns/*.yaml`.

Each file: `version`, `group`, `patterns: [...]`. Each pattern has a stable versioned `id`, a `role`
(what the engine does with a match), either `terms` (literal words; a single space may appear between
characters, as PDF text often has) or `regex` (on the normalised view), a `score` in [0, 1], an
`explanation` in Japanese and `examples: {positive: [...], negative: [...]}` that the tests run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PATTERN_DIR = Path(__file__).with_name("patterns")
ID_RE = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+\.v\d+$")

# role → what the engine does with a match (order = the order the engine applies them in a line)
ROLES = (
    "mask",  # a confuser: masked, no finding (印刷, 矢印, 収入印紙…)
    "office",  # masked, OFFICE_BOX finding (受付印, 確認印…)
    "required_condition",  # 押印がない場合は受理しません: still a request
    "alternative",  # 自署の場合は押印不要: a signature that replaces the seal
    "not_required",  # 押印不要, 押印は任意…: SEAL_NOT_REQUIRED
    "signature_not_required",  # 署名不要
    "both",  # 署名又は記名押印, 署名押印: signature AND seal
    "kind",  # 実印, 代表者印…: SEAL_KIND
    "instruction",  # 押印, 捺印, 押してください…: SEAL_INSTRUCTION
    "signature",  # 署名, 自署, サイン…
    "mark",  # ㊞, (印), ○印, 印 (layout decides)
    "name_field",  # context: 氏名, 代表者, 申請者…
    "office_context",  # context: 受付, 決裁, 事務処理欄…
    "checklist",  # context: a checklist (its items are about other forms), by title or sheet name
    "parse",  # negation by the dependency parse (cue words, no regex)
)
MASKING_ROLES = {"mask", "office", "required_condition", "alternative", "not_required",
                 "signature_not_required", "both"}
LAYOUTS = ("any", "name_field", "standalone", "object_of_osu", "prose")


class PatternError(ValueError):
    """The pattern data is wrong; the message says which file and id."""


@dataclass(frozen=True)
class Pattern:
    id: str
    role: str
    regex: re.Pattern | None
    score: float
    explanation: str
    group: str
    labels: tuple[str, ...] = ()
    seal_kind: str | None = None
    layout: str = "any"
    negatable: bool = True
    context: re.Pattern | None = None  # required nearby text for the full score
    score_without_context: float = 0.0
    cues: dict = field(default_factory=dict)  # for role `parse`
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatternSet:
    patterns: tuple[Pattern, ...]
    versions: dict[str, str]

    @property
    def version(self) -> str:
        return ",".join(f"{g}@{v}" for g, v in sorted(self.versions.items()))

    def by_role(self, role: str) -> list[Pattern]:
        return [p for p in self.patterns if p.role == role]

    def get(self, pattern_id: str) -> Pattern:
        for p in self.patterns:
            if p.id == pattern_id:
                return p
        raise KeyError(pattern_id)


def term_regex(term: str) -> str:
    """A literal term where one optional space may sit between any two characters."""
    return " ?".join(re.escape(ch) for ch in term)


def _compile(where: str, raw: dict) -> re.Pattern | None:
    if "terms" in raw and "regex" in raw:
        raise PatternError(f"{where}: give either terms or regex, not both")
    if "terms" in raw:
        terms = sorted((str(t) for t in raw["terms"]), key=len, reverse=True)
        if not terms:
            raise PatternError(f"{where}: empty terms")
        source = "|".join(term_regex(t) for t in terms)
    elif "regex" in raw:
        source = str(raw["regex"])
    else:
        return None
    try:
        return re.compile(source)
    except re.error as exc:
        raise PatternError(f"{where}: bad regex {source!r}: {exc}") from exc


def _pattern(group: str, raw: dict, path: Path) -> Pattern:
    pid = raw.get("id")
    where = f"{path.name}:{pid}"
    if not isinstance(pid, str) or not ID_RE.match(pid):
        raise PatternError(f"{where}: id must look like `seal.mark.circled.v1`")
    role = raw.get("role")
    if role not in ROLES:
        raise PatternError(f"{where}: unknown role {role!r}")
    score = raw.get("score", 0.0)
    if not isinstance(score, (int, float)) or not 0.0 <= float(score) <= 1.0:
        raise PatternError(f"{where}: score {score!r} is not in [0, 1]")
    regex = _compile(where, raw)
    if regex is None and role != "parse":
        raise PatternError(f"{where}: needs terms or regex")
    layout = raw.get("layout", "any")
    if layout not in LAYOUTS:
        raise PatternError(f"{where}: unknown layout {layout!r}")
    labels = raw.get("labels", [])
    labels = (labels,) if isinstance(labels, str) else tuple(labels)
    examples = raw.get("examples") or {}
    ctx = raw.get("context")
    return Pattern(
        id=pid, role=role, regex=regex, score=float(score), group=group,
        explanation=str(raw.get("explanation", "")), labels=labels,
        seal_kind=raw.get("seal_kind"), layout=layout, negatable=bool(raw.get("negatable", True)),
        context=re.compile(ctx) if ctx else None,
        score_without_context=float(raw.get("score_without_context", 0.0)),
        cues=dict(raw.get("cues") or {}),
        positive=tuple(examples.get("positive") or ()), negative=tuple(examples.get("negative") or ()),
    )


def load_patterns(directory: Path = PATTERN_DIR) -> PatternSet:
    """Read every YAML file; raise `PatternError` on duplicate ids, bad regex or scores."""
    from classifiers.models import SEAL_KINDS

    patterns: list[Pattern] = []
    versions: dict[str, str] = {}
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        group, version = data.get("group"), data.get("version")
        if not group or version is None:
            raise PatternError(f"{path.name}: needs `group` and `version`")
        versions[str(group)] = str(version)
        for raw in data.get("patterns") or ():
            pattern = _pattern(str(group), raw, path)
            if pattern.id in seen:
                raise PatternError(f"{path.name}: duplicate id {pattern.id}")
            if pattern.seal_kind is not None and pattern.seal_kind not in SEAL_KINDS:
                raise PatternError(f"{path.name}:{pattern.id}: unknown seal_kind {pattern.seal_kind}")
            seen.add(pattern.id)
            patterns.append(pattern)
    if not patterns:
        raise PatternError(f"no patterns in {directory}")
    order = {role: i for i, role in enumerate(ROLES)}
    patterns.sort(key=lambda p: order[p.role])  # stable: file order within a role
    return PatternSet(tuple(patterns), versions)
