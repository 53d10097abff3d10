"""Folder discipline: nothing the tool reads or writes leaves INPUT_DIR or OUT_DIR.

- `refuse_links(out_dir)`: the folders the tool writes into (revised/, evidence/, .sealreview/) must be real
  folders, never symbolic links (a link would make every run prune and write wherever it points).
- `inside(path, base)`: the path, with every link resolved, lies under `base` (also resolved).
- `open_regular(path)`: open a file for reading without following a final symbolic link, and only when it
  is a regular file (a cache entry replaced by a link to a root-only file is refused, not copied).
- `capped_mode(source_mode)`: the permissions a copy of an input may have: the input's, at most 0644.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

OWN_FOLDERS = ("revised", "evidence", ".sealreview")


class LinkedFolder(Exception):
    """A folder the tool writes into is a symbolic link (message in Japanese; `en` in English)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ja = f"出力フォルダ内の {folder.name} がシンボリックリンクのため実行しません（実際のフォルダにしてください）: {folder}"
        self.en = f"{folder.name} in the output folder is a symbolic link; refusing to run (make it a real folder): {folder}"
        super().__init__(self.ja)


def refuse_links(out_dir: str | Path) -> None:
    """Raise LinkedFolder when OUT_DIR/revised, OUT_DIR/evidence or OUT_DIR/.sealreview is a symbolic link."""
    for name in OWN_FOLDERS:
        folder = Path(out_dir) / name
        if folder.is_symlink():
            raise LinkedFolder(folder)
        cache = folder / "cache"
        if name == ".sealreview" and cache.is_symlink():
            raise LinkedFolder(cache)


def inside(path: str | Path, base: str | Path) -> bool:
    """`path` lies under `base` once every symbolic link of both is resolved."""
    real = os.path.realpath(path)
    root = os.path.realpath(base)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def open_regular(path: str | Path) -> int:
    """A read-only descriptor of `path`, which must be a regular file and not a symbolic link (OSError)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"not a regular file: {path}")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str | Path) -> bytes:
    """The bytes of a regular file that is not a symbolic link (OSError otherwise)."""
    with os.fdopen(open_regular(path), "rb") as fh:
        return fh.read()


def capped_mode(source_mode: int) -> int:
    """Permissions for a copy of an input file: never more than the input's own, never more than 0644."""
    return stat.S_IMODE(source_mode) & 0o644


def restrict_like(target: str | Path, source: str | Path) -> None:
    """Give `target` at most the permissions of `source` (its draft may not be more readable than it)."""
    try:
        mode = os.stat(source).st_mode
    except OSError:
        mode = 0o600
    os.chmod(target, capped_mode(mode) | stat.S_IRUSR | stat.S_IWUSR)
