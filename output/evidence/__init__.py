"""Pictures of the evidence: for each pictured row (select.py), the page region of its finding with the finding
outlined, as OUT_DIR/evidence/<name>.png, linked from 根拠箇所 and shown on the review page.

PDFs are rendered with pypdfium2 at the extractor's box; Word and Excel through the PDF LibreOffice makes of
them (office_pdf.py, many files per start). A picture whose file and finding are unchanged has the same name
and is reused; pictures no row points to any more are deleted (do not keep other files in evidence/).
A picture that cannot be made (the file moved, LibreOffice missing, the text not found) leaves the row
without one: the run never fails for a picture. A Word/Excel picture LibreOffice could not make is remembered
and not tried again under the same code and LibreOffice (unmade.py).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from extractors.models import Document
from output.evidence.select import EVIDENCE_DIR, image_name, mode, pictured_item
from output.evidence.unmade import remember, unmade_names
from output.models import RegisterRow

log = logging.getLogger(__name__)
DocumentLookup = Callable[[str], Document | None]  # sha256 → the Document read in this run (e.g. the cache)


def settle_evidence(rows: list[RegisterRow], out_dir: Path, *, documents: DocumentLookup | None = None,
                    which: str | None = None) -> list[RegisterRow]:
    """Make the missing pictures, drop the unused ones; returns the rows with `evidence_image` set."""
    out_dir = Path(out_dir)
    wanted: dict[str, tuple[RegisterRow, dict]] = {}
    names: list[str | None] = []
    for row, (name, item) in zip(rows, _pictured(rows, which), strict=True):
        names.append(name)
        if name is not None:
            wanted.setdefault(name, (row, item))
    missing = {name: job for name, job in wanted.items() if not (out_dir / name).is_file()}
    if missing:
        work = Path(tempfile.mkdtemp(prefix="evidence-", dir=_work_dir(out_dir)))
        try:
            make_pictures(missing, out_dir, work, documents, spread=True)  # the files are read: the cores are free
        finally:
            shutil.rmtree(work, ignore_errors=True)
    _prune(out_dir, set(wanted))
    remember(out_dir, set(), keep=set(wanted))  # forget the unmade pictures no row wants any more
    made = {name for name in wanted if (out_dir / name).is_file()}
    return [_with_image(row, name if name in made else None) for row, name in zip(rows, names, strict=True)]


def expected_evidence(rows: list[RegisterRow], out_dir: Path, *, which: str | None = None) -> list[RegisterRow]:
    """The rows as settle_evidence will return them if every picture wanted is there by then (made already, or
    being made), except those LibreOffice could not make before and that are not there (unmade.py)."""
    out_dir = Path(out_dir)
    unmade = unmade_names(out_dir)
    return [_with_image(row, None if name in unmade and not (out_dir / name).is_file() else name)
            for row, (name, _item) in zip(rows, _pictured(rows, which), strict=True)]


def _pictured(rows: list[RegisterRow], which: str | None) -> list[tuple[str | None, dict | None]]:
    """Each row's (picture name, pictured item), or (None, None) for a row without a picture."""
    which = which or mode()
    out: list[tuple[str | None, dict | None]] = []
    for row in rows:
        item = pictured_item(row, which=which)
        out.append((image_name(row, item), item) if item is not None else (None, None))
    return out


def _work_dir(out_dir: Path) -> Path:
    work = out_dir / ".work"
    work.mkdir(parents=True, exist_ok=True)
    return work


def _with_image(row: RegisterRow, name: str | None) -> RegisterRow:
    return row if row.evidence_image == name else replace(row, evidence_image=name)


def make_pictures(jobs: dict[str, tuple[RegisterRow, dict]], out_dir: Path, work: Path,
                  documents: DocumentLookup | None, *, nice: int = 0, spread: bool = False) -> int:
    """Draw every job's picture; returns how many were drawn. `nice`: LibreOffice's niceness increment.
    `spread`: nothing else needs the cores, so LibreOffice's batches are split into even shares per core."""
    from output.evidence.office_pdf import to_pdfs

    pdf_jobs = {n: j for n, j in jobs.items() if j[0].format == "pdf"}
    unmade = unmade_names(out_dir)  # Word/Excel pictures LibreOffice could not make before (unmade.py)
    office_jobs = {n: j for n, j in jobs.items() if j[0].format != "pdf" and n not in unmade}
    drawn = sum(_draw_pdf(name, row, item, out_dir, documents) for name, (row, item) in pdf_jobs.items())
    sources = {name: source_path(row) for name, (row, _item) in office_jobs.items()}
    unsettled: set[Path] = set()
    pdfs = to_pdfs(sorted({p for p in sources.values() if p is not None}), work, nice=nice, unsettled=unsettled,
                   profiles=_work_dir(out_dir), spread=spread)  # the profile LibreOffice starts copy is kept in OUT_DIR/.work
    failed = set()
    for name, (row, item) in office_jobs.items():
        source = sources[name]
        if source is None or source in unsettled:
            continue  # a missing file, or LibreOffice ended abnormally: maybe not the file's fault, tried next time
        pdf = pdfs.get(source)
        if pdf is not None and _draw_office(name, row, item, pdf, out_dir, documents):
            drawn += 1
        else:
            failed.add(name)
    if failed:
        remember(out_dir, failed)
    return drawn


