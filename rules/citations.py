"""Legal citations in form text: 様式第3号（第5条関係）, 地方自治法第234条第5項, ○○市補助金交付規則 …

Parsed with patterns on NFKC-normalised text (GiNZA splits citations badly).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass

from rules.models import Citation

KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
NUM = r"[0-9〇零一二三四五六七八九十百千]+"
NAME_CHARS = r"[一-龥々〆ヵヶァ-ヴー○◯〇●]"
# Words in hiragana that stand inside the names of rules (○○市がん検診実施要綱, ごみ処理手数料条例, 子ども医療費助成条例).
NAME_WORDS = ("がん", "ども", "こども", "ごみ", "し尿", "まちづくり", "ふるさと", "みどり", "ひとり親", "いじめ", "くらし",
              "すまい", "たばこ", "あっせん", "あん摩", "はり", "きゅう", "ふぐ", "と畜", "づくり", "ふれあい", "いきいき",
              "おむつ", "ねたきり", "すこやか", "にぎわい")
NAME_UNIT = rf"(?:{NAME_CHARS}|{'|'.join(NAME_WORDS)})"
JOINERS = r"(?:に関する|における|に係る|による|のための|を図るための|及び|並びに|の|な)"
# Longest first: the kind is read from the end of the name.
KINDS = ("施行規則", "施行令", "法律", "政令", "省令", "府令", "規則", "条例", "要綱", "要領", "基準", "告示", "通知", "法", "令")
NATIONAL_KINDS = {"法律", "法", "政令", "施行令", "省令", "府令", "施行規則", "令"}
INTERNAL_KINDS = {"要綱", "要領", "基準", "通知"}
LAW_RE = re.compile(
    rf"(?P<era>(?:明治|大正|昭和|平成|令和)(?:元|{NUM})年)?"
    rf"(?P<name>{NAME_UNIT}+(?:{JOINERS}{NAME_UNIT}+)*{JOINERS}?(?:{'|'.join(KINDS)}))"
    rf"(?=第|附録|附則|別表|別記|[^一-龥々ァ-ヴー]|$)\s*"
    rf"(?P<article>第{NUM}条(?:の{NUM})*(?:第{NUM}項)?(?:第{NUM}号)?|第{NUM}号)?"
)
FORM_RE = re.compile(
    rf"(?:別記)?(?:第{NUM}号)?様式(?:第{NUM}号(?:の{NUM})?)?\s*[(（]\s*(?P<art>第{NUM}条(?:の{NUM})*(?:第{NUM}項)?)関係\s*[)）]"
)
# Words that end like a law but are not one.
NOT_LAWS = re.compile(
    r"(方法|手法|寸法|用法|違法|適法|合法|不法|工法|製法|療法|文法|作法|法令|命令|指令|発令|号令|条令|"
    r"通知|関係法令|関係規則|関係法|就業規則|管理規則|利用規則|会則|社則)$"
)
SHORT_LAWS = {"民法", "商法", "刑法", "憲法"}
# A bullet before a name (○地方自治法…), unless it is a placeholder for the issuer (○○市…, ●●県…).
BULLET_PREFIX = re.compile(r"^[○◯〇●]+(?![○◯〇●]|[市町村区都道府県])")
NOISE_PREFIX = re.compile(r"^(根拠法令|根拠法規|根拠規定|根拠|法令名|関係法令|本|同|当該|上記|下記|年|号|及び|並びに|又は|若しくは)")
PREFECTURE_RE = re.compile(r"^(東京都|北海道|大阪府|京都府|.{1,3}県)")
MUNICIPAL_RE = re.compile(r"^(.{1,5}?[市町村区])(?!町村|民|場|街|況)")
NATIONAL_ISSUER_RE = re.compile(r"^(内閣府|内閣|.{1,8}?省|.{1,8}?庁|.{1,8}?委員会)")


def joined_text(text: str) -> str:
    """NFKC, with the spaces inside Japanese text removed (氏　名 → 氏名): the text rules match names and titles in.

    Not classifiers.normalize.normalize, which keeps a map back to the original offsets, keeps ㊞ and unifies
    brackets for the detectors' evidence; this one only joins what a law's or a form's name was spaced into."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"(?<=[一-龥ぁ-んァ-ヴー])[ \u3000]+(?=[一-龥ぁ-んァ-ヴー0-9])", "", text)


