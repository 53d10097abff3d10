"""The catalogue of legal bases: which law mandates a seal, and from when to when.

The catalogue is `rules/data/legal_bases.yaml` (article-level entries and the city's own rules) plus one file per
group of ministries under `rules/data/laws/` (the national law families and the instrument that removed each seal).
An entry is found by its `names` / `aliases` / `related` (a law family: 法律・施行令・施行規則・施行細則・施行法 of each
name), by `patterns` (regexes on a citation, for article-level entries) or by `titles` (regexes on a form's title).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rules.errors import RuleDataError
from rules.models import LEVELS
from rules.yamlio import as_date, need, read_yaml, regexes, str_list

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_CATALOGUE = DATA_DIR / "legal_bases.yaml"
LAWS_DIR = DATA_DIR / "laws"
EFFECTS = ("keep_law", "keep_contract", "keep_registered", "none", "needs_review")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
# The instruments of one family: 国民健康保険法 → 国民健康保険法施行令 / 国民健康保険法施行規則 / …
FAMILY_SUFFIXES = ("施行規則", "施行細則", "施行令", "施行法")
NAME_CHAR = re.compile(r"[一-龥々〆ヵヶァ-ヴーぁ-ん]")
# What may follow a law's name in a citation: an article, a 様式, an appendix, punctuation, the end.
AFTER_NAME = re.compile(r"$|第|附則|附録|別表|別記|別紙|様式|及び|並びに|又は|若しくは|等の規定|の規定|に基づ|による|により|[^一-龥々〆ヵヶァ-ヴーぁ-ん]")
# Words that may stand right before a name (「根拠法令国民健康保険法」 with the separator lost).
BEFORE_NAME = ("根拠法令", "根拠法規", "根拠規定", "根拠", "法令名", "関係法令", "及び", "並びに", "又は", "若しくは", "旧")


@dataclass(frozen=True)
class Period:
    start: dt.date | None
    end: dt.date | None
    effect: str
    replacement: str | None = None
    reason: str = ""
    note: str = ""
    source: str = ""
    instrument: str = ""  # what changed the law on `start` (令和2年厚生労働省令第208号 …)

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def describe(self) -> str:
        """「2020-12-25〜」 / 「〜2020-12-24」 / 「常時」."""
        if self.start is None and self.end is None:
            return "常時"
        return f"{self.start or ''}〜{self.end or ''}"


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    name: str
    level: str
    kind: str
    patterns: tuple[re.Pattern, ...]
    titles: tuple[re.Pattern, ...]
    periods: tuple[Period, ...]
    ministry: str = ""
    names: tuple[str, ...] = ()  # formal names of the family heads
    aliases: tuple[str, ...] = ()  # short names (墓埋法)
    related: tuple[str, ...] = ()  # instruments of the family named otherwise (自動車登録規則)
    file: str = ""  # the YAML file it came from (its path)
    group: str = ""
    examples: tuple[str, ...] = ()  # texts it must match (checked on load): citations and titles

    def period_on(self, day: dt.date) -> Period | None:
        return next((p for p in self.periods if p.covers(day)), None)

    def surfaces(self) -> tuple[str, ...]:
        """Every name this entry is found by in text (family suffixes are added by the matcher)."""
        return (*self.names, *self.aliases, *self.related)

    def matches_pattern(self, citation: str) -> int:
        """The length of the longest pattern match (0: no match); longer is more specific."""
        return max((len(m.group(0)) or 1 for p in self.patterns if (m := p.search(citation))), default=0)

    def matches_citation(self, citation: str) -> int:
        """How specifically this entry matches a citation: a pattern match, or a name at the start of it."""
        best = self.matches_pattern(citation)
        for name in self.surfaces():
            if (n := name_prefix(citation, name)) and n > best:
                best = n
        return best

    def matches_title(self, title: str) -> bool:
        return any(p.search(title) for p in self.titles)

    def sources(self) -> list[str]:
        return list(dict.fromkeys(p.source for p in self.periods if p.source))


def name_prefix(text: str, name: str, start: int = 0) -> int:
    """The length matched when `name` (with an optional family suffix) begins `text` at `start`; 0 if not."""
    if not text.startswith(name, start):
        return 0
    end = start + len(name)
    for suffix in FAMILY_SUFFIXES:
        if text.startswith(suffix, end):
            end += len(suffix)
            break
    return end - start if AFTER_NAME.match(text, end) else 0


@dataclass(frozen=True)
class NameHit:
    """A catalogue law's name found in a text: norm[start:end] (the family suffix included)."""

    start: int
    end: int
    entry: CatalogueEntry
    surface: str  # the name as found (without the family suffix)

    def formal(self, norm: str) -> str:
        """The formal name with the suffix as written: an alias (墓埋法施行規則) is read as its law's name."""
        head = self.surface
        if head in self.entry.aliases and self.entry.names:
            head = self.entry.names[0]
        return head + norm[self.start + len(self.surface):self.end]


