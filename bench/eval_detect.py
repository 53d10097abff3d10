"""Evaluate detection on the generated corpus (bench/gen_corpus.py) through extract → detect.

    .venv/bin/python bench/eval_detect.py [--corpus bench/out/corpus_detect] [--regen] [--n 120] [--show 20]
    .venv/bin/python bench/eval_detect.py --scans [--regen] [--n 120]   # scanned pages through OCR

Prints seal and signature precision/recall overall, per format and per location of the evidence,
seal-kind agreement, the first misses with their findings, and the detection speed (forms/s).
The corpus is generated under bench/out/ (git-ignored). `prf` and `table` are shared with eval_real.py.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gen_corpus import generate  # noqa: E402
from gen_scans import generate as generate_scans  # noqa: E402

from classifiers.engine import detect, get_detector, versions  # noqa: E402
from extractors import ocr  # noqa: E402
from extractors.discover import discover  # noqa: E402
from extractors.registry import extract  # noqa: E402

TARGETS = {"seal": (0.98, 0.99), "signature": (0.95, 0.95)}  # (precision, recall)
DEFAULT_CORPUS = ROOT / "bench" / "out" / "corpus_detect"  # bench/out/ is git-ignored
SCAN_CORPUS = ROOT / "bench" / "out" / "corpus_scan"


def prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, int, int, int]:
    """(precision, recall, tp, fp, fn) of (truth, predicted) pairs; 1.0 when undefined."""
    tp = sum(1 for t, p in pairs if t and p)
    fp = sum(1 for t, p in pairs if p and not t)
    fn = sum(1 for t, p in pairs if t and not p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def table(title: str, groups: dict[str, list[tuple[bool, bool]]]) -> list[str]:
    """Lines of a P/R table, one row per group key (sorted)."""
    out = [f"{title:28s} {'n':>4s} {'P':>6s} {'R':>6s}  tp  fp  fn"]
    for key in sorted(groups):
        p, r, tp, fp, fn = prf(groups[key])
        out.append(f"  {key:26s} {len(groups[key]):4d} {p:6.3f} {r:6.3f} {tp:3d} {fp:3d} {fn:3d}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--regen", action="store_true", help="regenerate the corpus first")
    ap.add_argument("--n", type=int, default=None, help="forms per format (120), or scans (120)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--show", type=int, default=20, help="misses to print")
    ap.add_argument("--scans", action="store_true", help="the scanned corpus (bench/gen_scans.py), read by OCR")
    ap.add_argument("--ocr-lang", default=None, help="tesseract model for scanned pages (extractors/ocr.py PAGE_LANG)")
    ap.add_argument("--reread-lang", default=None, help="model for the re-reads (extractors/ocr.py REREAD_LANG)")
    args = ap.parse_args(argv)
    ocr.PAGE_LANG, ocr.REREAD_LANG = args.ocr_lang or ocr.PAGE_LANG, args.reread_lang or ocr.REREAD_LANG
    if args.scans and args.corpus == DEFAULT_CORPUS:
        args.corpus = SCAN_CORPUS
    labels_path = args.corpus / "labels.tsv"
    if args.regen or not labels_path.exists():
        if args.scans:
            generate_scans(args.corpus, args.n or 120, args.seed or 11)
        else:
            generate(args.corpus, args.n or 120, args.seed or 7)
    with labels_path.open(encoding="utf-8") as fh:
        labels = {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}
    get_detector()
    seal = defaultdict(list)
    sig = defaultdict(list)
    kinds_ok = kinds_n = 0
    misses: list[str] = []
    det_seconds = ocr_seconds = 0.0
    ocr_pages = 0
    silent = 0  # a seal request missed with nothing sending the form to review (only OCR forms can be saved)
    n = 0
    for source in discover([args.corpus]):
        row = labels.get(source.path.name)
        if row is None:
            continue
        started = time.perf_counter()
        document = extract(source, ocr=args.scans)
        if document.meta.get("ocr_pages"):
            ocr_seconds += time.perf_counter() - started
            ocr_pages += len(document.meta["ocr_pages"])
        started = time.perf_counter()
        det = detect(document)
        det_seconds += time.perf_counter() - started
        n += 1
        t_seal, t_sig = row["seal_requested"] == "yes", row["signature_required"] == "yes"
        for key in ("all", f"format={row['format']}", f"location={row['location']}"):
            seal[key].append((t_seal, det.seal_requested))
            sig[key].append((t_sig, det.signature_required))
        if t_seal and not det.seal_requested and not det.ocr_name_pages:
            silent += 1
        if t_seal and det.seal_requested:
            kinds_n += 1
            kinds_ok += set(row["seal_kinds"].split(",")) == set(det.seal_kinds)
        if (t_seal, t_sig) != (det.seal_requested, det.signature_required):
            misses.append(f"{row['file']} truth seal={t_seal} sig={t_sig} got seal={det.seal_requested} "
                          f"sig={det.signature_required}: "
                          + "; ".join(f"{f.rule_id}「{f.text}」{f.score}" for f in det.findings))
    print("\n".join(table("seal_requested", seal)))
    print("\n".join(table("signature_required", sig)))
    print(f"seal kinds exact: {kinds_ok}/{kinds_n}")
    print(f"detection: {n} forms in {det_seconds:.2f}s = {n / max(det_seconds, 1e-9):.1f} forms/s")
    print(f"seal requests missed with no review flag (silent): {silent}")
    if ocr_pages:
        print(f"OCR: {ocr_pages} pages in {ocr_seconds:.1f}s = {ocr_seconds / ocr_pages:.2f} s/page (extraction incl. OCR)")
    print(f"versions: {versions()}")
    if args.scans:
        print(f"OCR models: page {ocr.page_lang()}, re-reads {ocr.reread_lang()}, vertical {ocr.LANG_VERTICAL}")
    for line in misses[: args.show]:
        print("MISS", line)
    ok = True
    for name, groups in (("seal", seal), ("signature", sig)):
        p, r, *_ = prf(groups["all"])
        tp, tr = TARGETS[name]
        ok &= p >= tp and r >= tr
        print(f"{name}: P={p:.3f} (target {tp}) R={r:.3f} (target {tr})")
    print("TARGETS MET" if ok else "TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
