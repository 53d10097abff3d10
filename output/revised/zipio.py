"""Read every member of an OOXML zip, and write a copy with some members replaced (atomically)."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

Members = dict[str, tuple[zipfile.ZipInfo, bytes]]


def read_members(zf: zipfile.ZipFile) -> Members:
    """Every member, in the original order, with its ZipInfo (name, date, compression)."""
    return {info.filename: (info, zf.read(info.filename)) for info in zf.infolist()}


def write_members(target: Path, members: Members) -> None:
    """Write the zip next to `target` and move it into place: no half-written draft is ever left."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in members.values():
                out.writestr(info, data, compress_type=info.compress_type)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
