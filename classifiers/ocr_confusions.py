"""OCR-confusion-aware matching: repair the key words tesseract misreads (署名 read as 賭名・贅名, 自署 as 自暫)
in text read by OCR, before the patterns run. The confusions are data (classifiers/ocr_confusions.yaml: ids,
the characters read instead, the context, examples of what tesseract printed on our generated scans).

A repair replaces one character by one, so a view of the repaired text maps back to the OCR text unchanged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from classifiers.patterns import ID_RE, PatternError

DATA = Path(__file__).with_name("ocr_confusions.yaml")
ANY = "any"  # read_as: any — every kanji but the right one (in a frame on both sides; the frame's real words named)
KANJI = "\u4e00-\u9fff"  # CJK Unified Ideographs


@dataclass(frozen=True)
class Confusion:
    id: str
    char: str
    regex: re.Pattern
    observed: tuple[str, ...]
    unchanged: tuple[str, ...]


def _single_chars(values, where: str) -> str:
    if not values or not all(isinstance(v, str) and len(v) == 1 for v in values):
        raise PatternError(f"{where}: read_as は1文字のリストにしてください / read_as must be single characters")
    return "".join(values)


def _either(context: str | list) -> str:
    """A context of one string, or of a list of strings any of which will do (「）」 or 「)」)."""
    options = [context] if isinstance(context, str) else list(context)
    if not options or not all(isinstance(o, str) and o for o in options):
        raise PatternError(f"{DATA.name}: before は文字列か文字列のリストにしてください / before must be text")
    return "(?:" + "|".join(re.escape(o) for o in options) + ")"


def _confusion(entry: dict) -> Confusion:
    cid = entry.get("id", "")
    if not ID_RE.match(cid):
        raise PatternError(f"{DATA.name}: id「{cid}」が不正です / bad id")
    char, before, after = entry.get("char", ""), entry.get("before"), entry.get("after")
    if len(char) != 1 or not (before or after):
        raise PatternError(f"{DATA.name} {cid}: char は1文字、before か after が必要です / char and a context needed")
    if entry.get("read_as") == ANY:
        # any kanji but `char` itself: only in a frame on both sides, and with the real words of that frame named
        if not (before and after and entry.get("not_when")):
            raise PatternError(f"{DATA.name} {cid}: read_as: any には before・after・not_when が必要です / "
                               "read_as: any needs before, after and not_when")
        body = f"(?!{re.escape(char)})[{KANJI}]"
    else:
        body = f"[{re.escape(_single_chars(entry.get('read_as'), f'{DATA.name} {cid}'))}]"
    # `not_when`: what the misread character really forms a word with (著 + 名 + な = 著名な): left as read
    real_words = "".join(f"(?!{re.escape(w)})" for w in entry.get("not_when") or ())
    regex = re.compile((f"(?<={re.escape(after)})" if after else "") + real_words + body
                       + (f"(?={_either(before)})" if before else ""))
    examples = entry.get("examples") or {}
    return Confusion(cid, char, regex, tuple(examples.get("observed") or ()), tuple(examples.get("unchanged") or ()))


def load_confusions(path: Path = DATA) -> tuple[Confusion, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    confusions = tuple(_confusion(e) for e in data.get("confusions") or ())
    for c in confusions:  # the examples are checked when loaded, like the patterns'
        for text in c.observed:
            if c.char not in repair(text, (c,)) or repair(text, (c,)) == text:
                raise PatternError(f"{path.name} {c.id}: 例「{text}」が修復されません / example not repaired")
        for text in c.unchanged:
            if repair(text, (c,)) != text:
                raise PatternError(f"{path.name} {c.id}: 例「{text}」が変わってしまいます / example changed")
    return confusions


def repair(text: str, confusions: tuple[Confusion, ...] | None = None) -> str:
    """`text` with each confusion's misread characters, in their context, replaced (same length)."""
    for c in CONFUSIONS if confusions is None else confusions:
        text = c.regex.sub(c.char, text)
    return text


CONFUSIONS: tuple[Confusion, ...] = load_confusions()
VERSION: str = ",".join(c.id for c in CONFUSIONS)
