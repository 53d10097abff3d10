"""Legacy conversion throughput: .doc / .xls through LibreOffice (extractors.legacy), 1 and 2 at a time.

    .venv/bin/python bench/bench_legacy.py [--n 12] [--concurrency 1 2]

Makes N .doc and N .xls files from generated forms (bench/gen_kawasaki.py, one LibreOffice batch
conversion per format, not timed), then times `extractors.legacy.extract_legacy` — a LibreOffice
conversion with its own profile, plus reading the converted docx/xlsx — with 1 and 2 conversions
running at once (threads; each conversion is its own soffice process). The first conversion of each
profile pays LibreOffice's profile creation: it is timed separately ("cold") and the profiles are then
reused as the extractor does. Prints files/s and appends to bench/results/legacy-<date>.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
import scale_probe as probe  # noqa: E402
from gen_kawasaki import write_range  # noqa: E402

from extractors.legacy import extract_legacy, soffice_binary  # noqa: E402
from extractors.models import InputFormat, Status  # noqa: E402


def make_inputs(work: Path, n: int) -> dict[InputFormat, list[Path]]:
    """N .doc and N .xls converted (untimed) from generated .docx / .xlsx forms."""
    write_range(str(work / "gen"), 2021, 0, n * 4)
    out: dict[InputFormat, list[Path]] = {}
    for fmt, src_suffix, target in ((InputFormat.DOC, ".docx", "doc"), (InputFormat.XLS, ".xlsx", "xls")):
        sources = sorted((work / "gen").rglob(f"*{src_suffix}"))[:n]
        flat = work / f"src-{target}"
        flat.mkdir()
        for i, src in enumerate(sources):
            shutil.copyfile(src, flat / f"form{i:03d}{src_suffix}")
        dest = work / target
        profile = (work / "profile-make").as_uri()
        subprocess.run([soffice_binary() or "soffice", f"-env:UserInstallation={profile}", "--headless",
                        "--convert-to", target, "--outdir", str(dest), *map(str, sorted(flat.iterdir()))],
                       check=True, capture_output=True, timeout=600)
        out[fmt] = sorted(dest.glob(f"*.{target}"))
    return out


def timed(path: Path, fmt: InputFormat, work_dir: Path) -> tuple[float, bool]:
    started = time.perf_counter()
    doc = extract_legacy(path, fmt=fmt, work_dir=work_dir)
    return time.perf_counter() - started, doc.status is not Status.FAILED and bool(doc.blocks)


def run(files: list[tuple[Path, InputFormat]], concurrency: int, work_dir: Path) -> dict:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda item: timed(item[0], item[1], work_dir), files))
    wall = time.perf_counter() - started
    ok = sum(good for _, good in results)
    return {"wall": wall, "files": len(files), "ok": ok, "per_file": sum(t for t, _ in results) / len(results)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=12, help=".doc files and .xls files each")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args(argv)
    if soffice_binary() is None:
        print("LibreOffice (soffice) not found: n/a")
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-legacy-") as tmp:
        work = Path(tmp)
        inputs = make_inputs(work, args.n)
        files = [(p, fmt) for fmt, paths in inputs.items() for p in paths]
        files.sort(key=lambda item: item[0].name)  # .doc and .xls interleaved
        load_before = probe.load_average()
        warm_up = run(files[: max(args.concurrency)], max(args.concurrency), work)  # creates the profiles
        lines = ["| concurrent conversions | files | converted+read | wall | files/s | mean per file |",
                 "|---|---|---|---|---|---|"]
        for concurrency in args.concurrency:
            r = run(files, concurrency, work)
            lines.append(f"| {concurrency} | {r['files']} (.doc {len(inputs[InputFormat.DOC])}, .xls "
                         f"{len(inputs[InputFormat.XLS])}) | {r['ok']} | {r['wall']:.1f} s | "
                         f"{r['files'] / r['wall']:.2f} | {r['per_file']:.2f} s |")
            print(lines[-1], flush=True)
    info = probe.machine()
    today = datetime.now().astimezone()
    report = [f"# Legacy conversion benchmark {today:%Y-%m-%d %H:%M %Z}", "",
              f"- machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gb']} GB RAM; LibreOffice "
              f"{office_version()}",
              f"- load average before: {load_before}; after: {probe.load_average()} (shared machine)",
              f"- first conversion with a new LibreOffice profile (cold, {max(args.concurrency)} at once): "
              f"{warm_up['per_file']:.1f} s per file; the runs below reuse the profiles, as the extractor does", "",
              *lines, "", f"Command: `.venv/bin/python bench/bench_legacy.py --n {args.n}`", ""]
    (HERE / "results").mkdir(exist_ok=True)
    path = HERE / "results" / f"legacy-{today:%Y-%m-%d}.md"
    path.write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report[2:5]))
    print(f"written {path}")
    return 0


def office_version() -> str:
    try:
        out = subprocess.run([soffice_binary() or "soffice", "--version"], capture_output=True, text=True, timeout=60)
        return out.stdout.strip().split("\n")[0][:60]
    except (OSError, subprocess.SubprocessError):
        return "?"


if __name__ == "__main__":
    raise SystemExit(main())
