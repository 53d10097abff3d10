"""Discovery that does not re-hash unchanged files: the sha256 of a file whose stat is the same as last run.

`discover_known(roots, out_dir)` gives exactly what `extractors.discover.discover` gives, but a file whose
size, mtime, ctime, inode and device are what they were when it was last hashed gets its previous sha256
(and format) back instead of being read again. The sha256 stays the key of the analysis cache; this only
saves reading the bytes. It is the trick git's index uses, with git's guard against "racy" entries: an
entry is trusted only when the file's mtime and ctime were at least `RACY_NS` older than the moment its
hash was taken, so a file written within the same timestamp tick (2 s on FAT/SMB) is hashed again. Any
write to a file moves its ctime, which no tool can set back, so copies that keep the mtime
(`cp -p`, rsync) are hashed again too.

The table is JSON at OUT_DIR/.sealreview/filestat.json, replaced atomically; a damaged one is ignored.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path

from extractors.discover import (
    SourceFile,
    department_of,
    describe_file,
    display_path,
    iter_paths,
    nfc,
    stat_signature,
)
from extractors.models import InputFormat
from output.atomic import atomic_path
from output.store.codec import dumps, loads

log = logging.getLogger(__name__)

STAT_FILE = Path(".sealreview") / "filestat.json"
STAT_FORMAT = 1
RACY_NS = 3_000_000_000  # coarser than any file system's timestamps (FAT: 2 s)


def table_key(path: Path) -> str:
    """The table's key of a path: the path itself, or — when its bytes are not UTF-8 (a Shift_JIS name) —
    `bytes:` and the hex of its bytes, so the table stays valid JSON and every file keeps its own entry."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "bytes:" + os.fsencode(path).hex()


def signature(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]


def load_table(out_dir: Path) -> dict[str, list]:
    """{absolute path: [size, mtime_ns, ctime_ns, ino, dev, hashed_at_ns, sha256, format]}; {} if none."""
    try:
        data = loads((Path(out_dir) / STAT_FILE).read_bytes())
        if data.get("format") == STAT_FORMAT and isinstance(data.get("files"), dict):
            return data["files"]
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - only an optimisation: hash everything again
        log.warning("ファイル情報の記録を読めないため、すべてのファイルのハッシュ値を計算し直します（%s）", exc)
    return {}


def save_table(out_dir: Path, files: dict[str, list]) -> None:
    target = Path(out_dir) / STAT_FILE
    try:
        with atomic_path(target, durable=False) as tmp:
            tmp.write_bytes(dumps({"format": STAT_FORMAT, "files": files}))
    except OSError as exc:
        log.warning("ファイル情報の記録を保存できませんでした（%s）", exc)


def reuse(entry: list | None, info: os.stat_result) -> tuple[str, InputFormat] | None:
    """The recorded (sha256, format) when the stat matches and the entry is not racy."""
    if not entry or len(entry) != 8 or entry[:5] != signature(info):
        return None
    hashed_at = entry[5]
    if info.st_mtime_ns >= hashed_at - RACY_NS or info.st_ctime_ns >= hashed_at - RACY_NS:
        return None
    try:
        return str(entry[6]), InputFormat(entry[7])
    except ValueError:
        return None


def describe_known(path: Path, root: Path, table: dict, seen: dict) -> SourceFile:
    """`describe_file`, reusing the recorded hash when the file is unchanged; records what it hashed."""
    key = table_key(path)
    if path.is_symlink():
        return describe_file(path, root)  # never reused: where it leads is checked each time
    try:
        info = path.stat()
    except OSError:
        return describe_file(path, root)  # it says why
    if stat.S_ISREG(info.st_mode):
        known = reuse(table.get(key), info)
        if known is not None:
            seen[key] = table[key]
            rel = nfc(display_path(path.relative_to(root).as_posix()))
            return SourceFile(path, root, rel, known[0], info.st_size, known[1], department_of(rel),
                              stat=stat_signature(info))
    hashed_at = time.time_ns()  # before reading: a write during hashing makes the entry racy or stale
    source = describe_file(path, root)
    if source.error is None and source.sha256 and stat.S_ISREG(info.st_mode):
        seen[key] = [*signature(info), hashed_at, source.sha256, source.format.value]
    return source


def discover_known(roots: list[Path], out_dir: Path | str) -> tuple[list[SourceFile], int]:
    """Like `discover(roots)`; returns (sources, how many were hashed again) and records the hashes."""
    table, seen = load_table(Path(out_dir)), {}
    files: list[SourceFile] = []
    for root in roots:
        root = root.resolve()
        if root.is_file():
            files.append(describe_known(root, root.parent, table, seen))
            continue
        files.extend(describe_known(p, root, table, seen) for p in iter_paths(root))
    reused = sum(1 for key, entry in seen.items() if table.get(key) is entry)
    save_table(Path(out_dir), seen)
    return files, len(files) - reused