@dataclass(frozen=True)
class Catalogue:
    version: str
    entries: tuple[CatalogueEntry, ...]
    path: str = ""
    files: tuple[str, ...] = ()
    _by_surface: dict = field(default_factory=dict, repr=False, compare=False)
    _by_head: dict = field(default_factory=dict, repr=False, compare=False)
    _titled: list = field(default_factory=list, repr=False, compare=False)
    _patterned: list = field(default_factory=list, repr=False, compare=False)  # article-level entries
    _any_title: list = field(default_factory=list, repr=False, compare=False)  # [one regex of all titles] or []

    def __post_init__(self) -> None:
        self._titled.extend(e for e in self.entries if e.titles)
        self._patterned.extend(e for e in self.entries if e.patterns)
        try:  # one search tells whether any entry's title can match (most headings match none)
            self._any_title.append(re.compile("|".join(f"(?:{p.pattern})" for e in self._titled for p in e.titles)))
        except re.error:
            pass
        for entry in self.entries:
            for surface in entry.surfaces():
                self._by_surface.setdefault(surface, entry)
        for surface in sorted(self._by_surface, key=len, reverse=True):
            self._by_head.setdefault(surface[:2], []).append(surface)

    def for_citation(self, citation: str) -> CatalogueEntry | None:
        """The most specific entry for a citation: the longest pattern or name match; the first entry on a tie."""
        best, best_score = None, 0
        for end in range(len(citation), 1, -1):  # the longest name at the start of the citation
            entry = self._by_surface.get(citation[:end])
            if entry is not None and (n := name_prefix(citation, citation[:end])):
                best, best_score = entry, n
                break
        for entry in self._patterned:  # an article-level pattern wins a tie with a family's name
            if (n := entry.matches_pattern(citation)) >= best_score and n:
                best, best_score = entry, n
        return best

    def for_title(self, title: str) -> CatalogueEntry | None:
        """The first entry (in catalogue order) whose titles match."""
        if not title or (self._any_title and not self._any_title[0].search(title)):
            return None
        return next((e for e in self._titled if e.matches_title(title)), None)

    def get(self, entry_id: str) -> CatalogueEntry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def find_names(self, norm: str) -> list[NameHit]:
        """Every catalogue name in a normalised text, leftmost-longest, not overlapping.

        A name must not continue a longer word (水道法 inside 下水道法 is not 水道法) unless a word that may stand
        before a name precedes it; the name must end where a law's name can end (AFTER_NAME)."""
        hits: list[NameHit] = []
        i, size, heads = 0, len(norm), self._by_head
        while i < size - 1:
            candidates = heads.get(norm[i:i + 2])
            if candidates and (i == 0 or not NAME_CHAR.match(norm[i - 1]) or norm.endswith(BEFORE_NAME, 0, i)):
                for surface in candidates:
                    if n := name_prefix(norm, surface, i):
                        hits.append(NameHit(i, i + n, self._by_surface[surface], surface))
                        i += n
                        break
                else:
                    i += 1
                continue
            i += 1
        return hits

    def by_ministry(self) -> dict[str, list[CatalogueEntry]]:
        out: dict[str, list[CatalogueEntry]] = {}
        for entry in self.entries:
            out.setdefault(entry.ministry or ("（自治体）" if entry.level != "national" else "（未設定）"), []).append(entry)
        return out


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
    source = str(raw.get("source") or "")
    if source and not re.match(r"^https?://\S+$", source):
        raise RuleDataError(path, f"{where}.source", f"出典は http(s):// で始まる URL にしてください（{source}）")
    return Period(start, end, effect, replacement, str(raw.get("reason") or ""), str(raw.get("note") or ""),
                  source, str(raw.get("instrument") or ""))


def _check_overlaps(periods: list[Period], path: Path, where: str) -> None:
    ordered = sorted(periods, key=lambda p: p.start or dt.date.min)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if (a.end or dt.date.max) >= (b.start or dt.date.min):
            raise RuleDataError(path, f"{where}.periods", f"期間が重なっています（{a.start}〜{a.end} と {b.start}〜{b.end}）")


def _check_examples(entry: CatalogueEntry, raw: dict, path: Path, where: str) -> None:
    examples = raw.get("examples") or {}
    if not isinstance(examples, dict):
        raise RuleDataError(path, f"{where}.examples", "match / no_match の組にしてください")
    for text in (*str_list(examples, "match", path, f"{where}.examples"), *entry.surfaces()):
        if not (entry.matches_citation(text) or entry.matches_title(text)):
            raise RuleDataError(path, f"{where}.examples.match", f"例「{text}」が names / patterns / titles に一致しません")
    for text in str_list(examples, "no_match", path, f"{where}.examples"):
        if entry.matches_citation(text) or entry.matches_title(text):
            raise RuleDataError(path, f"{where}.examples.no_match", f"例「{text}」が names / patterns / titles に一致してしまいます")