def kanji_to_int(token: str) -> int | None:
    """一 → 1, 二百三十四 → 234, 234 → 234; None when it is not a number."""
    if token.isdigit():
        return int(token)
    total, current = 0, 0
    for ch in token:
        if ch in KANJI_DIGITS:
            current = current * 10 + KANJI_DIGITS[ch] if current else KANJI_DIGITS[ch]
        elif ch in KANJI_UNITS:
            total += (current or 1) * KANJI_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def arabic(text: str) -> str:
    """第二百三十四条第五項 → 第234条第5項."""
    return re.sub(NUM, lambda m: str(kanji_to_int(m.group(0)) or m.group(0)), text)


def kind_of(name: str) -> str:
    if name.endswith(("条例施行規則", "条例施行細則")):
        return "規則"  # the rule implementing a local ordinance is that body's own 規則, not a 省令
    for kind in KINDS:
        if name.endswith(kind):
            return kind
    return ""


def issuer_and_level(name: str, kind: str, *, city: str | None = None) -> tuple[str | None, str]:
    """The issuing body and the level (national / prefectural / municipal / internal) of a named rule."""
    if kind in NATIONAL_KINDS or name.endswith("法施行規則") or name.endswith("登記規則"):
        return "国", "national"
    if name.startswith(("公安委員会", "警察")):
        return "都道府県公安委員会", "prefectural"
    if city and name.startswith(city):
        return city, "internal" if kind in INTERNAL_KINDS else "municipal"
    if (m := PREFECTURE_RE.match(name)) and not name.startswith("都市"):
        return m.group(1), "internal" if kind in INTERNAL_KINDS else "prefectural"
    if (m := NATIONAL_ISSUER_RE.match(name)) and kind in {"告示", "通知", "規則", "要領", "基準"}:
        return "国", "national"
    if (m := MUNICIPAL_RE.match(name)) and not name.startswith("都市"):
        return m.group(1), "internal" if kind in INTERNAL_KINDS else "municipal"
    # 条例 / 規則 without an issuer are the city's own; 要綱・要領・基準 are internal.
    return None, "internal" if kind in INTERNAL_KINDS or kind == "告示" else "municipal"


# 「病院の諸規則」「各規則」「所定の規則」: rules spoken of, not a rule's name.
GENERIC_RULE = re.compile(r"(諸|各|同|本|当|所定の|関係の|関連|その他の|これらの|上記の|下記の|前記の)(規則|条例|要綱|要領|基準)$")
# What the name of a local rule says about itself (会議室使用規則, 手数料条例, 補助金交付要綱); a rule named
# only by a thing (寮の規則, 交通規則) is ordinary speech unless an issuer or an article comes with it.
TITLE_WORDS = re.compile(r"に関する|施行|実施|交付|取扱|事務|処理|運営|管理|設置|使用|利用|補助|助成|手数料|給付|支給|貸付|"
                         r"奨励|規程|細則|等|審査|認定|登録|許可|届出|保護|条例|手続|財務|会計|契約|文書|公印|職員|組織|基金|"
                         r"料金|負担|徴収|減免|占用|保全|整備|振興|推進|対策|防止|確保|規制")


def _clean_name(name: str) -> str | None:
    name = BULLET_PREFIX.sub("", name)
    while (m := NOISE_PREFIX.match(name)) and len(name) - len(m.group(0)) >= 2:
        name = name[len(m.group(0)):]
    kind = kind_of(name)
    if NOT_LAWS.search(name) and name not in SHORT_LAWS:
        return None
    if len(name) - len(kind) < 2 and name not in SHORT_LAWS:
        return None
    if GENERIC_RULE.search(name):
        return None
    return name


def is_spoken_rule(name: str, article: str | None, *, city: str | None) -> bool:
    """A local rule mentioned as a thing (「寮の規則を守ります」), with no issuer, no article and no title word."""
    kind = kind_of(name)
    if article or kind not in ("規則", "条例", "要綱", "要領", "基準"):
        return False
    issuer, _ = issuer_and_level(name, kind, city=city)
    return issuer is None and not TITLE_WORDS.search(name[: len(name) - len(kind)])


