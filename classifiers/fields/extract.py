"""Walk a `Document`'s lines and collect its input fields (plain function, no files, no model).

A line is a table row, a spreadsheet row or one line of body text. Per line:
- an office zone (「以下は記入しないでください」, 市使用欄 …) ends the applicant's part of the sheet / page;
- a heading (【代理人】, 世帯員) opens a group;
- a header row followed by numbered rows (1, 2, 3 …) is a repeated table: one field per column, `repeat` rows;
- otherwise each label cell is a field, typed by what follows it (a date, □ options, a blank with a unit) or
  by its words (patterns.yaml `kinds`).
Text from 記入例 / hidden sheets, headers, footers and comments holds no fields.
"""

from __future__ import annotations

from dataclasses import replace

from classifiers.fields.cells import SPACE, Piece, is_person, is_row_number, read_cell, tokens
from classifiers.fields.data import FieldPatterns, load_field_patterns
from classifiers.fields.models import (
    STATUS_EMPTY,
    STATUS_SCANNED,
    STATUS_UNREADABLE,
    FieldSet,
    FormField,
)
from extractors.models import Document, Line, Status, TextBlock

PERSON_ENDINGS = ("者", "人", "員", "主")  # 申請者氏名 → group 申請者; 団体名 and 法人名 stay ungrouped
SKIP_KINDS = frozenset({"header", "footer", "comment"})
MAX_NOTES = 40
LAYOUT_RULE = {"date": "fields.layout.date.v1", "choice": "fields.layout.choice.v1",
               "yesno": "fields.layout.choice.v1", "money": "fields.layout.unit.v1", "number": "fields.layout.unit.v1"}


def extract_fields(document: Document, *, patterns: FieldPatterns | None = None) -> FieldSet:
    pats = patterns or load_field_patterns()
    version = f"fields@{pats.version}"
    if document.status == Status.FAILED:
        why = document.errors[0] if document.errors else "読み取れませんでした"
        return FieldSet(status=STATUS_UNREADABLE, why=f"読取不可のため電子様式は作りません（{why}）", version=version)
    blocks = [b for b in document.blocks if usable(b)]
    if blocks and all(b.ocr for b in blocks):
        return FieldSet(status=STATUS_SCANNED, version=version,
                        why="スキャン画像（OCR）の様式のため、入力項目を信頼できず電子様式は作りません")
    walker = Walker(pats)
    for line in (ln for ln in document.lines() if all(usable(s.block) for s in ln.segments)):
        walker.feed(line)
    walker.flush_header()
    fields = tuple(replace(f, id=f"f{i:03d}") for i, f in enumerate(walker.fields, 1))
    identity = tuple(dict.fromkeys(m.group(0) for m in pats.identity.finditer(document.text)))
    if not fields:
        return FieldSet(notes=tuple(walker.notes), identity_documents=identity, status=STATUS_EMPTY,
                        why="入力項目（記入欄）が見つからないため電子様式は作りません", version=version)
    return FieldSet(fields=fields, notes=tuple(walker.notes), identity_documents=identity, version=version)


def usable(block: TextBlock) -> bool:
    return not (block.example or block.hidden or block.location.kind in SKIP_KINDS)


def container(block: TextBlock) -> tuple:
    return (block.location.sheet, block.location.page)


