"""Time the evidence pictures per pictured row, on one core: PDFs (pypdfium2) and Word/Excel (LibreOffice's PDF).

    .venv/bin/python bench/bench_evidence.py [--n 20]

Generates N labelled forms per format (bench/gen_corpus.py) under bench/out/evidence-N/, reads and detects
them without Prefect (output.pipeline.steps.process_file), then draws every picture from scratch twice per format
group: once with the Documents at hand (as a run does, from its cache) and once reading the files again.
Budget (issue 17): ≤ 0.3 s per PDF row, ≤ 3 s per Word/Excel row. Word/Excel also as a scan now makes them
(output/evidence/early.py, niced: on an idle core the same cost per row). Writes bench/results/evidence-<stamp>.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_corpus import generate  # noqa: E402
from extractors.discover import discover  # noqa: E402
from extractors.registry import extract  # noqa: E402
from flows.scan import make_options  # noqa: E402
from output.evidence import settle_evidence  # noqa: E402
from output.evidence.select import pictured_item  # noqa: E402
from output.pipeline.steps import process_file  # noqa: E402

BUDGET = {"pdf": 0.3, "office": 3.0}


def rows_and_documents(corpus: Path, out: Path):
    options = make_options(out, as_of=None, policy="default", manifest=None)
    sources = discover([corpus])
    rows = [process_file(s, options) for s in sources]
    documents = {s.sha256: extract(s, ocr=False) for s in sources}
    return rows, documents


def timed(rows, out: Path, documents) -> tuple[float, int]:
    shutil.rmtree(out / "evidence", ignore_errors=True)
    start = time.perf_counter()
    shown = settle_evidence(rows, out, documents=documents.get if documents is not None else None, which="all")
    return time.perf_counter() - start, sum(1 for r in shown if r.evidence_image)


def timed_early(rows, out: Path, documents) -> tuple[float, int]:
    """As a scan makes Word/Excel pictures now: output/evidence/early.py (niced LibreOffice, 25 files a start),
    from the Documents the workers send back."""
    from output.evidence.early import EarlyPictures

    shutil.rmtree(out / "evidence", ignore_errors=True)
    os.environ["SEALREVIEW_EVIDENCE"] = "all"
    try:
        start = time.perf_counter()
        early = EarlyPictures(out, documents.get)
        early.add(rows)
        made = early.finish()
        return time.perf_counter() - start, made
    finally:
        os.environ.pop("SEALREVIEW_EVIDENCE", None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=20, help="forms per format")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core (LibreOffice inherits it)
    base = ROOT / "bench" / "out" / f"evidence-{args.n}"
    corpus, out = base / "forms", base / "out"
    if not corpus.is_dir():
        generate(corpus, args.n, seed=11)
    rows, documents = rows_and_documents(corpus, out)
    pictured = [r for r in rows if pictured_item(r, which="all") is not None]
    groups = {"pdf": [r for r in pictured if r.format == "pdf"], "office": [r for r in pictured if r.format != "pdf"]}
    lines = ["# Evidence pictures", "", f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, one core, "
             f"{args.n} generated forms per format, {len(pictured)} pictured rows", "",
             "| group | rows | pictures | Documents at hand: s/row | files read again: s/row "
             "| early, during the files (niced): s/row | budget |",
             "|---|---|---|---|---|---|---|"]
    for name, group in groups.items():
        if not group:
            continue
        with_docs, made = timed(group, out, documents)
        reread, _ = timed(group, out, None)
        early = f"{timed_early(group, out, documents)[0] / len(group):.3f}" if name == "office" else "—"
        lines.append(f"| {name} | {len(group)} | {made} | {with_docs / len(group):.3f} | {reread / len(group):.3f} "
                     f"| {early} | ≤ {BUDGET[name]} s |")
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"evidence-{time.strftime('%Y%m%dT%H%M', time.gmtime())}.md").write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
