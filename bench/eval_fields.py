"""Field extraction on generated forms with known fields: recall, precision, kinds (and required, groups, repeats).

    .venv/bin/python bench/eval_fields.py [--regen] [--n 120] [--corpus bench/out/fields] [--misses 20]

Fields are matched per form by label (spaces, ※ and brackets removed), one to one. recall = matched / known,
precision = matched / found, kinds = matched with the right kind / matched. Speed: field extraction alone
(on the extracted Document, the part a scan adds), in ms per form.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from classifiers.fields import extract_fields  # noqa: E402
from classifiers.fields.cells import SPACE  # noqa: E402
from extractors.discover import discover  # noqa: E402
from extractors.registry import extract  # noqa: E402

DEFAULT = ROOT / "bench" / "out" / "fields"


def key(label: str) -> str:
    return SPACE.sub("", label)


def score(known: list[dict], found: list[dict]) -> dict:
    """Counts for one form; `misses` / `extra` name the labels that did not match."""
    pool: dict[str, list[dict]] = {}
    for f in found:
        pool.setdefault(key(f["label"]), []).append(f)
    matched, kinds, required, groups, repeats, misses = 0, 0, 0, 0, 0, []
    for k in known:
        hits = pool.get(key(k["label"]))
        if not hits:
            misses.append(f"{k['label']}({k['kind']})")
            continue
        hit = next((h for h in hits if h["kind"] == k["kind"]), hits[0])
        hits.remove(hit)
        matched += 1
        kinds += hit["kind"] == k["kind"]
        required += bool(hit["required"]) == bool(k.get("required"))
        groups += (hit.get("group") or None) == (k.get("group") or None) if k.get("group") else 1
        repeats += hit.get("repeat", 1) == k.get("repeat", 1)
    extra = [f"{f['label']}({f['kind']})" for fs in pool.values() for f in fs]
    return {"known": len(known), "found": len(found), "matched": matched, "kinds": kinds, "required": required,
            "groups": groups, "repeats": repeats, "misses": misses, "extra": extra}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT)
    ap.add_argument("--regen", action="store_true")
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--misses", type=int, default=20)
    args = ap.parse_args(argv)
    if args.regen or not (args.corpus / "fields.jsonl").exists():
        from gen_fields import generate

        generate(args.corpus, args.n, 11)
    truth = {}
    for line in (args.corpus / "fields.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        truth[item["file"]] = item
    totals: dict[str, Counter] = {}
    spent, forms, shown = 0.0, 0, 0
    for source in discover([args.corpus]):
        item = truth.get(source.rel_path)
        if item is None:
            continue
        document = extract(source)
        start = time.perf_counter()
        fieldset = extract_fields(document)
        spent += time.perf_counter() - start
        forms += 1
        s = score(item["fields"], [f.to_json() for f in fieldset.fields])
        for fmt in (item["format"], "all"):
            totals.setdefault(fmt, Counter()).update({k: v for k, v in s.items() if isinstance(v, int)})
        if (s["misses"] or s["extra"]) and shown < args.misses:
            shown += 1
            print(f"  {source.rel_path}: missed {s['misses']} extra {s['extra']}")
    print("| 形式 | 様式 | 項目（正解） | 再現率 | 適合率 | 種類 | 必須 | グループ | 繰り返し |")
    print("|---|---|---|---|---|---|---|---|---|")
    for fmt, c in sorted(totals.items(), key=lambda kv: kv[0] == "all"):
        m = max(c["matched"], 1)
        print(f"| {fmt} | {sum(1 for i in truth.values() if fmt in ('all', i['format']))} | {c['known']} | "
              f"{c['matched'] / max(c['known'], 1):.3f} | {c['matched'] / max(c['found'], 1):.3f} | "
              f"{c['kinds'] / m:.3f} | {c['required'] / m:.3f} | {c['groups'] / m:.3f} | {c['repeats'] / m:.3f} |")
    print(f"field extraction: {1000 * spent / max(forms, 1):.2f} ms/form ({forms} forms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
