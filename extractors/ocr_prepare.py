"""Contrast of a scanned page before OCR, chosen from the page's own histogram.

A faint scan (light toner, a copy of a copy) prints its ink in mid grey: tesseract's own binarisation then loses
the thin strokes of small glyphs (the 印 at the end of a name row first), and the seal-box rings break up. A page
on grey or unevenly lit paper has the same trouble the other way round. Each page is measured, not each file:

- the paper level is the page's bright percentile, the ink level a dark percentile of what is darker than it;
- a page whose paper is clearly darker than white, or whose paper varies across the page (shading, a grey band
  of a copier), is divided by its background (a grey-level closing with a kernel wider than any stroke, OpenCV),
  which makes the paper white and keeps the strokes;
- a page whose ink is lighter than dark grey is stretched so its ink is black again (a linear map from the ink
  level to the paper level; nothing is thresholded, so tesseract still binarises itself).

A page with white paper and black ink is left as it is (the same pixels, so an upright scan reads as before).
"""

from __future__ import annotations

from pathlib import Path

INK_PERCENTILE, PAPER_PERCENTILE = 10.0, 90.0
INK_MARGIN = 30
FAINT_INK = 90  # darkest ink above this grey: the page is faint
GREY_PAPER = 215  # paper below this: grey paper
UNEVEN = 25  # paper levels across the page differing by more than this: shading
SAMPLE = 3
BACKGROUND_MM = 2.5  # closing kernel: wider than a stroke, narrower than a character's blank


def _levels(np, gray) -> tuple[float, float]:
    """(ink, paper): the paper is the bright percentile of the page; the ink a dark percentile of the pixels
    clearly darker than the paper (a sparse page has far less ink than paper)."""
    paper = float(np.percentile(gray, PAPER_PERCENTILE))
    marked = gray[gray < paper - INK_MARGIN]
    ink = float(np.percentile(marked, INK_PERCENTILE)) if marked.size else paper
    return ink, paper


def _uneven(np, gray) -> bool:
    """Paper level (90th percentile) of each of 4×4 tiles differs across the page by more than UNEVEN."""
    h, w = gray.shape
    tiles = [gray[y * h // 4:(y + 1) * h // 4, x * w // 4:(x + 1) * w // 4] for y in range(4) for x in range(4)]
    paper = [float(np.percentile(t, PAPER_PERCENTILE)) for t in tiles if t.size]
    return max(paper) - min(paper) > UNEVEN


def plan(gray) -> list[str]:
    """What the page needs: [], ["background"], ["stretch"] or both, from its histogram alone."""
    import numpy as np

    ink, paper = _levels(np, gray)
    steps = []
    if paper < GREY_PAPER or _uneven(np, gray):
        steps.append("background")
    if ink > FAINT_INK:
        steps.append("stretch")
    return steps


def normalise(image: Path, dpi: int) -> list[str]:
    """Rewrite the page image with its contrast restored when its histogram asks for it; the steps taken."""
    import cv2
    import numpy as np

    gray = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
    if gray is None:
        return []
    steps = plan(gray[::SAMPLE, ::SAMPLE])  # the histogram of every third pixel is the page's
    if not steps:
        return []
    out = gray.astype(np.float32)
    if "background" in steps:
        size = max(3, round(BACKGROUND_MM * dpi / 25.4)) | 1
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
        background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, kernel).astype(np.float32)
        background = cv2.blur(background, (size, size))
        out = np.clip(out / np.maximum(background, 1.0) * 255.0, 0, 255)
    ink, paper = _levels(np, out)
    if paper - ink > 10 and (ink > 0 or paper < 255):
        out = np.clip((out - ink) * 255.0 / (paper - ink), 0, 255)
    cv2.imwrite(str(image), out.astype(np.uint8))
    return steps


RULE_H_MM, RULE_V_MM = 10.0, 7.0  # straight ink longer than this is a ruled line, not a stroke of a glyph
BOX_INSIDE = 0.72  # of a seal box's half-axes: what lies within is its content (印), the rest its rim


def without_rules(image: Path, target: Path, dpi: int, boxes=()) -> bool:
    """A copy of the page with its ruled lines (table borders, underlines) and the rims of its seal boxes
    (`boxes`, PDF points, from extractors/scan_shapes.find_boxes) painted out, for tesseract only: with the cell
    borders there, tesseract's layout analysis takes each cell for a block of its own and skips the short ones
    (the 〔印〕 in the last cell of a name row), and a circle under a vertical name column makes jpn_vert drop
    the column. What is inside a box (印, 実印) stays. Seal boxes are found on the page itself, since a square
    box is made of such lines. False when there is nothing to paint out."""
    import cv2
    import numpy as np

    gray = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
    if gray is None:
        return False
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    px = dpi / 25.4
    rules = np.zeros_like(binary)
    for size in ((round(RULE_H_MM * px), 1), (1, round(RULE_V_MM * px))):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
        rules |= cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
    scale = dpi / 72.0
    for box in boxes:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in box)
        rim = np.zeros_like(binary)
        centre, axes = ((x0 + x1) // 2, (y0 + y1) // 2), ((x1 - x0) // 2, (y1 - y0) // 2)
        cv2.rectangle(rim, (x0 - 2, y0 - 2), (x1 + 2, y1 + 2), 255, -1)
        cv2.ellipse(rim, centre, (int(axes[0] * BOX_INSIDE), int(axes[1] * BOX_INSIDE)), 0, 0, 360, 0, -1)
        rules |= binary & rim
    if not rules.any():
        return False
    rules = cv2.dilate(rules, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    paper = int(np.percentile(gray, PAPER_PERCENTILE))
    cleaned = gray.copy()
    cleaned[rules > 0] = paper
    cv2.imwrite(str(target), cleaned)
    return True
