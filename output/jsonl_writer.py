"""register.jsonl: one JSON object per input file, keys in English (register-spec.md fields first)."""

from __future__ import annotations

import json
from pathlib import Path

from output.models import RegisterRow


def row_json(row: RegisterRow) -> str:
    return json.dumps(row.to_json(), ensure_ascii=False, sort_keys=False, default=str)


def write_lines(lines: list[str], path: Path) -> None:
    """register.jsonl from the rows' JSON (row_json), one a line; output/register.py writes it to a temporary file."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line)
            fh.write("\n")
