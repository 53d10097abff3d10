"""Draw one picture: the page region around a finding, rendered with pypdfium2, the finding outlined in red."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from output.atomic import atomic_path
from output.evidence.locate import Place

SCALE = 2.0  # 144 dpi: small print stays readable
MIN_W, MIN_H = 420.0, 150.0  # points of page around the finding (about two thirds of an A4 width)
MARGIN_W, MARGIN_H = 60.0, 40.0
LEFT_BIAS = 0.25  # of the width: a mark's label (氏名, 代表者 …) is on its left
PAD = 3.0
OUTLINE = (220, 0, 0)
# zlib level 3 (its fast deflate): measured on 40 generated PDF pictures 7 ms and 31.6 KB a picture, against
# 35 ms and 35.3 KB with `optimize=True` (level 9): the same pixels, smaller and five times cheaper to write.
PNG_LEVEL = 3
GREYS = tuple(value for level in range(256) for value in (level, level, level))  # palette entry i = grey i


def crop_box(place: Place, width: float, height: float) -> tuple[float, float, float, float]:
    """The region to show, in points (x0, top, x1, bottom), kept on the page."""
    x0, top, x1, bottom = place.box
    w = min(max(x1 - x0 + 2 * MARGIN_W, MIN_W), width)
    h = min(max(bottom - top + 2 * MARGIN_H, MIN_H), height)
    cx, cy = (x0 + x1) / 2 - LEFT_BIAS * max(w - (x1 - x0), 0) / 2, (top + bottom) / 2
    left = min(max(cx - w / 2, 0.0), width - w)
    upper = min(max(cy - h / 2, 0.0), height - h)
    return left, upper, left + w, upper + h


def outline_box(place: Place, left: float, upper: float) -> list[tuple[float, float]]:
    """The outline around the finding, in pixels of the picture whose top-left corner is (left, upper) points."""
    x0, top, x1, bottom = place.box
    return [((x0 - left - PAD) * SCALE, (top - upper - PAD) * SCALE), ((x1 - left + PAD) * SCALE,
                                                                         (bottom - upper + PAD) * SCALE)]


def draw(pdf, place: Place, target: Path) -> Path:
    """Render the region of `place` from a pypdfium2 PdfDocument into the PNG `target` (atomically)."""
    page = pdf[place.page - 1]
    try:
        width, height = page.get_size()
        left, upper, right, lower = crop_box(place, width, height)
        # rev_byteorder: pdfium writes RGB instead of BGR, so PIL takes the pixels without swapping channels
        image = page.render(scale=SCALE, crop=(left, height - lower, width - right, upper), rev_byteorder=True).to_pil()
    finally:
        page.close()
    picture, ink = paletted(image if image.mode == "RGB" else image.convert("RGB"))
    ImageDraw.Draw(picture).rectangle(outline_box(place, left, upper), outline=ink, width=3)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target, durable=False) as tmp:
        picture.save(tmp, format="PNG", compress_level=PNG_LEVEL)
    return target


def paletted(image: Image.Image) -> tuple[Image.Image, int | tuple[int, int, int]]:
    """(the picture to draw the outline on, the outline's ink). A grey region (R = G = B at every pixel: black
    print on white) becomes a palette picture whose entry i is grey i, and a grey level it does not use is
    given the outline's red: the same pixels, written as one byte a pixel. PIL's PNG writer tries four
    filters on every row of an RGB picture, which was most of the cost of a picture (≈5 of 6 ms for
    840 × 300 pixels); it filters no palette row. Other pictures (colours, all 256 greys) stay RGB."""
    red, green, blue = image.split()
    grey = red.tobytes()
    if grey != green.tobytes() or grey != blue.tobytes():
        return image, OUTLINE
    unused = next((level for level, count in enumerate(red.histogram()) if count == 0), None)
    if unused is None:
        return image, OUTLINE
    picture = Image.frombytes("P", image.size, grey)
    palette = list(GREYS)
    palette[3 * unused: 3 * unused + 3] = OUTLINE
    picture.putpalette(palette)
    return picture, unused
