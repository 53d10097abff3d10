"""Versions derived from the code: a short hash of a package's source and data files.

A cache keyed on a version that a person must remember to bump goes stale when they forget (issue 18: the analysis
cache kept "1.0.0" across 18 extractor commits). Hashing the files instead makes any change a new version.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SUFFIXES = (".py", ".yaml", ".yml", ".json")


def source_digest(*roots: Path, suffixes: tuple[str, ...] = SUFFIXES) -> str:
    """16 hex digits over every source/data file under `roots` (path and bytes, in a stable order)."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.suffix in suffixes and "__pycache__" not in p.parts):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
