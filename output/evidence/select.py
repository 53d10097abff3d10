"""Which finding of a row gets a picture, and where the pictures go.

A row with a seal or signature finding gets a picture of its first one (the rules put the findings that
decided the row first); a 要確認 row without one gets a picture of its first finding with a location (a
citation, a 押印不要 note …), so every 要確認 row with a location has a picture.
SEALREVIEW_EVIDENCE chooses the rows: `auto` (the default: every 要確認 row, and every PDF row with a seal or
signature finding — a Word/Excel picture costs a LibreOffice conversion, ≈0.5 s a file on one core, so a
4,508-form first scan would take ~20 min more), `all` (every row with a seal or signature finding, and every
要確認 row), `review` (要確認 rows only), `none`.
"""

from __future__ import annotations

import hashlib
import os

from output.models import RegisterRow

EVIDENCE_DIR = "evidence"
RENDER_VERSION = "1"  # bump when the pictures are drawn differently (old ones are then re-drawn)
MODES = ("auto", "all", "review", "none")
PICTURED_RULES = ("seal.", "signature.")
PICTURED_FORMATS = ("pdf", "docx", "xlsx", "doc", "xls", "rtf", "odt", "ods")


def mode() -> str:
    value = os.environ.get("SEALREVIEW_EVIDENCE", "auto").strip().lower()
    return value if value in MODES else "auto"


def pictured_item(row: RegisterRow, *, which: str = "auto") -> dict | None:
    """The evidence item to picture for `row`, or None."""
    if which == "none" or row.decision == "error" or row.format not in PICTURED_FORMATS:
        return None
    located = [e for e in row.evidence if e.get("location") and e.get("text")]
    marks = [e for e in located if str(e.get("rule") or "").startswith(PICTURED_RULES)]
    if row.decision == "needs_review":
        return (marks or located or [None])[0]
    wanted = which == "all" or (which == "auto" and row.format == "pdf")
    return marks[0] if marks and wanted else None


def image_name(row: RegisterRow, item: dict) -> str:
    """`evidence/<sha256 head>-<finding hash>.png`: the same file and finding give the same name, so an
    unchanged picture is reused from the previous run."""
    material = "|".join([row.sha256, item.get("location") or "", item.get("text") or "", item.get("rule") or "",
                         RENDER_VERSION])
    return f"{EVIDENCE_DIR}/{row.sha256[:16]}-{hashlib.sha256(material.encode()).hexdigest()[:12]}.png"
