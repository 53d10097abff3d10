"""Discover: walk the input folders and describe every file found (no reading of content)."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
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
    stat: tuple[int, ...] = ()  # (size, mtime_ns, ctime_ns, inode, device) taken before the bytes were hashed


def stat_signature(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def changed_since(source: SourceFile) -> bool:
    """Was the file written (or replaced) after it was hashed? Any write moves its ctime, which no tool can set
    back, so the bytes the extractor read may not be the bytes of `source.sha256`."""
    if not source.stat:
        return False
    try:
        return stat_signature(os.stat(source.path)) != source.stat
    except OSError:
        return True


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def display_name(part: str) -> str:
    """One path component as valid Unicode. A name whose bytes are not UTF-8 (os.walk hands it over with
    lone surrogates) is read as cp932, as Windows file servers write it, or else shown with \\xNN escapes:
    the register must stay valid UTF-8. Reading always uses the real path."""
    try:
        part.encode("utf-8")
        return part
    except UnicodeEncodeError:
        raw = os.fsencode(part)
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        text = ""
    if text and not any(ord(c) < 0x20 or 0xE000 <= ord(c) <= 0xF8FF for c in text):  # no private-use guesses
        return text
    return raw.decode("utf-8", "backslashreplace")


def display_path(rel: str) -> str:
    return "/".join(display_name(part) for part in rel.split("/"))


FS_BYTES = "fsbytes:"


def path_token(path: Path | str) -> str:
    """A path as text that survives JSON, Prefect parameters and the state store, and can be turned back into
    the same path (`token_path`): the path itself, or — when its bytes are not UTF-8 (a Shift_JIS folder) —
    `fsbytes:` and the hex of its bytes."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return FS_BYTES + os.fsencode(text).hex()


def token_path(token: str | Path) -> Path:
    """The path a `path_token` stands for."""
    text = str(token)
    if text.startswith(FS_BYTES):
        try:
            return Path(os.fsdecode(bytes.fromhex(text[len(FS_BYTES):])))
        except ValueError:
            pass
    return Path(text)


def root_text(root: Path | str) -> str:
    """An input folder as text that is valid UTF-8 (for the register, the checkpoint and the state): a
    Shift_JIS or otherwise undecodable folder name is shown as `display_path` shows file names."""
    return display_path(str(root))


OS_ERRORS = {
    errno.ELOOP: "シンボリックリンクが循環しているため読み取れません",
    errno.ENOENT: "ファイル（またはリンク先）が見つかりません",
    errno.EACCES: "ファイルを読む権限がありません",
    errno.EPERM: "ファイルを読む権限がありません",
    errno.EISDIR: "ファイルではなくフォルダです",
    errno.ENAMETOOLONG: "ファイル名が長すぎるため読み取れません",
}


def os_error_reason(exc: OSError) -> str:
    """A Japanese reason for a file that could not be opened."""
    known = OS_ERRORS.get(exc.errno or 0)
    return known or f"ファイルを開けません（{exc.strerror or exc}）"


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


OUTSIDE_LINK = "入力フォルダの外を指すシンボリックリンクのため読み取りません"


def leaves_root(path: Path, root: Path) -> bool:
    """`path` is a symbolic link (or under a linked folder) that resolves outside the input folder."""
    real, base = os.path.realpath(path), os.path.realpath(root)
    return not (real == base or real.startswith(base.rstrip(os.sep) + os.sep))


def describe_file(path: Path, root: Path) -> SourceFile:
    """Hash and sniff one file; an unreadable file still gets a `SourceFile` with `error`.

    A symbolic link that leads out of the input folder is never followed (not even hashed)."""
    rel = nfc(display_path(path.relative_to(root).as_posix()))
    dept = department_of(rel)
    if path != root and os.path.islink(path) and leaves_root(path, root):  # os.walk never enters linked folders
        return SourceFile(path, root, rel, "", 0, InputFormat.UNKNOWN, dept, OUTSIDE_LINK)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block forever on open: never open it
            reason = "通常のファイルではない（名前付きパイプ・デバイス等）ため読み取りません"
            return SourceFile(path, root, rel, "", 0, InputFormat.UNKNOWN, dept, reason)
        digest = file_sha256(path)
        fmt = sniff_format(path)
    except OSError as exc:
        return SourceFile(path, root, rel, "", 0, InputFormat.UNKNOWN, dept, os_error_reason(exc))
    return SourceFile(path, root, rel, digest, info.st_size, fmt, dept, stat=stat_signature(info))


def iter_paths(root: Path) -> list[Path]:
    """Files under `root`, sorted, without following symlinked folders (no loops).

    Anything listed as a file that is not a regular file — a broken or circular symlink, a named pipe —
    is kept, so it gets a row saying why it was not read; it is never opened.
    """
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name in IGNORED_NAMES or name.startswith(IGNORED_PREFIXES):
                continue
            found.append(Path(dirpath) / name)
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
