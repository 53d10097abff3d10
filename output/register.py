"""Write the register: register.xlsx, register.csv and register.jsonl, each replaced atomically."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from output.atomic import atomic_path
from output.csv_writer import write_csv
from output.jsonl_writer import write_jsonl
from output.models import RegisterRow
from output.xlsx_writer import write_xlsx

REGISTER_FILES = {"xlsx": "register.xlsx", "csv": "register.csv", "jsonl": "register.jsonl"}


def write_register(rows: list[RegisterRow], out_dir: Path, *, run_info: dict) -> dict[str, Path]:
    """Write the three register files into `out_dir`; returns {"xlsx"|"csv"|"jsonl": path}.

    `run_info`: {"as_of", "versions", "inputs", "started", "finished"}, shown on sheet 集計.
    All three are first written to temporary files in `out_dir`; only when all three are complete are
    they moved into place with `os.replace`. A crash leaves the previous register untouched.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {kind: out_dir / name for kind, name in REGISTER_FILES.items()}
    with ExitStack() as stack:
        tmp = {kind: stack.enter_context(atomic_path(path)) for kind, path in targets.items()}
        write_jsonl(rows, tmp["jsonl"], atomic=False)
        write_csv(rows, tmp["csv"], atomic=False)
        write_xlsx(rows, tmp["xlsx"], run_info=run_info, atomic=False)
    return targets


def write_run(rows: list[RegisterRow], out_dir: Path, *, run_info: dict,
              args: dict | None = None) -> tuple[list[RegisterRow], dict[str, Path]]:
    """What a scan / re-audit does after deciding: apply the reviewers' corrections from the state store,
    write the register, and record the run and its rows in the state store. Returns (rows shown, paths)."""
    from output.corrections import apply_corrections
    from output.state import StateStore, record_scan

    with StateStore(out_dir) as store:
        rows = apply_corrections(rows, store)
    paths = write_register(rows, out_dir, run_info=run_info)
    record_scan(out_dir, rows, run_info=run_info, args=args)
    return rows, paths
