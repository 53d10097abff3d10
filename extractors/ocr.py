"""OCR for image-only PDF pages: pdftoppm renders a page, tesseract (jpn) reads it line by line.

Blocks are `kind="ocr"`, `ocr=True`: OCR misreads ㊞ and names, so a seal finding resting only on
OCR text goes to review. `OMP_THREAD_LIMIT=1` keeps tesseract from fighting the worker pool."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from extractors.models import Location, TextBlock, scratch_dir
from extractors.ocr_prepare import normalise, without_rules
from extractors.ocr_reread import reread
from extractors.scan_shapes import find_boxes, find_printed_marks, with_seal_boxes, without_boxes

DPI = 240  # reads these forms as well as 300 dpi for about 70% of the CPU time (bench/bench_ocr.py); 200 misreads 氏名
TIMEOUT_S = 120
LANG = "jpn"  # the model a horizontal page is read with (see PAGE_LANG), and the fallback for the re-reads
LANG_VERTICAL = "jpn_vert"
# the model the enlarged trailing glyphs and doubtful lines are read with (extractors/ocr_reread.py): tessdata's
# script model for Japanese (Debian tesseract-ocr-script-jpan) where installed, else jpn. It reads the 署 of this
# Mincho font far better than jpn (bench/results/scans-issue16g-2026-12-02.md). Reading the whole page with it
# was measured and not taken: it left more key words in the rows of the confusion bench, but on seed 37 it lost
# three seal rows (wrapped name cells, a faint page) and made one false request.
STRONG_LANGS = ("Japanese", "script/Japanese")
REREAD_LANG: str | None = None  # None: the first of STRONG_LANGS installed, else LANG
PAGE_LANG: str | None = None  # None: LANG (bench/eval_detect.py --ocr-lang Japanese measures the other choice)
MIN_CONFIDENCE = 60.0
PSM = "3"  # automatic layout; 6 (one block) reads table rows well but also reads 縦書き as horizontal text with
# high confidence, so jpn_vert is never tried (vertical recall 0.000 on bench/gen_scans.py)


def available() -> bool:
    return bool(shutil.which("tesseract") and shutil.which("pdftoppm"))


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:  # timeout, the per-file guard or Ctrl+C: never leave the tool running
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _is_cjk(ch: str) -> bool:
    return ord(ch) > 0x2E80


GAP = 0.9  # a blank wider than this many character heights (widths, vertically) is a space on the page


def _join(words: list[str], gaps: list[bool] | None = None) -> str:
    """Tesseract splits Japanese into pieces; glue CJK neighbours, keep spaces between Latin words and where
    the page has a wide blank (氏名　山田太郎　　印: the 印 must stay a word of its own)."""
    text = ""
    for index, word in enumerate(words):
        if text and (not (_is_cjk(text[-1]) or _is_cjk(word[0])) or (gaps and gaps[index])):
            text += " "
        text += word
    return text


def _gaps(words: list[dict], vertical: bool) -> list[bool]:
    """For each word, whether a wide blank separates it from the word before it."""
    out = [False]
    for prev, word in zip(words, words[1:], strict=False):
        if vertical:
            gap, size = int(word["top"]) - int(prev["top"]) - int(prev["height"]), int(word["width"])
        else:
            gap, size = int(word["left"]) - int(prev["left"]) - int(prev["width"]), int(word["height"])
        out.append(gap > GAP * max(size, 1))
    return out


def parse_tsv(tsv: str, page_no: int, scale: float, *, vertical: bool = False) -> list[TextBlock]:
    """Tesseract TSV → one block per recognised line, bbox in PDF points."""
    lines: dict[tuple[str, str, str], list[dict]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        key = (row["block_num"], row["par_num"], row["line_num"])
        lines.setdefault(key, []).append({**row, "text": text})
    boxes = []
    for words in lines.values():
        x0 = min(int(w["left"]) for w in words) * scale
        top = min(int(w["top"]) for w in words) * scale
        x1 = max(int(w["left"]) + int(w["width"]) for w in words) * scale
        bottom = max(int(w["top"]) + int(w["height"]) for w in words) * scale
        text = _join([w["text"] for w in words], _gaps(words, vertical))
        boxes.append((text, (round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1))))
    return _columns_to_blocks(boxes, page_no) if vertical else _rows_to_blocks(boxes, page_no)


def _columns_to_blocks(boxes: list[tuple[str, tuple]], page_no: int) -> list[TextBlock]:
    """縦書き: each recognised column is a line of its own, read right to left."""
    blocks = []
    for number, (text, bbox) in enumerate(sorted(boxes, key=lambda item: (-item[1][2], item[1][1])), start=1):
        loc = Location(kind="ocr", page=page_no, line=number, bbox=bbox)
        blocks.append(TextBlock(text=text, location=loc, line_key=("p", page_no, number), ocr=True))
    return blocks


def _rows_to_blocks(boxes: list[tuple[str, tuple]], page_no: int) -> list[TextBlock]:
    """Tesseract lines on the same visual row (vertical centres within one line height) share a line_key."""
    rows: list[list[tuple[str, tuple]]] = []
    for text, bbox in sorted(boxes, key=lambda item: (item[1][1], item[1][0])):
        centre = (bbox[1] + bbox[3]) / 2
        if rows:
            last = rows[-1]
            top = min(b[1] for _, b in last)
            bottom = max(b[3] for _, b in last)
            if top <= centre <= bottom:
                last.append((text, bbox))
                continue
        rows.append([(text, bbox)])
    blocks: list[TextBlock] = []
    for number, row in enumerate(rows, start=1):
        for text, bbox in sorted(row, key=lambda item: item[1][0]):
            loc = Location(kind="ocr", page=page_no, line=number, bbox=bbox)
            blocks.append(TextBlock(text=text, location=loc, line_key=("p", page_no, number), order=bbox[0], ocr=True))
    return blocks


_langs: list[str] | None = None


def _installed() -> list[str]:
    """The models tesseract has (asked once per process)."""
    global _langs
    if _langs is None:
        _langs = _run(["tesseract", "--list-langs"], TIMEOUT_S).stdout.decode("utf-8", "replace").split()
    return _langs


def vertical_available() -> bool:
    return LANG_VERTICAL in _installed()


def reread_lang() -> str:
    return REREAD_LANG or next((lang for lang in STRONG_LANGS if lang in _installed()), LANG)


def page_lang() -> str:
    return PAGE_LANG or LANG


def _tesseract(image: Path, page_no: int, dpi: int, *, vertical: bool = False) -> tuple[list[TextBlock], float, str]:
    """OCR one image: blocks and the mean word confidence (0–100). `vertical` reads 縦書き (jpn_vert)."""
    lang, psm = (LANG_VERTICAL, "5") if vertical else (page_lang(), PSM)
    # the resolution is given: an image rewritten by OpenCV carries none, and tesseract's own estimate from the
    # glyph sizes (about 370 for these forms) makes its layout analysis drop whole rows
    result = _run(["tesseract", str(image), "stdout", "-l", lang, "--psm", psm, "--dpi", str(dpi), "tsv"], TIMEOUT_S)
    if result.returncode != 0:
        return [], 0.0, ""
    tsv = result.stdout.decode("utf-8", "replace")
    confs = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            try:
                confs.append(float(row["conf"]))
            except (KeyError, ValueError):
                pass
    return parse_tsv(tsv, page_no, 72.0 / dpi, vertical=vertical), (sum(confs) / len(confs) if confs else 0.0), tsv


def _rotation(image: Path) -> int:
    """Tesseract's orientation guess (0/90/180/270) on a reduced copy of the page."""
    from PIL import Image

    small = image.with_name("osd.png")
    with Image.open(image) as img:
        img.reduce(2).save(small, dpi=(150, 150))
    result = _run(["tesseract", str(small), "stdout", "--psm", "0", "-l", "osd"], TIMEOUT_S)
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Rotate:"):
            try:
                return int(line.split(":")[1]) % 360
            except ValueError:
                return 0
    return 0


