"""Discover: walk the input folders and describe every file found (no reading of content)."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from extractors.formats import sniff_format
from extractors.models import InputFormat

# Office lock files and OS litter are not forms.
IGNORED_PREFIXES = ("~$", ".~lock.", "._")
IGNORED_NAMES = {"Thumbs.db", "desktop.ini", ".DS_Store"}
DEPARTMENT_DEPTH = 2  # 局/課: deeper folders are the department's own sub-folders


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file, as discovered: where it is, what its bytes are, who owns it."""

    path: Path  # absolute
    root: Path  # the INPUT_DIR it was found under
    rel_path: str  # relative to root, `/`-separated, NFC
    sha256: str
    size: int
    format: InputFormat
    department: str | None
    error: str | None = None  # set when the file could not even be opened


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def department_of(rel_path: str) -> str | None:
    """The 所管 from the folder layout: `総務局/総務課/申請書.docx` → `総務局/総務課`."""
    parts = rel_path.split("/")[:-1]
    return "/".join(parts[:DEPARTMENT_DEPTH]) or None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe_file(path: Path, root: Path) -> SourceFile:
    """Hash and sniff one file; an unreadable file still gets a `SourceFile` with `error`."""
    rel = nfc(path.relative_to(root).as_posix())
    dept = department_of(rel)
    try:
        size = path.stat().st_size
        digest = file_sha256(path)
        fmt = sniff_format(path)
    except PermissionError:
        return SourceFile(path, root, rel, "", 0, InputFormat.UNKNOWN, dept, "ファイルを読む権限がありません")
    except OSError as exc:
        return SourceFile(path, root, rel, "", 0, InputFormat.UNKNOWN, dept, f"ファイルを開けません（{exc.strerror or exc}）")
    return SourceFile(path, root, rel, digest, size, fmt, dept)


def iter_paths(root: Path) -> list[Path]:
    """Files under `root`, sorted, without following symlinked folders (no loops)."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name in IGNORED_NAMES or name.startswith(IGNORED_PREFIXES):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and not path.exists():
                continue  # dangling link: nothing to read
            if path.is_file():
                found.append(path)
    return found


def discover(roots: list[Path]) -> list[SourceFile]:
    """Every file under every input folder, in a stable order."""
    files: list[SourceFile] = []
    for root in roots:
        root = root.resolve()
        if root.is_file():
            files.append(describe_file(root, root.parent))
            continue
        files.extend(describe_file(p, root) for p in iter_paths(root))
    return files
