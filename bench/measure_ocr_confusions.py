"""What tesseract reads instead of the key characters (署 of 自署/署名, 印 of 割印/〔印〕) on scans we generate:
the measurement classifiers/ocr_confusions.yaml is grown from (an entry needs a confusion seen more than once).

    .venv/bin/python bench/measure_ocr_confusions.py [--out bench/out/confusions] [--rounds 2]
    .venv/bin/python bench/measure_ocr_confusions.py --marks [--rounds 2]   # bracketed, boxed and printed 印/㊞
    .venv/bin/python bench/measure_ocr_confusions.py --kind-words [--rounds 2]   # 認 of 認印, 要 of 押印不要

Pages of lines written here (not the evaluation generator's sentences) are printed with bench/gen_scans.py's
scanner at 200 and 300 dpi, upright, turned 90° and faint, read by extractors/ocr.py exactly as a scan is, and
each line OCR printed is aligned (difflib) with the line on the page; every key character read as another one is
counted with the line tesseract printed. Prints a Markdown table.

`--marks` measures the seal marks instead (bench/ocr_marks.py): what OCR prints for a bracketed 印, a 印 in a
drawn box of its own size and a printed ㊞ after a name label, and whether detection finds a seal mark on the
row; bullets, circled digits and a check box (○ ① ◯) are the negatives.
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import resource
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_writers import write_lines_pdf  # noqa: E402
from gen_scans import _scan  # noqa: E402

from extractors import ocr, ocr_reread  # noqa: E402
from extractors.ocr import ocr_pdf_page  # noqa: E402

# (line, key characters): our own wording around the key words (欄 of 押印欄 too: 「押印欄を削除」 read 押印村 on a
# turned page made a false request, issue 16)
LINES = [
    ("受任者　氏名（自署）", "署"), ("申込者（自署）", "署"), ("届出人の氏名（自署）", "署"), ("連帯保証人（本人自署）", "署"),
    ("代理人の署名", "署"), ("署名年月日", "署"), ("本書に署名をしてください。", "署"), ("保護者署名欄", "署欄"),
    ("控えと原本に割印を押してください。", "印"), ("割印欄", "印欄"), ("二枚の間に割印をお願いします。", "印"),
    ("借受人　氏名　　　〔印〕", "印"), ("使用者　氏名　　　〔印〕", "印"), ("申請人　山田　花子　　　（印）", "印"),
    # the 捺 and 押 of 捺印/押印 (a faint page read ご捺印 as ご擦印, issue 16)
    ("届出書にご捺印のうえ窓口へお持ちください。", "捺"), ("記名捺印欄", "捺欄"), ("借受人が捺印すること。", "捺"),
    ("捺印は不要です。", "捺"), ("契約者の欄に押印してください。", "押"), ("押印欄", "押欄"), ("代表者が押印のこと。", "押"),
    ("本様式の押印欄は廃止しました。", "押欄"),
]
# (line, key character) for `--kind-words`: the 認 of 認印不可 (which asks for a registered seal), the 要 of 押印不要
# (which drops the seal), the 捺 of 捺印 and the 欄 of 押印欄 (押印欄を削除: a negation), in our own wording; measured apart so the default run's pages stay as they were
KIND_LINES = [
    ("届出には認印を使用できません。", "認"), ("※認印は不可とします", "認"), ("認め印では受け付けできません。", "認"),
    ("認印不可（実印を押してください）", "認"), ("代理人の認印で足ります。", "認"),
    ("この届出は押印不要です。", "要"), ("押印は不要となりました。", "要"), ("本人確認の上、押印不要", "要"),
    ("ご捺印のうえ窓口へお持ちください。", "捺"), ("代表者が捺印すること", "捺"), ("捺印欄", "捺"),
    ("この様式の押印欄は廃止しました。", "欄"), ("押印欄は設けていません", "欄"), ("申請者の押印欄", "欄"),
]
MODES = ("upright", "rotated", "faint")  # --modes chooses some of them (--modes faint: light toner only)


def _page(path: Path, lines: list[str]) -> None:
    write_lines_pdf(path, lines)


def _norm(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text).replace(" ", "")


def measure(out: Path, rounds: int, seed: int = 5, lines: list | None = None,
            modes: tuple[str, ...] = MODES) -> tuple[Counter, dict, int, int, int]:
    """The page model's confusions (first readings only), their lines, the key characters, and how many of them
    the row holds in the end (its key word — 署名, 自署, 割印, 印, 捺印, 押印 — anywhere in the row, re-reads
    included), as OCR printed it and after detection's repair of the known confusions (classifiers/ocr_confusions)."""
    from classifiers.ocr_confusions import repair

    seen: Counter = Counter()
    examples: dict = defaultdict(list)
    keys = held = repaired = 0
    draw = lambda path, lines: _page(path, [t for t, _ in lines])  # noqa: E731
    for _dpi, _mode, shuffled, rows in read_pages(out, rounds, seed, lines or LINES, draw, "page", modes):
        first = {k: _norm("".join(b.text for b in bs if b.location.part != "reread")) for k, bs in rows.items()}
        whole = {k: _norm("".join(b.text for b in bs)) for k, bs in rows.items()}
        for text, key in shuffled:
            truth = _norm(text)
            row = closest_row(truth, first)
            best = first.get(row, "")
            for at in (i for i, ch in enumerate(truth) if ch in key):
                keys += 1
                held += _key_word(truth, at) in whole.get(row, "")
                repaired += _key_word(truth, at) in repair(whole.get(row, ""))
                got, char = _aligned(truth, best, at), truth[at]
                if got != char:
                    context = truth[max(0, at - 1):at + 2]
                    seen[(char, context, got)] += 1
                    examples[(char, context, got)].append(best)
    return seen, examples, keys, held, repaired