def _names(raw: dict, key: str, path: Path, where: str) -> tuple[str, ...]:
    values = str_list(raw, key, path, where)
    for value in values:
        if len(value) < 2 or re.search(r"\s", value):
            raise RuleDataError(path, f"{where}.{key}", f"名称「{value}」は2文字以上で空白を含めないでください")
    return values


def _entry(raw: object, index: int, path: Path, group: str) -> CatalogueEntry:
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
    ministry = str(raw.get("ministry") or "")
    entry = CatalogueEntry(entry_id, str(raw.get("name") or entry_id), level, str(raw.get("kind") or ""),
                           regexes(raw, "patterns", path, where), regexes(raw, "titles", path, where),
                           tuple(sorted(periods, key=lambda p: p.start or dt.date.min)), ministry,
                           _names(raw, "names", path, where), _names(raw, "aliases", path, where),
                           _names(raw, "related", path, where), str(path), group)
    if not entry.patterns and not entry.titles and not entry.surfaces():
        raise RuleDataError(path, where, "names / patterns / titles のいずれか（patterns か titles、または names）が必要です")
    _check_examples(entry, raw, path, where)
    examples = raw.get("examples") or {}
    return dataclasses.replace(entry, examples=str_list(examples, "match", path, f"{where}.examples"))


def _load_file(path: Path) -> tuple[str, list[CatalogueEntry]]:
    data = read_yaml(path)
    version = str(need(data, "version", (str, int, float), path, "catalogue"))
    raw_entries = need(data, "entries", list, path, "catalogue")
    group = str(data.get("group") or "")
    return version, [_entry(raw, i, path, group) for i, raw in enumerate(raw_entries)]


def catalogue_files(path: str | Path = DEFAULT_CATALOGUE) -> list[Path]:
    """The files of a catalogue: the default is legal_bases.yaml and laws/*.yaml; a folder is all its YAML."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*.y*ml") if p.is_file())
    if path == DEFAULT_CATALOGUE:
        return [path, *sorted(LAWS_DIR.glob("*.yaml"))]
    return [path]


def _check_unique(entries: list[CatalogueEntry]) -> None:
    ids: dict[str, CatalogueEntry] = {}
    names: dict[str, CatalogueEntry] = {}
    for entry in entries:
        if entry.id in ids:
            raise RuleDataError(entry.file, f"entries（{entry.id}）.id", f"id が重複しています（{entry.id}、{ids[entry.id].file}）")
        ids[entry.id] = entry
        for name in entry.surfaces():
            if name in names and names[name].id != entry.id:
                raise RuleDataError(entry.file, f"entries（{entry.id}）.names",
                                    f"名称「{name}」が {names[name].id}（{names[name].file}）と重複しています")
            names[name] = entry


def load_catalogue(path: str | Path = DEFAULT_CATALOGUE) -> Catalogue:
    """Read and validate the catalogue; any problem raises RuleDataError naming the file and entry.

    The version is the main file's `version` plus a digest of every file's bytes, so a changed law is a new version."""
    files = catalogue_files(path)
    if not files:
        raise RuleDataError(path, "ファイル", "カタログのファイルが見つかりません")
    entries: list[CatalogueEntry] = []
    versions = []
    digest = hashlib.sha256()
    for file in files:
        version, loaded = _load_file(file)
        versions.append(version)
        entries.extend(loaded)
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    _check_unique(entries)
    version = f"{versions[0]}+{digest.hexdigest()[:8]}" if len(files) > 1 else versions[0]
    return Catalogue(version, tuple(entries), str(files[0]), tuple(str(f) for f in files))


def check_sources(catalogue: Catalogue) -> None:
    """The bundled catalogue's own standard: every national entry names its ministry, every period its source."""
    for entry in catalogue.entries:
        where = f"entries（{entry.id}）"
        if entry.level == "national" and not entry.ministry:
            raise RuleDataError(entry.file, f"{where}.ministry", "国の法令には所管府省（ministry）が必要です")
        for i, period in enumerate(entry.periods):
            if not period.source:
                raise RuleDataError(entry.file, f"{where}.periods[{i}].source", "期間には出典（source の URL）が必要です")


def main(argv: list[str]) -> int:
    """`python -m rules.catalogue FILE…`: load the files alone with every check (sources too) and list their entries."""
    status = 0
    for arg in argv or [str(DEFAULT_CATALOGUE)]:
        try:
            cat = load_catalogue(arg)
            check_sources(cat)
        except RuleDataError as exc:
            print(f"エラー: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{arg}: {len(cat.entries)} 件（版 {cat.version}）")
        for e in cat.entries:
            spans = "; ".join(f"{p.describe()} {p.effect}" for p in e.periods)
            print(f"  {e.id}\t{e.name}\t{e.ministry}\t{spans}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