class Walker:
    """Reads lines in order; keeps the current group, the office zone and a pending repeated-table header."""

    def __init__(self, pats: FieldPatterns) -> None:
        self.pats = pats
        self.fields: list[FormField] = []
        self.notes: list[str] = []
        self.group: str | None = None
        self.office = False
        self.where: tuple | None = None
        self.header: list[tuple[Piece, TextBlock]] | None = None  # a row of labels that may head a table
        self.repeat = 0

    def feed(self, line: Line) -> None:
        first = line.segments[0].block
        if container(first) != self.where:
            self.flush_header()
            self.where, self.group, self.office = container(first), None, False
        if self.office:
            return
        if self.pats.office_zone.search(line.text):
            self.flush_header()
            self.office = True
            return
        cells = [(s.block.text, s.block) for s in line.segments if s.block.text.strip()]
        if any("\n" in text for text, _ in cells):
            self.stacked(cells)
        elif cells:
            self.cells(cells)

    def stacked(self, cells: list[tuple[str, TextBlock]]) -> None:
        """Cells holding several lines (「（ふりがな）／氏名」, 「〒／住所／電話」). A cell whose lines hold labels is
        read line by line; a cell of values only (「年月日から／年月日まで」) stays the value of the label before it.
        A group word in the first cell (「使用者」) is the group of what follows."""
        first = cells[0][0].strip().replace("\u3000", "").replace(" ", "")
        if len(cells) > 1 and "\n" not in cells[0][0] and (m := self.pats.heading.match(first)):
            self.flush_header()
            self.group = m.group(1)
            cells = cells[1:]
        row: list[tuple[str, TextBlock]] = []
        for text, block in cells:
            parts = [p for p in text.split("\n") if p.strip()]
            if len(parts) > 1 and any(read_cell(p, self.pats, single=True).label for p in parts):
                if row:
                    self.cells(row)
                    row = []
                for part in parts:
                    self.cells([(part, block)])
            else:
                row.append((" ".join(parts), block))
        if row:
            self.cells(row)

    def cells(self, cells: list[tuple[str, TextBlock]]) -> None:
        cells = self.join_date(cells)
        if self.pats.office_zone.search(cells[0][0]):
            self.flush_header()
            self.office = True
            return
        if self.pats.office_cell.search(SPACE.sub("", cells[0][0])[:8]):
            return  # a row the office fills in (受理　年　月　日, 受付印 …)
        if self.header is not None and is_row_number(cells[0][0]):
            self.repeat += 1
            return
        self.flush_header()
        if self.heading(cells):
            return
        single = len(cells) == 1
        pieces = [(read_cell(text, self.pats, single=single), block) for text, block in cells]
        columns = (self.word_columns(cells[0]) if not pieces[0][0].typed else []) if single else pieces
        if self.table_header(columns):
            self.header, self.repeat = columns, 0
            return
        self.row(pieces)
        if single and not pieces[0][0].label and not pieces[0][0].typed:
            self.note(cells[0][0])

    def join_date(self, cells: list[tuple[str, TextBlock]]) -> list[tuple[str, TextBlock]]:
        """A date printed across cells (「年｜月｜日」) becomes one cell."""
        if len(cells) < 3:
            return cells
        starts, pos = [], 0
        for text, _ in cells:
            starts.append(pos)
            pos += len(text) + 1
        joined = "\t".join(text for text, _ in cells)
        m = self.pats.date.search(joined)
        if m is None:
            return cells
        first = max(i for i, s in enumerate(starts) if s <= m.start())
        last = max(i for i, s in enumerate(starts) if s < m.end())
        if first == last:
            return cells
        return [*cells[:first], (joined[starts[first]:m.end()], cells[first][1]), *cells[last + 1:]]

    def heading(self, cells: list[tuple[str, TextBlock]]) -> bool:
        text = cells[0][0].strip().replace("\u3000", "").replace(" ", "")
        m = self.pats.heading.match(text)
        if m is None:
            return False
        if len(cells) == 1:
            kind = self.pats.kind_of(m.group(1))
            if text == m.group(1) and kind is not None and kind.kind == "name":
                return False  # 「申込者」 alone, no brackets: the name field of that person, not a heading
            self.group = m.group(1)
            return True
        rest = [(read_cell(t, self.pats), b) for t, b in cells[1:]]
        if not any(p.label and self.pats.kind_of(p.label) for p, _ in rest):  # 「入札者｜㊞」: the group word is the name field's label
            return False
        self.group = m.group(1)  # a group word in the first cell of a row: the rest of the row is its fields
        self.row(rest)
        return True

    def word_columns(self, cell: tuple[str, TextBlock]) -> list[tuple[Piece, TextBlock]]:
        """A line of body text as columns: 「氏名 続柄 生年月日」 (a PDF table without ruled lines)."""
        words = tokens(cell[0])
        if len(words) < 2 or is_person(words[0], self.pats):  # 「代表者　氏名」 is one label, not two columns
            return []
        pieces = [(read_cell(w, self.pats), cell[1]) for w in words]
        return pieces if all(p.label and self.pats.kind_of(p.label) for p, _ in pieces) else []

    def table_header(self, pieces: list[tuple[Piece, TextBlock]]) -> bool:
        labels = [p for p, _ in pieces if p.label and not p.typed]
        return len(pieces) >= 2 and len(labels) == len(pieces)

    def flush_header(self) -> None:
        """A header row followed by numbered rows is a repeated table; without them, plain fields."""
        if self.header is None:
            return
        header, repeat = self.header, self.repeat
        self.header, self.repeat = None, 0
        if repeat:
            for piece, block in header:
                if piece.label not in ("No", "NO", "番号", "No."):
                    self.add(piece, block, repeat=repeat, rule="fields.layout.repeat.v1")
        else:
            self.row(header)

    def row(self, pieces: list[tuple[Piece, TextBlock]]) -> None:
        """Label cells become fields; a typed cell without a label types the label before it."""
        pending: tuple[Piece, TextBlock] | None = None
        multi = len(pieces) > 1
        for piece, block in pieces:
            if piece.label:
                if pending:
                    self.add(*pending, table=multi)
                pending = None
                if piece.typed:
                    self.add(piece, block, table=multi)
                else:
                    pending = (piece, block)
            elif piece.typed and pending:
                self.add(replace(pending[0], kind=piece.kind, options=piece.options, blank=True), pending[1])
                pending = None
            elif piece.kind == "date" and not pending:
                self.add(replace(piece, label=self.pats.unlabeled_date), block)
            else:
                if pending:
                    self.add(*pending, table=multi)
                pending = None
        if pending:
            self.add(*pending, table=multi)

    def add(self, piece: Piece, block: TextBlock, *, repeat: int = 1, rule: str = "", table: bool = False) -> None:
        kind_pattern = self.pats.kind_of(piece.label)
        kind = piece.kind if piece.kind in ("date", "choice", "yesno") else None
        kind = kind or (kind_pattern.kind if kind_pattern else None) or piece.kind
        if kind is None:
            if not (piece.blank or piece.numbered or (table and piece.raw.rstrip().endswith(("：", ":")))):
                return  # a short text that names nothing we know and has nothing to fill in: not a field
            kind = "text"
        rule = rule or LAYOUT_RULE.get(piece.kind or "", "") or (kind_pattern.id if kind_pattern else "fields.layout.blank.v1")
        group = self.group or next((g for g in self.pats.group_names if piece.label.startswith(g)
                                    and len(piece.label) > len(g) and g.endswith(PERSON_ENDINGS)), None)
        self.fields.append(FormField(
            id="", label=piece.label, kind=kind, required=piece.required, group=group, options=piece.options,
            repeat=repeat, location=block.location.describe(), rule=rule, note=piece.note,
        ))

    def note(self, text: str) -> None:
        text = text.strip()
        if len(self.notes) < MAX_NOTES and ("。" in text or "ください" in text or text.startswith("※")):
            self.notes.append(text)
