"""The text rules of a revised draft: which stretches of a piece of form text change, and to what.

Every rule returns `Op`s in the coordinates of the original text, so the format-specific
revisers can apply them to the runs (Word) or rich-text pieces (Excel) the text came from,
keeping each run's formatting. The rules only ever touch:

- the seal mark by a name field (印, ㊞, (印), （印）, 〔印〕, ○印),
- 記名押印 → 記名, 署名押印 → 署名, 「署名又は記名押印」 → the replacement,
- sentences that still ask for a seal (「押印してください。」), which are removed,
- 「（自署）」 after a name label when the replacement is 署名.
Office boxes (受付印, 確認印, ※市使用欄 …) and words such as 印刷 or 収入印紙 are never touched.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

KIMEI = "kimei"
SHOMEI = "shomei"
SPACE = " \t\u3000"

# 「署名又は記名押印」 and its variants (order reversed, 自署, ・, ご).
EITHER = re.compile(
    r"(?P<a>署名|自署)(?:又は|または|若しくは|もしくは|・|／|/|、)記名(?:・|及び|および)?(?:押印|捺印)"
    r"|記名(?:・|及び|および)?(?:押印|捺印)(?:又は|または|若しくは|もしくは|・|／|/|、)(?P<b>署名|自署)"
)
# 記名押印 → 記名, 署名押印 → 署名 (and 捺印, ご署名・ご捺印).
NAME_AND_SEAL = re.compile(r"(?P<keep>(?:ご)?(?:記名|署名))(?:・|及び|および|、)?(?:ご)?(?:押印|捺印)")
# Anything still speaking of putting a seal on the form.
SEAL_WORD = re.compile(r"押印|捺印|押なつ|押捺|印鑑を押|はんこを押|判を押|印を(?:押|お)")
# Sentences that say a seal is NOT needed stay as they are.
NOT_NEEDED = re.compile(r"不要|必要(?:は)?(?:あり|ござい)ません|要しません|省略|任意|廃止|しなくても|なくても|いりません")
# The seal marks themselves.
STRONG_MARK = re.compile(r"[（(〔［\[]\s*印\s*[）)〕］\]]|㊞|[○〇◯]印(?![をのでがはにもと])")
BARE_MARK = re.compile(rf"(?:^|(?<=[{SPACE}＿_…‥・.]))印(?=[{SPACE}]*$|[{SPACE}]+)", re.MULTILINE)
MARK_ONLY = re.compile(rf"[{SPACE}]*(?:{STRONG_MARK.pattern}|印)[{SPACE}]*")
# Words that make a line a name field, and words that make it an office box.
NAME_WORDS = re.compile(
    r"氏[\s\u3000]*名|名[\s\u3000]*称|代表者|事業主|保護者|本人|署[\s\u3000]*名|記[\s\u3000]*名"
    r"|(?:申込|申請|届出|請求|誓約|同意|承諾|委任|受任|申出|報告|所有|使用|利用|借受|相続|納税|契約|連帯保証)(?:者|人)"
)
# A bare 印 right after these is part of a word split by spaces (実 印, 代表者 印鑑), not a mark.
WORD_BEFORE_MARK = re.compile(r"(?:実|認|銀行|届出|職|公|割|契|消|訂正|捨|代表者|使用|受付|確認|検)[\s\u3000]*$")
OFFICE_WORDS = re.compile(
    r"受付|使用欄|処理欄|記入しないで|決裁|検印|担当|確認印|審査|職員|収入印紙|消印|公印|職印|割印|契印|訂正印|捨印"
)
NAME_LABEL = re.compile(
    r"^(?P<label>[\s\u3000]*(?:代表者|申請者|届出者|誓約者|同意者|承諾者|委任者|申出者|本人|保護者)?"
    r"氏[\s\u3000]*名)(?![\s\u3000]*[（(](?:自署|署名))"
)
LIST_MARKER = re.compile(r"[\s\u3000]*(?:[※＊*・]|[(（]?[0-9０-９一二三四五六七八九十]+[)）.．、]?)?[\s\u3000]*")
SENTENCE_END = "。\n"
TRAILING_SPACE = re.compile(rf"[{SPACE}\n]*\Z")


@dataclass(frozen=True, slots=True)
class Op:
    """Replace `text[start:end]` with `new` (an insertion when start == end)."""

    start: int
    end: int
    new: str


def replacement_word(replacement: str, original: str) -> str:
    """What 「署名又は記名押印」 becomes: 記名 for kimei; 署名 (or 自署 when the form said 自署) for shomei."""
    if replacement == SHOMEI:
        return "自署" if original.startswith("自署") or original.endswith("自署") else "署名"
    return "記名"


def is_office(line_text: str) -> bool:
    return bool(OFFICE_WORDS.search(line_text))


def has_name_word(text: str) -> bool:
    return bool(NAME_WORDS.search(text))


def is_mark_only(text: str) -> bool:
    """A cell, text box or shape holding nothing but a seal mark."""
    return bool(text.strip(SPACE + "\n")) and bool(MARK_ONLY.fullmatch(text.replace("\n", "")))


class _Spans:
    """Disjoint (start, end) spans kept sorted; `free` and `add` by bisection (a paragraph can hold
    hundreds of thousands of marks: checking each against every earlier one was quadratic)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(spans):
            self.add(start, end)

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)  # spans starting before `end`: only the last can overlap
        if start == end:  # an insertion point is taken only strictly inside a span
            j = bisect.bisect_right(self.starts, start) - 1
            return j < 0 or not (self.starts[j] < start < self.ends[j])
        return i == 0 or self.ends[i - 1] <= start

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _free(start: int, end: int, taken: _Spans) -> bool:
    return taken.free(start, end)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: up to and including 。, or up to a line break."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in SENTENCE_END:
            end = i + 1 if ch == "。" else i
            spans.append((start, end))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def sentence_ops(text: str) -> list[Op]:
    """Remove sentences that still ask for a seal once 記名押印 / 署名押印 are rewritten."""
    ops: list[Op] = []
    for start, end in _sentences(text):
        sentence = text[start:end]
        masked = NAME_AND_SEAL.sub(lambda m: "＃" * len(m.group(0)), EITHER.sub(lambda m: "＃" * len(m.group(0)), sentence))
        if not SEAL_WORD.search(masked) or NOT_NEEDED.search(sentence) or is_office(sentence):
            continue
        if LIST_MARKER.fullmatch(text, 0, start) and TRAILING_SPACE.match(text, end):
            ops.append(Op(0, len(text), ""))  # the whole paragraph was this request
        else:
            lead = LIST_MARKER.match(sentence)
            ops.append(Op(start + (lead.end() if lead else 0), end, ""))
    return ops


