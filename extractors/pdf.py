"""PDF: text lines and table cells with positions. Pages are read through pypdfium2 shaped as pdfplumber pages
(extractors/pdfium_page.py, 10–30× faster than pdfminer), and through pdfplumber where pdfium cannot give what
pdfminer gives (rotated text or pages, unmapped glyphs, encrypted or damaged files); pages without a usable text
layer fall back to pypdfium2's plain text, then to OCR."""

from __future__ import annotations

import logging
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from extractors.models import Document, InputFormat, Location, Status, TextBlock
from extractors.pdf_shapes import seal_box_blocks
from extractors.pdfium_page import NotSimple, PdfiumPage
from extractors.safety import BrokenFile, EncryptedFile

logging.getLogger("pdfminer").setLevel(logging.WARNING)

CID_MARK = "(cid:"
SCAN_TEXT_CHARS = 40  # a scan with a stamped header or a page number still needs OCR
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
MAX_PAGES = 300
NO_OCR = "OCR（tesseract）が見つからないため"
NO_TEXT_NO_OCR = "PDFに文字情報がなく（画像のみ）、OCR（tesseract）が見つからないため読み取れません"


def _ocr_available() -> bool:
    from extractors.ocr import available

    return available()


def _garbage(text: str) -> bool:
    """`(cid:NN)` runs or replacement characters mean the text layer cannot be trusted."""
    if not text.strip():
        return True
    cid = text.count(CID_MARK) * 8 + text.count("\ufffd")
    return cid > len(text) * 0.3


def _real_tables(page) -> list:
    """Ruled tables with at least two cells (a frame around the whole page is not a table)."""
    tables = []
    for table in page.find_tables(TABLE_SETTINGS):
        cells = [c for row in table.rows for c in row.cells if c is not None]
        if len(cells) >= 2:
            tables.append(table)
    return tables


def _inside(obj: dict, bboxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in bboxes)


def _is_vertical(page) -> bool:
    """Most characters stacked top to bottom in the content stream: vertical writing."""
    chars = [c for c in page.chars if c["text"].strip()]
    if len(chars) < 6:
        return False
    stacked = sum(
        1 for a, b in zip(chars, chars[1:], strict=False)
        if abs(a["x0"] - b["x0"]) < 1.5 and 0 < b["top"] - a["top"] < 2.5 * max(a["size"], 1)
    )
    return stacked > 0.6 * (len(chars) - 1)


def _unstack(text: str) -> str:
    """A cell written vertically comes out one character per line (申\\n請\\n者): rejoin it."""
    lines = text.split("\n")
    if len(lines) >= 2 and all(len(line.strip()) <= 1 for line in lines):
        return "".join(line.strip() for line in lines)
    return text


def _table_blocks(page, page_no: int, tables: list, first_table: int) -> list[tuple[float, TextBlock]]:
    placed: list[tuple[float, TextBlock]] = []
    for t_index, table in enumerate(tables, start=first_table):
        texts = table.extract()
        for r_index, (row, row_text) in enumerate(zip(table.rows, texts, strict=False), start=1):
            for c_index, (cell, text) in enumerate(zip(row.cells, row_text, strict=False), start=1):
                if cell is None or not text or not text.strip():
                    continue
                text = _unstack(text)
                loc = Location(kind="table", page=page_no, table=t_index, row=r_index, col=c_index,
                               bbox=tuple(round(v, 1) for v in cell))
                block = TextBlock(text=text, location=loc, line_key=("pt", page_no, t_index, r_index), order=c_index)
                placed.append((cell[1], block))
    return placed


def _line_blocks(page, bboxes: list) -> list[tuple[float, tuple[str, tuple]]]:
    """(top, (text, bbox)) for every text line outside the tables."""
    body = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, bboxes)) if bboxes else page
    if _is_vertical(body):
        return _vertical_lines(body)
    placed = []
    for line in body.extract_text_lines(return_chars=False):
        if line["text"].strip():
            bbox = (round(line["x0"], 1), round(line["top"], 1), round(line["x1"], 1), round(line["bottom"], 1))
            placed.append((line["top"], (line["text"], bbox)))
    return placed


