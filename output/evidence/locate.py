"""Where a finding sits on a page: a box in PDF points (x0, top, x1, bottom; origin top-left).

PDF: the extractor's own blocks carry page and box; the block at the finding's location that holds its text
is the place. Word and Excel have no pages: their PDF from LibreOffice is searched (pypdfium2) for the
finding's text, and of several hits the one with the same rank as the finding's in the document's order is
taken (the 2nd 「印」 of the document is the 2nd 「印」 of its PDF).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from extractors.models import Document, TextBlock

Box = tuple[float, float, float, float]
UNPRINTED_KINDS = ("comment",)  # never on paper


@dataclass(frozen=True)
class Place:
    page: int  # 1-based
    box: Box


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _holds(block: TextBlock, text: str) -> bool:
    return text in block.text or nfkc(text) in nfkc(block.text)


def target_block(document: Document, item: dict) -> tuple[int, TextBlock] | None:
    """The block at the finding's location holding its text (by index), else the first holding the text."""
    text, location = item.get("text") or "", item.get("location") or ""
    holding = [(i, b) for i, b in enumerate(document.blocks) if _holds(b, text)]
    at = [(i, b) for i, b in holding if b.location.describe() == location]
    near = [(i, b) for i, b in holding if location and location.startswith(b.location.describe() or "\0")]
    found = at or near or holding
    return found[0] if found else None


def pdf_place(document: Document, item: dict) -> Place | None:
    """A PDF's finding: the extractor's box of the block at its location."""
    found = target_block(document, item)
    if found is None:
        return None
    loc = found[1].location
    if loc.page is None or loc.bbox is None:
        return None
    return Place(loc.page, tuple(float(v) for v in loc.bbox))


def written_form(block: TextBlock, text: str) -> str:
    """The finding's text as the block writes it (the detectors match on NFKC: 「（印）」 is found as 「(印)」)."""
    if text in block.text:
        return text
    source = block.text[:400]
    want = nfkc(text)
    for i in range(len(source)):
        for j in range(i + 1, min(len(source), i + 4 * len(text) + 4) + 1):
            if nfkc(source[i:j]) == want:
                return source[i:j]
    return text


def rank_in_document(document: Document, item: dict) -> tuple[str, int] | None:
    """(text as written, how many times it occurs on paper before the finding's block)."""
    found = target_block(document, item)
    if found is None:
        return None
    index, block = found
    text = written_form(block, item.get("text") or "")
    before = sum(b.text.count(text) for b in document.blocks[:index] if _printed(b))
    return text, before


def _printed(block: TextBlock) -> bool:
    return not block.hidden and block.location.kind not in UNPRINTED_KINDS


def search_pdf(pdf, text: str) -> list[Place]:
    """Every hit of `text` in a pypdfium2 PdfDocument, in page order, as boxes (top-left origin)."""
    hits: list[Place] = []
    for number in range(len(pdf)):
        page = pdf[number]
        height = page.get_height()
        textpage = page.get_textpage()
        searcher = textpage.search(text, match_case=True)
        while (found := searcher.get_next()) is not None:
            start, count = found
            boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
            left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
            bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
            hits.append(Place(number + 1, (left, height - top, right, height - bottom)))
        searcher.close()
        textpage.close()
        page.close()
    return hits


def office_place(pdf, document: Document, item: dict) -> Place | None:
    """A Word/Excel finding on the PDF LibreOffice made of the file."""
    ranked = rank_in_document(document, item)
    if ranked is None:
        return None
    text, before = ranked
    hits = search_pdf(pdf, text) or search_pdf(pdf, nfkc(text))
    if not hits:
        return None
    return hits[min(before, len(hits) - 1)]
