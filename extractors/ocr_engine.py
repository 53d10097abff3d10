"""Which OCR engine and models this machine reads scans with, as one string: part of the analysis cache key, so
a page read by another tesseract or another model file (an upgraded package, tesseract-ocr-script-jpan installed
or removed, TESSDATA_PREFIX pointing elsewhere) is read again instead of being taken from the cache. Derived
from the machine each time a process starts (two short tesseract calls), never kept by hand."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

TIMEOUT_S = 30
LISTING = re.compile(r'"(?P<dir>[^"]+)"')  # List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (5):


@lru_cache(maxsize=1)
def engine_identity() -> str:
    """tesseract's version line and every installed model with its size and modification time; "none" without
    tesseract, "unreadable" when it does not answer."""
    exe = shutil.which("tesseract")
    if exe is None:
        return "none"
    try:
        version = subprocess.run([exe, "--version"], capture_output=True, timeout=TIMEOUT_S)
        listing = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return "unreadable"
    first = (version.stdout or version.stderr).decode("utf-8", "replace").strip().splitlines()[:1]
    lines = listing.stdout.decode("utf-8", "replace").strip().splitlines()
    where = LISTING.search(lines[0]) if lines else None
    models = []
    for name in lines[1:]:
        name = name.strip()
        try:
            stat = (Path(where["dir"]) / f"{name}.traineddata").stat() if where else None
        except OSError:
            stat = None
        models.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}" if stat else name)
    return ";".join([*first, *sorted(models)])
