"""Speed of the two seal-box paths: vector shapes on PDF pages, and OCR of scanned pages.

    .venv/bin/python bench/bench_ocr.py [--scans bench/out/corpus_scan] [--pages 20] [--dpi 200 300]
                                        [--ocr-lang jpn Japanese] [--reread-lang jpn]

1. Vector: extractors/pdf_shapes.candidate_boxes on every page of the generated PDF corpus
   (bench/out/corpus_detect, made by eval_detect.py), ms per page.
2. OCR: extractors.ocr.ocr_pdf_page on the first N scans of bench/out/corpus_scan (gen_scans.py) at each
   render resolution: wall seconds and CPU seconds per page (this process + tesseract/pdftoppm children:
   on a shared machine the CPU time is the one-core figure), and how many seal marks the pages gave.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors import ocr  # noqa: E402
from extractors.pdf_shapes import candidate_boxes  # noqa: E402


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def vector(corpus: Path) -> str:
    import pdfplumber

    pages = 0
    seconds = 0.0
    found = 0
    for path in sorted(corpus.glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.chars  # noqa: B018 - parse the page first: only the shape pass is timed
                started = time.perf_counter()
                found += len(candidate_boxes(page))
                seconds += time.perf_counter() - started
                pages += 1
    return f"vector seal boxes: {pages} pages, {1000 * seconds / max(pages, 1):.2f} ms/page, {found} boxes"


def scans(corpus: Path, pages: int, dpi: int) -> str:
    files = sorted(corpus.glob("*.pdf"))[:pages]
    wall = cpu = 0.0
    marks = 0
    for path in files:
        started, cpu0 = time.perf_counter(), _cpu()
        blocks = ocr.ocr_pdf_page(path, 1, dpi=dpi)
        wall += time.perf_counter() - started
        cpu += _cpu() - cpu0
        marks += sum(1 for b in blocks if "印" in b.text or "㊞" in b.text)
    n = max(len(files), 1)
    return f"OCR at {dpi} dpi: {len(files)} pages, {wall / n:.2f} s/page wall, {cpu / n:.2f} s/page CPU, {marks} mark blocks"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scans", type=Path, default=ROOT / "bench" / "out" / "corpus_scan")
    ap.add_argument("--pdfs", type=Path, default=ROOT / "bench" / "out" / "corpus_detect")
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--dpi", type=int, nargs="+", default=[200, 300])
    ap.add_argument("--ocr-lang", nargs="+", default=[None],
                    help="page models to time one after the other (extractors/ocr.py PAGE_LANG; default: its own)")
    ap.add_argument("--reread-lang", default=None, help="model for the re-reads (extractors/ocr.py REREAD_LANG)")
    args = ap.parse_args(argv)
    ocr.REREAD_LANG = args.reread_lang or ocr.REREAD_LANG
    if args.pdfs.is_dir():
        print(vector(args.pdfs))
    if args.scans.is_dir():
        for lang in args.ocr_lang:
            ocr.PAGE_LANG = lang
            for dpi in args.dpi:
                print(f"[page {ocr.page_lang()}, re-reads {ocr.reread_lang()}] " + scans(args.scans, args.pages, dpi))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
