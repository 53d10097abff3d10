"""One cell (or one line of body text) read as field parts: a label, a blank, a date, □ options.

A `Piece` says what a cell holds; extract.py decides from the pieces of a row which fields they make.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.fields.data import FieldPatterns

SPACE = re.compile(r"[\s\u3000]+")
BRACKETS = re.compile(r"[（(]([^（）()]*)[）)]")
NUMBERING = re.compile(r"^\s*(?:[0-9０-９]{1,2}|[①-⑳]|[(（][0-9０-９]{1,2}[)）]|[a-zａ-ｚ][.．)）])[\s\u3000.．、)）]+")
ROW_NUMBER = re.compile(r"^\s*(?:[0-9０-９]{1,2}|[①-⑳])\s*$")
COLON = re.compile(r"[:：]")
MARKS = frozenset("印㊞")
CIRCLED_MAX = 24  # 「有　・　無」「はい／いいえ」 are short
CLOSE_THEN_WORD = re.compile(r"([）)])(?=[^\s）)])")  # 「（法人の場合）代 表 者 名」: the note apart from the label


@dataclass(frozen=True, slots=True)
class Piece:
    """What one cell holds. `label` is "" when the cell holds no label (a value, a mark, a bare blank)."""

    label: str = ""  # as shown on the e-form: no spaces, no ※, no brackets
    raw: str = ""
    kind: str | None = None  # from the layout: date, choice, yesno, money, number (None: from the label)
    options: tuple[str, ...] = ()
    required: bool = False
    note: str = ""
    blank: bool = False  # the cell ends in something to fill in (＿＿, 「　年　月　日」, □ …)
    numbered: bool = False  # the label had a numbering prefix (「1　事業の名称」)

    @property
    def typed(self) -> bool:
        return self.kind is not None or self.blank


def tokens(text: str) -> list[str]:
    """Words split at spaces, with letter-spaced words joined again (「申 請 者」 → 申請者; marks stay apart)."""
    out: list[str] = []
    run: list[str] = []
    for tok in SPACE.split(CLOSE_THEN_WORD.sub(r"\1 ", text.strip())):
        if len(tok) == 1 and tok not in MARKS and not tok.isdigit():
            run.append(tok)
            continue
        if run:
            out.append("".join(run))
            run = []
        if tok:
            out.append(tok)
    if run:
        out.append("".join(run))
    return out


def clean_label(raw: str, pats: FieldPatterns) -> tuple[str, bool, str, bool]:
    """(label, required, note, numbered) from a label as printed."""
    numbered = bool(NUMBERING.match(raw))
    text = NUMBERING.sub("", raw, count=1) if numbered else raw
    notes = [n.strip() for n in BRACKETS.findall(text)]
    required = bool(pats.required.search(BRACKETS.sub("", text))) or any(n in ("必須", "※必須") for n in notes)
    notes = [n for n in notes if n and n not in ("必須", "※必須") and not pats.blank.fullmatch(n)]
    label = BRACKETS.sub("", text)
    label = pats.required.sub("", label)
    label = COLON.sub("", SPACE.sub("", label)).strip("・、,")
    label = pats.aliases.get(label, label)
    return label, required, "・".join(notes), numbered


def is_label(label: str, raw: str, pats: FieldPatterns) -> bool:
    if not label or len(label) > pats.max_label or label in MARKS:
        return False
    if pats.not_label.search(raw.strip()) or pats.office_cell.search(label) or pats.bad_label.search(label):
        return False
    return not ROW_NUMBER.match(label) and not re.fullmatch(r"[\d０-９,，.．\-－ー〇○]+", label)


def _label_piece(raw: str, pats: FieldPatterns, **layout) -> Piece:
    if len(raw) > pats.max_label * 3:  # prose: a label, even with its notes in brackets, is never this long
        return Piece(raw=raw, **layout)
    label, required, note, numbered = clean_label(raw, pats)
    if not is_label(label, raw, pats):
        return Piece(raw=raw, **layout) if layout else Piece(raw=raw)
    return Piece(label=label, raw=raw, required=required, note=note, numbered=numbered, **layout)


MEMO_SIZE = 100_000  # pieces kept per process (a cell's text is short: a few MB at most)


class _Memo:
    """The pieces read so far for one pattern set (a new set starts afresh; it is held, so it is never mistaken
    for another one)."""

    patterns: FieldPatterns | None = None
    pieces: dict[tuple[str, bool], Piece] = {}


def read_cell(text: str, pats: FieldPatterns, *, single: bool = False) -> Piece:
    """A cell's piece. `single`: the text is a whole line (a paragraph, a PDF line), not a table cell.

    A piece depends only on the text, `single` and the patterns, and a library of forms repeats its labels
    (氏名, 住所, 「年　月　日」): the pieces are kept per process and pattern set (`Piece` is frozen). Measured on
    300 generated forms 14,566 cells, 1,342 different; on the 71 real ones 57,928 and 12,132."""
    if _Memo.patterns is not pats:
        _Memo.patterns, _Memo.pieces = pats, {}
    key = (text, single)
    piece = _Memo.pieces.get(key)
    if piece is None:
        piece = _read_cell(text, pats, single=single)
        if len(_Memo.pieces) < MEMO_SIZE:
            _Memo.pieces[key] = piece
    return piece


def _read_cell(text: str, pats: FieldPatterns, *, single: bool = False) -> Piece:
    unit = next((k for k, rx in pats.units if rx.fullmatch(text.strip())), None) if len(text) <= CIRCLED_MAX else None
    if unit is not None:  # 「円」「人」alone in a cell: the blank before it is money / a number
        return Piece(raw=text, kind=unit, blank=True)
    if len(text) <= CIRCLED_MAX:
        circled = tuple(o for o in (SPACE.sub("", o) for o in pats.separators.split(text)) if o)
        if len(circled) >= 2 and all(o in pats.yesno for o in circled):  # 「有　・　無」 to circle
            return Piece(raw=text, kind="yesno", options=circled, blank=True)
    if (m := pats.date.search(text)) is not None:
        return _label_piece(text[: m.start()], pats, kind="date", blank=True)
    if (m := pats.box.search(text)) is not None:
        options = tuple(o.strip("・,、") for o in pats.option.findall(text[m.start():]) if o.strip("・,、"))
        kind = "yesno" if options and all(o in pats.yesno for o in options) else "choice"
        return _label_piece(text[: m.start()], pats, kind=kind, options=options, blank=True)
    if (m := pats.blank.search(text)) is not None:
        rest = text[m.end():]
        unit = next((k for k, rx in pats.units if rx.match(rest.strip())), None)
        return _label_piece(text[: m.start()], pats, kind=unit, blank=True)
    if (m := COLON.search(text)) is not None and 0 < m.start() <= pats.max_label:
        piece = _label_piece(text[: m.start()], pats)
        return Piece(**{**_fields(piece), "blank": not text[m.end():].strip()}) if piece.label else piece
    if single:
        return Piece(raw=text) if len(text) > pats.max_label * 3 else _single(text, pats)
    return _label_piece(text, pats)


def _single(text: str, pats: FieldPatterns) -> Piece:
    """A whole line: the label is its first word (a group word joins the next: 「委任者 氏名」)."""
    words = tokens(NUMBERING.sub("", text, count=1))
    if not words:
        return Piece(raw=text)
    notes = [w for w in words if BRACKETS.fullmatch(w)]  # 「委任者 （申請者） 住所」: the bracket is a note
    words = [w for w in words if not BRACKETS.fullmatch(w)] or words
    head, rest = words[0], words[1:]
    if rest and is_person(head, pats) and pats.kind_of(rest[0]):
        head += rest[0]  # 「代表者　役職」「委任者 氏名」: one label
    head += "".join(notes[:1])
    if pats.not_label.search(text.strip()):
        return Piece(raw=text)
    return _label_piece(("1 " if NUMBERING.match(text) else "") + head, pats)


def is_person(word: str, pats: FieldPatterns) -> bool:
    """代表者, 申請者, 届出人 …: a person whose details follow (「代表者　氏名」 is one label)."""
    return word in pats.group_names or word.endswith(("者", "人"))


def _fields(piece: Piece) -> dict:
    return {name: getattr(piece, name) for name in Piece.__slots__}


def is_row_number(text: str) -> bool:
    return bool(ROW_NUMBER.match(text))
