"""A second, closer look at the glyph that ends an OCR row: where a seal mark sits, and where OCR fails.

A seal mark is the isolated last glyph of a name row (氏名　山田太郎　　[印]). At page resolution tesseract
often misreads it ([還], ぶ, ME). Every such trailing glyph (a short last word after a wide blank, not already
read as 印/㊞) is cut out of the page image, enlarged 1.5× and 2.5× (a 〔印〕 read as ME at page size
reads right at 1.5× and as LE at 2.5×; 2.5× is what recovered the first ones), all stacked into one strip that
tesseract reads in a single call (one model load per page, not one per glyph). A re-read holding 印 or ㊞
joins its row as an extra OCR block; the first reading stays, so the evidence shows both.

A line holding a word tesseract could not read at all (confidence below DOUBT: 割有 for 割印, 自匠 for 自署, also on
a page turned upright) is read again whole, enlarged (LINE_SCALES), in the same strip. That re-reading joins its
row only when it holds a seal or signature character (印, ㊞, 署) more than the first reading did; otherwise the
first reading stands alone.

A row of ink that tesseract's layout analysis dropped altogether (no word of the page overlaps it: a 〔印〕 wrapped
onto a row of its own, or a spaced 「申　請　者　[印]」 row tesseract lost on a page turned upright but read on the same
page printed upright) is read in the same strip as a doubtful line with no first reading (unread_rows); it joins
the page, in its place between the rows, only when it holds 印, ㊞ or 署.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

from extractors.models import Location, TextBlock
from extractors.pdf_shapes import DRAWN_PART, DRAWN_TEXT

SCALES = (1.5, 2.5)  # each glyph is read at both enlargements: which one tesseract reads best depends on the glyph
PAD = 0.35  # of the glyph's height, around the crop
GAP_PX = 40  # white between crops in the strip
MAX_CROPS = 12
MAX_CHARS = 3  # a trailing word this short (characters), or this narrow in glyph heights (MEIM for 〔印〕: Latin
# letters are narrow, and 4 of them are under 2 heights wide), is what a mark may have been read as
SURE = 90.0  # tesseract's word confidence above which a trailing word is not looked at again
SEAL_CHARS = ("印", "㊞")
DOUBT = 20.0  # a word read with a confidence below this (tesseract gives 0 to a glyph it could not place)
LINE_SCALES = (2.5, 3.0, 3.5)  # a doubtful line is read again at each enlargement (on our generated scans tesseract
# read 割印 as 割有, 割還, 割町 or 割男 at 1–2× and 自署 as 自匠, 自暫 or 自緒: which enlargement reads right varies, by a
# pixel's shift of the page: a turned page's 「本人の署名を…」 read 回名 at 2.5× and 3×, 署名 at 3.5×). Measured with
# bench/measure_ocr_confusions.py --rounds 2 (168 key characters): key word in the row in the end 130 with (2.5, 3.0),
# 136 with (2.5, 3.0, 3.5), 133 with (2.25, 2.75, 3.25)
MAX_LINES = 4  # doubtful lines re-read per page, the least sure first
KEY_CHARS = ("印", "㊞", "署")  # what a re-read line must add to join its row
# what tesseract (jpn) printed for the 署 of 署名 and 自署 on our generated scans (bench/measure_ocr_confusions.py,
# seeds 11 and 37): a line holding one of them before 名 or after 自 is read again too, however sure tesseract was
# (「ご区名ください」 at confidence 90); only a re-reading that adds 署 joins the row
SIGN_DOUBTS = "緒岩碑賭映販閉暫帳著申英引約男夏区贅匠"
# and, whatever the character, a one-character word after 自 closed by a bracket: the 「（自署）」「（本人自署）」 a
# form prints after a name label (a held-out scan read it 「(本人自牙)」 at high confidence; 牙 is in no list). A
# 「（自宅）」 line is read again for nothing; its re-reading holds no 署 and does not join the row.
DOUBTFUL_PAIR: re.Pattern | None = re.compile(f"[{SIGN_DOUBTS}]名|自[{SIGN_DOUBTS}]|自\\s*[^\\s)）\\]署]\\s*[)）\\]]")


def _lines(tsv: str) -> list[list[dict]]:
    lines: dict[tuple[str, str, str], list[dict]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") == "5" and text:
            key = (row["block_num"], row["par_num"], row["line_num"])
            word = {k: int(row[k]) for k in ("left", "top", "width", "height")}
            lines.setdefault(key, []).append(word | {"text": text, "conf": _float(row.get("conf"))})
    return list(lines.values())


OPENING, CLOSING = set("[(（〔【［"), set("])）〕】］")
BRACKETED = re.compile(r"[\[(（〔【［][^\])）〕】］]{1,2}[\])）〕】］]?$")


def doubtful_lines(tsv: str) -> list[dict]:
    """The lines (as one box each, with their text) holding a word read with confidence below DOUBT, or a doubtful
    pair (DOUBTFUL_PAIR); at most MAX_LINES, the least sure first."""
    found = []
    for words in _lines(tsv):
        worst = min(w["conf"] for w in words)
        paired = DOUBTFUL_PAIR is not None and DOUBTFUL_PAIR.search("".join(w["text"] for w in words))
        if (worst >= DOUBT or len(words) < 2) and not paired:
            continue
        left, top = min(w["left"] for w in words), min(w["top"] for w in words)
        right = max(w["left"] + w["width"] for w in words)
        bottom = max(w["top"] + w["height"] for w in words)
        found.append({"left": left, "top": top, "width": right - left, "height": bottom - top, "conf": worst,
                      "text": "".join(w["text"] for w in words), "line": True})
    return sorted(found, key=lambda line: line["conf"])[:MAX_LINES]


MAX_UNREAD = 3  # dropped rows read per page, the tallest first
UNREAD_HEIGHT = (0.5, 1.8)  # a dropped row is this many of the page's typical word heights tall
UNREAD_INK = 0.04  # and at least this share of its box is ink (a speck or a stray rule remnant is not a row)


def unread_rows(tsv: str, ink) -> list[dict]:
    """Bands of ink rows that no line tesseract read overlaps, as tall as a line of text: the rows it dropped.
    `ink` is the page tesseract read as a boolean array (True = dark)."""
    import numpy as np

    lines = _lines(tsv)
    if not lines or ink is None:
        return []
    height = float(np.median([w["height"] for words in lines for w in words]))
    covered = np.zeros(ink.shape[0], dtype=bool)
    for words in lines:
        top, bottom = min(w["top"] for w in words), max(w["top"] + w["height"] for w in words)
        covered[max(0, top - int(0.3 * height)):bottom + int(0.3 * height)] = True
    inked = ink.any(axis=1) & ~covered
    found = []
    for top, bottom in _runs(inked, bridge=int(0.25 * height)):
        if not UNREAD_HEIGHT[0] * height <= bottom - top <= UNREAD_HEIGHT[1] * height:
            continue
        cols = ink[top:bottom].any(axis=0).nonzero()[0]
        left, right = int(cols[0]), int(cols[-1]) + 1
        if ink[top:bottom, left:right].mean() < UNREAD_INK:
            continue
        found.append({"left": left, "top": top, "width": right - left, "height": bottom - top, "conf": 0.0,
                      "text": "", "line": True, "unread": True})
    return sorted(found, key=lambda row: -row["height"])[:MAX_UNREAD]


def _runs(flags, *, bridge: int) -> list[tuple[int, int]]:
    """(start, end) of the runs of True in `flags`, runs closer than `bridge` joined."""
    runs: list[list[int]] = []
    for index in flags.nonzero()[0]:
        if runs and index - runs[-1][1] <= bridge:
            runs[-1][1] = int(index) + 1
        else:
            runs.append([int(index), int(index) + 1])
    return [(a, b) for a, b in runs]


def _adds_key(first: str, again: str) -> bool:
    """The re-reading holds a seal or signature character more often than the first reading."""
    return any(again.count(ch) > first.count(ch) for ch in KEY_CHARS)


def _float(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


def trailing_glyphs(tsv: str, gap: float, ink=None) -> list[dict]:
    """Per line, the glyph a seal mark would be: the last word when a wide blank sets it apart and it is short,
    a bracketed group ending the last word (者[還]), or ink right of the line that OCR read nothing from.
    Glyphs already read as 印/㊞ are left alone. `ink` is the page as a boolean array (True = dark)."""
    found = []
    for words in _lines(tsv):
        last = words[-1]
        if any(ch in last["text"] for ch in SEAL_CHARS):
            continue
        last.setdefault("conf", 0.0)
        blank = last["left"] - words[-2]["left"] - words[-2]["width"] if len(words) > 1 else 0
        closing = len(words) > 2 and last["text"] in CLOSING and words[-3]["text"] in OPENING
        bracket = BRACKETED.search(last["text"])
        if closing:  # [ 還 ] read as three words
            first = words[-3]
            found.append({**first, "width": last["left"] + last["width"] - first["left"], "conf": 0.0,
                          "text": "".join(w["text"] for w in words[-3:])})
        elif bracket:  # 者[還] or [半]: the bracketed group ending the word
            width = int(last["width"] * len(bracket.group(0)) / len(last["text"]))
            found.append({**last, "left": last["left"] + last["width"] - width, "width": width, "conf": 0.0,
                          "text": bracket.group(0)})
        elif len(words) > 1 and blank > gap * max(last["height"], 1) and _short(last):
            found.append(last)  # isolated; re-read only when doubtful (令和　年　月　日 is read for sure)
        if not (closing or bracket) and ink is not None and (unread := _ink_after(ink, words)) is not None:
            found.append(unread | {"conf": 0.0})  # also after an isolated word: 山田　太郎 … 印 (the 印 unread)
    return found[:MAX_CROPS]


def _short(word: dict) -> bool:
    return len(word["text"]) <= MAX_CHARS or word["width"] <= MAX_CHARS * word["height"]


def _ink_after(ink, words: list[dict]) -> dict | None:
    """The dark box right of a line's last word, within the line's height, that OCR gave no word for."""
    top = min(w["top"] for w in words)
    bottom = max(w["top"] + w["height"] for w in words)
    height = bottom - top
    x_from = max(w["left"] + w["width"] for w in words) + int(0.5 * height)
    pad = int(0.25 * height)  # a mark may stand a little taller than the words
    top, bottom = max(0, top - pad), bottom + pad
    band = ink[top:bottom, x_from:]
    if band.size == 0 or height <= 4:
        return None
    cols = band.any(axis=0).nonzero()[0]
    if cols.size == 0 or cols[-1] - cols[0] > 4 * height:  # nothing there, or a ruled line / more text
        return None
    rows = band[:, cols[0]:cols[-1] + 1].any(axis=1).nonzero()[0]
    return {"left": x_from + int(cols[0]), "top": top + int(rows[0]), "width": int(cols[-1] - cols[0]) + 1,
            "height": int(rows[-1] - rows[0]) + 1, "text": ""}


def reread(image: Path, tsv: str, blocks: list[TextBlock], page_no: int, dpi: int, *, gap: float,
           run, timeout: float, lang: str = "jpn") -> list[TextBlock]:
    """`blocks` plus a block for every trailing glyph whose closer reading holds 印 or ㊞, and for every doubtful
    line whose closer reading adds 印, ㊞ or 署 (see doubtful_lines)."""
    from PIL import Image

    with Image.open(image) as page:
        ink = _dark(page)
    glyphs = trailing_glyphs(tsv, gap, ink)
    lines = doubtful_lines(tsv) + unread_rows(tsv, ink)
    if not glyphs and not lines:
        return blocks
    out = list(blocks)
    scale = 72.0 / dpi
    rings = [g for g in glyphs if _ring(ink, g)]  # a printed ㊞: a circle around a glyph
    for glyph in rings:
        out.append(_mark_block(glyph, blocks, page_no, scale))
    glyphs = [g for g in glyphs if g not in rings and g.get("conf", 0.0) < SURE] + lines
    if not glyphs:
        return out

    strip_path = image.with_name("reread.png")
    places = _strip(Image, image, glyphs, strip_path)
    try:
        result = run(["tesseract", str(strip_path), "stdout", "-l", lang, "--psm", "6", "tsv"], timeout)
    except subprocess.TimeoutExpired:
        return out
    if result.returncode != 0:
        return out
    added: set[int] = set()
    for words in _lines(result.stdout.decode("utf-8", "replace")):
        text = "".join(w["text"] for w in words)
        centre = words[0]["top"] + words[0]["height"] / 2
        glyph = next((g for g, (top, bottom) in places if top <= centre <= bottom), None)
        if glyph is None or id(glyph) in added:
            continue
        if not (_adds_key(glyph["text"], text) if glyph.get("line") else any(ch in text for ch in SEAL_CHARS)):
            continue
        added.add(id(glyph))
        bbox = tuple(round(v * scale, 1) for v in (glyph["left"], glyph["top"], glyph["left"] + glyph["width"],
                                                     glyph["top"] + glyph["height"]))
        loc = Location(kind="ocr", page=page_no, bbox=bbox, part="reread")
        if glyph.get("unread"):  # a row of its own, in its place among the rows
            block = TextBlock(text=text, location=loc, line_key=("p", page_no, "unread", bbox[1]), order=bbox[0],
                              ocr=True)
            out.insert(_place(out, bbox), block)
            continue
        row = _row_key(blocks, bbox)
        out.append(TextBlock(text=text, location=loc, line_key=row, order=bbox[0] + 0.5, ocr=True))
    return out


def _place(blocks: list[TextBlock], bbox: tuple) -> int:
    """The index before the first block that begins below `bbox`'s top."""
    return next((i for i, b in enumerate(blocks) if b.location.bbox is not None and b.location.bbox[1] > bbox[1]),
                len(blocks))


