"""For legal staff: the catalogue as a table (`sealreview laws`) and how one form's text maps to it (`--check`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from extractors.models import Document
from rules.basis import gather, known_names
from rules.catalogue import Catalogue, CatalogueEntry
from rules.citations import joined_text
from rules.form import RuleContext
from rules.models import EFFECT_LABELS


def effect_label(effect: str) -> str:
    return EFFECT_LABELS.get(effect, effect)


@dataclass(frozen=True)
class LawRow:
    entry_id: str
    name: str
    ministry: str
    effect_on: str  # the effect on the as-of date
    periods: str  # every period: 「〜2020-12-24 存続（法令等）／2020-12-25〜 押印義務なし（令和2年厚生労働省令第208号）」
    source: str

    def cells(self) -> list[str]:
        return [self.entry_id, self.name, self.ministry, self.effect_on, self.periods, self.source]


LAW_HEADER = ["ID", "法令", "所管", "基準日の効果", "期間ごとの効果（改正した法令）", "出典"]


def law_rows(catalogue: Catalogue, as_of: dt.date, *, ministry: str | None = None) -> list[LawRow]:
    rows = []
    for e in catalogue.entries:
        if ministry and ministry not in e.ministry:
            continue
        on = e.period_on(as_of)
        periods = "／".join(f"{p.describe()} {effect_label(p.effect)}" + (f"（{p.instrument}）" if p.instrument else "")
                            for p in e.periods)
        source = (on.source if on and on.source else (e.sources() or [""])[0])
        rows.append(LawRow(e.id, e.name, e.ministry, effect_label(on.effect if on else "unknown"), periods, source))
    return rows


def coverage(catalogue: Catalogue) -> list[tuple[str, int, int]]:
    """(ministry, entries, entries with a period that keeps a seal on some date), ministries by size."""
    groups: dict[str, list[CatalogueEntry]] = {}
    for ministry, entries in catalogue.by_ministry().items():
        groups.setdefault(primary_ministry(ministry), []).extend(entries)
    out = []
    for ministry, entries in groups.items():
        keeps = sum(1 for e in entries if any(p.effect.startswith("keep") for p in e.periods))
        out.append((ministry, len(entries), keeps))
    return sorted(out, key=lambda t: (-t[1], t[0]))


def primary_ministry(ministry: str) -> str:
    """「環境省・経済産業省」→ 環境省, 「法務省（出入国在留管理庁）」→ 法務省: the first ministry named."""
    return ministry.split("（")[0].split("・")[0] or ministry


@dataclass(frozen=True)
class Mapping:
    """One text of a form and what it became: a catalogue entry, an unknown law, or a form number."""

    text: str  # as written on the form
    location: str
    citation: str  # as read (the formal name, the article)
    entry: CatalogueEntry | None
    effect: str
    note: str

    def cells(self) -> list[str]:
        return [self.text, self.location, self.citation, self.entry.id if self.entry else "", self.effect, self.note]


MAPPING_HEADER = ["様式の文字", "場所", "読み取った引用", "カタログ", "基準日の効果", "説明"]


def check_form(document: Document, *, title: str, ctx: RuleContext) -> list[Mapping]:
    """Which text of the form maps to which catalogue entry (the same reading the decision uses)."""
    lines = list(document.lines())
    basis = gather(lines, title=title, catalogue=ctx.catalogue, as_of=ctx.as_of, manifest_entry=None,
                   city=ctx.policy.city)
    hits = {h.citation.citation: h for h in basis.hits}
    out: list[Mapping] = []
    for c in basis.citations:
        ev = basis.evidence.get(c.citation)
        hit = hits.get(c.citation)
        if hit:
            effect = effect_label(hit.period.effect if hit.period else "unknown")
            how = "様式名から" if c.source == "catalogue" else "法令名から"
            note = f"{hit.entry.name}（{hit.entry.ministry or '自治体'}）に{how}対応"
        elif c.level in ("national", "prefectural") and c.kind not in ("要綱", "要領", "基準", "通知"):
            effect, note = effect_label("unknown"), "カタログにない国・県の法令（要確認の対象）"
        else:
            effect, note = "", "自治体の例規・要綱等（カタログの対象外）"
        out.append(Mapping(ev.text if ev else c.citation, ev.location if ev else "", c.citation,
                           hit.entry if hit else None, effect, note))
    for f in basis.form_numbers:
        note = f"{f.rule}の様式" if f.rule else "様式番号（根拠法令ではない。属する例規の名称は記載なし）"
        out.append(Mapping(f.text, "", f.text, None, "", note))
    return out


def names_in(text: str, catalogue: Catalogue) -> list[str]:
    """The catalogue names found in a text (for quick checks of a sentence)."""
    norm = joined_text(text)
    return [k.name for k in known_names(catalogue, norm)]
