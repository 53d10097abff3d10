"""Word and Excel files to PDF with LibreOffice headless, many files per start (starting costs ~1 s), one
LibreOffice per core.

Each file is copied under a plain name (LibreOffice stumbles on odd names, and two forms may share a stem);
one profile per start; the process group is killed on timeout (LibreOffice can hang); the output is checked
to be a PDF (exit status 0 proves nothing).

The profile of a start is a copy of one made once per LibreOffice binary (`profiles`/libreoffice-profile-<key>,
the key from the binary's path, size and time): the profile of the first start that ends normally is kept, so
the next starts do not build one (≈0.2 CPU-s each). Every profile, new or copied, records this LibreOffice's
version as the last one run, so no start runs LibreOffice's graphics self-tests (extractors/office_profile.py).
A killed start leaves its lock only in its own copy; another binary (a LibreOffice update) gets a new profile.
LibreOffice runs with jemalloc when the system has it (office_profile.office_env).
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from extractors.office_profile import SETTINGS, office_env, record_last_version

# Files per LibreOffice start. A start cost ≈1.65 CPU-s with a new profile and the graphics self-tests; with
# the kept profile ≈0.25–0.45 CPU-s (issue 19: a Writer file ≈0.24 CPU-s, a Calc file ≈0.10, generated Kawasaki
# forms): Calc takes twice as many for the same time per start, and a hang risks the same.
BATCH = 25
SHEET_BATCH = 50
SHEETS = (".xlsx", ".xls", ".ods")
# A sheet on one page (LibreOffice ≥ 7.4): a wide form is not cut between pages, so a mark keeps its label.
CALC_TARGET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
TIMEOUT_BASE_S, TIMEOUT_PER_FILE_S = 60, 10
PROFILE_PREFIX = "libreoffice-profile-"
_adopting = threading.Lock()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdfs(files: list[Path], work_dir: Path, *, nice: int = 0,
            unsettled: set[Path] | None = None, profiles: Path | None = None, spread: bool = False) -> dict[Path, Path]:
    """{source: its PDF under work_dir} for every file LibreOffice could print; the others are left out.
    `nice` > 0: LibreOffice runs with that niceness increment (`nice -n`), leaving the CPU to other work.
    `unsettled`: gets the files of batches LibreOffice did not finish normally (out of time, crashed, killed):
    a file there may have failed for its batch-mate or a busy machine, so it is worth another try later.
    `profiles`: the folder keeping the profile copied for each start between calls (default: work_dir).
    `spread`: nothing else needs the cores (a scan's last pictures, its files all read): the batches are split
    into even shares per core (`spread_batches`), so that one large batch does not keep one core busy while the
    others idle."""
    binary = soffice()
    if binary is None or not files:
        return {}
    prefix = ["nice", "-n", str(nice)] if nice > 0 and shutil.which("nice") else []
    work_dir = work_dir.absolute()  # LibreOffice's profile is a file URI, which a relative path cannot be (--out out)
    work_dir.mkdir(parents=True, exist_ok=True)
    template = profile_template(binary, (profiles or work_dir).absolute())
    sheets = [f for f in files if f.suffix.lower() in SHEETS]
    batches = [(group[start:start + size], target)
               for group, target, size in ((sheets, CALC_TARGET, SHEET_BATCH),
                                           ([f for f in files if f not in sheets], "pdf", BATCH))
               for start in range(0, len(group), size)]
    if spread:
        batches = spread_batches(batches, _cores())
    done: dict[Path, Path] = {}
    # One LibreOffice per core at a time (threads only wait for the processes).
    with ThreadPoolExecutor(max_workers=max(1, min(len(batches), _cores()))) as pool:
        for (files_of_batch, _target), (found, finished) in zip(batches, pool.map(
                lambda job: _batch(binary, job[0], Path(tempfile.mkdtemp(dir=work_dir)), job[1], prefix, template),
                batches),
                strict=True):
            done.update(found)
            if not finished and unsettled is not None:
                unsettled.update(files_of_batch)
    return done


SPREAD_MIN = 4  # files: below, a LibreOffice start of its own costs more than the share of a batch it takes over


def spread_batches(batches: list[tuple[list[Path], str]], cores: int) -> list[tuple[list[Path], str]]:
    """The batches split so that none holds more than an even share of all the files across `cores` (at
    least SPREAD_MIN files a batch), largest first: one LibreOffice a core then finishes at about the same
    time, instead of one large batch keeping one core busy while the others idle."""
    total = sum(len(files) for files, _ in batches)
    share = max(SPREAD_MIN, math.ceil(total / max(1, cores)))
    split = []
    for files, target in batches:
        parts = max(1, math.ceil(len(files) / share))
        size = math.ceil(len(files) / parts)
        split += [(files[i:i + size], target) for i in range(0, len(files), size)]
    return sorted(split, key=lambda batch: -len(batch[0]))


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def profile_template(binary: str, profiles: Path) -> Path:
    """Where the profile copied for each start of `binary` is kept (it may not exist yet)."""
    stat = Path(binary).resolve().stat()
    seen = f"{Path(binary).resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return profiles / f"{PROFILE_PREFIX}{hashlib.sha256(seen.encode()).hexdigest()[:16]}"


def _seed(profile: Path, template: Path | None, binary: str) -> bool:
    """Fill a start's profile folder: a copy of the kept profile (True), else only the last version run."""
    if template is not None and (template / SETTINGS).is_file():
        try:
            shutil.copytree(template, profile, ignore=shutil.ignore_patterns(".lock"))
            return True
        except OSError:
            shutil.rmtree(profile, ignore_errors=True)
    record_last_version(profile, binary)
    return False


def _adopt(profile: Path, template: Path) -> None:
    """Keep the profile of a start that ended normally as the one to copy; drop those of other binaries."""
    with _adopting:
        if (template / SETTINGS).is_file() or not (profile / SETTINGS).is_file():
            return
        try:
            template.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{template.name}-", dir=template.parent))
        except OSError:
            return
        try:
            shutil.copytree(profile, staging / "profile", ignore=shutil.ignore_patterns(".lock"))
            shutil.rmtree(template, ignore_errors=True)  # a half-made one (no settings file)
            os.rename(staging / "profile", template)
        except OSError:
            pass  # another process kept one first, or the disk is full: the next start builds its own
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for old in template.parent.glob(f"{PROFILE_PREFIX}*"):
            if old.name != template.name:
                shutil.rmtree(old, ignore_errors=True)


def _batch(binary: str, files: list[Path], folder: Path, target: str,
           prefix: list[str] | None = None, template: Path | None = None) -> tuple[dict[Path, Path], bool]:
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
    copied = _seed(folder / "profile", template, binary)
    cmd = [*(prefix or []), binary, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--invisible",
           "--nologo", "--norestore", "--nodefault", "--nolockcheck", "--convert-to", target, "--outdir",
           str(folder), *map(str, names.values())]
    proc = subprocess.Popen(cmd, env=office_env(folder, folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
    if finished and template is not None and not copied:
        _adopt(folder / "profile", template)
    out = {}
    for source, plain in names.items():
        pdf = plain.with_suffix(".pdf")
        if pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-":
            out[source] = pdf
    return out, finished
