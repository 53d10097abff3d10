"""register.jsonl: one JSON object per input file, keys in English (register-spec.md fields first)."""

from __future__ import annotations

import json
from pathlib import Path

from output.atomic import atomic_write
from output.models import RegisterRow


def row_json(row: RegisterRow) -> str:
    return json.dumps(row.to_json(), ensure_ascii=False, sort_keys=False, default=str)


def write_jsonl(rows: list[RegisterRow], path: Path, *, atomic: bool = True) -> Path:
    def write(fh) -> None:
        for row in rows:
            fh.write(row_json(row))
            fh.write("\n")

    if atomic:
        return atomic_write(path, write, mode="w", encoding="utf-8", newline="\n")
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        write(fh)
    return Path(path)