def _ring(ink, glyph: dict) -> bool:
    """The glyph is a circle about its own size (㊞, ○ around a mark): ink all the way round its rim, and a
    blank band just inside the rim (a character like 所 or 日 fills its box, it does not ring it)."""
    import numpy as np

    w, h = glyph["width"], glyph["height"]
    if min(w, h) < 10 or max(w, h) / min(w, h) > 1.15:
        return False
    cx, cy = glyph["left"] + w / 2, glyph["top"] + h / 2
    r = (w + h) / 4 - 1
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)

    def share(radius: float, spread: int) -> float:
        radii = radius + np.arange(-spread, spread + 1)[:, None]
        xs = np.clip((cx + radii * np.cos(angles)).astype(int), 0, ink.shape[1] - 1)
        ys = np.clip((cy + radii * np.sin(angles)).astype(int), 0, ink.shape[0] - 1)
        return float(ink[ys, xs].any(axis=0).mean())

    rim = max(share(k * r, 1) for k in (0.95, 1.0, 1.05, 1.1))
    gap = min(share(k * r, 0) for k in (0.72, 0.78, 0.85, 0.9))
    return rim >= 0.75 and gap <= 0.25


def _mark_block(glyph: dict, blocks: list[TextBlock], page_no: int, scale: float) -> TextBlock:
    bbox = tuple(round(v * scale, 1) for v in (glyph["left"], glyph["top"], glyph["left"] + glyph["width"],
                                                 glyph["top"] + glyph["height"]))
    loc = Location(kind="shape", page=page_no, bbox=bbox, part=DRAWN_PART)
    return TextBlock(DRAWN_TEXT, loc, line_key=_row_key(blocks, bbox), order=bbox[0] + 0.5, ocr=True)


