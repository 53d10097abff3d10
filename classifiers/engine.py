"""Detection: Document → Detection (findings with rule id, text, location, score).

Patterns are YAML data (`classifiers/patterns/`); the ja_ginza model is loaded once per process and
only used on candidate lines (tokenizer) and candidate sentences (parser).
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from pathlib import Path

from classifiers import models as m
from classifiers.lines import Hit, LineAnalyser, compact
from classifiers.nlp import memory_zone, model_versions
from classifiers.normalize import normalize
from classifiers.ocr_confusions import repair
from classifiers.patterns import PatternSet, load_patterns
from classifiers.scope import other_document
from classifiers.seal import RowContext, drawn_box_hit, is_drawn, positioned
from classifiers.summary import summarise
from classifiers.title import guess_title
from extractors.digest import source_digest
from extractors.models import Document, InputFormat, Line, Location, Status, TextBlock

PATTERNS: PatternSet = load_patterns()
PATTERNS_VERSION: str = PATTERNS.version
# The detectors' code and pattern data, hashed (the analysis cache key uses it with the model versions).
CLASSIFIERS_CODE: str = source_digest(Path(__file__).resolve().parent)
PREFILTER = re.compile(r"印|㊞|押|捺|署|サ ?イ ?ン|自 ?筆|ハ ?ン ?コ|判|は ?ん ?こ|シ ?[ャヤ] ?チ|(?i:signature)"
                       r"|決 ?裁|使 ?用 ?欄|処 ?理 ?欄|記 ?入 ?欄")
NEIGHBOURS = 2  # rows above/below whose name field supports a lone mark
CONTEXT_CHARS = 80
OTHER_DOCUMENT_RULE = "seal.scope.other_document.v1"
COMMENT_NOTE = "（コメント（様式には印刷されない）のため、様式の押印の求めには数えない）"

_detector: SealDetector | None = None
_lock = threading.Lock()


class SealDetector:
    """Applies the pattern set to documents; one per process (see `get_detector`)."""

    def __init__(self, patterns: PatternSet = PATTERNS) -> None:
        self.patterns = patterns
        self.analyser = LineAnalyser(patterns)

    def detect(self, document: Document) -> Detection:
        if document.status == Status.FAILED:
            return m.Detection(patterns_version=self.patterns.version)
        lines = list(document.lines())
        # once per line (NFKC is the costly part); OCR lines with tesseract's known misreadings repaired first
        views = [normalize(repair(line.text) if _read_by_ocr(line) else line.text) for line in lines]
        compacts = [compact(view.text) for view in views]
        findings: list[m.Finding] = []
        title = document.title or guess_title(document, "")
        with memory_zone():
            for index, (line, view) in enumerate(zip(lines, views, strict=True)):
                if not PREFILTER.search(view.text):
                    continue
                row = self._row(line, view.text, compacts, index)
                result = self.analyser.analyse(view, row)
                self._scope(result.hits, view.text, title, ocr=row.ocr)
                _office_kinds(result.hits, row, view.text)
                findings.extend(f for hit in result.hits if (f := self._finding(hit, line, view)) is not None)
        checklist = self._checklist(document, title)
        if checklist:
            findings = [_about_checklist(f, checklist) for f in findings]
        detection = summarise(findings, self.patterns.version)
        ocr_names = self._ocr_name_pages(lines, compacts)
        return replace(detection, ocr_name_pages=ocr_names) if ocr_names else detection

    def _checklist(self, document: Document, title: str) -> dict:
        """Where the document is a checklist: {None: word} for the whole file (by its title), else
        {sheet: word} for checklist sheets (by sheet name)."""
        if word := self._checklist_word(title):
            return {None: word}
        sheets = {b.location.sheet for b in document.blocks if b.location.sheet}
        return {sheet: word for sheet in sheets if (word := self._checklist_word(sheet))}

    def _checklist_word(self, text: str) -> str | None:
        flat = compact(text or "")
        for p in self.patterns.by_role("checklist"):
            if flat and (hit := p.regex.search(flat)):
                return hit.group(0)
        return None

    def _ocr_name_pages(self, lines: list[Line], compacts: list[str]) -> tuple[int, ...]:
        """Pages whose OCR'd lines hold a name field, or a seal-box shape outside the office's rows (the name
        beside it unread): a scan where a seal box may be unreadable."""
        pages: set[int] = set()
        for index, (line, flat) in enumerate(zip(lines, compacts, strict=True)):
            block = line.segments[0].block
            if not block.ocr or block.location.page in pages:
                continue
            if self.analyser.context_word(flat, "name_field") or (
                    any(is_drawn(seg.block) for seg in line.segments)
                    and not any(self.analyser.context_word(compacts[j], "office_context")
                                for j in range(max(0, index - 2), index + 1))):
                pages.add(block.location.page or 1)
        return tuple(sorted(pages))

    def trace(self, text: str) -> set[str]:
        """Rule ids that fire on one line of text (cells separated by tabs). Used by the pattern tests."""
        line = next(_document_of(text).lines())
        view = normalize(line.text)
        result = self.analyser.analyse(view, self._row(line, view.text, [compact(view.text)], 0))
        trace = set(result.trace)
        trace.update(p.id for p in self.patterns.by_role("checklist") if p.regex.search(compact(text)))
        for role in ("name_field", "office_context"):
            hit = self.analyser.context_word(view.text, role)
            if hit:
                trace.add(hit[0])
        return trace

    def _row(self, line: Line, view_text: str, compacts: list[str], index: int) -> RowContext:
        name = self.analyser.context_word(compacts[index], "name_field")
        neighbour = None
        for j in range(max(0, index - NEIGHBOURS), min(len(compacts), index + NEIGHBOURS + 1)):
            if j != index and neighbour is None:
                found = self.analyser.context_word(compacts[j], "name_field")
                neighbour = found[1] if found else None
        office = self.analyser.context_word(compacts[index], "office_context")
        above = None  # an office heading one or two rows up (受付｜処理 over 日付 over 印)
        for j in range(index - 1, max(-1, index - 3), -1):
            above = above or self.analyser.context_word(compacts[j], "office_context")
        return RowContext(name[1] if name else None, neighbour, office[1] if office else None, view_text,
                          above[1] if above else None, ocr=all(seg.block.ocr for seg in line.segments))

    @staticmethod
    def _scope(hits: list[Hit], text: str, title: str, *, ocr: bool = False) -> None:
        """A seal sentence about another document (委任状には…押印が必要です) is evidence about it, not a request."""
        parsed: dict = {}
        for hit in hits:
            if hit.label not in (m.SEAL_INSTRUCTION, m.SEAL_KIND, m.SIGNATURE) or hit.score < 0.5:
                continue
            other = other_document(text, hit.start, hit.end, title, parsed, ocr=ocr)
            if other is None:
                continue
            who = f"（押印する者：{other.who}）" if other.who else ""
            hit.explanation = f"「{other.document}」についての記載であり{who}、この様式への押印の求めではない"
            hit.rule_id, hit.label, hit.supporting = OTHER_DOCUMENT_RULE, m.ABOUT_OTHER_DOCUMENT, other.document

    def _finding(self, hit: Hit, line: Line, view) -> m.Finding | None:
        o_start, o_end = view.span(hit.start, hit.end)
        blocks = line.blocks_in(o_start, o_end)
        block = blocks[0]
        if all(is_drawn(b) for b in blocks) and not drawn_box_hit(hit):
            return None  # a drawn circle or square with no name field near it is not a seal box
        hidden = any(b.hidden for b in blocks)
        comment = any(b.location.kind == "comment" for b in blocks)
        explanation = hit.explanation + ("（非表示シートのため判定には使わない）" if hidden else "")
        explanation += COMMENT_NOTE if comment else ""
        return m.Finding(
            rule_id=hit.rule_id, label=hit.label, text=line.text[o_start:o_end] or view.text[hit.start:hit.end],
            context=_shorten(line.text, o_start, o_end),
            location=block.location, score=round(hit.score, 3), explanation=explanation,
            seal_kind=hit.seal_kind, supporting=hit.supporting, ocr=any(b.ocr for b in blocks),
            example=any(b.example for b in blocks), hidden=hidden, comment=comment,
        )


def _read_by_ocr(line: Line) -> bool:
    return all(seg.block.ocr for seg in line.segments)


# `Detection` is re-exported for type hints in callers.
Detection = m.Detection


def _office_kinds(hits: list[Hit], row: RowContext, text: str) -> None:
    """A seal kind standing alone in a staff row (受付印｜認印｜担当印, no name field) is that row's box: OCR
    reads 確認印 as 認印, and a 認印 cell among office boxes is the office's own. On a row read by OCR the kind
    may be glued to a misread glyph (確認印 read as 座認印): the word ending in it is enough."""
    if not (row.office or row.office_above) or row.name_field:
        return
    for hit in hits:
        if hit.label == m.SEAL_KIND and (positioned(text, hit.start, hit.end) or row.ocr and _ends_word(text, hit.end)):
            hit.rule_id, hit.label, hit.supporting = "context.office.v1", m.OFFICE_BOX, row.office or row.office_above
            hit.explanation = "事務処理欄（受付・決裁等）の行に単独で書かれた印の種類であり、申請者への押印要求ではない"


def _ends_word(text: str, end: int) -> bool:
    return end >= len(text) or not text[end].strip() or text[end] in "|｜"


CHECKLIST_RULE = "seal.scope.checklist.v1"
REQUEST_LABELS = (m.SEAL_MARK, m.SEAL_INSTRUCTION, m.SEAL_KIND, m.SIGNATURE)


def _about_checklist(finding: m.Finding, checklist: dict) -> m.Finding:
    """A request found in a checklist (its title, or its sheet) is a check item about another form."""
    word = checklist.get(None) or checklist.get(finding.location.sheet)
    if finding.label not in REQUEST_LABELS or not word:
        return finding
    return replace(finding, label=m.ABOUT_OTHER_DOCUMENT, rule_id=CHECKLIST_RULE, supporting=word,
                   explanation=f"「{word}」の確認項目であり、チェック対象の様式についての記載（この様式への求めではない）")


def _shorten(text: str, start: int, end: int) -> str:
    lo = max(0, start - CONTEXT_CHARS // 2)
    hi = min(len(text), end + CONTEXT_CHARS // 2)
    piece = text[lo:hi].replace("\t", " | ")
    return ("…" if lo else "") + piece + ("…" if hi < len(text) else "")


def _document_of(text: str) -> Document:
    cells = text.split("\t")
    blocks = tuple(
        TextBlock(cell, Location(kind="table", table=1, row=1, col=i + 1), line_key=("t", 1), order=i)
        for i, cell in enumerate(cells)
    )
    return Document(format=InputFormat.DOCX, blocks=blocks)


def get_detector() -> SealDetector:
    """The process-wide detector; loads the patterns and ja_ginza once."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from classifiers.nlp import get_nlp

                get_nlp()
                _detector = SealDetector()
    return _detector


def detect(document: Document, *, detector: SealDetector | None = None) -> m.Detection:
    return (detector or get_detector()).detect(document)


def versions() -> dict:
    return {"patterns": PATTERNS_VERSION, "classifiers": CLASSIFIERS_CODE, **model_versions()}
