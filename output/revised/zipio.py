"""Read every member of an OOXML zip, and write a copy with some members replaced (atomically).

`read_members` checks the container as the extractors do (extractors/safety.py: declared sizes before anything
is unpacked, then no DTD in any XML part), on the bytes it unpacks anyway, so no part is unpacked twice.
The copy is deflated at `COMPRESSLEVEL` 1, not zlib's default 6: the members are the same bytes, deflating a
form made from Word's default template (most of it styles.xml) takes 7.0 instead of 16.5 ms and gives 54 instead of
37 KB; the 1,257 drafts of the 4,508-form run take 47.1 instead of 33.6 MB
(bench/results/profile-files-2026-12-02-0035-issue19h.md).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from extractors.safety import check_sizes, check_xml_parts
from output.atomic import replace_bytes

Members = dict[str, tuple[zipfile.ZipInfo, bytes]]
COMPRESSLEVEL = 1


def read_members(zf: zipfile.ZipFile) -> Members:
    """Every member, in the original order, with its ZipInfo (name, date, compression); raises
    `UnsafeContainer` for absurd sizes (nothing unpacked) or a part that declares a DTD."""
    check_sizes(zf)
    members = {info.filename: (info, zf.read(info.filename)) for info in zf.infolist()}
    check_xml_parts((name, data) for name, (_info, data) in members.items())
    return members


def write_members(target: Path, members: Members) -> None:
    """Write the zip (in memory) beside `target` and move it into place (output/atomic.py): no half-written draft
    is ever left. No fsync: a draft lost in a power cut is made again by the next run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members.values():
            out.writestr(info, data, compress_type=info.compress_type, compresslevel=COMPRESSLEVEL)
    replace_bytes(target, buffer.getvalue())