def _dark(page):
    """The page as a boolean array, True where the ink is (a third of the way from paper to the darkest ink,
    so the thin grey rim of a printed ㊞ stays whole)."""
    import numpy as np

    gray = np.asarray(page.convert("L"))
    lo, hi = int(gray.min()), int(gray.max())
    return gray < hi - (hi - lo) / 3 if hi - lo > 40 else np.zeros(gray.shape, dtype=bool)


def _strip(Image, image: Path, glyphs: list[dict], target: Path) -> list[tuple[dict, tuple[float, float]]]:
    """Enlarged crops (each glyph at every scale of SCALES) stacked top to bottom; returns each glyph with its
    bands in the strip."""
    with Image.open(image) as page:
        crops = []
        for g in glyphs:
            pad = int(PAD * g["height"])
            box = (max(0, g["left"] - pad), max(0, g["top"] - pad), g["left"] + g["width"] + pad,
                   g["top"] + g["height"] + pad)
            crop = page.crop(box) if g.get("line") else _unframed(page.crop(box))
            scales = LINE_SCALES if g.get("line") else SCALES
            crops.extend(crop.resize((int(crop.width * k), int(crop.height * k)), Image.LANCZOS) for k in scales)
    glyphs = [g for g in glyphs for _k in (LINE_SCALES if g.get("line") else SCALES)]
    width = max(c.width for c in crops) + 2 * GAP_PX
    height = sum(c.height for c in crops) + GAP_PX * (len(crops) + 1)
    strip = Image.new("L", (width, height), 255)
    places = []
    y = GAP_PX
    for glyph, crop in zip(glyphs, crops, strict=True):
        strip.paste(crop.convert("L"), (GAP_PX, y))
        places.append((glyph, (y, y + crop.height)))
        y += crop.height + GAP_PX
    strip.save(target)
    return places


