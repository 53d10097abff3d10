"""Generate forms that cite national law the way real forms print it (for bench/bench_laws.py and the tests).

    from gen_laws import generate
    forms = generate(catalogue, n=1500, seed=14)

Each form is a title, a line or two citing one law, and an applicant block asking for a seal (認印). The law is a
catalogue entry (about 88% of forms) or a real national law the catalogue lacks (the rest). It is printed in one
of the ways real forms print it: the full name with an article, a short name, 「（…以下「法」という。）」 followed by
法第N条, 「施行規則（以下「規則」という。）」 with 規則第N条, a 施行規則 様式 number only, or only the form's title
(for entries that recognise national 様式 by title). The sentences are written here, not taken from any corpus.
The expected decision on a date follows from the entry's period on that date (the ground truth of the catalogue);
what is measured is whether the tool reads each printed form back to that entry.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

# Real national laws that municipal forms cite and the catalogue does not hold (checked against it on use).
MISSING_LAWS = (
    "砂利採取法", "採石法", "鉱業法", "測量法", "電波法", "郵便法", "著作権法", "種苗法", "酒税法", "関税法",
    "登録免許税法", "航空法", "船舶法", "鉄道事業法", "軌道法", "気象業務法", "水防法", "消防組織法", "更生保護法",
    "保護司法", "売春防止法", "配偶者からの暴力の防止及び被害者の保護等に関する法律", "公益信託に関する法律",
    "宗教法人法", "特定非営利活動促進法", "消費者安全法", "割賦販売法", "特定商取引に関する法律", "宅地建物取引士法",
    "水産業協同組合法", "中小企業団体の組織に関する法律", "障害者虐待の防止、障害者の養護者に対する支援等に関する法律",
    "地域における医療及び介護の総合的な確保の促進に関する法律", "男女共同参画社会基本法", "国土調査法", "森林組合法",
    "家畜排せつ物の管理の適正化及び利用の促進に関する法律", "建築士法", "測量法施行規則", "温泉法施行令",
)
TITLES = ("届出書", "申請書", "届", "変更届出書", "許可申請書", "承認申請書", "交付申請書", "報告書")
ERAS = ("昭和", "平成")


@dataclass(frozen=True)
class LawForm:
    """One generated form: its lines, how the law was printed, and the law it cites (None: not in the catalogue)."""

    title: str
    lines: tuple[str, ...]
    style: str
    entry_id: str | None
    law: str


def _sentence(rng: random.Random, cite: str) -> str:
    return rng.choice((f"{cite}の規定により、次のとおり届け出ます。", f"{cite}の規定に基づき、下記のとおり申請します。",
                       f"{cite}に基づき、関係書類を添えて申請いたします。", f"根拠法令：{cite}"))


def _applicant(rng: random.Random) -> tuple[str, ...]:
    return ("住所", rng.choice(("申請者 氏名　　　　　　　　印", "届出者　氏名　　　　　　㊞", "氏名（法人にあっては名称及び代表者の氏名）　　印")),
            "電話番号", "上記のとおり相違ありません。")


def _article(rng: random.Random) -> str:
    return f"第{rng.randint(2, 60)}条" + (f"第{rng.randint(1, 4)}項" if rng.random() < 0.3 else "")


def _printings(entry, rng: random.Random, catalogue) -> list[tuple[str, str, tuple[str, ...]]]:
    """(style, title, body lines) the entry can be printed as; only those the catalogue reads back unambiguously."""
    out: list[tuple[str, str, tuple[str, ...]]] = []
    head = re.sub(r"(第[0-9０-９]+条.*|[・、].*)$", "", entry.name.split("（")[0])  # no article in a title
    title = head[:12] + rng.choice(TITLES)
    for name in entry.names[:1]:
        art, art2 = _article(rng), _article(rng)
        era = f"{rng.choice(ERAS)}{rng.randint(23, 60)}年法律第{rng.randint(10, 200)}号"
        candidates = [
            ("full", (_sentence(rng, name + art),)),
            ("defined", (f"{name}（{era}。以下「法」という。）{art}の規定により届け出ます。",
                         f"なお、届出事項に変更が生じたときは、法{art2}の規定により届け出ます。")),
            ("rule_defined", (f"{name}施行規則（以下「規則」という。）{art}の規定により申請します。",
                              f"添付書類は規則{art2}に定めるとおりとします。")),
            ("form_number", (f"様式第{rng.randint(1, 30)}号（{name}施行規則{art}関係）",)),
            ("rule_form", (f"{name}施行規則 様式第{rng.randint(1, 30)}号",)),
        ]
        for style, body in candidates:
            cites = [name + art, name + "施行規則" + art, name + "施行規則"]
            if all(catalogue.for_citation(c) is entry for c in cites):
                out.append((style, title, body))
    for alias in entry.aliases[:2]:
        art = _article(rng)
        if catalogue.for_citation(alias + art) is entry:
            out.append(("alias", title, (_sentence(rng, alias + art),)))
    if entry.patterns:  # article-level entries: their own examples are real citations
        for text in entry.examples:
            if catalogue.for_citation(text) is entry and not entry.matches_title(text):
                out.append(("article", title, (_sentence(rng, text),)))
                break
    for text in entry.examples:
        if entry.matches_title(text) and catalogue.for_title(text) is entry and catalogue.for_citation(text) is None:
            out.append(("title_only", text, (rng.choice(("別記様式第1号（第1条関係）", "様式第2号（第3条関係）", "")),)))
            break
    return out


def generate(catalogue, *, n: int = 1500, seed: int = 14, missing_share: float = 0.12) -> list[LawForm]:
    rng = random.Random(seed)
    entries = [e for e in catalogue.entries if e.level == "national"]
    missing = [m for m in MISSING_LAWS if catalogue.for_citation(m + "第3条") is None]
    forms: list[LawForm] = []
    while len(forms) < n:
        if rng.random() < missing_share:
            law = rng.choice(missing)
            art = _article(rng)
            style = rng.choice(("full", "defined"))
            body = ((_sentence(rng, law + art),) if style == "full" else
                    (f"{law}（昭和{rng.randint(23, 60)}年法律第{rng.randint(10, 200)}号。以下「法」という。）{art}の規定により届け出ます。",))
            title = law[:8] + rng.choice(TITLES)
            forms.append(LawForm(title, (title, *body, *_applicant(rng)), style, None, law))
            continue
        entry = rng.choice(entries)
        printings = _printings(entry, rng, catalogue)
        if not printings:
            continue
        style, title, body = rng.choice(printings)
        lines = (title, *[b for b in body if b], *_applicant(rng))
        forms.append(LawForm(title, lines, style, entry.id, entry.name))
    return forms
