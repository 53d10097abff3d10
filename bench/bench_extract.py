"""Extraction speed per format: ms per file and ms per page, on generated forms and the real corpus.

    .venv/bin/python bench/bench_extract.py [--repeat 5] [--corpus ../shared/corpus/real] [--no-ocr]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.discover import describe_file, discover  # noqa: E402
from extractors.models import Status  # noqa: E402
from extractors.registry import extract  # noqa: E402
from tests.fixtures import extract_fixtures as fx  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "real"


def generated(folder: Path, with_ocr: bool) -> dict[str, Path]:
    files = fx.build_all(folder)
    files["pdf-vertical"] = fx.make_vertical_pdf(folder / "vertical.pdf")
    if with_ocr:
        files["pdf-scan"] = fx.make_scanned_pdf(files["pdf"], folder / "scan.pdf")
    try:
        files["doc"] = fx.make_legacy(files["docx"], folder, "doc")
        files["xls"] = fx.make_legacy(files["xlsx"], folder, "xls")
    except Exception as exc:  # noqa: BLE001 - LibreOffice missing: bench the rest
        print(f"(no .doc/.xls: {exc})")
    return files


def timed(path: Path, root: Path, ocr: bool) -> tuple[float, int, str]:
    source = describe_file(path, root)
    start = time.perf_counter()
    doc = extract(source, ocr=ocr)
    return (time.perf_counter() - start) * 1000, max(doc.pages, 1), doc.status.value


def bench_generated(repeat: int, ocr: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = generated(Path(tmp), ocr)
        print(f"\n## Generated forms (median of {repeat})")
        print(f"{'file':14} {'ms/file':>9} {'pages':>5} {'ms/page':>9}  status")
        for name, path in files.items():
            runs = [timed(path, path.parent, ocr) for _ in range(repeat if "scan" not in name else 1)]
            ms = statistics.median(r[0] for r in runs)
            pages, status = runs[0][1], runs[0][2]
            print(f"{name:14} {ms:9.1f} {pages:5d} {ms / pages:9.1f}  {status}")


def bench_corpus(corpus: Path, ocr: bool) -> None:
    if not corpus.is_dir():
        print(f"\n(corpus {corpus} not found)")
        return
    per_format: dict[str, list[tuple[float, int]]] = defaultdict(list)
    failed = 0
    for source in discover([corpus]):
        if source.format.value in ("unknown",):
            continue
        start = time.perf_counter()
        doc = extract(source, ocr=ocr)
        per_format[source.format.value].append(((time.perf_counter() - start) * 1000, max(doc.pages, 1)))
        failed += doc.status is Status.FAILED
    print(f"\n## Real corpus {corpus} ({failed} failed)")
    print(f"{'format':7} {'files':>5} {'pages':>6} {'ms/file med':>12} {'ms/file max':>12} {'ms/page':>8}")
    for fmt, runs in sorted(per_format.items()):
        total_ms = sum(r[0] for r in runs)
        pages = sum(r[1] for r in runs)
        print(f"{fmt:7} {len(runs):5d} {pages:6d} {statistics.median(r[0] for r in runs):12.1f} "
              f"{max(r[0] for r in runs):12.1f} {total_ms / pages:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--no-ocr", action="store_true")
    parser.add_argument("--no-corpus", action="store_true")
    args = parser.parse_args()
    bench_generated(args.repeat, not args.no_ocr)
    if not args.no_corpus:
        bench_corpus(args.corpus, not args.no_ocr)


if __name__ == "__main__":
    main()
