"""Kawasaki-scale benchmark: end-to-end scan, the floor, the naive baseline and an unchanged re-audit.

    .venv/bin/python bench/bench_scale.py [--n 4508] [--workers 2] [--corpus DIR] [--naive-sample 120]

On one generated corpus (bench/gen_kawasaki.py, generated if missing) and one machine it measures
  1. `sealreview scan` end to end in a subprocess (Prefect start-up included): wall time, forms/s and the
     peak RSS of the largest process, sampled every 0.1 s from /proc (VmRSS) over the whole process tree
     (CLI, temporary Prefect API server, worker processes);
  2. the floor: reading the text of every file with pdfplumber / python-docx / openpyxl, nothing else,
     with the same number of worker processes, right before and right after the scan (the scan is judged
     against their mean; `--floor-once`: after it only, as until 2026-12-03); and a second floor with the
     fastest reader of each format (pypdfium2's text page; zip + lxml for docx/xlsx), the limit of any reader
     (issue 19);
  3. the naive baseline: read + the full GiNZA pipeline (NER and parser on) over all text, timed in one
     process on a stratified sample and scaled to all files and the worker count (model load added once);
  4. an unchanged re-audit (`sealreview reaudit --out SAME_DIR`) when the command exists.
From the progress lines it also gives the steady state (files/s between the first and the last progress line),
the fixed start-up + register writing around it, and the peak RSS per worker process.
Prints a table and writes bench/results/scale-<date>.md (date, machine, load average). --naive-sample 0 skips 3.
`--reaudit-only K` runs only K unchanged re-audits of the scan output left by an earlier run (phases, CPU, load).

The output of an earlier run (`--out`, about 28,000 files for 4,508 forms) is renamed aside and deleted after the
measurements, not before the scan: on an ext4 without a journal (this machine's), a new file costs several times
more CPU for minutes after many were deleted (bench/file_create_cost.py), and that deletion is no part of a scan.
`--delete-before` deletes it before the scan instead, as this benchmark did until 2026-12-02, to compare.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import scale_probe as probe  # noqa: E402
from file_create_cost import describe  # noqa: E402

SEALREVIEW = ROOT / ".venv" / "bin" / "sealreview"
PYTHON = ROOT / ".venv" / "bin" / "python"
TARGETS = {"wall": 180.0, "floor_ratio": 1.5, "naive_ratio": 15.0, "peak_mb": 2048.0, "reaudit": 10.0}  # reaudit: issue 19 (issue 7 asked ≤ 15 s)


def corpus_files(forms: Path) -> list[Path]:
    return sorted(p for p in forms.rglob("*") if p.suffix.lower() in probe.FORMATS)


def ensure_corpus(corpus: Path, n: int, seed: int, jobs: int) -> Path:
    from gen_kawasaki import fingerprint

    forms = corpus / "forms"
    stamp = corpus / "FINGERPRINT"
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == fingerprint(n, seed):
        return forms
    if forms.exists():
        subprocess.run(["rm", "-rf", str(forms)], check=True)
    print(f"generating {n} forms into {corpus} …", flush=True)
    subprocess.run([str(PYTHON), str(HERE / "gen_kawasaki.py"), "--out", str(corpus), "--n", str(n),
                    "--seed", str(seed), "--jobs", str(jobs)], check=True)
    return forms


def set_aside(out: Path) -> Path | None:
    """Rename an earlier run's output out of the way (one rename, nothing deleted); None when there is none."""
    if not out.exists():
        return None
    aside = out.with_name(f".{out.name}-old-{os.getpid()}-{time.time_ns()}")
    os.rename(out, aside)
    return aside


def delete_aside(out: Path) -> float:
    """Delete what set_aside kept of this and of interrupted runs; returns the seconds it took."""
    started = time.perf_counter()
    for old in out.parent.glob(f".{out.name}-old-*"):
        subprocess.run(["rm", "-rf", str(old)], check=True)
    return time.perf_counter() - started


def measure_scan(forms: Path, out: Path, workers: int, command: str = "scan") -> dict:
    if command == "scan":
        cmd = [str(SEALREVIEW), "scan", str(forms), "--out", str(out), "--workers", str(workers)]
    else:
        cmd = [str(SEALREVIEW), "reaudit", *reaudit_inputs(forms), "--out", str(out), "--workers", str(workers)]
    result = probe.run_measured(cmd)
    if result["rc"] != 0:
        print(result["output"][-3000:], file=sys.stderr)
        raise SystemExit(f"{command} failed with exit code {result['rc']}")
    return result


