"""Decide forms that cite national law at the issue's as-of dates, and print the table (issue 14).

    .venv/bin/python bench/bench_laws.py [--n 1500] [--seed 14] [--out bench/results]

Forms come from bench/gen_laws.py (in memory). Detection is the real detector (GiNZA); decisions are timed
alone. For each date: forms whose law is in the catalogue, how many were decided (not 要確認) and correct (the
entry's effect on that date, read back to that entry), how many came out 要確認 because their period says so,
wrong abolitions where a period keeps the seal, and 要確認 against the share of forms citing missing laws.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gen_laws import generate  # noqa: E402

from classifiers.engine import detect  # noqa: E402
from extractors.models import Document, InputFormat, Location, TextBlock  # noqa: E402
from rules.engine import decide, load_context  # noqa: E402

DATES = (dt.date(2020, 12, 1), dt.date(2021, 4, 1), dt.date(2021, 9, 1), dt.date(2023, 10, 1))
EXPECTED = {"keep_law": "keep_law", "keep_contract": "keep_contract", "keep_registered": "keep_registered",
            "none": "abolish", "needs_review": "needs_review"}


def document(lines: tuple[str, ...]) -> Document:
    blocks = tuple(TextBlock(t, Location(kind="body", paragraph=i + 1)) for i, t in enumerate(lines))
    return Document(format=InputFormat.DOCX, blocks=blocks, title=lines[0])


def evaluate(forms, detections, day: dt.date) -> dict:
    ctx = load_context(as_of=day)
    cat = ctx.catalogue
    for form, det in list(zip(forms, detections, strict=True))[:20]:  # warm the regex caches before timing
        decide(document(form.lines), det, rel_path=form.title, title=form.title, ctx=ctx)
    stats = Counter()
    times = []
    wrong: list[str] = []
    styles = Counter()
    styles_ok = Counter()
    for form, det in zip(forms, detections, strict=True):
        doc = document(form.lines)
        t = time.perf_counter()
        d = decide(doc, det, rel_path=form.title, title=form.title, ctx=ctx)
        times.append(time.perf_counter() - t)
        stats["forms"] += 1
        if d.decision == "needs_review":
            stats["review"] += 1
        if form.entry_id is None:
            stats["missing"] += 1
            stats["missing_review"] += d.decision == "needs_review"
            continue
        period = cat.get(form.entry_id).period_on(day)
        expected = EXPECTED[period.effect] if period else "needs_review"
        read_back = form.entry_id in {x.entry_id for x in d.basis_details}
        if expected == "needs_review":
            stats["known_review_period"] += 1
            stats["known_review_ok"] += d.decision == "needs_review" and read_back
            continue
        stats["known"] += 1
        styles[form.style] += 1
        ok = d.decision == expected and read_back
        stats["known_decided"] += d.decision != "needs_review"
        stats["known_correct"] += ok
        styles_ok[form.style] += ok
        if d.decision == "abolish" and expected.startswith("keep"):
            stats["wrong_abolish"] += 1
        if not ok and len(wrong) < 8:
            wrong.append(f"{form.style} {form.entry_id} → {d.decision} {d.rule_id} {d.reason[:80]} | {' / '.join(form.lines[1:3])}")
    return {"day": day, "stats": stats, "ms": statistics.mean(times) * 1000, "p99": sorted(times)[int(len(times) * .99)] * 1000,
            "wrong": wrong, "styles": styles, "styles_ok": styles_ok}


def review_share(s: Counter) -> float:
    """要確認 that the catalogue did not ask for (its own review periods are answers, not gaps)."""
    return (s["review"] - s["known_review_ok"]) / s["forms"]


def table(results: list[dict], n_laws: int, n_missing_laws: int) -> str:
    out = [f"法令を引用する生成様式 {results[0]['stats']['forms']} 件、異なる国の法令 {n_laws} 件（うちカタログにないもの "
           f"{n_missing_laws} 件）", "",
           "| 基準日 | カタログにある法令の様式 | 判定済み・正解 | 期間が要確認 | 保持期間での誤廃止 | 要確認（期間による分を除く） / 上限 | 要確認（全体） | 判定 ms/件 (p99) |",
           "|---|---|---|---|---|---|---|---|"]
    for r in results:
        s = r["stats"]
        known = s["known"] or 1
        limit = (s["missing"] / s["forms"] + 0.02) * 100
        out.append(f"| {r['day']} | {s['known']} | {s['known_correct']} ({s['known_correct'] / known:.1%}) | "
                   f"{s['known_review_period']}（正しく要確認 {s['known_review_ok']}） | {s['wrong_abolish']} | "
                   f"{review_share(s):.1%} / {limit:.1f}% | {s['review'] / s['forms']:.1%} | "
                   f"{r['ms']:.3f} ({r['p99']:.2f}) |")
    styles = results[-1]["styles"]
    out += ["", "印字の仕方ごと（最後の基準日）: " + "、".join(
        f"{k} {results[-1]['styles_ok'][k]}/{v}" for k, v in sorted(styles.items()))]
    for r in results:
        for w in r["wrong"]:
            out.append(f"- 誤り {r['day']}: {w}")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    today = dt.date.today()
    ctx = load_context(as_of=today)
    forms = generate(ctx.catalogue, n=args.n, seed=args.seed)
    detections = [detect(document(f.lines)) for f in forms]
    results = [evaluate(forms, detections, day) for day in (*DATES, today)]
    laws = {f.law for f in forms}
    text = table(results, len(laws), len({f.law for f in forms if f.entry_id is None}))
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"laws-{today}.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