def ocr_image(image: Path, page_no: int, dpi: int = DPI) -> list[TextBlock]:
    """OCR a page image, with the seal boxes drawn on it (extractors/scan_shapes.py) and a closer look at each
    row's trailing glyph (extractors/ocr_reread.py). Tesseract reads a copy without the ruled lines
    (extractors/ocr_prepare.py); the boxes are found on the page itself. A landscape image (a form printed
    turned) is set upright first (tesseract OSD); a low-confidence result of an upright page is read as vertical
    writing (jpn_vert), and when that is no better, OSD says whether to turn the page."""
    from PIL import Image

    with Image.open(image) as img:
        landscape = img.width > img.height
    if landscape and (angle := _rotation(image)):
        return without_boxes(_upright(image, angle, page_no, dpi)[0])
    text, boxes = _text_image(image, dpi)
    blocks, conf, tsv = _tesseract(text, page_no, dpi)
    if conf >= MIN_CONFIDENCE:
        return _finish(blocks, tsv, text, boxes, dpi, page_no)
    vertical, vertical_conf = [], 0.0
    if _vertical_ok():  # 縦書き before asking OSD about a portrait page: far more common than one upside down
        vertical, vertical_conf, _ = _tesseract(text, page_no, dpi, vertical=True)
        if vertical_conf >= MIN_CONFIDENCE and vertical_conf > conf:
            return _finish(vertical, "", text, boxes, dpi, page_no)
    angle = 0 if landscape else _rotation(image)
    if not angle:
        if vertical_conf > conf:
            return _finish(vertical, "", text, boxes, dpi, page_no)
        return _finish(blocks, tsv, text, boxes, dpi, page_no)
    rotated, rotated_conf = _upright(image, angle, page_no, dpi)
    if rotated_conf <= conf:
        return _finish(blocks, tsv, text, boxes, dpi, page_no)
    return without_boxes(rotated)


