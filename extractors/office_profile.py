"""LibreOffice user profiles that skip the start-up graphics self-tests, and the environment of its processes.

LibreOffice runs its graphics self-tests (GraphicsRenderTests, ≈1 CPU-s, nothing a conversion uses) at every start
whose profile records an older "last version run" (registrymodifications.xcu, /org.openoffice.Setup/Product
ooSetupLastVersion), and headless it never records one, so without this every start ran them.
`record_last_version` writes this LibreOffice's version into a profile before its first start: extractors/legacy.py
does it for the profile of each concurrent conversion, output/evidence/office_pdf.py for the profile it keeps and
copies for each start. Measured on a .xls of the real corpus: a conversion 1.1 → 0.29 CPU-s.

`office_env` is the environment both give LibreOffice. It preloads jemalloc (Debian's libjemalloc2, which the
set-up installs) when the system has it: about a quarter of a Writer conversion's CPU was glibc's malloc/free
(malloc_consolidate, _int_malloc); with jemalloc the scan's 135 .docx cost 19–21% less CPU (quiet machine, 0.15/0.14 →
0.12/0.11 CPU-s a file), its 96 .xlsx 1–15% less, with the same PDFs pixel for pixel (bench/results/libreoffice-malloc-2026-12-02.md).
Without the library, with LD_PRELOAD already set, or with SEALREVIEW_LIBREOFFICE_JEMALLOC=0, LibreOffice keeps
glibc's malloc, as before.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

SETTINGS = Path("user") / "registrymodifications.xcu"
LAST_VERSION = ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
                '<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" oor:op="fuse">'
                '<value>{version}</value></prop></item>\n</oor:items>\n')
JEMALLOC = "jemalloc"
NO_JEMALLOC = "SEALREVIEW_LIBREOFFICE_JEMALLOC"  # "0": LibreOffice keeps glibc's malloc


def office_env(home: Path, tmp: Path) -> dict[str, str]:
    """The environment of a headless LibreOffice: its own HOME and TMPDIR, the headless plug-in, jemalloc."""
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp), "SAL_USE_VCLPLUGIN": "svp"}
    allocator = None if env.get("LD_PRELOAD") or env.get(NO_JEMALLOC) == "0" else preloadable(JEMALLOC)
    if allocator is not None:
        env["LD_PRELOAD"] = allocator
    return env


@lru_cache(maxsize=4)
def preloadable(library: str) -> str | None:
    """The file name the dynamic loader finds `library` by ("libjemalloc.so.2"), None when it is not installed."""
    return ctypes.util.find_library(library)


VERSION_TIMEOUT_S = 20.0  # `soffice --version` answers in well under a second; a hung binary must not stall a run


@lru_cache(maxsize=4)
def product_version(binary: str, _stat: tuple[int, int] | None = None,
                    timeout: float = VERSION_TIMEOUT_S) -> str | None:
    """"7.4" for LibreOffice 7.4.x (`soffice --version`), None when it cannot be told (also when it does not
    answer within `timeout` seconds). `_stat`: the binary's size and modification time, so an updated
    LibreOffice is asked again."""
    with tempfile.TemporaryDirectory() as home:
        try:
            shown = subprocess.run([binary, "--version"], env={**os.environ, "HOME": home}, capture_output=True,
                                   text=True, timeout=timeout, stdin=subprocess.DEVNULL).stdout
        except (OSError, subprocess.SubprocessError):
            return None
    found = re.search(r"\b(\d+)\.(\d+)\.\d+", shown)
    return f"{found[1]}.{found[2]}" if found else None


def record_last_version(profile: Path, binary: str, timeout: float = VERSION_TIMEOUT_S) -> bool:
    """Write `binary`'s version as the last one run into the (new) profile folder `profile`; False when the
    version cannot be told (within `timeout`, at most VERSION_TIMEOUT_S) or written (LibreOffice then runs its
    self-tests, as before)."""
    try:
        stat = Path(binary).resolve().stat()
    except OSError:
        return False
    version = product_version(binary, (stat.st_size, stat.st_mtime_ns), min(timeout, VERSION_TIMEOUT_S))
    if version is None:
        return False
    try:
        (profile / SETTINGS).parent.mkdir(parents=True, exist_ok=True)
        (profile / SETTINGS).write_text(LAST_VERSION.format(version=version), encoding="utf-8")
    except OSError:
        return False
    return True