def read_pages(out: Path, rounds: int, seed: int, lines: list, draw, name: str, modes: tuple[str, ...] = MODES):
    """For each round, 200/300 dpi and mode: `lines` shuffled, drawn to a page by `draw(path, lines)`, printed by
    gen_scans' scanner to out/<name>_<round>_<dpi>_<mode>.pdf and read by extractors/ocr.py as a scan is. Yields
    (dpi, mode, the shuffled lines, the OCR blocks by row). Also used by bench/ocr_marks.py."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for dpi in (200, 300):
                for mode in modes:
                    shuffled = lines[:]
                    rng.shuffle(shuffled)
                    source, scan = Path(tmp) / "src.pdf", out / f"{name}_{r}_{dpi}_{mode}.pdf"
                    draw(source, shuffled)
                    _scan(source, scan, dpi, mode)
                    rows: dict = {}
                    for block in ocr_pdf_page(scan, 1):
                        rows.setdefault(block.line_key, []).append(block)
                    yield dpi, mode, shuffled, rows


def closest_row(truth: str, texts: dict):
    """The key of the row OCR printed that is most like the line `truth` (difflib ratio); None without rows."""
    return max(texts, key=lambda k: difflib.SequenceMatcher(None, truth, texts[k]).ratio(), default=None)


def _key_word(truth: str, at: int) -> str:
    """The word detection needs: 自署 or 署名 for 署, 割印 or 印 for 印, 認印 / 認め for 認, 不要 for 要, 捺印 or 押印
    for 捺 and 押, 印欄 or 名欄 for 欄."""
    if at > 0 and (truth[at - 1] in "自割不" or truth[at] == "欄"):
        return truth[at - 1:at + 1]
    return truth[at:at + 2] if truth[at] in "署認捺押" else truth[at]


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
    ap.add_argument("--lang", default=None, help="tesseract model for the page (extractors/ocr.py PAGE_LANG)")
    ap.add_argument("--reread-lang", default=None, help="model for the re-reads (extractors/ocr.py REREAD_LANG)")
    ap.add_argument("--no-pairs", action="store_true", help="no re-read of lines for a doubtful pair (名 after 賭…)")
    ap.add_argument("--marks", action="store_true", help="the seal marks after a name label (bench/ocr_marks.py)")
    ap.add_argument("--kind-words", action="store_true", help="the 認 of 認印, 要 of 押印不要, 捺 of 捺印, 欄 of 押印欄 (KIND_LINES)")
    ap.add_argument("--modes", default=",".join(MODES), help="scanner modes, comma-separated (upright,rotated,faint)")
    ap.add_argument("--seed", type=int, default=None, help="shuffles of the lines (default 5, --marks 7)")
    args = ap.parse_args(argv)
    modes = tuple(m for m in args.modes.split(",") if m in MODES) or MODES
    ocr.PAGE_LANG = args.lang or ocr.PAGE_LANG
    ocr.REREAD_LANG = args.reread_lang or ocr.REREAD_LANG
    if args.no_pairs:
        ocr_reread.DOUBTFUL_PAIR = None
    pages = args.rounds * 2 * len(modes)
    if args.marks:
        import ocr_marks

        print("\n".join(ocr_marks.report(ocr_marks.measure(args.out, args.rounds, *([args.seed] if args.seed is not None else []), modes=modes), pages)))
        print(_cpu(pages))
        return 0
    seen, examples, keys, held, repaired = measure(args.out, args.rounds, 5 if args.seed is None else args.seed,
                                                   KIND_LINES if args.kind_words else None, modes)
    print(f"{keys} key characters on {pages} pages ({','.join(modes)}); misread by the page model {sum(seen.values())}; "
          f"key word in the row in the end (re-reads included) {held} of {keys}, after detection's repair {repaired}")
    print("| key | context | read as | times | lines OCR printed |")
    print("|---|---|---|---|---|")
    for (key, context, got), times in seen.most_common():
        shown = "、".join(f"「{line}」" for line in examples[(key, context, got)][:3])
        print(f"| {key} | {context} | {got or '(dropped)'} | {times} | {shown} |")
    print(_cpu(pages))
    return 0


def _cpu(pages: int) -> str:
    """CPU seconds per page, this process and tesseract/pdftoppm (children), with the model names."""
    used = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))
    pairs = "on" if ocr_reread.DOUBTFUL_PAIR else "off"
    return (f"models: page {ocr.page_lang()}, re-reads {ocr.reread_lang()}, doubtful pairs {pairs}; CPU {used / pages:.2f} s/page (incl. printing "
            f"the scans and loading detection); load " + " ".join(f"{v:.1f}" for v in os.getloadavg()))


if __name__ == "__main__":
    raise SystemExit(main())
