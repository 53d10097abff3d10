"""Generate labelled scanned forms (image-only PDFs) for bench/eval_detect.py --ocr.

    .venv/bin/python bench/gen_scans.py [--out bench/out/corpus_scan] [--n 120] [--seed 11] [--per-layout 2]

Each form is one of bench/gen_corpus.py's PDF forms (drawn seal circles, marks, instructions, negations,
issuer seals, stamp grids, sentences about other documents…) or a vertical (縦書き) 委任状, printed to an
image at 200 or 300 dpi and wrapped back into a PDF with no text layer: upright, turned 90°, or faint
(light toner). labels.tsv has gen_corpus's columns; `location` is the layout (scan_table, scan_body,
scan_drawn, scan_vertical, scan_rotated, scan_faint) so eval_detect reports recall per layout.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_writers import FONT, write_pdf  # noqa: E402
from gen_corpus import compose, write_labels  # noqa: E402

VERTICAL_BODY = ["私は、下記の者を代理人と定め、次の権限を委任します。", "一、保管場所証明申請に関する一切の件"]


def _vertical_pdf(path: Path, rng: random.Random) -> tuple[bool, str]:
    """A 縦書き 委任状: columns right to left; the name column ends in 印, a drawn circle, or nothing."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexMincho", FONT))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    width, height = A4
    size = 16
    c.setFont("IPAexMincho", size)
    end = rng.choice(["印", "circle", "none"])
    name = rng.choice(["委任者　氏名", "氏名", "申請者"]) + "　山田太郎"
    columns = ["委任状", *VERTICAL_BODY, "令和　年　月　日", name + ("　印" if end == "印" else "")]
    x = width - 70
    for text in columns:
        y = height - 80
        for ch in text:
            c.drawCentredString(x, y, ch)
            y -= size * 1.15
        if text.startswith(name) and end == "circle":
            c.circle(x, y - 12, 21)
        x -= 60
    c.save()
    return end != "none", "scan_vertical"


def _scan(source: Path, target: Path, dpi: int, mode: str) -> None:
    """Print `source` page 1 to an image and wrap it in an image-only PDF (turned or faint as asked)."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "page"
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1",
                        str(source), str(prefix)], check=True, timeout=60)
        image = prefix.with_suffix(".png")
        with Image.open(image) as img:
            if mode == "rotated":
                img = img.rotate(90, expand=True)
            elif mode == "faint":
                img = img.point(lambda v: 255 - int((255 - v) * 0.4))
            img.save(image)
        size = landscape(A4) if mode == "rotated" else A4
        c = canvas.Canvas(str(target), pagesize=size, invariant=1)
        c.drawImage(str(image), 0, 0, width=size[0], height=size[1])
        c.showPage()
        c.save()


LAYOUTS = ("scan_table", "scan_body", "scan_drawn", "scan_vertical", "scan_rotated", "scan_faint", "scan_none")


def generate(out: Path, n: int, seed: int, *, per_layout: int | None = None) -> Path:
    """`n` scans; with `per_layout`, a balanced quick subset instead: forms are drawn until every layout of
    LAYOUTS (scan_none: the negatives) has `per_layout` scans (or `n` forms were drawn), the rest skipped."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    counts = dict.fromkeys(LAYOUTS, 0)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            source = Path(tmp) / f"src{i}.pdf"
            mode = rng.choice(["upright", "upright", "rotated", "faint", "vertical"])
            if mode == "vertical":
                seal, location = _vertical_pdf(source, rng)
                kinds, signature, variant = ("mitome" if seal else ""), False, "vertical"
            else:
                form = compose(rng, "pdf")
                write_pdf(form.items, source, grid=rng.random() < 0.5)
                seal, signature, variant = form.seal, form.signature, form.variant
                kinds = ",".join(sorted(form.kinds))
                location = {"rotated": "scan_rotated", "faint": "scan_faint"}.get(mode) or (
                    "scan_drawn" if form.location.startswith("drawn") else f"scan_{form.location}")
            if per_layout is not None:
                if counts.get(location, 0) >= per_layout:
                    continue
                counts[location] = counts.get(location, 0) + 1
            name = f"scan_{i:04d}_{mode}_{variant}.pdf"
            _scan(source, out / name, rng.choice([200, 300]), mode)
            rows.append([name, "pdf", "yes" if seal else "no", kinds, "yes" if signature else "no", location, variant])
            if per_layout is not None and all(counts[k] >= per_layout for k in LAYOUTS):
                break
    return write_labels(out, rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "corpus_scan")
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--per-layout", type=int, default=None, help="a balanced quick subset: this many per layout")
    args = ap.parse_args(argv)
    print(f"wrote {generate(args.out, args.n, args.seed, per_layout=args.per_layout)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