def _vertical_lines(page) -> list[tuple[float, tuple[str, tuple]]]:
    """縦書き: words read top to bottom, columns right to left; each column is one line."""
    columns: list[list[dict]] = []
    for word in sorted(page.extract_words(line_dir="rtl", char_dir="ttb"), key=lambda w: (-w["x1"], w["top"])):
        for column in columns:
            if word["x0"] < column[0]["x1"] and column[0]["x0"] < word["x1"]:
                column.append(word)
                break
        else:
            columns.append([word])
    placed = []
    for rank, column in enumerate(columns):
        column.sort(key=lambda w: w["top"])
        text = " ".join(w["text"] for w in column)
        bbox = (round(min(w["x0"] for w in column), 1), round(min(w["top"] for w in column), 1),
                round(max(w["x1"] for w in column), 1), round(max(w["bottom"] for w in column), 1))
        placed.append((float(rank), (text, bbox)))  # reading order is column order, not height
    return placed


def read_page(page, page_no: int, first_table: int) -> tuple[list[TextBlock], int, str]:
    """Blocks of one page in reading order, the number of tables found, and what the page is:
    "text", "blank", "garbage" (no usable text layer) or "scan+text" (a scan with a little text on it)."""
    tables = _real_tables(page)
    bboxes = [t.bbox for t in tables]
    placed: list[tuple[float, int, object]] = [(top, 1, b) for top, b in _table_blocks(page, page_no, tables, first_table)]
    placed += [(top, 0, tb) for top, tb in _line_blocks(page, bboxes)]
    placed.sort(key=lambda item: (item[0], item[1]))
    blocks: list[TextBlock] = []
    line_no = 0
    for _top, is_table, item in placed:
        if is_table:
            blocks.append(item)
            continue
        text, bbox = item
        line_no += 1
        loc = Location(kind="body", page=page_no, line=line_no, bbox=bbox)
        blocks.append(TextBlock(text=text, location=loc, line_key=("p", page_no, line_no)))
    raw = "\n".join(b.text for b in blocks)
    blocks = _with_seal_boxes(page, page_no, blocks)
    if not raw.strip() and not _has_graphics(page):
        return blocks, len(tables), "blank"
    if _garbage(raw):
        return blocks, len(tables), "garbage"
    if len("".join(raw.split())) < SCAN_TEXT_CHARS and _image_share(page) >= 0.5:
        return blocks, len(tables), "scan+text"
    return blocks, len(tables), "text"


def _with_seal_boxes(page, page_no: int, blocks: list[TextBlock]) -> list[TextBlock]:
    """Drawn seal boxes (extractors/pdf_shapes.py) joined to their rows; a box on no row goes where its height is."""
    if not blocks:
        return blocks
    out = list(blocks)
    for top, block in seal_box_blocks(page, page_no, blocks):
        if block.line_key is not None and block.line_key[0] != "pd":
            out.append(block)
            continue
        at = next((i for i, b in enumerate(out) if b.location.bbox and b.location.bbox[1] > top), len(out))
        out.insert(at, block)
    return out


def _image_share(page) -> float:
    """How much of the page its images cover (0–1), capped per image at the page size."""
    area = float(page.width * page.height) or 1.0
    covered = sum(max(0.0, float(i["x1"] - i["x0"])) * max(0.0, float(i["bottom"] - i["top"])) for i in page.images)
    return min(covered / area, 1.0)


def _has_graphics(page) -> bool:
    """An image, or many curves (text drawn as outlines): something OCR may read."""
    return bool(page.images) or len(page.curves) > 20


