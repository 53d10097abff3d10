"""Layout evidence for seal marks: is this 印 a box to stamp, or a word in a sentence?"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers import nlp as ginza

BEFORE_OK = set(" \t_＿)]〓:：|｜-‐") | {""}
AFTER_OK = set(" \t(※_＿)〓|｜") | {""}
OSU_NEAR = re.compile(r"^[^。\t]*?(押|捺)")
# what OCR prints for the other side of a bracket or box round a mark (measured: bench/ocr_marks.py, 「[印|」)
OCR_RIM = set("|lI丨{}「」")


@dataclass(frozen=True, slots=True)
class RowContext:
    """What the mark's row (and its neighbours) says."""

    name_field: str | None  # the name-field word on the same row (氏名, 代表者…)
    neighbour_name_field: str | None  # one on the rows just above/below
    office: str | None  # an office-box word on the row (受付, 決裁…)
    cell_text: str  # the normalised text of the cell holding the mark
    office_above: str | None = None  # an office-box word on the row just above (a header row)
    ocr: bool = False  # the row was read by OCR, which loses the blanks between words


def positioned(masked: str, start: int, end: int) -> bool:
    """The mark stands apart: blank or a separator on both sides (氏名　山田　印)."""
    before = masked[start - 1] if start > 0 else ""
    after = masked[end] if end < len(masked) else ""
    return before in BEFORE_OK and after in AFTER_OK


def at_line_end(masked: str, end: int) -> bool:
    return not masked[end:].strip(" \t_＿)")


def ocr_bracketed(masked: str, start: int, end: int) -> bool:
    """Text read by OCR only: the mark has a bracket on one side and, on the other, what OCR made of the other
    bracket or of a box's rim (「[印|」, 「|印]」, 「(印l」; brackets are unified to ( ) by the view). In digital
    text a | is a separator and this never applies."""
    before = masked[start - 1] if start > 0 else ""
    after = masked[end] if end < len(masked) else ""
    return (before == "(" and after in OCR_RIM) or (after == ")" and before in OCR_RIM)


def object_of_osu(text: str, start: int, end: int) -> bool:
    """The parse says this 印 is the object of 押す (ここに印を押してください); parses only if 押 follows."""
    if not OSU_NEAR.search(text[end:end + 12]):
        return False
    return ginza.read_parse(_object_of_osu, text, start, end, text[start:end])  # memoised by the window


def _object_of_osu(doc, offset: int, mark: str) -> bool:
    token = ginza.token_at(doc, offset)
    if token is None or token.text != mark:
        return False
    head = token.head
    return token.dep_ in ("obj", "nsubj", "obl") and head.lemma_ in ("押す", "押印", "捺印")


def layout_holds(layout: str, masked: str, start: int, end: int, row: RowContext) -> bool:
    if layout == "any" or layout == "prose":
        return True
    if layout == "name_field":
        if row.name_field is None:
            return False
        # OCR glues a mark to the name before it (山田太郎印): on an OCR'd row, the last word is enough; it also
        # reads one side of a bracket or box as | or l (申請者[印|)
        return positioned(masked, start, end) or (row.ocr and (at_line_end(masked, end)
                                                                or ocr_bracketed(masked, start, end)))
    if layout == "standalone":
        if row.ocr and ocr_bracketed(masked, start, end):
            return row.cell_text.strip(" _＿")[1:-1] == masked[start:end] or at_line_end(masked, end + 1)
        alone = row.cell_text.strip(" _＿") == masked[start:end]
        return positioned(masked, start, end) and (alone or at_line_end(masked, end))
    if layout == "object_of_osu":
        return object_of_osu(masked, start, end)
    return False


DRAWN_RULE = "seal.mark.drawn_box.v1"


def is_drawn(block) -> bool:
    """A seal-sized circle or square drawn as a graphic (extractors/pdf_shapes.py), not printed text."""
    return block.location.kind == "shape" and block.location.part == "drawn"


def drawn_box_hit(hit) -> bool:
    """Keep a drawn shape only as a seal box on a name field's row (or as a staff box): relabel it in place."""
    if hit.label == "OFFICE_BOX":
        return True
    if hit.label != "SEAL_MARK" or not hit.supporting or not hit.same_row:
        return False
    hit.rule_id = DRAWN_RULE
    hit.explanation = f"記名欄「{hit.supporting}」の横に押印欄の図形（印の大きさの円・枠）が描かれている"
    return True
