"""Word/Excel pictures LibreOffice could not make, remembered so that they are not tried again and again.

A file LibreOffice cannot print, or whose finding is not found in the PDF it prints, fails the same way every
time: trying it costs a LibreOffice start (≈ 2–3 s) twice per run (while the files are read, then when the
register is written) and again at every re-audit. Its picture name (file content + finding, select.image_name) is
kept in OUT_DIR/.sealreview/unmade-pictures.json with a key derived from the code of output/evidence/ and the
LibreOffice binary: a new version of either, or a changed file or finding (a new name), tries again. A file of a
batch LibreOffice did not end normally (out of time on a busy machine, crashed on a batch-mate) is not
remembered, nor a file that was missing.
"""

from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from pathlib import Path

from extractors.digest import source_digest
from output.atomic import atomic_write

RECORD = Path(".sealreview") / "unmade-pictures.json"
FORMAT = "sealreview-unmade-pictures-1"
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _code() -> str:
    return source_digest(Path(__file__).resolve().parent)


def record_key() -> str:
    from output.evidence.office_pdf import soffice

    binary = soffice() or "-"
    stat = Path(binary).stat() if binary != "-" and Path(binary).exists() else None
    seen = f"{_code()}|{binary}|{stat.st_size if stat else 0}|{stat.st_mtime_ns if stat else 0}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def _read(out_dir: Path) -> set[str]:
    try:
        data = json.loads((Path(out_dir) / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != record_key():
        return set()
    return {name for name in data.get("names", []) if isinstance(name, str)}


def unmade_names(out_dir: Path) -> set[str]:
    """The picture names that could not be made under the same code and LibreOffice."""
    with _lock:
        return _read(out_dir)


def remember(out_dir: Path, failed: set[str], *, keep: set[str] | None = None) -> None:
    """Add `failed` to the record; `keep` given: forget every name not in it (no row wants it any more)."""
    with _lock:
        before = _read(out_dir)
        names = before | set(failed)
        if keep is not None:
            names &= keep
        target = Path(out_dir) / RECORD
        if names == before and (names or not target.exists()):
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": FORMAT, "key": record_key(), "names": sorted(names)}
        atomic_write(target, lambda f: json.dump(payload, f, ensure_ascii=False, indent=1), encoding="utf-8")