def reaudit_help() -> str | None:
    """The `reaudit` help text, or None when the command does not exist (yet)."""
    top = subprocess.run([str(SEALREVIEW), "--help"], capture_output=True, text=True).stdout
    if "reaudit" not in top:
        return None
    return subprocess.run([str(SEALREVIEW), "reaudit", "--help"], capture_output=True, text=True).stdout


def reaudit_inputs(forms: Path) -> list[str]:
    """Pass the input folder only if `reaudit` takes positional inputs (it may read them from the state)."""
    usage = (reaudit_help() or "").split("\n\n", 1)[0]
    return [str(forms)] if "INPUT" in usage.split("--out")[0] else []


def measure_floor(files: list[Path], workers: int, *, fast: bool = False) -> dict:
    """Read the text of every file in `workers` processes: pdfplumber / python-docx / openpyxl (the floor of
    issue 12), or with `fast` the fastest reader of each format (pypdfium2; zip + lxml)."""
    size = max(1, len(files) // (workers * 16))
    groups = [[str(p) for p in files[i : i + size]] for i in range(0, len(files), size)]
    cpu = probe.children_cpu()
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, initializer=probe.quiet_worker) as pool:
        total = sum(pool.map(probe.read_chunk_fast if fast else probe.read_chunk, groups))
    wall = time.perf_counter() - started
    cpu = probe.children_cpu() - cpu
    name = "fastest-reader floor" if fast else "floor"
    print(f"{name}: {len(files)} files, {total:,} characters in {wall:.1f} s ({cpu:.0f} CPU-s)", flush=True)
    return {"wall": wall, "cpu": cpu, "files_s": len(files) / wall}


def around(before: dict | None, after: dict) -> dict:
    """The floor the scan is judged against: the mean of the floor measured right before and right after it (the
    host's speed drifted by up to 1.5× within an hour on 2026-12-03: one floor after the scan could land on either
    side of that), with both kept for the report. Without a floor before (`--floor-once`), the one after."""
    if before is None:
        return {**after, "before": None, "after": after}
    mean = {key: (before[key] + after[key]) / 2 for key in ("wall", "cpu")}
    return {**mean, "files_s": after["files_s"], "before": before, "after": after}


def floor_text(floor: dict) -> str:
    """`2.` row of the table: the floor used, and when measured twice, the two floors it is the mean of."""
    text = f"{floor['wall']:.1f} s ({floor['cpu']:.0f} CPU-s)"
    before, after = floor.get("before"), floor.get("after")
    if before is not None and after is not None:
        text += (f"; mean of {before['wall']:.1f} s ({before['cpu']:.0f} CPU-s) before the scan and "
                 f"{after['wall']:.1f} s ({after['cpu']:.0f} CPU-s) after")
    return text


