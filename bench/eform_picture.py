"""The README picture: a source form's first page next to the HTML preview of its e-form.

    .venv/bin/python bench/eform_picture.py FORM.pdf OUT_DIR/eforms/…/FORM.pdf.json docs/eform-preview.png

The page is rendered with pdftoppm, the preview (the same HTML sealreview writes) with LibreOffice (HTML → PDF →
pdftoppm; LibreOffice ignores part of the style sheet, a browser shows the preview with its full styling).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from output.eform_html import render_html  # noqa: E402


def render_page(pdf: Path, stem: Path, dpi: int = 80) -> Path:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                   check=True, timeout=120)
    return stem.with_suffix(".png")


def main(argv: list[str] | None = None) -> int:
    from PIL import Image, ImageDraw

    form, eform_json, out = (Path(a) for a in (argv or sys.argv[1:]))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        html = tmp / "eform.html"
        html.write_text(render_html(json.loads(eform_json.read_text(encoding="utf-8"))), encoding="utf-8")
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                        "--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(tmp),
                        str(html)], check=True, timeout=180, capture_output=True)
        left = Image.open(render_page(form, tmp / "form"))
        right = Image.open(render_page(tmp / "eform.pdf", tmp / "preview"))
        gap = 24
        picture = Image.new("RGB", (left.width + right.width + gap, max(left.height, right.height)), "white")
        picture.paste(left, (0, 0))
        picture.paste(right, (left.width + gap, 0))
        ImageDraw.Draw(picture).line([(left.width + gap // 2, 0), (left.width + gap // 2, picture.height)],
                                     fill=(160, 160, 160), width=2)
        out.parent.mkdir(parents=True, exist_ok=True)
        picture.save(out, optimize=True)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
