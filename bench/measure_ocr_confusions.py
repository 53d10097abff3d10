"""What tesseract reads instead of the key characters (署 of 自署/署名, 印 of 割印/〔印〕) on scans we generate:
the measurement classifiers/ocr_confusions.yaml is grown from (an entry needs a confusion seen more than once).

    .venv/bin/python bench/measure_ocr_confusions.py [--out bench/out/confusions] [--rounds 2]

Pages of lines written here (not the evaluation generator's sentences) are printed with bench/gen_scans.py's
scanner at 200 and 300 dpi, upright, turned 90° and faint, read by extractors/ocr.py exactly as a scan is, and
each line OCR printed is aligned (difflib) with the line on the page; every key character read as another one is
counted with the line tesseract printed. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import difflib
import random
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_writers import FONT  # noqa: E402
from gen_scans import _scan  # noqa: E402

from extractors.ocr import ocr_pdf_page  # noqa: E402

# (line, key character): our own wording around the key words
LINES = [
    ("受任者　氏名（自署）", "署"), ("申込者（自署）", "署"), ("届出人の氏名（自署）", "署"), ("連帯保証人（本人自署）", "署"),
    ("代理人の署名", "署"), ("署名年月日", "署"), ("本書に署名をしてください。", "署"), ("保護者署名欄", "署"),
    ("控えと原本に割印を押してください。", "印"), ("割印欄", "印"), ("二枚の間に割印をお願いします。", "印"),
    ("借受人　氏名　　　〔印〕", "印"), ("使用者　氏名　　　〔印〕", "印"), ("申請人　山田　花子　　　（印）", "印"),
]
MODES = ("upright", "rotated", "faint")


def _page(path: Path, lines: list[str]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexMincho", FONT))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("IPAexMincho", 10.5)
    y = A4[1] - 60
    for text in lines:
        c.drawString(57, y, text)
        y -= 24
    c.save()


def _norm(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text).replace(" ", "")


def measure(out: Path, rounds: int, seed: int = 5) -> tuple[Counter, dict, int]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    seen: Counter = Counter()
    examples: dict = defaultdict(list)
    keys = 0
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for dpi in (200, 300):
                for mode in MODES:
                    lines = LINES[:]
                    rng.shuffle(lines)
                    source, scan = Path(tmp) / "src.pdf", out / f"page_{r}_{dpi}_{mode}.pdf"
                    _page(source, [t for t, _ in lines])
                    _scan(source, scan, dpi, mode)
                    rows: dict = {}
                    for block in ocr_pdf_page(scan, 1):
                        rows.setdefault(block.line_key, []).append(block.text)
                    read = [_norm("".join(texts)) for texts in rows.values()]
                    for text, key in lines:
                        truth = _norm(text)
                        best = max(read, key=lambda t: difflib.SequenceMatcher(None, truth, t).ratio(), default="")
                        for at in (i for i, ch in enumerate(truth) if ch == key):
                            keys += 1
                            got = _aligned(truth, best, at)
                            if got != key:
                                context = truth[max(0, at - 1):at + 2]
                                seen[(key, context, got)] += 1
                                examples[(key, context, got)].append(best)
    return seen, examples, keys


def _aligned(truth: str, read: str, at: int) -> str:
    """The character OCR printed where `truth` has its `at`-th one ("" when dropped, "?" when not aligned)."""
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, truth, read, autojunk=False).get_opcodes():
        if i1 <= at < i2:
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                return read[j1 + at - i1]
            return "" if tag == "delete" else "?"
    return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "confusions")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    seen, examples, keys = measure(args.out, args.rounds)
    print(f"{keys} key characters on {args.rounds * 2 * len(MODES)} pages; misread {sum(seen.values())}")
    print("| key | context | read as | times | lines OCR printed |")
    print("|---|---|---|---|---|")
    for (key, context, got), times in seen.most_common():
        shown = "、".join(f"「{line}」" for line in examples[(key, context, got)][:3])
        print(f"| {key} | {context} | {got or '(dropped)'} | {times} | {shown} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
