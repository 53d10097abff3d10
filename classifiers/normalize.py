"""A matching view of a line: NFKC per character (㊞ kept), brackets unified, whitespace collapsed.

Every character of the view keeps the offset of the character it came from, so a match in the
view maps back to the original `Line` text, hence to its `TextBlock` and `Location`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

KEEP = {"㊞", "〇", "○", "◯"}  # NFKC would turn ㊞ into 印 and lose the mark
BRACKETS = str.maketrans({"〔": "(", "〕": ")", "[": "(", "]": ")", "【": "(", "】": ")", "｟": "(", "｠": ")"})
SPACES = {" ", "\u3000", "\u00a0", "\u2002", "\u2003", "\u2009", "\r", "\n", "\x0b", "\x0c"}


@dataclass(frozen=True, slots=True)
class View:
    """Normalised text plus `origin[i]` = offset in the original text of view character i."""

    text: str
    origin: tuple[int, ...]
    source_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) for a view span."""
        if not self.origin:
            return 0, 0
        o_start = self.origin[min(start, len(self.origin) - 1)]
        o_end = self.origin[end - 1] + 1 if end > start else o_start
        return o_start, min(o_end, self.source_length)


_CHAR_CACHE: dict[str, str] = {}  # per-character results: NFKC per call was most of the detection time


def _char(ch: str) -> str:
    piece = _CHAR_CACHE.get(ch)
    if piece is None:
        piece = ch if ch in KEEP else unicodedata.normalize("NFKC", ch).translate(BRACKETS)
        piece = "".join(" " if p in SPACES else p for p in piece)
        if len(_CHAR_CACHE) < 65536:
            _CHAR_CACHE[ch] = piece
    return piece


def normalize(text: str) -> View:
    """NFKC per character, keep ㊞, unify brackets; a whitespace run → one space (a tab if it has one)."""
    out: list[str] = []
    origin: list[int] = []
    pending: tuple[str, int] | None = None  # whitespace run: (char to emit, origin)
    for index, ch in enumerate(text):
        if ch in SPACES or ch == "\t":
            if pending is None:
                pending = ("\t" if ch == "\t" else " ", index)
            elif ch == "\t":
                pending = ("\t", pending[1])
            continue
        if pending is not None:
            out.append(pending[0])
            origin.append(pending[1])
            pending = None
        piece = _char(ch)
        if len(piece) == 1:
            out.append(piece)
            origin.append(index)
        else:
            out.extend(piece)
            origin.extend([index] * len(piece))
    if pending is not None:
        out.append(pending[0])
        origin.append(pending[1])
    return View("".join(out), tuple(origin), len(text))


def compact(text: str) -> str:
    """Normalised text without any whitespace (for titles: 「委 任 状」 → 「委任状」)."""
    view = normalize(text).text
    return "".join(ch for ch in view if not ch.isspace())