def pdfium_page_lines(path: Path, page_no: int) -> list[TextBlock]:
    """Plain text lines of one page through pypdfium2 (a second opinion on odd fonts)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[page_no - 1]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        textpage.close()
        page.close()
    finally:
        pdf.close()
    blocks = []
    for line in (t for t in text.replace("\r\n", "\n").split("\n") if t.strip()):
        loc = Location(kind="body", page=page_no, line=len(blocks) + 1)
        blocks.append(TextBlock(text=line, location=loc, line_key=("p", page_no, len(blocks) + 1)))
    return blocks


def _fallback(path: Path, page_no: int, ocr: bool, work_dir: Path | None) -> tuple[list[TextBlock], str | None]:
    """pypdfium2, then OCR, for a page whose text layer is missing or garbage."""
    try:
        blocks = pdfium_page_lines(path, page_no)
    except Exception:  # noqa: BLE001
        blocks = []
    if blocks and not _garbage("\n".join(b.text for b in blocks)):
        return blocks, None
    if not ocr:
        return [], f"{page_no}ページ目は文字情報がなく、OCRをしないため読み取っていません"
    if not _ocr_available():
        return [], f"{page_no}ページ目は文字情報がなく、{NO_OCR}読み取っていません"
    from extractors.ocr import ocr_pdf_page

    blocks = ocr_pdf_page(path, page_no, work_dir=work_dir)
    if not blocks:
        return [], f"{page_no}ページ目の文字を読み取れませんでした（画像のみのページ）"
    return blocks, None


def extract_pdf(path: Path, *, fmt: InputFormat = InputFormat.PDF, work_dir: Path | None = None,
                ocr: bool = True, reader: str = "pdfium", **_: object) -> Document:
    """Pages through pypdfium2 (extractors/pdfium_page.py), each page pdfium cannot read as pdfminer would
    through pdfplumber; `reader="pdfplumber"` reads every page with pdfplumber (the reference, bench/compare_registers.py)."""
    if reader == "pdfium":
        document = _extract_pdfium(path, fmt, work_dir, ocr)
        if document is not None:
            return document
    return _extract_pdfplumber(path, fmt, work_dir, ocr)


def _extract_pdfium(path: Path, fmt: InputFormat, work_dir: Path | None, ocr: bool) -> Document | None:
    """None when the whole file is pdfplumber's (encrypted, or pdfium cannot open it): its errors are the reference."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None
    plumber = None
    try:
        if pdfium_c.FPDF_GetSecurityHandlerRevision(pdf) != -1:
            return None
        total = len(pdf)
        if not total:
            return None  # an empty or looping page tree: the reference path reports it
        pages = _Pages(total)
        for page_no in range(1, min(total, MAX_PAGES) + 1):
            try:
                page_blocks, found, mode = _pdfium_page(pdf, page_no, pages.tables + 1)
            except NotSimple:
                plumber = plumber or pdfplumber.open(path)
                if len(plumber.pages) != total:
                    return None
                page_blocks, found, mode = _plumber_page(plumber, page_no, pages)
            pages.tables += found
            pages.add(path, page_no, page_blocks, mode, ocr, work_dir)
        return pages.document(fmt)
    except (PdfminerException, PDFPasswordIncorrect, PDFEncryptionError, _ReferencePath):
        return None  # pdfplumber was needed and cannot open the file, or pages disagree: the reference path says why
    finally:
        if plumber is not None:
            plumber.close()
        pdf.close()


class _ReferencePath(Exception):
    """pdfium and pdfminer disagree about the file itself (its pages): pdfplumber reads all of it, as before."""


def _pdfium_page(pdf, page_no: int, first_table: int) -> tuple[list[TextBlock], int, str]:
    try:
        page = pdf[page_no - 1]
    except pdfium.PdfiumError as exc:  # a page tree that loops or points nowhere
        raise _ReferencePath() from exc
    try:
        view = PdfiumPage.read(page)
    except pdfium.PdfiumError as exc:
        raise NotSimple("pdfium could not read the page") from exc
    finally:
        page.close()
    try:
        blocks, found, mode = read_page(view, page_no, first_table)
    except Exception as exc:  # noqa: BLE001 - pdfplumber reads it, or says what is wrong with it
        raise NotSimple("the page could not be read through pdfium") from exc
    finally:
        view.close()
    if mode == "garbage":  # pdfminer may still map the fonts: it decides, as before
        raise NotSimple("no usable text through pdfium")
    return blocks, found, mode


def _plumber_page(pdf, page_no: int, pages: _Pages) -> tuple[list[TextBlock], int, str]:
    page = pdf.pages[page_no - 1]
    try:
        return read_page(page, page_no, pages.tables + 1)
    except Exception:  # noqa: BLE001 - one bad page must not lose the others
        pages.warnings.append(f"{page_no}ページ目の一部を読み取れませんでした")
        return [], 0, "garbage"
    finally:
        page.close()


class _Pages:
    """What the pages of one PDF gave, and what was done about pages without a usable text layer."""

    def __init__(self, total: int) -> None:
        self.total, self.tables = total, 0
        self.blocks: list[TextBlock] = []
        self.warnings: list[str] = []
        self.ocr_pages: list[int] = []
        self.blank: list[int] = []

    def add(self, path: Path, page_no: int, page_blocks: list[TextBlock], mode: str, ocr: bool,
            work_dir: Path | None) -> None:
        if mode == "blank":
            self.blank.append(page_no)
        elif mode == "garbage":
            page_blocks, problem = _fallback(path, page_no, ocr, work_dir)
            if problem:
                self.warnings.append(problem)
        elif mode == "scan+text" and ocr and not _ocr_available():
            self.warnings.append(f"{page_no}ページ目は画像が中心ですが、{NO_OCR}文字情報だけを読み取りました")
        elif mode == "scan+text" and ocr:
            from extractors.ocr import ocr_pdf_page

            page_blocks = page_blocks + ocr_pdf_page(path, page_no, work_dir=work_dir)
        if any(b.ocr for b in page_blocks):
            self.ocr_pages.append(page_no)
        self.blocks.extend(page_blocks)

    def document(self, fmt: InputFormat) -> Document:
        if self.total > MAX_PAGES:
            self.warnings.append(f"{MAX_PAGES}ページを超える部分は読み取っていません")
        return _document(fmt, self.blocks, self.warnings, self.total,
                         {"ocr_pages": self.ocr_pages, "blank_pages": self.blank})


