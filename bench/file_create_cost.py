"""What creating a file costs on this machine's filesystem, before and right after many files were deleted.

    .venv/bin/python bench/file_create_cost.py [--dir bench/out] [--files 4000] [--deleted 28000] [--waits 0,30,70]

A first scan of 4,508 forms creates about 28,000 files (caches 16,100, e-forms 9,016, pictures 1,401, drafts
1,257), each as the workers write them (output/atomic.replace_bytes: a temporary file, then a rename). The floor
(bench_scale.py) creates none. This measures the CPU time (user + system: `time.process_time`) of one such
file, in a new folder of `--dir`:
  1. `now`: as the filesystem is now;
  2. `after deleting`: `--deleted` files of the same kind (about one scan output) were made and deleted, then
     the cost is measured again after each of `--waits` seconds (0: right after).
On an ext4 without a journal (this machine's: /proc/fs/jbd2 lists no device) the kernel does not reuse a
freed inode for a minute after its deletion (six while its inode-table block is not written back): each new file
then makes it look through the freed ones (`find_inode_bit` → `recently_deleted`, seen with `perf`), so the cost
depends on what was deleted shortly before. Prints the figures, the filesystem and whether it has a journal.
Deletes what it made.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from output.atomic import replace_bytes  # noqa: E402

PAYLOAD = b"{}" + b" " * 3000  # about the size of an analysis-cache entry


def create(folder: Path, count: int) -> float:
    """CPU µs per file to create `count` new files in shards of `folder`, as the caches are laid out."""
    names = [hashlib.sha256(f"{folder}/{i}".encode()).hexdigest() for i in range(count)]
    started = time.process_time()
    for name in names:
        replace_bytes(folder / name[:2] / f"{name}.json", PAYLOAD)
    return (time.process_time() - started) / count * 1e6


def filesystem(path: Path) -> tuple[str, str]:
    """(type, device) of the mount holding `path`, from /proc/self/mounts (the longest mount point)."""
    best = ("?", "?", "")
    real = str(path.resolve())
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return "?", "?"
    for line in mounts:
        device, point, kind = line.split()[:3]
        if (real == point or real.startswith(point.rstrip("/") + "/")) and len(point) > len(best[2]):
            best = (kind, device, point)
    return best[0], best[1]


def has_journal(device: str) -> bool | None:
    """Whether the ext4 `device` has a journal (jbd2 lists it), None when not told."""
    jbd2 = Path("/proc/fs/jbd2")
    if not jbd2.is_dir():
        return None
    name = Path(device).name
    return any(entry.name.startswith(name) for entry in jbd2.iterdir())


def describe(path: Path) -> str:
    """"ext4 (/dev/vda) without a journal": the filesystem holding `path`, and for ext4 whether it journals."""
    kind, device = filesystem(path)
    journal = has_journal(device) if kind == "ext4" else None
    told = {True: " with a journal", False: " without a journal", None: ""}[journal]
    return f"{kind} ({device}){told}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--files", type=int, default=4000, help="files made for each measurement")
    ap.add_argument("--deleted", type=int, default=28000, help="files made and deleted before the next measurements")
    ap.add_argument("--waits", default="0,30,70", help="seconds after the deletion at which to measure again")
    args = ap.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"filesystem: {describe(args.dir)}; {args.files} files of {len(PAYLOAD)} bytes a measurement")
    work = Path(tempfile.mkdtemp(prefix="file-create-", dir=args.dir))
    try:
        print(f"now:                         {create(work / 'now', args.files):6.0f} CPU µs a file", flush=True)
        create(work / "deleted", args.deleted)
        shutil.rmtree(work / "deleted")
        deleted_at = time.monotonic()
        for wait in sorted(float(w) for w in args.waits.split(",") if w.strip()):
            time.sleep(max(0.0, deleted_at + wait - time.monotonic()))
            cost = create(work / f"after-{wait:g}", args.files)
            print(f"{wait:4.0f} s after deleting {args.deleted:,}: {cost:6.0f} CPU µs a file", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
