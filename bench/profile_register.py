"""Where the register phase of a scan / re-audit spends its time: every output, wall and CPU seconds.

    .venv/bin/python bench/profile_register.py scan CORPUS --out OUT [--workers 2]
    .venv/bin/python bench/profile_register.py reaudit --out OUT [--workers 2]
    .venv/bin/python bench/profile_register.py xlsx --out OUT [--repeat 2]

`scan` / `reaudit` run the command in this process (flows.cli.main, the Prefect server and workers as usual) with
a timer around each step of the register phase — the last LibreOffice picture batch, the reviewers' corrections,
drafts, evidence pictures, e-forms, register.jsonl / .csv / .xlsx (and each sheet of it), review.html, the state
files, the artifacts — and print, in the order they started, each step's wall time and the CPU time of the thread
that ran it (`thread`) and of the whole process (`process`, which includes threads running beside it). Only this
project's own functions are timed (module attributes of sealreview's packages); libraries are not touched.
`xlsx` writes register.xlsx alone from OUT's register.jsonl and state (to a temporary folder, OUT is only read),
`--repeat` times, the way `write_register` does: the cost of the workbook without the rest of a run (`--keep DIR`
keeps it, e.g. to compare two versions with tests/xlsx_readback.py). Links are relative to where it is written.
The figures are for one machine at one load: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (module, attribute) of the steps, outermost first; a name that does not exist (another version) is skipped.
STEPS = [
    # start-up: the server's boot, the previous run, hashing, the rules, the cache (flows/reaudit.py prepare)
    ("flows.cli", "check_rules"), ("flows.serve", "TemporaryServer.wait_ready"),
    ("flows.reaudit", "prepare"), ("flows.reaudit", "previous_run"), ("flows.reaudit", "discover_known"),
    ("flows.reaudit", "make_options"), ("flows.reaudit", "rule_context"),
    ("output.store.analysis", "AnalysisCache.preload"), ("flows.scan", "prepare_scan"),
    ("output.pipeline.workers", "prestart"),
    ("flows.scan", "run_batches"), ("flows.reaudit", "run_batches"), ("flows.reaudit", "shown_rows"),
    ("output.decided_rows", "DecidedRows.__init__"), ("output.decided_rows", "DecidedRows.look_ahead"),
    ("output.decided_rows", "DecidedRows.rows"),
    ("output.evidence.early", "EarlyPictures.finish"),
    ("flows.scan", "make_run_info"), ("flows.reaudit", "compare"),
    ("flows.scan", "write_run"), ("flows.reaudit", "write_run"),
    ("output.register", "remove_stale_temporaries"), ("output.register", "run_history"),
    ("output.corrections", "apply_corrections"),
    ("output.revised.placement", "settle_drafts"), ("output.revised.placement", "finish_drafts"),
    ("output.evidence", "settle_evidence"), ("output.eforms", "settle_eforms"),
    ("output.register", "write_register"), ("output.register", "write_lines"), ("output.register", "write_csv"),
    ("output.register", "render_rows"), ("output.register", "write_xlsx"), ("output.register", "WorkbookAhead.__init__"),
    ("output.register", "WorkbookAhead.take"), ("output.evidence", "expected_evidence"),
    ("output.xlsx_writer", "write_list_sheet"), ("output.xlsx_writer", "write_summary_sheet"),
    ("output.xlsx_writer", "write_bases_sheet"), ("output.xlsx_writer", "write_revisions_sheet"),
    ("output.xlsx_writer", "write_changes_sheet"), ("output.xlsx_writer", "write_choices_sheet"),
    ("output.xlsx_writer", "apply_print_layout"), ("output.xlsx_writer", "close_book"),
    ("output.review_page", "write_review_page"), ("output.store.state", "record_scan"),
    ("output.store.state", "_record"), ("output.register", "_write_run"),
    ("flows.scan", "publish_artifacts"), ("flows.scan", "clear_checkpoint"), ("flows.reaudit", "publish_artifacts"),
    ("flows.reaudit", "clear_checkpoint"),
]

records: list[tuple[float, float, float, float, int, str]] = []  # start, wall, thread CPU, process CPU, depth, name
_depth = threading.local()


def timed(name: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        depth = getattr(_depth, "n", 0)
        _depth.n = depth + 1
        start, cpu, proc = time.perf_counter(), time.thread_time(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _depth.n = depth
            records.append((start, time.perf_counter() - start, time.thread_time() - cpu,
                            time.process_time() - proc, depth, name))
    return wrapper


def instrument() -> None:
    for module_name, attr in STEPS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        owner, _, leaf = attr.rpartition(".")
        target = getattr(module, owner) if owner else module
        fn = getattr(target, leaf, None)
        if fn is None or getattr(fn, "__wrapped__", None) is not None:
            continue
        setattr(target, leaf, timed(f"{module_name.split('.')[-1]}.{attr}", fn))


def report(origin: float) -> None:
    print(f"{'start':>7} {'wall':>7} {'thread':>7} {'process':>7}  step")
    for start, wall, cpu, proc, depth, name in sorted(records):
        print(f"{start - origin:7.2f} {wall:7.2f} {cpu:7.2f} {proc:7.2f}  {'  ' * depth}{name}")


def xlsx_only(out: Path, repeat: int, keep: Path | None = None) -> None:
    """register.xlsx alone, from OUT's register.jsonl and the state store's history."""
    from output.register import run_history
    from output.store.state import StateStore, row_from_json

    rows = [row_from_json(json.loads(line)) for line in (out / "register.jsonl").read_text("utf-8").splitlines()]
    with StateStore(out) as store:
        history = run_history(store)
    import output.register as register
    run_info = {"as_of": "2025-04-01", "versions": {}, "inputs": [], "started": history[0]["started"] if history
                else None, "finished": None, "run_id": rows[0].run_id if rows else "x",
                "changes": history[0]["changes"] if history else None, "history": history}
    with tempfile.TemporaryDirectory(prefix="profile-register-") as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for _ in range(repeat):
            start, cpu = time.perf_counter(), time.process_time()
            render = getattr(register, "render_rows", None)
            shown = render(rows) if render else [register.render(r, i) for i, r in enumerate(rows, start=1)]
            register.write_xlsx(rows, folder / "register.xlsx", run_info=run_info, atomic=False, rendered=shown)
            print(f"register.xlsx of {len(rows)} rows, {len(history)} runs of history: "
                  f"{time.perf_counter() - start:.2f} s, {time.process_time() - cpu:.2f} CPU-s", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["scan", "reaudit", "xlsx"])
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="xlsx: write register.xlsx into this folder and keep it")
    args = ap.parse_args(argv)
    print(f"load before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    origin = time.perf_counter()
    if args.command != "xlsx":  # as the command line does: the server boots while Prefect is imported
        from flows import configure_environment
        from flows.serve import start_early

        configure_environment()
        start_early()
    instrument()
    print(f"{time.perf_counter() - origin:7.2f} s: modules imported (Prefect, flows)", flush=True)
    if args.command == "xlsx":
        xlsx_only(args.out, args.repeat, args.keep)
        rc = 0
    else:
        from flows.cli import main as cli_main
        rc = cli_main([args.command, *args.inputs, "--out", str(args.out), "--workers", str(args.workers)])
    total = time.perf_counter() - origin
    report(origin)
    print(f"command: {total:.1f} s, exit code {rc}; load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
