"""What the e-forms add to a scan, per form: field extraction, the オンライン化 class, writing the e-form JSON and
its HTML preview to staging, and settling it into OUT_DIR/eforms/.

    .venv/bin/python bench/bench_fields.py [--corpus bench/out/fields] [--real ../shared/corpus/real] [--rounds 5]

The scan itself (extract + detect + decide) is timed too, for scale. The goal: ≤ 5 ms per form on top of the scan.
The best of `--rounds` rounds is reported (a shared 2-core machine: the other rounds carry other people's load).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from classifiers import engine  # noqa: E402
from classifiers.fields import extract_fields  # noqa: E402
from extractors.discover import discover  # noqa: E402
from extractors.registry import extract  # noqa: E402
from output.eforms import settle_eforms, stage_eform  # noqa: E402
from output.pipeline.steps import PipelineOptions, analyse, rule_context  # noqa: E402


def measure(folder: Path, rounds: int) -> dict:
    sources = [s for s in discover([folder]) if s.format.value in ("pdf", "docx", "xlsx", "xls", "doc")]
    ctx = rule_context(PipelineOptions())
    engine.get_detector()
    start = time.perf_counter()
    documents = [(s, extract(s)) for s in sources]
    rows = [analyse(s, d, ctx) for s, d in documents]
    scan = (time.perf_counter() - start) / max(len(sources), 1)
    best = {"fields": 1e9, "stage": 1e9, "settle": 1e9}
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            fieldsets = [extract_fields(d) for _, d in documents]
            t1 = time.perf_counter()
            staged = [stage_eform(replace(r, input_root=str(folder)), f, Path(out)) for r, f in zip(rows, fieldsets, strict=True)]
            t2 = time.perf_counter()
            settle_eforms(staged, Path(out))
            t3 = time.perf_counter()
        n = max(len(sources), 1)
        for key, spent in (("fields", t1 - t0), ("stage", t2 - t1), ("settle", t3 - t2)):
            best[key] = min(best[key], spent / n)
    eforms = sum(1 for f in fieldsets if f.fields)
    return {"forms": len(sources), "eforms": eforms, "scan_ms": 1000 * scan,
            **{f"{k}_ms": 1000 * v for k, v in best.items()}, "extra_ms": 1000 * sum(best.values())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench" / "out" / "fields")
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "corpus" / "real")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    if not (args.corpus / "fields.jsonl").exists():
        from gen_fields import generate

        generate(args.corpus, 120, 11)
    print("| コーパス | 様式 | 電子様式 | スキャン ms/件 | 項目抽出 | JSON+HTML | 配置 | 追加 計 ms/件 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, folder in (("生成", args.corpus), ("実様式", args.real)):
        if not folder.is_dir():
            continue
        r = measure(folder, args.rounds)
        print(f"| {name} | {r['forms']} | {r['eforms']} | {r['scan_ms']:.1f} | {r['fields_ms']:.2f} | {r['stage_ms']:.2f} | "
              f"{r['settle_ms']:.2f} | {r['extra_ms']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
