"""Word and Excel files to PDF with LibreOffice headless, many files per start (starting costs ~1 s), one
LibreOffice per core.

Each file is copied under a plain name (LibreOffice stumbles on odd names, and two forms may share a stem);
one profile per call; the process group is killed on timeout (LibreOffice can hang); the output is checked
to be a PDF (exit status 0 proves nothing).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Files per LibreOffice start. A start costs ≈1.65 CPU-s; then a Writer file ≈0.2 s and a Calc file ≈0.09 s
# (generated Kawasaki forms, load 5): Calc takes twice as many for the same time per start, and a hang risks
# the same. Measured per Calc file: 0.141 CPU-s with 25 a start, 0.106 with 50.
BATCH = 25
SHEET_BATCH = 50
SHEETS = (".xlsx", ".xls", ".ods")
# A sheet on one page (LibreOffice ≥ 7.4): a wide form is not cut between pages, so a mark keeps its label.
CALC_TARGET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
TIMEOUT_BASE_S, TIMEOUT_PER_FILE_S = 60, 10


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdfs(files: list[Path], work_dir: Path, *, nice: int = 0,
            unsettled: set[Path] | None = None) -> dict[Path, Path]:
    """{source: its PDF under work_dir} for every file LibreOffice could print; the others are left out.
    `nice` > 0: LibreOffice runs with that niceness increment (`nice -n`), leaving the CPU to other work.
    `unsettled`: gets the files of batches LibreOffice did not finish normally (out of time, crashed, killed):
    a file there may have failed for its batch-mate or a busy machine, so it is worth another try later."""
    binary = soffice()
    if binary is None or not files:
        return {}
    prefix = ["nice", "-n", str(nice)] if nice > 0 and shutil.which("nice") else []
    work_dir = work_dir.absolute()  # LibreOffice's profile is a file URI, which a relative path cannot be (--out out)
    work_dir.mkdir(parents=True, exist_ok=True)
    sheets = [f for f in files if f.suffix.lower() in SHEETS]
    batches = [(group[start:start + size], target)
               for group, target, size in ((sheets, CALC_TARGET, SHEET_BATCH),
                                           ([f for f in files if f not in sheets], "pdf", BATCH))
               for start in range(0, len(group), size)]
    done: dict[Path, Path] = {}
    # One LibreOffice per core at a time (threads only wait for the processes).
    with ThreadPoolExecutor(max_workers=max(1, min(len(batches), _cores()))) as pool:
        for (files_of_batch, _target), (found, finished) in zip(batches, pool.map(
                lambda job: _batch(binary, job[0], Path(tempfile.mkdtemp(dir=work_dir)), job[1], prefix), batches),
                strict=True):
            done.update(found)
            if not finished and unsettled is not None:
                unsettled.update(files_of_batch)
    return done


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _batch(binary: str, files: list[Path], folder: Path, target: str,
           prefix: list[str] | None = None) -> tuple[dict[Path, Path], bool]:
    """({source: PDF} of one LibreOffice start, whether it ended normally: in time and with exit status 0)."""
    names = {}
    for n, path in enumerate(files):
        plain = folder / f"f{n:04d}{path.suffix.lower()}"
        try:
            shutil.copyfile(path, plain)
        except OSError:
            continue
        names[path] = plain
    if not names:
        return {}, True
    cmd = [*(prefix or []), binary, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--invisible",
           "--nologo", "--norestore", "--nodefault", "--nolockcheck", "--convert-to", target, "--outdir",
           str(folder), *map(str, names.values())]
    env = {**os.environ, "HOME": str(folder), "TMPDIR": str(folder), "SAL_USE_VCLPLUGIN": "svp"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=TIMEOUT_BASE_S + TIMEOUT_PER_FILE_S * len(names))
    except subprocess.TimeoutExpired:
        finished = False
    else:
        finished = proc.returncode == 0
    finally:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    out = {}
    for source, plain in names.items():
        pdf = plain.with_suffix(".pdf")
        if pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-":
            out[source] = pdf
    return out, finished
