"""Revise a .docx at the XML level: only the text of the affected runs changes, so styles,
tables and layout stay as they were. Text boxes holding only a seal mark are removed whole, and so are the
drawn seal boxes the extractor found (an empty seal-sized ellipse or square, a ㊞ picture:
extractors/ooxml_shapes.is_seal_shape) on a name-field line."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from extractors.ooxml_shapes import is_seal_shape
from extractors.safety import read_xml
from extractors.word_parts import header_parts, main_part
from output.revised.docx_units import FALLBACK, MC, ancestor, q, read_units
from output.revised.edits import has_name_word, is_mark_only, is_office
from output.revised.planner import edit_record, revise_units
from output.revised.units import TextUnit
from output.revised.zipio import read_members, write_members

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _box_text(box: etree._Element) -> str:
    return "".join(t.text or "" for t in box.iter(q("t")))


def _mark_boxes(root: etree._Element) -> list[tuple[etree._Element, etree._Element, str]]:
    """(element to remove, anchor paragraph, text) for text boxes / shapes holding only a seal mark."""
    found = []
    for box in root.iter(q("txbxContent")):
        if ancestor(box, FALLBACK) is not None:
            continue
        text = _box_text(box)
        if not is_mark_only(text):
            continue
        run = ancestor(box, q("r"))
        holder = run if run is not None else ancestor(box, f"{{{MC}}}AlternateContent")
        anchor = ancestor(holder, q("p")) if holder is not None else None
        if holder is not None and anchor is not None:
            found.append((holder, anchor, text.strip()))
    return found


DRAWN_BOX = "㊞（押印欄の図形）"  # how a removed drawn seal box appears in the edit list


def _drawn_boxes(root: etree._Element) -> list[tuple[etree._Element, etree._Element, str]]:
    """(element to remove, anchor paragraph, label) for drawings the extractor reads as seal boxes."""
    found = []
    for drawing in root.iter(q("drawing")):
        if ancestor(drawing, FALLBACK) is not None or not is_seal_shape(drawing):
            continue
        holder = ancestor(drawing, f"{{{MC}}}AlternateContent", stop=q("p")) or drawing
        anchor = ancestor(holder, q("p"))
        if anchor is not None:
            found.append((holder, anchor, DRAWN_BOX))
    return found


def _remove_mark_boxes(root: etree._Element, part: str) -> tuple[list[dict], set[tuple], list[TextUnit]]:
    """Remove mark-only text boxes beside a name field (never in an office box line). Returns the edits, the
    lines whose mark went and the part's units: read again when a box went (its paragraphs are gone and the
    paragraphs after it are numbered again), else the ones read here (nothing changed)."""
    units = read_units(root, part=part)
    by_element = {u.element: u for u in units}
    lines: dict[tuple, str] = {}
    for unit in units:
        lines[unit.line_key] = lines.get(unit.line_key, "") + "\t" + unit.text
    edits: list[dict] = []
    mark_lines: set[tuple] = set()
    boxes = [(*box, "テキストボックス") for box in _mark_boxes(root)]
    boxes += [(*box, "図形") for box in _drawn_boxes(root)]
    for holder, anchor, text, label in boxes:
        unit: TextUnit | None = by_element.get(anchor)
        line = lines.get(unit.line_key, "") if unit else ""
        if is_office(line) or (label == "図形" and not has_name_word(line)):
            continue  # a drawn box counts as a seal box only on a name-field line (as in detection)
        holder.getparent().remove(holder)
        where = f"{unit.location} {label}" if unit else label
        edits.append(edit_record(where, text, ""))
        if unit is not None:
            mark_lines.add(unit.line_key)
    return edits, mark_lines, (read_units(root, part=part) if edits else units)


def referenced_parts(zf: zipfile.ZipFile) -> list[str]:
    """The parts the extractor reads, in its order: the main document, then the headers and footers its
    sections refer to. A part nothing refers to (word/header77.xml in a crafted file) is never edited."""
    main = main_part(zf)
    body = read_xml(zf, main)
    if body is None:
        return []
    return [main, *(part for _kind, _variant, part in header_parts(zf, body, main))]


def revise_docx(source: Path, target: Path, *, replacement: str) -> list[dict]:
    """Write the revised copy to `target` when there is anything to change; return the edits."""
    with zipfile.ZipFile(source) as zf:
        members = read_members(zf)
        referenced = referenced_parts(zf)
    roots = {name: etree.fromstring(members[name][1], parser=_PARSER) for name in referenced if name in members}
    order = list(roots)
    edits: list[dict] = []
    mark_lines: set[tuple] = set()
    units: list[TextUnit] = []
    for name in order:
        box_edits, lines, part_units = _remove_mark_boxes(roots[name], name)
        edits += box_edits
        mark_lines |= lines
        units += part_units
    edits += revise_units(units, replacement=replacement, mark_lines=mark_lines)
    if not edits:
        return []
    for name, root in roots.items():
        info, _old = members[name]
        members[name] = (info, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
    write_members(target, members)
    return edits