# An abbreviation defined after a law's name: 地方自治法（昭和22年法律第67号。以下「法」という。）
DEFINITION_RE = re.compile(r"\s*\([^()]{0,80}?以下[「『](?P<abbr>[^」』]{1,15})[」』]と(?:いう|称する|略す)")
# A law named only by its kind: 法第12条, 規則第5条, 同法第3条 (no name before it).
BARE_KINDS = ("施行規則", "施行令", "法律", "政令", "省令", "規則", "条例", "法", "令")
ARTICLE = rf"第{NUM}条(?:の{NUM})*(?:第{NUM}項)?(?:第{NUM}号)?"
BARE_RE = re.compile(rf"(?<![一-龥々〆ヵヶァ-ヴー○◯〇●])(?P<abbr>{'|'.join(BARE_KINDS)})(?P<article>{ARTICLE})")
# 同法 / 上記規則 …: the law named just before. 本規則 / この規則: the rule the form belongs to (unnamed).
BARE_NAME_RE = re.compile(rf"^(?P<pre>同|上記|前記|当該|本)?(?P<abbr>{'|'.join(BARE_KINDS)})$")
KIND_FAMILY = {"法": ("法", "法律"), "法律": ("法", "法律"), "令": ("令", "政令", "施行令"), "政令": ("政令", "令"),
               "施行令": ("施行令",), "省令": ("省令",), "施行規則": ("施行規則",), "規則": ("規則", "施行規則"),
               "条例": ("条例",)}


def _named(name: str, article: str | None, *, era: str = "", city: str | None, source: str,
           written: str = "") -> Citation:
    kind = kind_of(name)
    issuer, level = issuer_and_level(name, kind, city=city)
    cite = era + name + (article or "")
    return Citation(cite, level, kind, name, article, issuer, source=source, written=written)


def _unnamed(written: str, abbr: str, article: str, *, source: str) -> Citation:
    """法第12条 with no name anywhere: a national law we cannot identify, or (規則・条例) the city's own rule."""
    level = "municipal" if abbr in ("規則", "条例") else "national"
    return Citation(written, level, abbr, "", article, None, source=source, unnamed=True)


# The last characters of the KINDS: a line without one holds no named law.
SPACE_RUN = re.compile(r"\s*")
KIND_END_RE = re.compile(f"[{''.join(sorted({kind[-1] for kind in KINDS}))}]")


def law_matches(norm: str) -> list[re.Match]:
    r"""Exactly `list(LAW_RE.finditer(norm))`, in a fraction of the time.

    LAW_RE tries every start in a run of kanji, which makes it the slow part of the rules. A match's name
    ends with a kind on the line it starts on, so only lines holding a kind's last character are scanned;
    the scan reads on through the next line that is not blank, where an article can follow (`\s*`)."""
    found: list[re.Match] = []
    resume, last_line = 0, -1
    size = len(norm)
    for hit in KIND_END_RE.finditer(norm):
        start = norm.rfind("\n", 0, hit.start()) + 1
        if start == last_line:
            continue
        last_line = start
        end = norm.find("\n", hit.start())
        end = size if end < 0 else end
        after = norm.find("\n", SPACE_RUN.match(norm, end).end())  # through the next line that is not blank
        after = size if after < 0 else after
        for m in LAW_RE.finditer(norm, max(start, resume), after):
            if m.start() > end:
                break
            found.append(m)
            resume = m.end()
    return found


def _definitions(norm: str, laws: list[re.Match]) -> dict[str, str]:
    """以下「法」という → {"法": "地方自治法"}."""
    out: dict[str, str] = {}
    if "以下「" not in norm and "以下『" not in norm:  # no definition (DEFINITION_RE needs one of these)
        return out
    for m in laws:
        name = _clean_name(m.group("name"))
        if name and (d := DEFINITION_RE.match(norm, m.end("name"))):
            out.setdefault(d.group("abbr"), name)
    return out


