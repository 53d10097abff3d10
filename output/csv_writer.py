"""register.csv: UTF-8 with BOM, Japanese headers, the same columns as sheet 一覧.

Formula safety (OWASP "CSV Injection", ASVS 1.2.10): a text cell whose first character is one of
= + - @ TAB CR LF NUL (or their full-width forms ＝ ＋ － ＠) is written with a leading single quote `'`.
Excel and LibreOffice then show it as text. Programs that need the exact values read register.jsonl.
"""

from __future__ import annotations

import csv
from pathlib import Path

from output.atomic import atomic_write
from output.columns import COLUMNS, Rendered, csv_safe, render
from output.models import RegisterRow


def write_csv(rows: list[RegisterRow], path: Path, *, atomic: bool = True,
              rendered: list[Rendered] | None = None) -> Path:
    """`rendered`: the rows already rendered for sheet 一覧 (the same cells), else rendered here."""
    shown = rendered if rendered is not None else [render(row, n) for n, row in enumerate(rows, start=1)]

    def write(fh) -> None:
        writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(COLUMNS)
        writer.writerows([csv_safe(v) for v in values.values] for values in shown)

    if atomic:
        return atomic_write(path, write, mode="w", encoding="utf-8-sig", newline="")
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        write(fh)
    return Path(path)