def picture_pdf_early(row: RegisterRow, document: Document, out_dir: Path) -> bool:
    """In a worker, right after a PDF is read: draw its picture now (in parallel with the other files, from
    the Document at hand) so that settle_evidence finds it made. Returns whether a picture exists."""
    item = pictured_item(row, which=mode()) if row.format == "pdf" else None
    if item is None:
        return False
    name = image_name(row, item)
    if (Path(out_dir) / name).is_file():
        return True
    return _draw_pdf(name, row, item, Path(out_dir), lambda _sha: document)


def needs_office_picture(row: RegisterRow, out_dir: Path) -> bool:
    """Whether a Word/Excel row is pictured and its picture is not made yet (it needs a LibreOffice PDF)."""
    if row.format == "pdf":
        return False
    item = pictured_item(row, which=mode())
    return item is not None and not (Path(out_dir) / image_name(row, item)).is_file()


def first_of(*lookups: DocumentLookup | None) -> DocumentLookup:
    """A lookup asking each of `lookups` in turn (the Documents kept from the workers, then the cache)."""

    def lookup(sha256: str) -> Document | None:
        for each in lookups:
            found = each(sha256) if each is not None else None
            if found is not None:
                return found
        return None

    return lookup


def source_path(row: RegisterRow) -> Path | None:
    path = Path(row.input_root) / row.path if row.input_root else None
    return path if path is not None and path.is_file() else None


def document_of(row: RegisterRow, documents: DocumentLookup | None) -> Document | None:
    """The row's Document: from `documents` (read in this run) or read again (without OCR)."""
    found = documents(row.sha256) if documents is not None else None
    if found is not None:
        return found
    path = source_path(row)
    if path is None:
        return None
    from extractors.discover import describe_file
    from extractors.registry import extract

    return extract(describe_file(path, Path(row.input_root)), ocr=False)


def _draw_pdf(name: str, row: RegisterRow, item: dict, out_dir: Path, documents: DocumentLookup | None) -> bool:
    from output.evidence.locate import pdf_place

    try:
        document, path = document_of(row, documents), source_path(row)
        place = pdf_place(document, item) if document is not None and path is not None else None
    except Exception:  # noqa: BLE001 - a picture never stops a run
        log.warning("no evidence picture for %s", row.path, exc_info=True)
        return False
    return place is not None and _draw_on(name, row, path, out_dir, lambda pdf: place)


def _draw_office(name: str, row: RegisterRow, item: dict, pdf_path: Path, out_dir: Path,
                 documents: DocumentLookup | None) -> bool:
    from output.evidence.locate import office_place

    try:
        document = document_of(row, documents)
    except Exception:  # noqa: BLE001 - a picture never stops a run
        log.warning("no evidence picture for %s", row.path, exc_info=True)
        return False
    return document is not None and _draw_on(name, row, pdf_path, out_dir,
                                             lambda pdf: office_place(pdf, document, item))


def _draw_on(name: str, row: RegisterRow, pdf_path: Path, out_dir: Path, locate) -> bool:
    """Open the PDF, find the place (`locate(pdf)`, None: no picture) and draw it to OUT_DIR/evidence/name."""
    import pypdfium2 as pdfium

    from output.evidence.render import draw

    try:
        pdf = pdfium.PdfDocument(str(pdf_path))
        try:
            place = locate(pdf)
            if place is None:
                return False
            draw(pdf, place, out_dir / name)
        finally:
            pdf.close()
        return True
    except Exception:  # noqa: BLE001 - a picture never stops a run
        log.warning("no evidence picture for %s", row.path, exc_info=True)
        return False


def _prune(out_dir: Path, keep: set[str]) -> None:
    folder = out_dir / EVIDENCE_DIR
    if not folder.is_dir():
        return
    for path in folder.glob("*.png"):
        if f"{EVIDENCE_DIR}/{path.name}" not in keep:
            path.unlink(missing_ok=True)