def _resolve(pre: str, abbr: str, article: str, written: str, *, defined: dict[str, str],
             previous: list[Citation], city: str | None, source: str) -> Citation:
    if pre in ("同", "上記", "前記", "当該"):
        family = KIND_FAMILY.get(abbr, (abbr,))
        earlier = next((c for c in reversed(previous) if c.law and not c.unnamed and c.kind in family), None)
        if earlier:
            return _named(earlier.law, article, city=city, source=source, written=written)
    if abbr in defined:
        return _named(defined[abbr], article, city=city, source=source, written=written)
    return _unnamed(written, abbr, article, source=source)


WRAPPED_TAIL = re.compile(rf"{NAME_UNIT}+(?:{JOINERS}{NAME_UNIT}+)*{JOINERS}?$")


def _matches(norm: str, laws: list[re.Match], known: list[Known]) -> list[tuple[int, object, str]]:
    """Catalogue names, named-law matches and bare ones (法第12条), in order of appearance.

    A catalogue name (found by `Catalogue.find_names`) wins over a pattern match that overlaps it: its name is
    known letter for letter (子ども・子育て支援法, not 子育て支援法). A bare match at the start of a line whose previous
    line ends in part of a name (「…により、地方自治」 / 「法第234条」, or 「…に関する」 / 「法律第3条」) is the same
    citation wrapped onto two lines: it is read again as one name. A previous line that is only a name-like word
    (a heading: 「使用届」) is not joined."""
    spans = [(k.start, k.name_end) for k in known]

    def free(a: int, b: int) -> bool:
        return not any(a < e and s < b for s, e in spans)

    found: list[tuple[int, object, str]] = [(k.start, k, "known") for k in known]
    found += [(m.start(), m, "named") for m in laws if free(m.start(), m.end("name"))]
    for m in BARE_RE.finditer(norm):
        if not free(m.start(), m.end("abbr")):
            continue
        joined = _wrapped(norm, m)
        if joined:
            found.append((joined[0], joined[1], "named"))
        else:
            found.append((m.start(), m, "bare"))
    return sorted(found, key=lambda t: t[0])


def _wrapped(norm: str, bare: re.Match) -> tuple[int, re.Match, bool] | None:
    start = bare.start()
    if start == 0 or norm[start - 1] != "\n" or not (tail := WRAPPED_TAIL.search(norm, 0, start - 1)):
        return None
    whole_line = tail.start() == norm.rfind("\n", 0, tail.start()) + 1
    if whole_line and not re.search(f"{JOINERS}$", tail.group(0)):
        return None
    joined = LAW_RE.fullmatch(tail.group(0) + bare.group(0))
    return (tail.start(), joined, False) if joined and _clean_name(joined.group("name")) else None


@dataclass(frozen=True)
class Known:
    """A name the catalogue knows, found in the text: norm[start:name_end] is the name (family suffix included)."""

    start: int
    name_end: int
    name: str  # the law's formal name (an alias is replaced by it), with the family suffix
    written: str  # as written
    level: str = "national"


# An article right after a known name, or after its parenthesis (「…法（平成24年法律第65号。以下「法」という。）第20条」).
ARTICLE_AFTER = re.compile(rf"\s*(?:\([^()]{{0,80}}\)\s*)?(?P<article>{ARTICLE})")
FORM_AFTER = re.compile(rf"\s*(?P<form>(?:別記)?(?:第{NUM}号)?様式(?:第{NUM}号(?:の{NUM})*)?|附録第{NUM}号(?:様式)?|別表第{NUM})")


def parse_citations(text: str, *, source: str = "form", city: str | None = None,
                    known: list[Known] | None = None) -> list[Citation]:
    """All citations in the text, in order of appearance, without duplicates.

    Abbreviations are resolved: 以下「法」という defines 法; 同法 is the law named before it. A bare 法第12条 with
    nothing to resolve it becomes an unnamed citation (`unnamed=True`). `known`: the catalogue's names found in
    the normalised text (`rules.basis.known_names`)."""
    return parse_normalised(joined_text(text), source=source, city=city, known=known)


def _definitions_known(norm: str, known: list[Known], out: dict[str, str]) -> None:
    if "以下「" not in norm and "以下『" not in norm:
        return
    for k in known:
        if d := DEFINITION_RE.match(norm, k.name_end):
            out.setdefault(d.group("abbr"), k.name)


