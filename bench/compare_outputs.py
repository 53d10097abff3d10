"""Same outputs from two runs: the register rows, the drafts, the e-forms and the evidence pictures of two OUT_DIRs.

    .venv/bin/python bench/compare_outputs.py OLD_OUT NEW_OUT [--show 10]

Compares
  register.jsonl  every field of every row but `run_id` and `versions` (rows matched by input folder and path)
  revised/        the same files; a .docx/.xlsx draft by its members (names, order, dates, compression method and
                  the bytes of each member: the zip's own bytes may differ with the deflate level), others byte for byte
  eforms/         the same files, byte for byte (JSON and HTML)
  evidence/       the same pictures, pixel for pixel (decoded as RGB: a grey picture is written as a palette PNG
                  since issue 19 M, an RGB one before; the bytes differ, the pixels must not)
Prints what differs and a summary; exit code 1 when anything differs.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from same_register import IGNORED, rows_of


def files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else {}


def members(path: Path) -> list[tuple]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, i.date_time, i.compress_type, zf.read(i.filename)) for i in zf.infolist()]


def pixels(path: Path) -> tuple:
    from PIL import Image

    with Image.open(path) as image:
        return image.size, image.convert("RGB").tobytes()


def same_file(a: Path, b: Path) -> bool:
    if a.suffix.lower() == ".png":
        return pixels(a) == pixels(b)
    if a.suffix.lower() in (".docx", ".xlsx"):
        try:
            return members(a) == members(b)
        except zipfile.BadZipFile:
            pass
    return a.read_bytes() == b.read_bytes()


def compare(old: Path, new: Path, show: int) -> int:
    problems = 0
    a, b = rows_of(old), rows_of(new)
    differing = [key for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]
    print(f"register.jsonl: {len(a)} / {len(b)} rows, {len(differing)} differ (all fields but {', '.join(IGNORED)})")
    for key in differing[:show]:
        ra, rb = a.get(key) or {}, b.get(key) or {}
        fields = sorted(k for k in set(ra) | set(rb) if ra.get(k) != rb.get(k))
        print(f"  {key[1]}: {', '.join(fields)}")
    problems += len(differing)
    for folder in ("revised", "eforms", "evidence"):
        fa, fb = files(old / folder), files(new / folder)
        only = sorted(set(fa) ^ set(fb))
        changed = [rel for rel in sorted(set(fa) & set(fb)) if not same_file(fa[rel], fb[rel])]
        print(f"{folder}/: {len(fa)} / {len(fb)} files, {len(only)} in one run only, {len(changed)} with other contents")
        for rel in (only + changed)[:show]:
            print(f"  {rel}")
        problems += len(only) + len(changed)
    print("same outputs" if not problems else f"{problems} differences")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args(argv)
    return compare(args.old, args.new, args.show)


if __name__ == "__main__":
    sys.exit(main())
