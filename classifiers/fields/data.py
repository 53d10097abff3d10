"""Load and validate classifiers/fields/patterns.yaml: compiled regexes, ids and the examples the tests run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from classifiers.fields.models import KINDS

PATTERNS = Path(__file__).with_name("patterns.yaml")
ID_RE = re.compile(r"^fields\.[a-z_]+\.[a-z0-9_]+\.v\d+$")


class FieldPatternError(ValueError):
    """The field pattern data is wrong; the message says which key."""


@dataclass(frozen=True)
class KindPattern:
    id: str
    kind: str
    regex: re.Pattern
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldPatterns:
    version: str
    kinds: tuple[KindPattern, ...]
    box: re.Pattern
    option: re.Pattern  # one □ option: the box and the words after it
    yesno: frozenset[str]
    separators: re.Pattern
    blank: re.Pattern
    units: tuple[tuple[str, re.Pattern], ...]
    date: re.Pattern
    unlabeled_date: str
    required: re.Pattern
    group_names: tuple[str, ...]
    heading: re.Pattern
    office_zone: re.Pattern
    office_cell: re.Pattern
    not_label: re.Pattern
    bad_label: re.Pattern  # on the cleaned label
    max_label: int
    identity: re.Pattern
    aliases: dict[str, str]
    identity_examples: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    bad_label_examples: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    def kind_of(self, label: str) -> KindPattern | None:
        """The kind whose words end last in the label (a Japanese label ends in its head noun: 代表者役職 is a
        役職); on a tie the earlier pattern wins."""
        best, best_end = None, -1
        for pattern in self.kinds:
            ends = [m.end() for m in pattern.regex.finditer(label)]
            if ends and ends[-1] > best_end:
                best, best_end = pattern, ends[-1]
        return best


def _compile(value: object, where: str) -> re.Pattern:
    if not isinstance(value, str) or not value:
        raise FieldPatternError(f"{PATTERNS.name}: {where} に正規表現を書いてください / {where} needs a regex")
    try:
        return re.compile(value)
    except re.error as exc:
        raise FieldPatternError(f"{PATTERNS.name}: {where} の正規表現が不正です（{exc}） / bad regex in {where}") from exc


def _need(data: dict, key: str, where: str) -> object:
    if not isinstance(data, dict) or key not in data:
        raise FieldPatternError(f"{PATTERNS.name}: {where}.{key} がありません / {where}.{key} is missing")
    return data[key]


def _examples(raw: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ex = raw.get("examples") or {}
    return tuple(map(str, ex.get("positive") or ())), tuple(map(str, ex.get("negative") or ()))


def _kinds(data: dict) -> tuple[KindPattern, ...]:
    out, seen = [], set()
    for i, raw in enumerate(_need(data, "kinds", "")):  # type: ignore[arg-type]
        where = f"kinds[{i}]"
        pid, kind = str(_need(raw, "id", where)), str(_need(raw, "kind", where))
        if not ID_RE.match(pid) or pid in seen:
            raise FieldPatternError(f"{PATTERNS.name}: {where}.id「{pid}」が不正か重複しています / bad or duplicate id")
        if kind not in KINDS:
            raise FieldPatternError(f"{PATTERNS.name}: {where}.kind「{kind}」は種類にありません / unknown kind")
        seen.add(pid)
        positive, negative = _examples(raw)
        out.append(KindPattern(pid, kind, _compile(raw.get("regex"), where), positive, negative))
    return tuple(out)


def parse(data: dict) -> FieldPatterns:
    """Validate the YAML's content and compile it."""
    choice, blank, date = _need(data, "choice", ""), _need(data, "blank", ""), _need(data, "date", "")
    groups, office, not_label = _need(data, "groups", ""), _need(data, "office", ""), _need(data, "not_label", "")
    identity = _need(data, "identity", "")
    box = _compile(_need(choice, "box", "choice"), "choice.box")
    names = tuple(str(n) for n in _need(groups, "names", "groups"))  # type: ignore[union-attr]
    heading = str(_need(groups, "heading", "groups")).replace("{names}", "|".join(map(re.escape, names)))
    return FieldPatterns(
        version=str(_need(data, "version", "")),
        kinds=_kinds(data),
        box=box,
        option=re.compile(f"(?:{box.pattern})[\\s\u3000]*([^\\s\u3000{box.pattern[1:-1]}]+)"),
        separators=_compile(_need(choice, "separators", "choice"), "choice.separators"),
        yesno=frozenset(str(o) for o in _need(choice, "yesno_options", "choice")),  # type: ignore[union-attr]
        blank=_compile(_need(blank, "regex", "blank"), "blank.regex"),
        units=tuple((k, _compile(v, f"blank.units.{k}")) for k, v in dict(_need(blank, "units", "blank")).items()),
        date=_compile(_need(date, "regex", "date"), "date.regex"),
        unlabeled_date=str(_need(date, "unlabeled", "date")),
        required=_compile(_need(_need(data, "required", ""), "regex", "required"), "required.regex"),
        group_names=names,
        heading=_compile(heading, "groups.heading"),
        office_zone=_compile(_need(office, "zone", "office"), "office.zone"),
        office_cell=_compile(_need(office, "cell", "office"), "office.cell"),
        not_label=_compile(_need(not_label, "regex", "not_label"), "not_label.regex"),
        bad_label=_compile(_need(not_label, "label_regex", "not_label"), "not_label.label_regex"),
        bad_label_examples=_examples({"examples": {"positive": not_label.get("label_examples", {}).get("positive"),  # type: ignore[union-attr]
                                                   "negative": not_label.get("label_examples", {}).get("negative")}}),  # type: ignore[union-attr]
        max_label=int(_need(not_label, "max_label", "not_label")),  # type: ignore[arg-type]
        identity=_compile(_need(identity, "regex", "identity"), "identity.regex"),
        aliases={str(k): str(v) for k, v in (data.get("aliases") or {}).items()},
        identity_examples=_examples(identity),  # type: ignore[arg-type]
    )


@lru_cache(maxsize=2)
def load_field_patterns(path: str | Path = PATTERNS) -> FieldPatterns:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise FieldPatternError(f"{Path(path).name}: キーと値の組にしてください / the file must be a mapping")
    return parse(data)