def _known_citation(norm: str, k: Known, *, city: str | None, source: str) -> Citation:
    art = ARTICLE_AFTER.match(norm, k.name_end)
    article = arabic(art.group("article")) if art else None
    written = k.written + (article or "") if k.written != k.name else ""
    c = _named(k.name, article, city=city, source=source, written=written)
    return dataclasses.replace(c, level=k.level, issuer="国" if k.level == "national" else c.issuer)


def parse_normalised(norm: str, *, source: str = "form", city: str | None = None,
                     known: list[Known] | None = None) -> list[Citation]:
    """`parse_citations` on text already passed through `joined_text` (the rules joined_text a form once)."""
    known = known or []
    laws = law_matches(norm)
    defined: dict[str, str] = {}
    _definitions_known(norm, known, defined)  # a known name defines its abbreviation, not a part of it read alone
    spans = [(k.start, k.name_end) for k in known]
    outside = [m for m in laws if not any(m.start() < e and s < m.end("name") for s, e in spans)]
    for abbr, name in _definitions(norm, outside).items():
        defined.setdefault(abbr, name)
    found: dict[str, Citation] = {}
    named_end = -1  # where the name of the last citation read from a named match ends
    for start, m, how in _matches(norm, laws, known):
        if how == "bare" and start < named_end:
            continue  # 法律第7条 inside 「…に関する法律第7条」, just read as part of that name
        if how == "known":
            c = _known_citation(norm, m, city=city, source=source)
            found.setdefault(c.citation, c)
            named_end = max(named_end, m.name_end)
            continue
        article = arabic(m.group("article")) if m.group("article") else None
        previous = list(found.values())
        if how == "bare":
            c = _resolve("", m.group("abbr"), article or "", arabic(m.group(0)), defined=defined, previous=previous,
                         city=city, source=source)
        elif m.group("era"):
            c = _named(m.group("name"), article, era=arabic(m.group("era")), city=city, source=source)
        elif article and (b := BARE_NAME_RE.match(BULLET_PREFIX.sub("", m.group("name")))):
            written = arabic(re.sub(r"\s+", "", m.group(0)))
            c = _resolve(b.group("pre") or "", b.group("abbr"), article, written, defined=defined, previous=previous,
                         city=city, source=source)
        elif (name := _clean_name(m.group("name"))) is None or is_spoken_rule(name, article, city=city):
            continue
        elif name in defined:
            c = _named(defined[name], article, city=city, source=source, written=name + (article or ""))
        else:
            c = _named(name, article, city=city, source=source)
        found.setdefault(c.citation, c)
        if how == "named" and m.string is norm:  # (a name joined across a line break is matched on its own string)
            named_end = max(named_end, m.end("name"))
    return _drop_prefixes(list(found.values()))


@dataclass(frozen=True)
class FormNumber:
    """「様式第3号（第5条関係）」: a form's place in a rule, not a legal basis. `rule`: the rule when it is named."""

    text: str
    article: str | None = None
    rule: str = ""


def form_numbers(norm: str, known: list[Known] | None = None) -> list[FormNumber]:
    """The form numbers printed on a form: 様式第3号（第5条関係）, 別記様式第1号, and a known rule's 様式 (国民健康保険法
    施行規則様式第3号 → rule 国民健康保険法施行規則)."""
    out: dict[str, FormNumber] = {}
    for m in FORM_RE.finditer(norm):
        cite = arabic(re.sub(r"\s+", "", m.group(0)))
        out.setdefault(cite, FormNumber(cite, arabic(m.group("art"))))
    for k in known or []:
        if f := FORM_AFTER.match(norm, k.name_end):
            cite = arabic(re.sub(r"\s+", "", f.group("form")))
            out[cite] = FormNumber(cite, None, k.name)
    return list(out.values())


def _drop_prefixes(citations: list[Citation]) -> list[Citation]:
    """農地法第3条 and 農地法第3条第1項 → keep the more precise one."""
    texts = [c.citation for c in citations]
    return [c for c in citations if not any(t != c.citation and t.startswith(c.citation) and c.article for t in texts)]
