"""First scan vs an unchanged re-audit of a larger generated corpus: both times and their ratio.

    .venv/bin/python bench/bench_reaudit.py [--n 100] [--workers 2] [--keep DIR] [--corpus DIR]

Generates N forms per format (.docx/.xlsx/.pdf, bench/gen_corpus.py) in a temporary folder, runs
`sealreview scan` and then `sealreview reaudit` (nothing changed) through the command line, and prints
the wall-clock time of each command (including Prefect's temporary API server start) and the time of the
run itself (the state store's started → finished), with the re-audit / scan ratio. `--corpus DIR` scans an
existing folder instead (e.g. ../shared/corpus/real; it is only read).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from output.store.state import StateStore  # noqa: E402


def run(args: list[str]) -> float:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"failed: sealreview {' '.join(args)}\n{proc.stderr[-3000:]}")
    print("   ", proc.stdout.strip().replace("\n", "\n    "))
    return time.monotonic() - started


def run_seconds(out: Path) -> list[float]:
    """Each recorded run's own duration (started → finished), oldest first."""
    with StateStore(out) as store:
        return [(datetime.fromisoformat(r["finished"]) - datetime.fromisoformat(r["started"])).total_seconds()
                for r in store.runs()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100, help="forms per format (default 100 → 300 files)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    ap.add_argument("--corpus", type=Path, help="an existing folder of forms instead of a generated one")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-reaudit-") as tmp:
        work = args.keep or Path(tmp)
        corpus, out = args.corpus or work / "corpus", work / "out"
        if not args.corpus:
            subprocess.run([sys.executable, str(ROOT / "bench" / "gen_corpus.py"), "--out", str(corpus),
                            "--n", str(args.n)], check=True, capture_output=True)
        files = sum(1 for p in corpus.rglob("*") if p.is_file())
        common = ["--out", str(out), "--workers", str(args.workers), "--as-of", "2025-04-01"]
        print(f"corpus: {files} files, workers: {args.workers}")
        print("first scan:")
        scan = run(["scan", str(corpus), *common])
        print("unchanged re-audit:")
        reaudit = run(["reaudit", *common])
        scan_run, reaudit_run = run_seconds(out)[-2:]
    print()
    print(f"{'':24}{'scan':>10}{'reaudit':>10}{'ratio':>8}")
    print(f"{'command (wall clock) s':24}{scan:>10.1f}{reaudit:>10.1f}{reaudit / scan:>8.2f}")
    print(f"{'run itself s':24}{scan_run:>10.1f}{reaudit_run:>10.1f}{reaudit_run / max(scan_run, 1e-9):>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