def measure_naive(files: list[Path], sample: int, workers: int) -> dict:
    """Read + full ja_ginza (ner on) over all lines, on `sample` files spread over the corpus."""
    import spacy

    probe.quiet_worker()
    step = max(1, len(files) // sample)
    chosen = files[::step][:sample]
    started = time.perf_counter()
    nlp = spacy.load("ja_ginza")
    load = time.perf_counter() - started
    tokens, started, cpu = 0, time.perf_counter(), time.process_time()
    for path in chosen:
        for doc in nlp.pipe(probe.chunks(probe.read_text(str(path)))):
            tokens += len(doc)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    per_file = elapsed / len(chosen)
    estimate = load + per_file * len(files) / workers
    cpu_estimate = cpu / len(chosen) * len(files)
    print(f"naive: {len(chosen)} files, {tokens:,} tokens in {elapsed:.1f} s ({tokens / elapsed:,.0f} tok/s, "
          f"load {load:.1f} s) → estimate {estimate:.0f} s for {len(files)} files on {workers} workers", flush=True)
    return {"sample": len(chosen), "per_file": per_file, "load": load, "estimate": estimate, "cpu": cpu_estimate,
            "tok_s": tokens / elapsed, "pipes": list(nlp.pipe_names)}


def decisions(out: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    csv_path = out / "register.csv"
    if not csv_path.exists():
        return counts
    with csv_path.open(encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        key = next((k for k in reader.fieldnames or [] if k in ("decision", "判定")), None)
        for row in reader:
            counts[row.get(key, "?") if key else "?"] = counts.get(row.get(key, "?") if key else "?", 0) + 1
    return counts


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("OK" if ok else "MISSED")


def reused(result: dict) -> str:
    """The re-audit's own count of re-read vs reused files (a code change between runs re-reads everything)."""
    line = next((line for line in result["output"].splitlines() if "読み直し" in line), "")
    match = re.search(r"読み直し\s*([\d,]+)\s*件.*?再利用\s*([\d,]+)\s*件", line)
    rows = re.search(r"判定を再利用\s*([\d,]+)\s*件", line)
    kept = f", decided rows reused {rows.group(1)}" if rows else ""
    return f"re-read {match.group(1)}, reused {match.group(2)}{kept}" if match else "re-read ?"


def stored_rows(out: Path) -> str:
    """What the scan kept of its decided rows for the next run (its run's settings in the state store)."""
    sys.path.insert(0, str(ROOT))
    from output.store.state import StateStore

    try:
        with StateStore(out) as store:
            args = store.runs()[0]["args"] or {}
    except Exception as exc:  # noqa: BLE001 - an older output folder: nothing to report
        return f"? ({type(exc).__name__})"
    if "rows_stored" not in args:
        return "n/a (this version keeps none)"
    return f"{args['rows_stored']} rows, {args.get('rows_stored_cpu_s', 0):.1f} CPU-s in the command's process"


def short(name: str) -> str:
    return "worker process" if "multiprocessing" in name else name.split(" -m ")[-1][:40]


def roles(result: dict) -> str:
    return ", ".join(f"{k} {v:.0f}" for k, v in sorted(result.get("cpu_roles", {}).items(), key=lambda kv: -kv[1]))


def fmt_phases(result: dict) -> str:
    found = result.get("phases") or {}
    return " / ".join(f"{v:.1f} s" for v in found.values()) if found else "?"


def table(n: int, workers: int, scan: dict, floor: dict, fast: dict, naive: dict | None, reaudit: dict | None,
          why: str) -> list[str]:
    mb = scan["peak_kb"] / 1024
    ph = scan.get("phases") or {}
    fixed = ph.get("start-up", 0.0) + ph.get("write", 0.0)
    steady = scan.get("steady")
    ra = (f"{reaudit['wall']:.1f} s ({reaudit['cpu']:.0f} CPU-s, {reaudit['peak_kb'] / 1024:.0f} MB peak; "
          f"{reused(reaudit)})" if reaudit else f"n/a — {why}")
    rows = [
        ("1. `sealreview scan` end to end (Prefect start-up included)", f"{scan['wall']:.1f} s",
         f"≤ {TARGETS['wall']:.0f} s", verdict(scan["wall"] <= TARGETS["wall"] if n >= 4508 else None)),
        ("   forms/s", f"{n / scan['wall']:.1f}", "≥ 25", verdict(n / scan["wall"] >= 25)),
        ("   peak RSS, largest process (/proc VmRSS sampled every 0.1 s; RUSAGE_CHILDREN ru_maxrss as a check)",
         f"{mb:.0f} MB ({short(scan['peak_name'])}); ru_maxrss {scan['ru_maxrss_kb'] / 1024:.0f} MB",
         "≤ 2048 MB", verdict(mb <= TARGETS["peak_mb"])),
        ("   phases: start-up (Prefect server, discovery, hashing) / files / register", fmt_phases(scan), "", ""),
        ("   fixed start-up + register writing (outside the files phase)", f"{fixed:.1f} s", "", ""),
        ("   steady state (files phase, between the first and last progress line)",
         f"{steady:.1f} files/s" if steady else "?", "", ""),
        ("   decided rows kept for the next run (a re-audit right after the scan reuses them)",
         scan.get("stored", "?"), "", ""),
        ("   peak RSS per worker process", f"{scan['worker_peak_kb'] / 1024:.0f} MB", "≤ 1024 MB",
         verdict(scan["worker_peak_kb"] / 1024 <= 1024 if scan["worker_peak_kb"] else None)),
        ("   peak RSS, whole process tree", f"{scan['tree_kb'] / 1024:.0f} MB ({scan['processes']} processes)", "", ""),
        ("   CPU time of the process tree (user+sys, RUSAGE_CHILDREN; descendants that outlive the command are waited for as their subreaper)", f"{scan['cpu']:.0f} CPU-s ({roles(scan)})",
         "", ""),
        (f"2. floor: read text only, {workers} worker processes", floor_text(floor), "", ""),
        (f"2b. fastest-reader floor: pypdfium2 text, zip + lxml for docx/xlsx, {workers} worker processes",
         f"{fast['wall']:.1f} s ({fast['cpu']:.0f} CPU-s; {fast['files_s']:.0f} files/s)", "", ""),
        *([(f"3. naive: read + full GiNZA (NER+parser), {naive['sample']}-file sample scaled up",
            f"{naive['estimate']:.0f} s (est.; {naive['cpu']:.0f} CPU-s)", "", "")] if naive else []),
        ("4. unchanged re-audit (`sealreview reaudit`)", ra, f"≤ {TARGETS['reaudit']:.0f} s",
         verdict(reaudit["wall"] <= TARGETS["reaudit"]) if reaudit else "n/a"),
        ("   phases: start-up / files / register", fmt_phases(reaudit) if reaudit else "", "", ""),
        ("pipeline / floor (CPU time; judged on this: robust to other load)", f"{scan['cpu'] / floor['cpu']:.2f}×",
         "≤ 1.5×", verdict(scan["cpu"] / floor["cpu"] <= 1.5)),
        ("pipeline / floor (wall, end to end incl. Prefect server, model load, register; issue 19 target)",
         f"{scan['wall'] / floor['wall']:.2f}×", "≤ 1.0×", verdict(scan["wall"] / floor["wall"] <= 1.0)),
        ("steady state / fastest-reader floor (time per file)",
         f"{fast['files_s'] / steady:.2f}×" if steady else "?", "≤ 1.2×",
         verdict(fast["files_s"] / steady <= 1.2) if steady else "n/a"),
        ("pipeline / fastest-reader floor (wall, end to end)", f"{scan['wall'] / fast['wall']:.2f}×", "", ""),
    ]
    if naive:
        rows += [("naive / pipeline (CPU time; judged on this)", f"{naive['cpu'] / scan['cpu']:.1f}×", "≥ 15×",
                  verdict(naive["cpu"] / scan["cpu"] >= 15)),
                 ("naive / pipeline (wall)", f"{naive['estimate'] / scan['wall']:.1f}×", "", "")]
    lines = ["| measure | result | target | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return lines


def write_report(lines: list[str], args: argparse.Namespace, load_before: str, load_after: str,
                 scan: dict, naive: dict, counts: dict, aside: Path | None = None, out: Path | None = None) -> Path:
    info = probe.machine()
    today = datetime.now().astimezone()
    head = [f"# Scale benchmark {today:%Y-%m-%d %H:%M %Z}", "",
            f"- machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gb']} GB RAM, Python {info['python']}, "
            f"Linux {info['kernel']}",
            f"- corpus: {args.n} generated forms (bench/gen_kawasaki.py --seed {args.seed}), workers: {args.workers}",
            f"- load average (1/5/15 min) before: {load_before}; after: {load_after} (shared machine)",
            *([f"- naive model pipes: {', '.join(naive['pipes'])}; {naive['tok_s']:,.0f} tokens/s in one process"]
              if naive else []),
            f"- decisions: {counts}",
            f"- output folder: {describe(out or HERE)}; an earlier output "
            + ("deleted right before the scan (--delete-before)" if args.delete_before else
               "renamed aside and deleted after the measurements" if aside is not None else "not there"), ""]
    body = [*head, *lines, "", "Command: `.venv/bin/python bench/bench_scale.py "
            f"--n {args.n} --workers {args.workers}`", "", "Scan output (tail):", "", "```",
            *scan["output"].strip().splitlines()[-3:], "```", ""]
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    path = results / f"scale-{today:%Y-%m-%d-%H%M}{'' if args.n == 4508 else f'-n{args.n}'}.md"
    path.write_text("\n".join(body), encoding="utf-8")
    return path


def reaudits_only(out: Path, args: argparse.Namespace) -> int:
    """K unchanged re-audits of a scan output, one after the other: wall time, phases, CPU, load before/after."""
    if not (out / "register.jsonl").is_file():
        raise SystemExit(f"no scan output in {out}: run bench_scale.py --n {args.n} first")
    lines = ["| re-audit | wall | start-up / files / register | CPU | load before → after |", "|---|---|---|---|---|"]
    for k in range(1, args.reaudit_only + 1):
        before = probe.load_average()
        result = probe.run_measured([str(SEALREVIEW), "reaudit", "--out", str(out), "--workers", str(args.workers)])
        if result["rc"] != 0:
            print(result["output"][-3000:], file=sys.stderr)
            raise SystemExit(f"reaudit failed with exit code {result['rc']}")
        lines.append(f"| {k} | {result['wall']:.1f} s | {fmt_phases(result)} | {result['cpu']:.0f} CPU-s | "
                     f"{before} → {probe.load_average()} |")
        print(lines[-1], flush=True)
    today = datetime.now().astimezone()
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    path = results / f"reaudit-{today:%Y-%m-%d-%H%M}-n{args.n}.md"
    path.write_text("\n".join([f"# Unchanged re-audits {today:%Y-%m-%d %H:%M %Z}", "",
                                f"- output: {out.name}, workers: {args.workers}", "", *lines, "",
                                f"Command: `.venv/bin/python bench/bench_scale.py --n {args.n} "
                                f"--reaudit-only {args.reaudit_only}`", ""]), encoding="utf-8")
    print(f"written {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4508, help="forms (default 4,508; --n 500 for a quick check)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--corpus", type=Path, help="corpus folder (default bench/out/kawasaki-N)")
    ap.add_argument("--out", type=Path, help="scan output folder (default bench/out/scale-N)")
    ap.add_argument("--naive-sample", type=int, default=120, help="0: skip the naive baseline")
    ap.add_argument("--delete-before", action="store_true",
                    help="delete the earlier output before the scan (the old way) instead of after the measurements")
    ap.add_argument("--floor-once", action="store_true",
                    help="measure the pdfplumber floor only after the scan (by default also right before it)")
    ap.add_argument("--reaudit-only", type=int, metavar="K", default=0,
                    help="only K unchanged re-audits of the existing scan output (--out), nothing else")
    args = ap.parse_args(argv)
    corpus = args.corpus or HERE / "out" / f"kawasaki-{args.n}"
    out = args.out or HERE / "out" / f"scale-{args.n}"
    if args.reaudit_only:
        return reaudits_only(out, args)
    forms = ensure_corpus(corpus, args.n, args.seed, args.workers)
    files = corpus_files(forms)
    if args.delete_before and out.exists():
        subprocess.run(["rm", "-rf", str(out)], check=True)
    aside = set_aside(out)
    floor_before = None if args.floor_once else measure_floor(files, args.workers)
    load_before = probe.load_average()
    print(f"scan: {len(files)} files, {args.workers} workers (load {load_before}) …", flush=True)
    scan = measure_scan(forms, out, args.workers)
    print(f"scan: {scan['wall']:.1f} s, {len(files) / scan['wall']:.1f} forms/s, peak "
          f"{scan['peak_kb'] / 1024:.0f} MB ({scan['peak_name']})", flush=True)
    counts = decisions(out)
    scan["stored"] = stored_rows(out)
    reaudit, why = None, "`sealreview reaudit` does not exist yet (issue 7)"
    if reaudit_help() is not None:
        reaudit = measure_scan(forms, out, args.workers, command="reaudit")
        print(f"reaudit: {reaudit['wall']:.1f} s", flush=True)
    floor = around(floor_before, measure_floor(files, args.workers))
    fast = measure_floor(files, args.workers, fast=True)
    naive = measure_naive(files, args.naive_sample, args.workers) if args.naive_sample else None
    lines = table(len(files), args.workers, scan, floor, fast, naive, reaudit, why)
    load_after = probe.load_average()
    print("\n".join(lines))
    print(f"load average before {load_before}, after {load_after}")
    print(f"written {write_report(lines, args, load_before, load_after, scan, naive, counts, aside, out)}")
    seconds = delete_aside(out)  # this run's earlier output, and any an interrupted run left
    if args.delete_before:
        print("the earlier output was deleted before the scan (--delete-before)")
    elif aside is not None:
        print(f"the earlier output deleted after the measurements ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