def phrase_ops(text: str, replacement: str, taken: list[tuple[int, int]]) -> list[Op]:
    """「署名又は記名押印」 → replacement; 記名押印 → 記名; 署名押印 → 署名."""
    ops: list[Op] = []
    spans = _Spans(taken)
    for m in EITHER.finditer(text):
        if _free(m.start(), m.end(), spans):
            ops.append(Op(m.start(), m.end(), replacement_word(replacement, m.group(0))))
            spans.add(m.start(), m.end())
    for m in NAME_AND_SEAL.finditer(text):
        if _free(m.start(), m.end(), spans):
            ops.append(Op(m.start(), m.end(), m.group("keep")))
            spans.add(m.start(), m.end())
    return ops


def mark_ops(text: str, taken: list[tuple[int, int]], *, name_context: bool) -> list[Op]:
    """Remove seal marks: (印) ㊞ ○印 anywhere; a bare 印 only standing alone by a name field."""
    ops: list[Op] = []
    spans = _Spans(taken)
    for m in STRONG_MARK.finditer(text):
        if _free(m.start(), m.end(), spans):
            ops.append(Op(m.start(), m.end(), ""))
            spans.add(m.start(), m.end())
    if name_context:
        for m in BARE_MARK.finditer(text):
            if _free(m.start(), m.end(), spans) and not WORD_BEFORE_MARK.search(text, max(0, m.start() - 64), m.start()):
                ops.append(Op(m.start(), m.end(), ""))
                spans.add(m.start(), m.end())
    return ops


def jisho_ops(text: str, taken: list[tuple[int, int]]) -> list[Op]:
    """Add 「（自署）」 after a name label that starts the text (氏名 → 氏名（自署）)."""
    m = NAME_LABEL.match(text)
    if not m:
        return []
    tail = text[m.end():]
    if tail and tail[0] not in SPACE + "\n" + "：:（(＿_" and not STRONG_MARK.match(tail) and not tail.startswith("印"):
        return []  # 氏名を記入… is a sentence, not a label
    end = m.end()
    if any(s < end < e for s, e in taken):
        return []
    return [Op(end, end, "（自署）")]


def plan(text: str, *, replacement: str, name_context: bool, office: bool, jisho: bool = False,
         marks: bool = True) -> list[Op]:
    """All the edits for one piece of text, sorted, non-overlapping, in original coordinates.

    `marks=False` keeps seal marks (a line under an office-box line with no name field of its own)."""
    if office:
        return []
    ops = sentence_ops(text)
    taken = [(o.start, o.end) for o in ops]
    phrases = phrase_ops(text, replacement, taken)
    taken += [(o.start, o.end) for o in phrases]
    found = mark_ops(text, taken, name_context=name_context) if marks else []
    taken += [(o.start, o.end) for o in found]
    ops += phrases + found
    if jisho and replacement == SHOMEI:
        ops += jisho_ops(text, taken)
    return sorted(ops, key=lambda o: (o.start, o.end))


def apply(text: str, ops: list[Op]) -> str:
    """The text after the edits (ops from `plan`)."""
    out: list[str] = []
    pos = 0
    for op in sorted(ops, key=lambda o: (o.start, o.end)):
        out.append(text[pos:op.start])
        out.append(op.new)
        pos = max(pos, op.end)
    out.append(text[pos:])
    return "".join(out)
