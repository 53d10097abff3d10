"""The catalogue of legal bases (rules/data/legal_bases.yaml): which law mandates a seal, and when."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from rules.errors import RuleDataError
from rules.models import LEVELS
from rules.yamlio import as_date, need, read_yaml, regexes, str_list

DEFAULT_CATALOGUE = Path(__file__).parent / "data" / "legal_bases.yaml"
EFFECTS = ("keep_law", "keep_contract", "keep_registered", "none", "needs_review")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Period:
    start: dt.date | None
    end: dt.date | None
    effect: str
    replacement: str | None = None
    reason: str = ""
    note: str = ""
    source: str = ""

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    name: str
    level: str
    kind: str
    patterns: tuple[re.Pattern, ...]
    titles: tuple[re.Pattern, ...]
    periods: tuple[Period, ...]

    def period_on(self, day: dt.date) -> Period | None:
        return next((p for p in self.periods if p.covers(day)), None)

    def matches_citation(self, citation: str) -> int:
        """The length of the longest pattern match (0: no match); longer is more specific."""
        return max((len(m.group(0)) or 1 for p in self.patterns if (m := p.search(citation))), default=0)

    def matches_title(self, title: str) -> bool:
        return any(p.search(title) for p in self.titles)


@dataclass(frozen=True)
class Catalogue:
    version: str
    entries: tuple[CatalogueEntry, ...]
    path: str = ""

    def for_citation(self, citation: str) -> CatalogueEntry | None:
        scored = [(e.matches_citation(citation), i, e) for i, e in enumerate(self.entries)]
        best = max(scored, key=lambda s: (s[0], -s[1]), default=(0, 0, None))
        return best[2] if best[0] else None

    def for_title(self, title: str) -> CatalogueEntry | None:
        return next((e for e in self.entries if title and e.matches_title(title)), None)

    def get(self, entry_id: str) -> CatalogueEntry | None:
        return next((e for e in self.entries if e.id == entry_id), None)


def _period(raw: object, path: Path, where: str) -> Period:
    if not isinstance(raw, dict):
        raise RuleDataError(path, where, "期間はキーと値の組にしてください")
    effect = raw.get("effect")
    if effect not in EFFECTS:
        raise RuleDataError(path, f"{where}.effect", f"効果が不正です（{effect}）。{' / '.join(EFFECTS)} のいずれか")
    replacement = raw.get("replacement")
    if replacement not in (None, "kimei", "shomei"):
        raise RuleDataError(path, f"{where}.replacement", f"取扱いが不正です（{replacement}）。kimei / shomei")
    start = as_date(raw.get("from"), path, f"{where}.from")
    end = as_date(raw.get("to"), path, f"{where}.to")
    if start and end and start > end:
        raise RuleDataError(path, where, f"開始日 {start} が終了日 {end} より後です")
    return Period(start, end, effect, replacement, str(raw.get("reason") or ""), str(raw.get("note") or ""),
                  str(raw.get("source") or ""))


def _check_overlaps(periods: list[Period], path: Path, where: str) -> None:
    ordered = sorted(periods, key=lambda p: p.start or dt.date.min)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if (a.end or dt.date.max) >= (b.start or dt.date.min):
            raise RuleDataError(path, f"{where}.periods", f"期間が重なっています（{a.start}〜{a.end} と {b.start}〜{b.end}）")


def _check_examples(entry: CatalogueEntry, raw: dict, path: Path, where: str) -> None:
    examples = raw.get("examples") or {}
    for text in str_list(examples, "match", path, f"{where}.examples"):
        if not (entry.matches_citation(text) or entry.matches_title(text)):
            raise RuleDataError(path, f"{where}.examples.match", f"例「{text}」が patterns / titles に一致しません")
    for text in str_list(examples, "no_match", path, f"{where}.examples"):
        if entry.matches_citation(text) or entry.matches_title(text):
            raise RuleDataError(path, f"{where}.examples.no_match", f"例「{text}」が patterns / titles に一致してしまいます")


def _entry(raw: object, index: int, path: Path) -> CatalogueEntry:
    where = f"entries[{index}]"
    if not isinstance(raw, dict):
        raise RuleDataError(path, where, "エントリはキーと値の組にしてください")
    entry_id = need(raw, "id", str, path, where)
    where = f"entries[{index}]（{entry_id}）"
    if not ID_RE.match(entry_id):
        raise RuleDataError(path, f"{where}.id", f"id が不正です（{entry_id}）。例: law.koseki.todokesho")
    level = raw.get("level", "national")
    if level not in LEVELS:
        raise RuleDataError(path, f"{where}.level", f"区分が不正です（{level}）。{' / '.join(LEVELS)}")
    raw_periods = need(raw, "periods", list, path, where)
    periods = [_period(p, path, f"{where}.periods[{i}]") for i, p in enumerate(raw_periods)]
    if not periods:
        raise RuleDataError(path, f"{where}.periods", "期間が一つもありません")
    _check_overlaps(periods, path, where)
    entry = CatalogueEntry(entry_id, str(raw.get("name") or entry_id), level, str(raw.get("kind") or ""),
                           regexes(raw, "patterns", path, where), regexes(raw, "titles", path, where),
                           tuple(sorted(periods, key=lambda p: p.start or dt.date.min)))
    if not entry.patterns and not entry.titles:
        raise RuleDataError(path, where, "patterns か titles のどちらかが必要です")
    _check_examples(entry, raw, path, where)
    return entry


def load_catalogue(path: str | Path = DEFAULT_CATALOGUE) -> Catalogue:
    """Read and validate the catalogue; any problem raises RuleDataError naming the file and entry."""
    path = Path(path)
    data = read_yaml(path)
    version = str(need(data, "version", (str, int, float), path, "catalogue"))
    raw_entries = need(data, "entries", list, path, "catalogue")
    entries = [_entry(raw, i, path) for i, raw in enumerate(raw_entries)]
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise RuleDataError(path, f"entries（{entry.id}）.id", f"id が重複しています（{entry.id}）")
        seen.add(entry.id)
    return Catalogue(version, tuple(entries), str(path))
