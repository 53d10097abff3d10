"""Which document a seal sentence is about, from GiNZA's dependency parse.

「委任状には委任者の押印が必要です」 on an application form tells the applicant what another document needs;
it is no request of this form. The parse gives the predicate the seal word hangs on (必要, 押印する…) and
that predicate's topic or place: an `obl` with the particles に/で + は (委任状には, 契約締結時には). When that
phrase names a document (…状, …書, …届, 契約…) which is not this form (not 本…/この…/当…, and not a word of
this form's title), the sentence is evidence about that other document. The possessor of 押印 (委任者の押印)
says who is to seal; it goes into the explanation.
Parses only sentences with a cue (a document word followed by には/では before the seal word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers import nlp as ginza
from classifiers.negation import sentence_bounds

CUE = re.compile(r"([^\s。、,\t]{1,16}?(状|書|届|願|契約|締結|台帳|名簿)[^。、\t\s]{0,6}?)(に ?は|で ?は)")
DOCUMENT_PHRASE = re.compile(r"(状|書|届|願|契約書?|台帳|名簿)((の)?(締結|提出|作成|交付)?(時|際))?$")
THIS_FORM = re.compile(r"^(本|この|当|上記の?|同|次の|下記の?)")
OTHER_FORM = re.compile(r"^(別紙|別添|別記|添付|他|その他)")  # 別紙の誓約書: another sheet, whatever this one's title
DOCUMENT_WORD = re.compile(r"[^\s]{0,6}?(状|書|届|願|契約|台帳|名簿)")
# Generic names a form uses for itself, whatever its title (申請書には必ず押印すること on any application).
GENERIC = frozenset({"申請書", "届出書", "届書", "申込書", "書類", "様式", "本書", "用紙", "提出書類"})


@dataclass(frozen=True, slots=True)
class OtherDocument:
    document: str  # the other document's phrase (委任状, 契約締結時)
    who: str | None  # the possessor of the seal (委任者), when the parse names one


def _phrase(token) -> str:
    """The noun phrase of `token` without its particles (別紙の誓約書, 契約締結時)."""
    words = [t for t in token.subtree if t.dep_ != "punct" and t.i <= token.i]  # the particles come after
    return "".join(t.text for t in words)


def _topic_documents(node) -> list[str]:
    """Phrases attached to `node` as 〜には / 〜では that name a document."""
    found = []
    for child in node.children:
        if child.dep_ not in ("obl", "nsubj", "dislocated", "nmod"):
            continue
        particles = {c.text for c in child.children if c.dep_ == "case"}
        if not ({"に", "で"} & particles and "は" in particles):
            continue
        phrase = _phrase(child)
        if DOCUMENT_PHRASE.search(phrase):
            found.append(phrase)
    return found


def _possessor(token) -> str | None:
    for node in [token, *token.ancestors]:
        if node.lemma_ in ("押印", "捺印"):
            for child in node.children:
                if child.dep_ == "nmod" and any(c.text == "の" for c in child.children):
                    return _phrase(child)
    return None


def _this_form(phrase: str, title: str) -> bool:
    if THIS_FORM.search(phrase):
        return True
    if OTHER_FORM.search(phrase):
        return False
    word = DOCUMENT_WORD.search(re.sub(r"^.*の", "", phrase))
    stem = word.group(0) if word else phrase
    if stem in GENERIC or phrase in GENERIC:
        return True
    return bool(title) and (stem in title or re.sub(r"(書|状)$", "", stem) in title)


def _is_cjk(ch: str) -> bool:
    return ord(ch) > 0x2E80


def without_ocr_blanks(text: str, start: int, end: int) -> tuple[str, int, int]:
    """`text` without the single blanks OCR puts between two CJK characters (「請求 書には」), and the span
    [start, end) in it. Only for the question which document a sentence is about."""
    kept: list[str] = []
    new_start = new_end = None
    for i, ch in enumerate(text):
        if i == start:
            new_start = len(kept)
        if i == end:
            new_end = len(kept)
        if ch == " " and 0 < i < len(text) - 1 and _is_cjk(text[i - 1]) and _is_cjk(text[i + 1]):
            continue
        kept.append(ch)
    joined = "".join(kept)
    return joined, len(joined) if new_start is None else new_start, len(joined) if new_end is None else new_end


def other_document(text: str, start: int, end: int, title: str, parsed: dict | None = None, *,
                   ocr: bool = False) -> OtherDocument | None:
    """The other document that the sentence holding text[start:end] is about, or None.

    `parsed` remembers, for one line, which seal word's window each sentence was parsed in (a sentence often
    holds two seal words: the second is read in the first one's parse). `ocr`: the line was read by OCR, whose
    blanks inside words (請求 書には) are not the page's: the sentence is read without them."""
    if ocr:
        text, start, end = without_ocr_blanks(text, start, end)
    while start < end - 1 and text[start] in " \t":  # a match that takes the blank before the word (「の 押印」):
        start += 1  # the parse has no token on a blank, so the word itself is the anchor
    lo, hi = sentence_bounds(text, start, end)
    if not any(not _this_form(c.group(1).replace(" ", ""), title) for c in CUE.finditer(text[lo:start])):
        return None  # no topic naming another document before the seal word: no parse
    anchor = (start - lo, end - lo)
    if parsed is not None:
        anchor = parsed.setdefault((lo, hi), anchor)
    read = ginza.read_parse(_topics, text[lo:hi], *anchor, at=start - lo)  # memoised by the window's text
    if read is None:
        return None
    phrases, who = read
    for phrase in phrases:
        if not _this_form(phrase, title):
            return OtherDocument(phrase, who)
    return None


def _topics(doc, offset: int) -> tuple[tuple[str, ...], str | None] | None:
    """From the parse: the document phrases (〜には / 〜では) on the path from the token holding `offset` up to its
    clause's root, in that order, and the possessor of the seal; None when no token holds it. Plain values
    (nlp.read_parse memoises them); which phrase is another document depends on the form's title."""
    token = ginza.token_at(doc, offset)
    if token is None:
        return None
    phrases: list[str] = []
    for node in [token, *token.ancestors]:
        phrases.extend(_topic_documents(node))
        if node.dep_ == "ROOT":
            break
    return tuple(phrases), _possessor(token)
