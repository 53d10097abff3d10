"""Same findings with the fast readers: each file read by the reference reader and by the default one, compared.

    .venv/bin/python bench/compare_registers.py DIR [DIR …] [--ocr] [--show 20] [--formats pdf,docx,xlsx]

For every .pdf/.docx/.xlsx under the folders it extracts the Document twice — `reader="pdfplumber"` /
`"reference"` (pdfplumber, python-docx/openpyxl as before issue 19) and the default fast reader — then runs
detection and the decision on both, and compares per file:
  text     the extracted lines (text, kind, page, line, table/row/col, part) in order
  bbox     the largest difference of any block's box (points; boxes are rounded to 0.1 pt)
  status   status, pages, warnings, errors
  findings rule id, label, text and location of every finding
  decision decision, rule id, reason, evidence (with its locations)
Prints one line per differing file (what differs, with the first differing line) and a summary;
exit code 1 when a decision or its evidence differs.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.engine import detect, get_detector  # noqa: E402
from classifiers.models import Detection  # noqa: E402
from extractors.discover import discover  # noqa: E402
from extractors.models import Document, InputFormat, Status  # noqa: E402
from rules.engine import decide, load_context  # noqa: E402

ASPECTS = ("text", "bbox", "status", "findings", "decision")
BBOX_SLACK = 0.25  # points: float32 (pdfium) against float64 (pdfminer) may flip a 0.1 pt rounding


def reader_for(fmt: InputFormat):
    """(reference, fast) extract functions for a format, or None when the format has one reader only."""
    if fmt == InputFormat.PDF:
        from extractors.pdf import extract_pdf

        return (lambda p, ocr: extract_pdf(p, ocr=ocr, reader="pdfplumber"),
                lambda p, ocr: extract_pdf(p, ocr=ocr))
    if fmt == InputFormat.XLSX:
        from extractors.excel import extract_xlsx

        return (lambda p, ocr: extract_xlsx(p, reader="openpyxl"), lambda p, ocr: extract_xlsx(p))
    return None


def lines_of(doc: Document) -> list[tuple]:
    out = []
    for b in doc.blocks:
        loc = b.location
        out.append((b.text, loc.kind, loc.page, loc.line, loc.table, loc.row, loc.col, loc.part, loc.sheet, loc.cell))
    return out


def bbox_diff(a: Document, b: Document) -> float:
    worst = 0.0
    for x, y in zip(a.blocks, b.blocks, strict=False):
        if x.location.bbox and y.location.bbox:
            worst = max(worst, *(abs(p - q) for p, q in zip(x.location.bbox, y.location.bbox, strict=False)))
        elif bool(x.location.bbox) != bool(y.location.bbox):
            worst = max(worst, 999.0)
    return worst


def findings_of(det: Detection) -> list[tuple]:
    return [(f.rule_id, f.label, f.text, f.where, f.score, f.seal_kind) for f in det.findings]


def decision_of(decision) -> tuple:
    return (decision.decision, decision.rule_id, decision.reason, decision.replacement, repr(decision.evidence))


@dataclass
class Outcome:
    name: str
    differs: dict[str, str] = field(default_factory=dict)
    seconds: tuple[float, float] = (0.0, 0.0)


def first_difference(a: list, b: list) -> str:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"#{i}: {x!r} → {y!r}"[:300]
    return f"length {len(a)} → {len(b)}"


def compare_file(source, ctx, ocr: bool) -> Outcome | None:
    readers = reader_for(source.format)
    if readers is None:
        return None
    docs, seconds = [], []
    for read in readers:
        started = time.perf_counter()
        try:
            docs.append(read(source.path, ocr))
        except Exception as exc:  # noqa: BLE001 - both readers must fail the same way
            docs.append(f"{type(exc).__name__}: {exc}")
        seconds.append(time.perf_counter() - started)
    out = Outcome(source.rel_path, seconds=(seconds[0], seconds[1]))
    old, new = docs
    if isinstance(old, str) or isinstance(new, str):
        if str(old) != str(new):
            out.differs["status"] = f"{str(old)[:120]} → {str(new)[:120]}"
        return out
    la, lb = lines_of(old), lines_of(new)
    if la != lb:
        out.differs["text"] = first_difference(la, lb)
    worst = bbox_diff(old, new)
    if worst > BBOX_SLACK:
        out.differs["bbox"] = f"{worst:.1f} pt"
    sa = (old.status, old.pages, old.warnings, old.errors)
    sb = (new.status, new.pages, new.warnings, new.errors)
    if sa != sb:
        out.differs["status"] = f"{sa} → {sb}"[:300]
    dets = [detect(d) if d.status != Status.FAILED else Detection() for d in (old, new)]
    fa, fb = findings_of(dets[0]), findings_of(dets[1])
    if fa != fb:
        out.differs["findings"] = first_difference(fa, fb)
    title = source.path.stem
    da, db = (decision_of(decide(d, det, rel_path=source.rel_path, title=title, ctx=ctx))
              for d, det in zip((old, new), dets, strict=True))
    if da != db:
        out.differs["decision"] = f"{da[:3]} → {db[:3]}"[:300]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--ocr", action="store_true", help="OCR pages without a text layer (default: off, both sides)")
    ap.add_argument("--show", type=int, default=30)
    ap.add_argument("--formats", default="pdf,docx,xlsx")
    args = ap.parse_args(argv)
    wanted = {f.strip() for f in args.formats.split(",")}
    get_detector()
    ctx = load_context()
    outcomes: list[Outcome] = []
    for source in discover(args.folders):
        if source.format.value not in wanted:
            continue
        outcome = compare_file(source, ctx, args.ocr)
        if outcome is not None:
            outcomes.append(outcome)
    shown = 0
    for o in outcomes:
        if o.differs and shown < args.show:
            shown += 1
            print(f"DIFF {o.name}")
            for aspect in ASPECTS:
                if aspect in o.differs:
                    print(f"    {aspect}: {o.differs[aspect]}")
    counts = {a: sum(1 for o in outcomes if a in o.differs) for a in ASPECTS}
    ref = sum(o.seconds[0] for o in outcomes)
    fast = sum(o.seconds[1] for o in outcomes)
    print(f"files {len(outcomes)}; differing: " + ", ".join(f"{a} {n}" for a, n in counts.items()))
    print(f"read time: reference {ref:.1f} s, fast {fast:.1f} s ({ref / max(fast, 1e-9):.1f}×)")
    return 1 if counts["decision"] or counts["findings"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
