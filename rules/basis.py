"""The legal basis of one form: citations from the text and the manifest, matched against the catalogue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from extractors.models import Line
from rules.catalogue import Catalogue, CatalogueEntry, Period
from rules.citations import FormNumber, Known, arabic, form_numbers, joined_text, parse_normalised
from rules.doc_class import headings
from rules.manifest import ManifestEntry
from rules.models import NON_LAW_KINDS, BasisDetail, Citation, Evidence

EXTERNAL_LEVELS = ("national", "prefectural")
OWN_RULE_KINDS = ("条例", "規則")
RULE_KINDS = ("規則", "条例", "要綱", "要領", "施行規則", "省令", "府令")  # the kinds of rule that have 様式
TITLE_HEADINGS = 4  # the title and the first heading lines: a 婚姻届 listed deeper in a form is not its title
# A template's placeholder for the city's name (○○市補助金交付規則): the rule of whichever city uses the form.
PLACEHOLDER_ISSUER = re.compile(r"^[○〇●◯◎□■△▲×✕*＊Xx]+[市町村区]$")


def is_own_issuer(issuer: str | None, city: str | None) -> bool:
    """Whether a municipal 条例/規則 is the city's own: no issuer named, a placeholder, or the policy's city.

    Without a city in the policy every municipal rule counts as own (we cannot tell; 例規改正要 is the safer flag).
    """
    return issuer is None or city is None or issuer == city or bool(PLACEHOLDER_ISSUER.match(issuer))


@dataclass(frozen=True)
class Hit:
    """A catalogue entry that applies to this form, and the period in force on the audit date."""

    entry: CatalogueEntry
    period: Period | None
    citation: Citation


@dataclass(frozen=True)
class Basis:
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    evidence: dict[str, Evidence]  # citation text → where it was found
    city: str | None = None  # the policy's city: whose 条例/規則 are "own"
    form_numbers: tuple[FormNumber, ...] = ()  # 様式第3号（第5条関係）…: where the form sits in a rule
    checked: tuple[str, ...] = ()  # what was looked at for a basis: 本文の引用, 様式名, 様式番号, 対応表

    def details(self) -> tuple[BasisDetail, ...]:
        out = []
        for h in self.hits:
            p = h.period
            out.append(BasisDetail(h.citation.citation, h.entry.id, h.entry.name, h.entry.ministry,
                                   p.effect if p else "unknown", p.describe() if p else "", p.instrument if p else "",
                                   p.source if p else (h.entry.sources() or [""])[0]))
        return tuple(out)

    def unnamed_forms(self) -> list[FormNumber]:
        """Form numbers whose rule is not named anywhere on the form (the rule is to be found in the 例規集)."""
        if any(c.kind in RULE_KINDS for c in self.citations):
            return []  # a rule that has forms is named: the form number is that rule's
        return [f for f in self.form_numbers if not f.rule]

    def unknown_external(self) -> list[Citation]:
        """National or prefectural laws cited that the catalogue does not know (unnamed ones too: 法第12条)."""
        return [c for c in self.citations
                if c.level in EXTERNAL_LEVELS and c.kind not in NON_LAW_KINDS and c.catalogue_id is None]

    def own_rules(self) -> list[Citation]:
        """The city's own 条例 / 規則 (their text must be amended: 例規改正要)."""
        return [c for c in self._municipal_rules() if is_own_issuer(c.issuer, self.city)]

    def other_bodies_rules(self) -> list[Citation]:
        """Another municipality's 条例 / 規則 (横浜市補助金交付規則 cited on a 川崎市 form)."""
        return [c for c in self._municipal_rules() if not is_own_issuer(c.issuer, self.city)]

    def _municipal_rules(self) -> list[Citation]:
        return [c for c in self.citations if c.level == "municipal" and c.kind in OWN_RULE_KINDS]

    def category(self) -> str:
        """区分 for the summary (稲沢市 style): 国の法令 / 条例 / 規則 / 要綱 / 要領その他 / なし."""
        if self.hits and any(h.entry.level in EXTERNAL_LEVELS for h in self.hits) or self.unknown_external():
            return "国の法令"
        kinds = [c.kind for c in self.citations if c.level != "national"]
        for kind in ("条例", "規則", "要綱"):
            if kind in kinds:
                return kind
        return "要領その他" if self.citations or self.form_numbers else "なし"