FRAME_FULL = 0.8  # share of a side that must be ink for it to be a frame's side
FRAME_MAX = 0.15  # a frame's side is at most this share of the box thick


def _unframed(crop):
    """The crop without the square drawn round its glyph: a 印 printed in a box of its own size is read as 較, 皿,
    国 or [ (bench/ocr_marks.py); with the box's four sides (the outermost ink rows and columns, each ink along
    most of its length) whitened, tesseract reads the 印. A crop not closed on all four sides is left as it is."""
    import numpy as np
    from PIL import Image

    gray = np.asarray(crop.convert("L")).copy()
    lo, hi = int(gray.min()), int(gray.max())
    dark = gray < (lo + hi) / 2
    rows, cols = dark.any(axis=1).nonzero()[0], dark.any(axis=0).nonzero()[0]
    if hi - lo < 60 or rows.size < 8 or cols.size < 8:
        return crop
    top, bottom, left, right = int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])
    box = dark[top:bottom + 1, left:right + 1]
    thick = max(1, int(FRAME_MAX * min(box.shape)))
    sides = [np.flatnonzero(box[:thick].mean(axis=1) >= FRAME_FULL), np.flatnonzero(box[-thick:].mean(axis=1) >= FRAME_FULL),
             np.flatnonzero(box[:, :thick].mean(axis=0) >= FRAME_FULL),
             np.flatnonzero(box[:, -thick:].mean(axis=0) >= FRAME_FULL)]
    if not all(side.size for side in sides):
        return crop
    height, width = box.shape
    clear = gray[top:bottom + 1, left:right + 1]
    clear[:int(sides[0].max()) + 2] = hi
    clear[height - thick + int(sides[1].min()) - 1:] = hi
    clear[:, :int(sides[2].max()) + 2] = hi
    clear[:, width - thick + int(sides[3].min()) - 1:] = hi
    return Image.fromarray(gray)


def _row_key(blocks: list[TextBlock], bbox: tuple) -> tuple | None:
    centre = (bbox[1] + bbox[3]) / 2
    for block in blocks:
        b = block.location.bbox
        if b is not None and b[1] <= centre <= b[3]:
            return block.line_key
    return None
