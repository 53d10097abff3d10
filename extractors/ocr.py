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
from dataclasses import replace
from pathlib import Path

from extractors.models import Location, TextBlock, scratch_dir

DPI = 300
TIMEOUT_S = 120
LANG = "jpn"
MIN_CONFIDENCE = 60.0


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


def _join(words: list[str]) -> str:
    """Tesseract splits Japanese into pieces; glue CJK neighbours, keep spaces between Latin words."""
    text = ""
    for word in words:
        if text and not (_is_cjk(text[-1]) or _is_cjk(word[0])):
            text += " "
        text += word
    return text


def parse_tsv(tsv: str, page_no: int, scale: float) -> list[TextBlock]:
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
        boxes.append((_join([w["text"] for w in words]), (round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1))))
    return _rows_to_blocks(boxes, page_no)


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


def _tesseract(image: Path, page_no: int, dpi: int) -> tuple[list[TextBlock], float]:
    """OCR one image: blocks and the mean word confidence (0–100)."""
    result = _run(["tesseract", str(image), "stdout", "-l", LANG, "--psm", "3", "tsv"], TIMEOUT_S)
    if result.returncode != 0:
        return [], 0.0
    tsv = result.stdout.decode("utf-8", "replace")
    confs = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            try:
                confs.append(float(row["conf"]))
            except (KeyError, ValueError):
                pass
    return parse_tsv(tsv, page_no, 72.0 / dpi), (sum(confs) / len(confs) if confs else 0.0)


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
    """OCR a page image; a low-confidence result is retried after turning the page upright."""
    blocks, conf = _tesseract(image, page_no, dpi)
    if conf >= MIN_CONFIDENCE:
        return blocks
    angle = _rotation(image)
    if not angle:
        return blocks
    from PIL import Image

    turned = image.with_name("turned.png")
    with Image.open(image) as img:
        img.rotate(-angle, expand=True).save(turned)
    rotated, rotated_conf = _tesseract(turned, page_no, dpi)
    if rotated_conf <= conf:
        return blocks
    # Positions of a turned page do not match the PDF page: keep the lines, drop the boxes.
    return [replace(b, location=replace(b.location, bbox=None)) for b in rotated]


def ocr_pdf_page(path: Path, page_no: int, *, work_dir: Path | None = None, dpi: int = DPI) -> list[TextBlock]:
    """Render one page (1-based) and OCR it; [] when the tools are missing or fail."""
    if not available():
        return []
    with tempfile.TemporaryDirectory(prefix="sealreview-ocr-", dir=scratch_dir(work_dir)) as tmp:
        prefix = Path(tmp) / "page"
        try:
            render = _run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(page_no), "-l", str(page_no),
                           "-singlefile", str(path), str(prefix)], TIMEOUT_S)
            image = prefix.with_suffix(".png")
            if render.returncode != 0 or not image.exists():
                return []
            return ocr_image(image, page_no, dpi)
        except subprocess.TimeoutExpired:
            return []