class _Locator:
    """Finds the first line holding a citation (normalised, or with kanji numerals as digits).

    The whole text is normalised once: NFKC and the space removal never cross a line break, so its lines are
    the normalised lines. (A block whose text holds a line break breaks that count: then line by line.)
    """

    def __init__(self, lines: list[Line], norm: str) -> None:
        self.lines = lines
        self.norm = norm
        self.arab = arabic(self.norm)
        norm_lines = self.norm.split("\n")
        self.aligned = len(norm_lines) == len(lines)

    def describe(self, needle: str) -> str:
        index = self._line_index(needle) if needle else None
        if index is None:
            return "本文"
        line = self.lines[index]
        # NFKC keeps most offsets; the block is found by the offset in the original line when it matches.
        offset = line.text.find(needle)
        return line.block_at(max(offset, 0)).location.describe()

    def _line_index(self, needle: str) -> int | None:
        found = [t.count("\n", 0, i) for t in (self.norm, self.arab) if (i := t.find(needle)) >= 0]
        if not found:
            return None
        if self.aligned:
            return min(found)
        for index, line in enumerate(self.lines):
            norm = joined_text(line.text)
            if needle in norm or needle in arabic(norm):
                return index
        return None


def _evidence_text(c: Citation) -> str:
    if c.written and c.written != c.citation:
        return f"{c.written}（{c.citation}）"
    return c.citation


def _from_catalogue(citation: Citation, entry: CatalogueEntry, as_of: dt.date) -> Hit:
    return Hit(entry, entry.period_on(as_of), dataclasses.replace(citation, catalogue_id=entry.id))


def known_names(catalogue: Catalogue, norm: str) -> list[Known]:
    """The catalogue's law names in a normalised text, for the citation reader."""
    return [Known(h.start, h.end, h.formal(norm), norm[h.start:h.end], h.entry.level) for h in catalogue.find_names(norm)]


def gather(lines: list[Line], *, title: str, catalogue: Catalogue, as_of: dt.date,
           manifest_entry: ManifestEntry | None, city: str | None, norm: str | None = None) -> Basis:
    """Citations (manifest winning over the form text), catalogue hits, and where each was found.

    `norm` is `joined_text` of the lines joined by line breaks, when the caller has it already."""
    text = "\n".join(line.text for line in lines)
    if norm is None:
        norm = joined_text(text)
    evidence: dict[str, Evidence] = {}
    whole = f"{joined_text(title)}\n{norm}"
    known = known_names(catalogue, whole)
    numbers = form_numbers(whole, known)
    checked = ["本文の引用", "様式名", "様式番号"]
    if manifest_entry and manifest_entry.citations:
        checked.append("対応表")
        raw = list(manifest_entry.citations)
        for c in raw:
            evidence[c.citation] = Evidence(c.citation, f"台帳（マニフェスト）{manifest_entry.row}行目", "manifest")
    else:
        if manifest_entry is not None:
            checked.append("対応表")
        raw = parse_normalised(whole, city=city, known=known)
        locator = _Locator(lines, norm) if raw else None
        for c in raw:
            needle = c.written or c.law or c.citation
            evidence[c.citation] = Evidence(_evidence_text(c), locator.describe(needle), "citation")
    citations: list[Citation] = []
    hits: list[Hit] = []
    for c in raw:
        entry = None if c.unnamed else catalogue.for_citation(c.citation)
        if entry is None:
            citations.append(c)
            continue
        hit = _from_catalogue(c, entry, as_of)
        hits.append(hit)
        citations.append(hit.citation)
        evidence[c.citation] = dataclasses.replace(evidence[c.citation], rule=entry.id)
    for heading in headings(title, text)[:TITLE_HEADINGS]:
        entry = catalogue.for_title(heading)
        if entry and all(h.entry.id != entry.id for h in hits):
            c = Citation(entry.name, entry.level, entry.kind, entry.name, issuer="国" if entry.level == "national" else None,
                         catalogue_id=entry.id, source="catalogue")
            hits.append(Hit(entry, entry.period_on(as_of), c))
            citations.append(c)
            evidence[c.citation] = Evidence(heading, "様式名", entry.id)
    return Basis(tuple(citations), tuple(hits), evidence, city, tuple(numbers), tuple(checked))