def _text_image(image: Path, dpi: int) -> tuple[Path, list[tuple[float, float, float, float]]]:
    """The seal boxes on the page (found on the page itself) and the image tesseract reads: the page without
    its ruled lines and box rims, or the page itself when it has none."""
    boxes = find_boxes(image, dpi)
    text = image.with_name(image.stem + "-text.bmp")  # uncompressed: written and read once, no PNG encoding
    return (text if without_rules(image, text, dpi, boxes) else image), boxes


def _upright(image: Path, angle: int, page_no: int, dpi: int) -> tuple[list[TextBlock], float]:
    """The page turned upright and read (boxes and re-reads in the turned image's positions) and its confidence."""
    from PIL import Image

    turned = image.with_name("turned.pgm")
    with Image.open(image) as img:
        img.rotate(-angle, expand=True).save(turned)
    text, boxes = _text_image(turned, dpi)
    blocks, conf, tsv = _tesseract(text, page_no, dpi)
    return _finish(blocks, tsv, text, boxes, dpi, page_no), conf


def _finish(blocks: list[TextBlock], tsv: str, text: Path, boxes: list[tuple[float, float, float, float]], dpi: int,
            page_no: int) -> list[TextBlock]:
    """The rows read, with the re-read trailing glyphs, the printed ㊞ marks (both on the image tesseract read)
    and the seal boxes (found on the page) joined to them."""
    if not blocks:
        return blocks  # nothing read: no name line a box could belong to
    if tsv:
        blocks = reread(text, tsv, blocks, page_no, dpi, gap=GAP, run=_run, timeout=TIMEOUT_S,
                        lang=reread_lang())
    blocks = with_seal_boxes(blocks, find_printed_marks(text, dpi), page_no, wrapped=True)
    return with_seal_boxes(blocks, boxes, page_no)


_vertical: bool | None = None


def _vertical_ok() -> bool:
    global _vertical
    if _vertical is None:
        _vertical = vertical_available()
    return _vertical


def ocr_pdf_page(path: Path, page_no: int, *, work_dir: Path | None = None, dpi: int = DPI) -> list[TextBlock]:
    """Render one page (1-based) and OCR it; [] when the tools are missing or fail."""
    if not available():
        return []
    with tempfile.TemporaryDirectory(prefix="sealreview-ocr-", dir=scratch_dir(work_dir)) as tmp:
        prefix = Path(tmp) / "page"
        try:
            # an uncompressed PGM: written once and read by tesseract, OpenCV and PIL (PNG encoding cost 0.35 s)
            render = _run(["pdftoppm", "-r", str(dpi), "-gray", "-f", str(page_no), "-l", str(page_no),
                           "-singlefile", str(path), str(prefix)], TIMEOUT_S)
            image = prefix.with_suffix(".pgm")
            if render.returncode != 0 or not image.exists():
                return []
            normalise(image, dpi)
            return ocr_image(image, page_no, dpi)
        except subprocess.TimeoutExpired:
            return []
