"""Profile the files phase of a first scan, per format and per stage, in one worker-like process.

    .venv/bin/python bench/profile_files.py [--corpus bench/out/kawasaki-4508/forms] [--per-format 150]

Takes `--per-format` files of each format spread over the corpus, loads GiNZA as a worker does
(output.pipeline.steps.warm_worker), then
  1. times every file through `process_file` (a first scan: empty cache, pictures and e-forms on) with the
     stage hook the limited worker uses: read (extract) / detect / decide+row+evidence+e-form+cache / draft,
     wall and CPU ms per file;
  2. runs the same files again (fresh output folder) under cProfile and gives the cumulative time of the
     functions of each stage (detection split into patterns, GiNZA tokenizer/parser, scope, negation), as ms
     per file (cProfile adds its own overhead to Python-heavy code: read the shares, not the absolute values).
Prints a table per format and writes bench/results/profile-files-<stamp>.md with the load average.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.discover import discover  # noqa: E402
from output.pipeline.steps import (  # noqa: E402
    PipelineOptions,
    process_file,
    rule_context,
    staff_manifest,
    versions,
    warm_worker,
)

# (label, module path suffix, function name): summed cumulative time (recursion counted once by cProfile)
STAGES = [
    ("read: extractors.registry.extract", "extractors/registry.py", "extract"),
    ("  pdfium page → pdfplumber shapes", "extractors/pdfium_page.py", None),
    ("detect: SealDetector.detect", "classifiers/engine.py", "detect"),
    ("  normalize (NFKC view)", "classifiers/normalize.py", "normalize"),
    ("  LineAnalyser.analyse (patterns)", "classifiers/lines.py", "analyse"),
    ("  GiNZA tokenizer (is_own_token)", "classifiers/nlp.py", "is_own_token"),
    ("  GiNZA parser (nlp.parse)", "classifiers/nlp.py", "parse"),
    ("  scope.other_document", "classifiers/scope.py", "other_document"),
    ("  negation.negated_by", "classifiers/negation.py", "negated_by"),
    ("  seal.object_of_osu", "classifiers/seal.py", "object_of_osu"),
    ("  guess_title", "classifiers/title.py", "guess_title"),
    ("decide: rules.engine.decide", "rules/engine.py", "decide"),
    ("fields: extract_fields", "classifiers/fields/__init__.py", "extract_fields"),
    ("row: build_row", "output/pipeline/steps.py", "build_row"),
    ("evidence: picture_pdf_early (PDF picture)", "output/evidence/__init__.py", "picture_pdf_early"),
    ("evidence: needs_office_picture", "output/evidence/__init__.py", "needs_office_picture"),
    ("e-form: stage_eform", "output/eforms", "stage_eform"),
    ("cache: AnalysisCache.put", "output/store/analysis.py", "put"),
    ("cache: FieldCache.put", "output/store/fields.py", "put"),
    ("draft: add_draft", "output/pipeline/steps.py", "add_draft"),
    ("changed_since (stat)", "extractors/discover.py", "changed_since"),
]


def sample(corpus: Path, per_format: int) -> dict[str, list]:
    sources = discover([corpus])
    groups: dict[str, list] = {}
    for fmt in ("docx", "xlsx", "pdf"):
        found = [s for s in sources if s.format.value == fmt]
        step = max(1, len(found) // max(1, per_format))
        groups[fmt] = found[::step][:per_format]
    return groups


def options_for(out: Path) -> PipelineOptions:
    """A first scan's options writing into `out`, with its rules loaded (a worker loads them once per run)."""
    options = PipelineOptions(work_dir=str(out / ".work"), out_dir=str(out), cache_dir=str(out / ".sealreview" / "cache"))
    versions(rule_context(options))
    staff_manifest(options)
    return options


class Marks(list):
    """The stage hook: (stage, wall, CPU) as each stage starts."""

    def __call__(self, name: str) -> None:
        self.append((name, time.perf_counter(), time.process_time()))


def timed(sources: list, out: Path) -> dict[str, tuple[float, float]]:
    """Stage → (wall s, CPU s) summed over `sources`, through the limited worker's stage hook."""
    totals: dict[str, list[float]] = {}
    options = options_for(out)
    for source in sources:
        marks = Marks()
        marks("start")
        process_file(source, options, stage=marks)
        marks("end")
        for (name, wall, cpu), (_next, wall2, cpu2) in zip(marks, marks[1:], strict=False):
            label = {"start": "cache look-up", "decide": "decide+row+evidence+e-form+cache"}.get(name, name)
            acc = totals.setdefault(label, [0.0, 0.0])
            acc[0] += wall2 - wall
            acc[1] += cpu2 - cpu
    return {k: (v[0], v[1]) for k, v in totals.items()}


def profiled(sources: list, out: Path) -> dict[str, float]:
    options = options_for(out)
    profile = cProfile.Profile()
    profile.enable()
    for source in sources:
        process_file(source, options)
    profile.disable()
    stats = pstats.Stats(profile).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    found: dict[str, float] = {}
    for label, where, name in STAGES:
        if name is None:  # a whole module: its own time (tottime) only
            found[label] = sum(v[2] for k, v in stats.items() if k[0].endswith(where))
        else:
            found[label] = sum(v[3] for k, v in stats.items() if where in k[0] and k[2] == name)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench" / "out" / "kawasaki-4508" / "forms")
    ap.add_argument("--per-format", type=int, default=150)
    ap.add_argument("--no-profile", action="store_true", help="only the stage timing (1.)")
    args = ap.parse_args(argv)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    started = time.perf_counter()
    warm_worker()
    lines = [f"# Files-phase profile {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
             f"- corpus: {args.corpus}, {args.per_format} files per format, one process, GiNZA loaded in "
             f"{time.perf_counter() - started:.1f} s", f"- load average before: {load_before}", ""]
    groups = sample(args.corpus, args.per_format)
    warm = Path(tempfile.mkdtemp(prefix="profile-warm-"))
    for sources in groups.values():  # a worker's first file loads the rules and lazy modules: not per-file cost
        if sources:
            process_file(sources[-1], options_for(warm))
    shutil.rmtree(warm, ignore_errors=True)
    for fmt, sources in groups.items():
        if not sources:
            continue
        work = Path(tempfile.mkdtemp(prefix=f"profile-{fmt}-"))
        try:
            stages = timed(sources, work / "timed")
            total = sum(w for w, _c in stages.values())
            lines += [f"## {fmt}: {len(sources)} files, {1000 * total / len(sources):.1f} ms per file (wall)", "",
                      "| stage (process_file's hook) | wall ms/file | CPU ms/file |", "|---|---|---|"]
            lines += [f"| {k} | {1000 * w / len(sources):.2f} | {1000 * c / len(sources):.2f} |"
                      for k, (w, c) in stages.items()]
            if not args.no_profile:
                found = profiled(sources, work / "profiled")
                lines += ["", "| function (cProfile, cumulative) | ms/file |", "|---|---|"]
                lines += [f"| {k} | {1000 * v / len(sources):.2f} |" for k, v in found.items() if v > 0]
            lines.append("")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print("\n".join(lines[-40:]), flush=True)
    lines.append(f"- load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    report = "\n".join(lines) + "\n"
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"profile-files-{time.strftime('%Y%m%dT%H%M', time.gmtime())}.md"
    path.write_text(report, encoding="utf-8")
    print(report)
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
