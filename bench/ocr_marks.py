"""What OCR prints for the seal marks after a name label, and whether detection finds them (issue 16).

Used by `bench/measure_ocr_confusions.py --marks`. Lines written here (our own labels and names, not the
evaluation generator's): a bracketed 印 (［印］, 〔印〕, （印）, [印]), a 印 inside a drawn square of its own size
(the box rim is what OCR reads as | or l), a printed ㊞ at font size, and negatives that must not become a seal
mark (a ○ bullet, circled digits, a ◯ check box at the end of a row). Each page is printed by
bench/gen_scans.py's scanner at 200 and 300 dpi, upright, turned 90° and faint, and read by extractors/ocr.py
exactly as a scan is; each line is matched (difflib) with the row OCR printed, the mark's span is aligned, and
the row alone (its OCR blocks, re-reads and shapes) goes through detection.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from pathlib import Path

from corpus_writers import FONT
from measure_ocr_confusions import _norm, closest_row, read_pages

from extractors.models import Document, InputFormat

# (line, kind, the mark's span in the line); kind: bracket, box (a square drawn round the last 印), circled, none
LINES = [
    ("申請者　　　［印］", "bracket", "［印］"), ("届出者　氏名　　　［印］", "bracket", "［印］"),
    ("代表者氏名　佐藤　一郎　　［印］", "bracket", "［印］"), ("氏名又は名称　　　［印］", "bracket", "［印］"),
    ("保証人　　〔印〕", "bracket", "〔印〕"), ("借主　氏名　　　（印）", "bracket", "（印）"),
    ("受任者　　[印]", "bracket", "[印]"),
    ("申込者　氏名　　　印", "box", "印"), ("連帯保証人　　印", "box", "印"), ("工事責任者　氏名　　印", "box", "印"),
    ("氏名又は名称　鈴木　次郎　　㊞", "circled", "㊞"), ("申出人　　　㊞", "circled", "㊞"),
    ("代理人　氏名　　㊞", "circled", "㊞"),
    ("① 申請者の住所を書く", "none", ""), ("○ 提出先は市民課です", "none", ""), ("郵送を希望する　◯", "none", ""),
    ("② 代表者の役職", "none", ""),
]
SIZE = 10.5


def _page(path: Path, lines: list[tuple[str, str, str]]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexMincho", FONT))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("IPAexMincho", SIZE)
    y = A4[1] - 60
    for text, kind, _span in lines:
        c.drawString(57, y, text)
        if kind == "box":  # a square of the glyph's size round the last 印, as forms print a 印 in a box
            x = 57 + pdfmetrics.stringWidth(text[:-1], "IPAexMincho", SIZE)
            c.rect(x - 1.5, y - 2.5, SIZE + 3, SIZE + 3)
        y -= 26
    c.save()


def _span_read(truth: str, read: str, start: int, end: int) -> str:
    """What OCR printed for truth[start:end] (the aligned stretch of `read`; "" when dropped)."""
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, truth, read, autojunk=False).get_opcodes():
        if i2 <= start or i1 >= end:
            if tag == "insert" and start < i1 < end:
                out.append(read[j1:j2])
            continue
        if tag == "equal":
            out.append(read[j1 + max(start, i1) - i1:j1 + min(end, i2) - i1])
        else:
            out.append(read[j1:j2])
    # what OCR added right after the span at the end of the line (a closing bracket read as | after 印)
    return "".join(out)


def measure(out: Path, rounds: int, seed: int = 7, modes: tuple[str, ...] | None = None) -> dict:
    from classifiers.engine import detect, get_detector

    get_detector()
    reads: dict = defaultdict(Counter)  # kind → what OCR printed for the mark
    found: Counter = Counter()  # (kind, found) → lines
    examples: dict = defaultdict(list)
    for dpi, mode, lines, rows in read_pages(out, rounds, seed, LINES, _page, "marks", *([modes] if modes else [])):
        texts = {key: _norm("".join(b.text for b in blocks)) for key, blocks in rows.items()}
        for text, kind, span in lines:
            truth = _norm(text)
            key = closest_row(truth, texts)
            best = texts.get(key, "")
            hit = False
            if key is not None:
                det = detect(Document(format=InputFormat.PDF, blocks=tuple(rows[key])))
                hit = any(f.label == "SEAL_MARK" for f in det.findings) or det.seal_requested
            found[(kind, hit)] += 1
            if span:
                at = truth.rindex(_norm(span))
                got = _span_read(truth, best, at, at + len(_norm(span)))
                reads[kind][(span, got)] += 1
            if (kind == "none") == hit:
                examples[kind].append(f"{dpi}/{mode}「{best}」")
    return {"reads": reads, "found": found, "examples": examples}


def report(result: dict, pages: int) -> list[str]:
    lines = [f"{pages} pages, {len(LINES)} lines each", "", "| kind | printed | OCR read | times |", "|---|---|---|---|"]
    for kind, counter in result["reads"].items():
        for (span, got), times in counter.most_common():
            lines.append(f"| {kind} | {span} | {got or '(dropped)'} | {times} |")
    lines += ["", "| kind | rows found as a seal mark | rows not found |", "|---|---|---|"]
    for kind in dict.fromkeys(k for _t, k, _s in LINES):
        lines.append(f"| {kind} | {result['found'][(kind, True)]} | {result['found'][(kind, False)]} |")
    lines += ["", "Wrong ones (a mark missed, or a negative found):"]
    for kind, shown in result["examples"].items():
        lines.append(f"- {kind}: " + "、".join(shown[:8]))
    return lines
