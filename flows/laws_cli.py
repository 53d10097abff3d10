"""`sealreview laws`: print the catalogue, or how one form maps to it (the work is in rules/laws_report.py)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from classifiers.title import guess_title
from extractors.discover import describe_file
from extractors.models import Status
from extractors.registry import extract
from rules.engine import load_context
from rules.laws_report import LAW_HEADER, MAPPING_HEADER, check_form, coverage, law_rows


def _print_table(header: list[str], rows: list[list[str]], *, tsv: bool) -> None:
    if tsv:
        for cells in [header, *rows]:
            print("\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells))
        return
    for cells in rows:
        print("  ".join(f"{h}: {c}" for h, c in zip(header, cells, strict=True) if c))
        print()


def show_laws(*, as_of: dt.date | None, ministry: str | None, check: Path | None, tsv: bool) -> int:
    ctx = load_context(as_of=as_of)
    if check is None:
        rows = law_rows(ctx.catalogue, ctx.as_of, ministry=ministry)
        _print_table(LAW_HEADER, [r.cells() for r in rows], tsv=tsv)
        if not tsv:
            print(f"根拠法令カタログ 版 {ctx.catalogue.version}、基準日 {ctx.as_of}: {len(rows)} 件")
            for name, count, keeps in coverage(ctx.catalogue):
                print(f"  {name}: {count} 件（押印を存続する期間のあるもの {keeps} 件）")
        return 0
    source = describe_file(check.resolve(), check.resolve().parent)
    document = extract(source)
    if document.status == Status.FAILED:
        print(f"エラー: 様式を読み取れません: {document.errors[0] if document.errors else check}", file=sys.stderr)
        print(f"error: cannot read the form: {check}", file=sys.stderr)
        return 1
    title = guess_title(document, check.stem)
    mappings = check_form(document, title=title, ctx=ctx)
    if not tsv:
        print(f"様式: {check}（様式名「{title}」、基準日 {ctx.as_of}）")
    _print_table(MAPPING_HEADER, [m.cells() for m in mappings], tsv=tsv)
    if not mappings and not tsv:
        print("根拠法令・様式番号の記載は見つかりませんでした。")
    return 0
