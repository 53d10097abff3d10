"""PDF: no draft can be written, so list the edits a person has to make (p.N, before → after).

The text comes from the PDF extractor (lines and table cells with their page); the same rules
as for Word and Excel decide what changes.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from extractors.models import Document
from output.revised.planner import revise_units
from output.revised.units import TextUnit

TRIM = " \u3000\t"


def document_units(doc: Document) -> list[TextUnit]:
    """One unit per block, each backed by a scratch node so the edits can be applied to a copy."""
    units: list[TextUnit] = []
    for index, block in enumerate(doc.blocks):
        key = block.line_key if block.line_key is not None else ("#", index)
        unit = TextUnit(location=block.location.describe(), line_key=key, office=block.example)
        unit.add(block.text, etree.Element("t"))
        units.append(unit)
    return units


def plan_document(doc: Document, *, replacement: str) -> list[dict]:
    """The edits a document's text needs (nothing is written). The list is for a person: the space a removed
    mark leaves at the end of a line is trimmed (「氏名（自署）」, not 「氏名（自署） 」)."""
    edits = []
    for edit in revise_units(document_units(doc), replacement=replacement):
        after = "\n".join(line.rstrip(TRIM) for line in edit["after"].split("\n")).rstrip(TRIM + "\n")
        if after != edit["before"].rstrip(TRIM + "\n"):
            edits.append({**edit, "after": after})
    return edits


def plan_pdf(source: Path, *, replacement: str, work_dir: Path | None = None) -> list[dict]:
    from extractors.pdf import extract_pdf

    doc = extract_pdf(source, work_dir=work_dir)
    return plan_document(doc, replacement=replacement)
