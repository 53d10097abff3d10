"""Atomic file replacement: write to a temporary file in the target folder, then `os.replace`.

A crash (or a full disk) leaves the previous file untouched, never a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

_UMASK = os.umask(0o022)
os.umask(_UMASK)

@contextlib.contextmanager
def atomic_path(target: Path, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to `target`; on success it replaces `target` atomically.

    `durable=False` skips the fsyncs: for caches, which are rebuilt if lost, and are written once per file
    on the hot path (the replacement is still atomic: a reader sees the old file or the new one)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the register the usual permissions
    try:
        yield tmp
        if durable:
            _fsync(tmp)
        os.replace(tmp, target)
        if durable:
            _fsync_dir(target.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def replace_bytes(target: Path | str, data: bytes) -> None:
    """`data` into `target` as `atomic_path(target, durable=False)` does (a temporary file beside it, then
    `os.replace`; the usual permissions), with fewer system calls: one open of the temporary file, the folder
    made only when it is missing. For the per-file writes of the workers (caches, the draft cache), which are
    rebuilt if lost."""
    target = os.fspath(target)
    folder, name = os.path.split(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder or None)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder or None)
    try:
        with open(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_UMASK)
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write(target: Path, write: Callable[[IO], None], *, mode: str = "w", **open_kwargs) -> Path:
    """Open a temporary file with `open(tmp, mode, **open_kwargs)`, call `write(fh)`, then replace `target`."""
    with atomic_path(target) as tmp:
        with open(tmp, mode, **open_kwargs) as fh:
            write(fh)
    return Path(target)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
