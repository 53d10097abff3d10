"""Evaluate detection on the real corpus (../shared/corpus/real) against LABELS.tsv.

    .venv/bin/python bench/eval_real.py [--corpus DIR] [--no-ocr] [--verbose]

Runs the real path (discover → extract → detect) and prints precision/recall for seal_requested and
signature_required overall and per format (file extension: pdf, docx, xlsx, xls…), the seal-kind
agreement, every disagreement with its evidence, and the speed.
Extracted documents are cached in bench/out/cache_real (git-ignored; pickles keyed by sha256 + extractor
version), so a re-run only re-detects.
"""

from __future__ import annotations

import argparse
import csv
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from eval_detect import prf, table  # noqa: E402

from classifiers.engine import detect, get_detector, versions  # noqa: E402
from extractors.discover import discover  # noqa: E402
from extractors.registry import EXTRACTOR_VERSION, extract  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "real"
CACHE = ROOT / "bench" / "out" / "cache_real"  # bench/out/ is git-ignored


def load_labels(corpus: Path) -> dict[str, dict]:
    with (corpus / "LABELS.tsv").open(encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def extract_cached(source, ocr: bool):
    CACHE.mkdir(parents=True, exist_ok=True)
    key = CACHE / f"{source.sha256[:24]}-{EXTRACTOR_VERSION}-{int(ocr)}.pkl"
    if key.exists():
        return pickle.loads(key.read_bytes()), 0.0
    started = time.perf_counter()
    document = extract(source, ocr=ocr)
    seconds = time.perf_counter() - started
    key.write_bytes(pickle.dumps(document))
    return document, seconds


def evidence(det, labels=("SEAL_MARK", "SEAL_INSTRUCTION", "SEAL_KIND", "SIGNATURE", "SEAL_NOT_REQUIRED")):
    return [f"{f.rule_id} 「{f.text}」 {f.where} s={f.score}{' hidden' if f.hidden else ''}"
            f"{' example' if f.example else ''} ctx={f.context[:60]!r}"
            for f in det.findings if f.label in labels][:8]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--no-ocr", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    labels = load_labels(args.corpus)
    get_detector()
    seal: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    sig: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    kind_ok = kind_n = 0
    detect_seconds = extract_seconds = 0.0
    misses: list[str] = []
    for source in discover([args.corpus]):
        name = source.path.name
        if name not in labels:
            continue
        row = labels[name]
        document, ext = extract_cached(source, not args.no_ocr)
        extract_seconds += ext
        started = time.perf_counter()
        det = detect(document)
        detect_seconds += time.perf_counter() - started
        truth_seal = row["seal_requested"] == "yes"
        truth_sig = row["signature_required"] == "yes"
        for key in ("all", f"format={source.path.suffix.lower().lstrip('.')}"):
            seal[key].append((truth_seal, det.seal_requested))
            sig[key].append((truth_sig, det.signature_required))
        if truth_seal and det.seal_requested:
            kind_n += 1
            kind_ok += set(row["seal_kinds"].split(",")) - {"other"} <= set(det.seal_kinds)
        wrong = truth_seal != det.seal_requested or truth_sig != det.signature_required
        if wrong or args.verbose:
            misses.append(f"{'MISS' if wrong else 'ok  '} {name} [{document.format.value} {document.status.value}] "
                          f"truth seal={truth_seal} sig={truth_sig} | got seal={det.seal_requested} "
                          f"sig={det.signature_required} kinds={','.join(det.seal_kinds)} "
                          f"incons={det.inconsistent} example_only={det.example_only}\n    "
                          + "\n    ".join(evidence(det)))
    print("\n".join(misses))
    n = len(seal["all"])
    print("\n".join(table("seal_requested", seal)))
    print("\n".join(table("signature_required", sig)))
    for what, groups in (("seal_requested", seal), ("signature_required", sig)):
        p, r, tp, fp, fn = prf(groups["all"])
        print(f"{what:20s} n={n} P={p:.3f} R={r:.3f} (tp={tp} fp={fp} fn={fn})")
    print(f"seal kinds agree (labelled ⊆ detected, 'other' ignored): {kind_ok}/{kind_n}")
    print(f"detect: {detect_seconds:.2f}s for {n} forms = {n / max(detect_seconds, 1e-9):.1f} forms/s; "
          f"extract (uncached part) {extract_seconds:.1f}s")
    print(f"versions: {versions()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
