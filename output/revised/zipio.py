"""Read every member of an OOXML zip, and write a copy with some members replaced (atomically)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from output.atomic import atomic_path

Members = dict[str, tuple[zipfile.ZipInfo, bytes]]


def read_members(zf: zipfile.ZipFile) -> Members:
    """Every member, in the original order, with its ZipInfo (name, date, compression)."""
    return {info.filename: (info, zf.read(info.filename)) for info in zf.infolist()}


def write_members(target: Path, members: Members) -> None:
    """Write the zip next to `target` and move it into place (output/atomic.py): no half-written draft is ever
    left. No fsync: a draft lost in a power cut is made again by the next run."""
    with atomic_path(target, durable=False) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members.values():
            out.writestr(info, data, compress_type=info.compress_type)