def _extract_pdfplumber(path: Path, fmt: InputFormat, work_dir: Path | None, ocr: bool) -> Document:
    stream = open(path, "rb")  # noqa: SIM115 - closed below, without pdfplumber when its pages never loaded
    try:
        pdf = pdfplumber.open(stream)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        stream.close()
        raise EncryptedFile() from exc
    except PdfminerException as exc:
        stream.close()
        if exc.args and isinstance(exc.args[0], PDFPasswordIncorrect | PDFEncryptionError):
            raise EncryptedFile() from exc
        return _pdfium_only(path, fmt)
    except BaseException:
        stream.close()
        raise
    loaded = False
    try:
        pages = _Pages(len(pdf.pages))
        loaded = True
        for page_no in range(1, min(pages.total, MAX_PAGES) + 1):
            page_blocks, found, mode = _plumber_page(pdf, page_no, pages)
            pages.tables += found
            pages.add(path, page_no, page_blocks, mode, ocr, work_dir)
    finally:
        try:
            if loaded:  # not when the page tree could not be walked (time limit): close() would walk it again
                pdf.close()
        finally:
            stream.close()  # ours: pdfplumber does not close a stream it was given
    return pages.document(fmt)


def _pdfium_only(path: Path, fmt: InputFormat) -> Document:
    """pdfminer gave up (truncated or damaged file): pypdfium2 is more lenient, try its plain text."""
    try:
        pdf = pdfium.PdfDocument(str(path))
        total = len(pdf)
        pdf.close()
        blocks = [b for page_no in range(1, min(total, MAX_PAGES) + 1) for b in pdfium_page_lines(path, page_no)]
    except Exception as exc:  # noqa: BLE001
        raise BrokenFile("PDFが壊れているため読み取れません") from exc
    if not blocks:
        raise BrokenFile("PDFが壊れているため読み取れません")
    warning = "PDFの一部が壊れているため、表や位置を使わずに文字だけを読み取りました"
    return Document(format=fmt, blocks=tuple(blocks), status=Status.PARTIAL, pages=total, extractor="pdfium",
                    warnings=(warning,))


NO_PAGES = "PDFに読み取れるページがありません（ページの構成が壊れているか、循環しています）"
ALL_BLANK = "PDFの読み取った{n}ページのどれにも文字も画像もありません（白紙のため、押印の求めを判断できません）"


def _document(fmt: InputFormat, blocks: list[TextBlock], warnings: list[str], total: int, meta: dict) -> Document:
    if not blocks and not total:  # a looping or empty page tree: nothing was read, so nothing can be decided
        return Document(format=fmt, status=Status.FAILED, pages=0, extractor="pdf", errors=(NO_PAGES,),
                        warnings=tuple(warnings), meta=meta)
    if not blocks:
        no_ocr = any(NO_OCR in w for w in warnings)
        if len(meta.get("blank_pages") or ()) == min(total, MAX_PAGES):
            reason = ALL_BLANK.format(n=min(total, MAX_PAGES))
        else:
            reason = NO_TEXT_NO_OCR if no_ocr else "PDFから文字を読み取れませんでした（画像のみで OCR もできませんでした）"
        return Document(format=fmt, status=Status.FAILED, pages=total, extractor="pdf", errors=(reason,),
                        warnings=tuple(warnings), meta={**meta, "retry": True} if no_ocr else meta)
    status = Status.PARTIAL if warnings else Status.OK
    if any(NO_OCR in w for w in warnings):
        meta = {**meta, "retry": True}  # once tesseract is installed, the scanned pages can be read
    return Document(format=fmt, blocks=tuple(blocks), status=status, pages=total, extractor="pdf",
                    warnings=tuple(warnings), meta=meta)
