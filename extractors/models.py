"""The one `Document` model every extractor returns, whatever the input format.

A document is a flat sequence of `TextBlock`s in reading order. Every block keeps its
`Location` (page and position, paragraph / table cell, sheet and cell, header, text box…),
so a finding can always say where it came from. Blocks that sit on the same visual row
(cells of one table row, one spreadsheet row, words of one PDF line) share a `line_key`,
which lets detectors read "氏名 | 山田 | 印" as one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path


class InputFormat(str, Enum):  # noqa: UP042 - str() of a member is relied on
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    DOC = "doc"
    XLS = "xls"
    RTF = "rtf"
    ODT = "odt"
    ODS = "ods"
    JTD = "jtd"
    PPTX = "pptx"
    IMAGE = "image"
    EMPTY = "empty"
    UNKNOWN = "unknown"


class Status(str, Enum):  # noqa: UP042 - str() of a member is relied on
    OK = "ok"
    PARTIAL = "partial"  # some parts could not be read: never "abolish" on that alone
    FAILED = "failed"  # nothing usable: an `error` row


# Location kinds, with the Japanese words staff see in 根拠箇所.
KIND_LABELS: dict[str, str] = {
    "body": "本文",
    "table": "表",
    "header": "ヘッダー",
    "footer": "フッター",
    "textbox": "テキストボックス",
    "field": "フィールド",
    "control": "コンテンツコントロール",
    "cell": "セル",
    "shape": "図形",
    "comment": "コメント",
    "page": "ページ",
    "ocr": "OCR",
}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a piece of text sits in its file (all numbers 1-based)."""

    kind: str = "body"
    page: int | None = None
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    sheet: str | None = None
    cell: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    line: int | None = None
    part: str | None = None  # e.g. "first" / "even" header variant, drawing file

    def describe(self) -> str:
        """The location in words staff understand: `p.2 表1 2行3列`, `様式!C12`, `ヘッダー`."""
        bits: list[str] = []
        if self.sheet is not None:
            where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
            bits.append(where)
        if self.page is not None:
            bits.append(f"p.{self.page}")
        if self.kind in ("header", "footer", "textbox", "field", "control", "shape", "comment"):
            label = KIND_LABELS[self.kind]
            if self.part and self.kind in ("header", "footer"):
                label += {"first": "（先頭ページ）", "even": "（偶数ページ）"}.get(self.part, "")
            bits.append(label)
        if self.table is not None:
            cell = f"表{self.table}"
            if self.row is not None and self.col is not None:
                cell += f" {self.row}行{self.col}列"
            bits.append(cell)
        elif self.paragraph is not None:
            bits.append(f"段落{self.paragraph}")
        elif self.line is not None and self.sheet is None:
            bits.append(f"{self.line}行目")
        if self.kind == "ocr":
            bits.append("（OCR）")
        return " ".join(bits) or "本文"


@dataclass(frozen=True, slots=True)
class TextBlock:
    """One piece of text with its location.

    `line_key` groups blocks that share a visual row; `order` sorts them left to right.
    `ocr` marks text read by OCR (never trusted alone for a seal); `example` marks text
    from a 記入例 / 見本 sheet; `hidden` marks text from a hidden sheet.
    """

    text: str
    location: Location
    line_key: tuple | None = None
    order: float = 0.0
    ocr: bool = False
    example: bool = False
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a `Line`'s text that comes from one block."""

    start: int
    end: int
    block: TextBlock


@dataclass(frozen=True, slots=True)
class Line:
    """Blocks of one visual row joined with tabs; detectors read these."""

    text: str
    segments: tuple[Segment, ...]

    def block_at(self, offset: int) -> TextBlock:
        for seg in self.segments:
            if seg.start <= offset < seg.end:
                return seg.block
        return self.segments[-1].block

    def blocks_in(self, start: int, end: int) -> list[TextBlock]:
        hits = [s.block for s in self.segments if s.start < end and start < s.end]
        return hits or [self.block_at(start)]


@dataclass(frozen=True)
class Document:
    """What an extractor read from one file."""

    format: InputFormat
    blocks: tuple[TextBlock, ...] = ()
    status: Status = Status.OK
    title: str = ""
    pages: int = 0
    errors: tuple[str, ...] = ()  # Japanese, why something could not be read
    warnings: tuple[str, ...] = ()  # Japanese, worth a reviewer's eye
    extractor: str = ""
    meta: dict = field(default_factory=dict)

    @cached_property
    def text(self) -> str:
        return "\n".join(line.text for line in self._lines)

    def lines(self) -> Iterator[Line]:
        """Blocks grouped by `line_key` (in order of first appearance), joined by tabs."""
        return iter(self._lines)

    @cached_property
    def _lines(self) -> tuple[Line, ...]:
        """Built once per document: title, detection and every rule read the same lines."""
        return tuple(self._group_lines())

    def _group_lines(self) -> Iterator[Line]:
        groups: list[list[TextBlock]] = []  # in order of first appearance
        keyed: dict[tuple, list[TextBlock]] = {}
        for block in self.blocks:
            if block.line_key is None:  # a line of its own
                groups.append([block])
            elif (group := keyed.get(block.line_key)) is not None:
                group.append(block)
            else:
                groups.append(keyed.setdefault(block.line_key, [block]))
        for blocks in groups:
            if len(blocks) == 1:
                yield Line(blocks[0].text, (Segment(0, len(blocks[0].text), blocks[0]),))
                continue
            blocks.sort(key=lambda b: b.order)
            parts: list[str] = []
            segments: list[Segment] = []
            pos = 0
            for block in blocks:
                if parts:
                    parts.append("\t")
                    pos += 1
                parts.append(block.text)
                segments.append(Segment(pos, pos + len(block.text), block))
                pos += len(block.text)
            yield Line("".join(parts), tuple(segments))


def failed(fmt: InputFormat, reason: str, *, extractor: str = "", retry: bool = False) -> Document:
    """A document that could not be read, with the reason in Japanese.

    `retry` marks a failure caused by the surroundings (a missing tool, a file locked or gone, memory),
    not by the file's bytes: the next run must read the file again instead of reusing this result.
    """
    return Document(format=fmt, status=Status.FAILED, errors=(reason,), extractor=extractor,
                    meta={"retry": True} if retry else {})


def scratch_dir(work_dir: Path | None) -> Path | None:
    """The work folder for temporary files, created on first use (None = the system's temp folder)."""
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    return work_dir
