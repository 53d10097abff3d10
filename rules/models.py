"""What the rules decide: a `Decision` per document, always with its reason and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

# Decision values (register-spec.md) and their Japanese labels in the workbook.
DECISIONS: dict[str, str] = {
    "no_seal": "押印なし",
    "abolish": "廃止",
    "keep_law": "存続（法令等）",
    "keep_contract": "存続（契約等）",
    "keep_registered": "存続（登録印）",
    "needs_review": "要確認",
    "error": "読取不可",
}
REPLACEMENTS: dict[str, str] = {"kimei": "記名のみ", "shomei": "署名"}
# What a catalogue period does on the audit date, for people.
EFFECT_LABELS: dict[str, str] = {
    "keep_law": DECISIONS["keep_law"], "keep_contract": DECISIONS["keep_contract"],
    "keep_registered": DECISIONS["keep_registered"], "needs_review": DECISIONS["needs_review"],
    "none": "押印義務なし（廃止可）", "unknown": "期間なし（要確認）",
}
NON_LAW_KINDS = ("要綱", "要領", "基準", "通知", "様式", "")  # kinds of text that never mandate a seal by law
LEVELS: dict[str, str] = {
    "national": "国の法令",
    "prefectural": "県の例規",
    "municipal": "市の例規",
    "internal": "要綱・要領等",
}


@dataclass(frozen=True, slots=True)
class Citation:
    """A legal basis cited by the form, the manifest or a reviewer."""

    citation: str  # as written (normalised), e.g. 地方自治法第234条第5項
    level: str  # national / prefectural / municipal / internal
    kind: str = ""  # 法律, 政令, 省令, 施行規則, 条例, 規則, 要綱, 要領, 様式 …
    law: str = ""  # the law's name without the article
    article: str | None = None  # 第234条第5項
    issuer: str | None = None  # 国 / ○○県 / ○○市
    catalogue_id: str | None = None  # the catalogue entry it matched
    source: str = "form"  # form / manifest / reviewer
    written: str = ""  # as written when an abbreviation was resolved (法第12条 → 地方自治法第12条)
    unnamed: bool = False  # 法第12条 / 規則第5条 with no law name anywhere in the text


@dataclass(frozen=True, slots=True)
class Evidence:
    text: str
    location: str
    rule: str


@dataclass(frozen=True, slots=True)
class BasisDetail:
    """What the catalogue says of one cited law on the audit date (for the register's 根拠法令一覧)."""

    citation: str
    entry_id: str
    law: str  # the entry's name
    ministry: str
    effect: str  # keep_law / keep_contract / keep_registered / none / needs_review / unknown (no period)
    period: str  # 「2020-12-25〜」
    instrument: str
    source: str


@dataclass(frozen=True)
class Decision:
    decision: str  # one of DECISIONS
    reason: str  # Japanese, one or two sentences a reviewer can check
    rule_id: str  # the decision rule that fired, e.g. `decide.keep_contract.v1`
    replacement: str | None = None  # for abolish: kimei / shomei
    evidence: tuple[Evidence, ...] = ()
    confidence: float = 1.0
    legal_basis: tuple[Citation, ...] = ()
    reiki_kaisei: bool = False  # 例規改正要: the seal is written in the city's own 条例/規則
    document_class: str | None = None  # 契約書, 誓約書, 委任状 …
    basis_category: str = "なし"  # 条例 / 規則 / 要綱 / 要領その他 / 国の法令 / なし (集計)
    versions: dict = field(default_factory=dict)  # catalogue / policy versions used
    form_numbers: tuple[str, ...] = ()  # 様式番号: 様式第3号(第5条関係) … (a form's place in a rule, not a basis)
    basis_details: tuple[BasisDetail, ...] = ()  # the catalogue entry of each cited law known to it


def legal_basis_items(decision: Decision) -> list[dict]:
    """register.jsonl's legal_basis: {citation, level} (the contract), plus the catalogue's entry when known:
    catalogue_id, law, ministry, effect (on the audit date), period, instrument, source."""
    details = {d.citation: d for d in decision.basis_details}
    out = []
    for c in decision.legal_basis:
        item: dict = {"citation": c.citation, "level": c.level, "kind": c.kind}
        if c.written and c.written != c.citation:
            item["written"] = c.written
        if d := details.get(c.citation):
            item.update(catalogue_id=d.entry_id, law=d.law, ministry=d.ministry, effect=d.effect, period=d.period,
                        instrument=d.instrument, source=d.source)
        out.append(item)
    return out
