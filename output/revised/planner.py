"""Plan and apply the edits of one document's `TextUnit`s, with the context of their lines.

A unit is read together with the other units of its visual line (a table row, a sheet row) and
the line before it: a bare 印 is removed only beside a name field, nothing is touched on a line
that is an office box, and 「（自署）」 goes on the name label of a line whose seal mark went.
"""

from __future__ import annotations

from output.revised.edits import (
    MARK_ONLY,
    NAME_LABEL,
    SHOMEI,
    Op,
    has_name_word,
    is_office,
    jisho_ops,
    plan,
)
from output.revised.units import TextUnit, apply_ops


def edit_record(location: str, before: str, after: str) -> dict:
    return {"location": location, "before": before, "after": after}


def _line_texts(units: list[TextUnit]) -> tuple[dict[tuple, str], dict[tuple, str]]:
    """Each line's joined text, and the text of the line before it."""
    lines: dict[tuple, list[str]] = {}
    for unit in units:
        lines.setdefault(unit.line_key, []).append(unit.text)
    joined = {key: "\t".join(texts) for key, texts in lines.items()}
    previous: dict[tuple, str] = {}
    last = ""
    for key, text in joined.items():
        previous[key] = last
        last = text
    return joined, previous


def _is_mark_op(text: str, op: Op) -> bool:
    return op.new == "" and bool(MARK_ONLY.fullmatch(text[op.start:op.end]))


def _wants_jisho(unit: TextUnit, mark_lines: set[tuple]) -> bool:
    if mark_lines:
        return unit.line_key in mark_lines
    label = NAME_LABEL.match(unit.text)
    return bool(label) and not unit.text[label.end():].strip(" \u3000\t\n：:")


def revise_units(units: list[TextUnit], *, replacement: str, mark_lines: set[tuple] | None = None) -> list[dict]:
    """Edit the units in place; return the edits of the units that are reported.

    `mark_lines` (updated in place) holds the lines whose seal mark was removed."""
    marks = mark_lines if mark_lines is not None else set()
    joined, previous = _line_texts(units)
    planned: list[tuple[TextUnit, list[Op]]] = []
    for unit in units:
        line = joined[unit.line_key]
        office = unit.office or is_office(line)
        before = previous[unit.line_key]
        name_here = has_name_word(line)
        marks_allowed = name_here or not is_office(before)  # the boxes under 受付印・確認印 stay
        ops = plan(unit.text, replacement=replacement, name_context=name_here or has_name_word(before),
                   office=office, marks=marks_allowed)
        if any(_is_mark_op(unit.text, op) for op in ops):
            marks.add(unit.line_key)
        planned.append((unit, ops))
    edits: list[dict] = []
    for unit, ops in planned:
        office = unit.office or is_office(joined[unit.line_key])
        if replacement == SHOMEI and not office and _wants_jisho(unit, marks):
            ops = sorted(ops + jisho_ops(unit.text, [(o.start, o.end) for o in ops]), key=lambda o: (o.start, o.end))
        if not ops:
            continue
        before = unit.text
        after = apply_ops(unit, ops)
        if unit.report and after != before:
            edits.append(edit_record(unit.location, before, after))
    return edits
