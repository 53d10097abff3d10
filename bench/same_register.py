"""Are two registers the same? register.jsonl row by row, every field but `run_id` and `versions`.

    .venv/bin/python bench/same_register.py OLD_OUT NEW_OUT [--show 10]

For comparing the register of one corpus written by two versions of the code (or by a scan and a re-audit).
Rows are matched by (input folder, path); prints how many rows are the same, which fields differ and the first
few differing rows; exit code 1 when any row differs or is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

IGNORED = ("run_id", "versions")


def rows_of(out: Path) -> dict[tuple[str, str], dict]:
    """register.jsonl's rows by (input folder, path), without the IGNORED fields (also used by compare_outputs.py)."""
    rows = {}
    for line in (out / "register.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        rows[(row.get("input_root") or "", row["path"])] = {k: v for k, v in row.items() if k not in IGNORED}
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args(argv)
    old, new = rows_of(args.old), rows_of(args.new)
    fields: Counter = Counter()
    differing = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a != b:
            differing.append(key)
            if a is None or b is None:
                fields["(row missing)"] += 1
            else:
                fields.update(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    print(f"{len(old)} rows old, {len(new)} rows new; {len(set(old) & set(new)) - sum(1 for k in differing if k in old and k in new)} the same "
          f"(every field but {', '.join(IGNORED)}); {len(differing)} differ")
    for name, n in fields.most_common():
        print(f"  {name}: {n}")
    for key in differing[: args.show]:
        print(f"  {key[1]}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
