"""Word/Excel evidence pictures made while the files are still being read, instead of after the last file.

A scan hands each finished batch's rows to `EarlyPictures.add`; the rows that need a LibreOffice PDF for their
picture (pictured, not drawn yet) are gathered and converted `office_pdf.BATCH` Word files (`SHEET_BATCH` Excel
files) per LibreOffice start, one start at a time, in a background thread of the process that writes the register. LibreOffice runs niced: the worker
processes reading the files keep the CPU, LibreOffice takes what they leave (the start-up, a worker that waits
for its last batch). `flush()`, once the files are read, converts what is pending and still queued (the last
Word and Excel batches, and any the niced LibreOffice fell behind on) in one call, one LibreOffice per core —
the workers are done — while the drafts and e-forms are settled; `finish()` converts what is left and waits;
`settle_evidence` then finds those pictures
made (same file and finding → same name) and only draws what the final rows need beyond them (a reviewer's
correction can change a decision). A picture that cannot be made leaves the row without one, as before.
"""

from __future__ import annotations

import logging
import queue
import shutil
import tempfile
import threading
from pathlib import Path

from output.evidence import DocumentLookup, make_pictures
from output.evidence.office_pdf import BATCH, SHEET_BATCH, SHEETS
from output.evidence.select import image_name, mode, pictured_item
from output.models import RegisterRow

log = logging.getLogger(__name__)

NICE = 10


class EarlyPictures:
    def __init__(self, out_dir: Path, documents: DocumentLookup | None, *, batch: int | None = None) -> None:
        """`batch`: files per LibreOffice start for both kinds (default: office_pdf's, Calc twice Writer's)."""
        self.out_dir = Path(out_dir)
        self.documents = documents
        self.batch = {False: BATCH, True: SHEET_BATCH} if batch is None else {False: max(1, batch), True: max(1, batch)}
        self.pending: dict[bool, dict[str, tuple[RegisterRow, dict]]] = {}  # sheet? → name → job
        self.seen: set[str] = set()
        self.jobs: queue.Queue = queue.Queue()
        self.drawn = 0
        self.lock = threading.Lock()
        self.converting = 0  # jobs being converted now
        self.flushed: list[threading.Thread] = []  # flush()'s conversions, beside the loop's
        self.finished = False
        work = self.out_dir / ".work"
        work.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix="evidence-early-", dir=work))
        self.thread = threading.Thread(target=self._loop, name="sealreview-early-pictures", daemon=True)
        self.thread.start()

    def add(self, rows: list[RegisterRow]) -> None:
        """Queue the Word/Excel pictures `rows` need; a full batch starts converting."""
        which = mode()
        for row in rows:
            if row.format == "pdf":
                continue  # drawn by the worker that read it (output/pipeline/steps.py)
            item = pictured_item(row, which=which)
            if item is None:
                continue
            name = image_name(row, item)
            if name in self.seen or (self.out_dir / name).is_file():
                continue
            self.seen.add(name)
            kind = Path(row.path).suffix.lower() in SHEETS  # one LibreOffice start converts one kind (Calc / Writer)
            self.pending.setdefault(kind, {})[name] = (row, item)
            if len(self.pending[kind]) >= self.batch[kind]:
                self.jobs.put(self.pending.pop(kind))

    def finish(self, *, rest: bool = True) -> int:
        """Convert what is left (`rest=False`, a terminated run: only the batches under way), wait for every
        conversion; returns how many pictures were drawn. Called again, it only returns that number."""
        if self.finished:
            return self.drawn
        self.finished = True
        if rest:
            self.flush()
        self.pending = {}
        self.jobs.put(None)
        self.thread.join()
        for flushed in self.flushed:
            flushed.join()
        shutil.rmtree(self.work, ignore_errors=True)
        return self.drawn

    def flush(self) -> None:
        """The files are all read: the jobs still queued and those pending start now, as one job beside the
        batch being converted (not after it), whose batches run one LibreOffice per core and are split so that
        each core has a share (`to_pdfs(spread=True)`: the workers are done)."""
        together: dict[str, tuple[RegisterRow, dict]] = {}
        while True:
            try:
                together.update(self.jobs.get_nowait())
            except queue.Empty:
                break
        for kind in list(self.pending):
            together.update(self.pending.pop(kind))
        if together:
            thread = threading.Thread(target=self._convert, args=(together, True), daemon=True,
                                      name="sealreview-last-pictures")
            thread.start()
            self.flushed.append(thread)

    def busy(self) -> bool:
        """Whether pictures are still pending, queued or being made (finish() would wait)."""
        with self.lock:
            converting = self.converting
        return converting > 0 or bool(self.pending) or not self.jobs.empty() or any(
            thread.is_alive() for thread in self.flushed)

    def _loop(self) -> None:
        while (jobs := self.jobs.get()) is not None:
            self._convert(jobs, False)

    def _convert(self, jobs: dict[str, tuple[RegisterRow, dict]], spread: bool) -> None:
        with self.lock:
            self.converting += 1
        drawn = 0
        try:
            drawn = make_pictures(jobs, self.out_dir, self.work, self.documents, nice=NICE, spread=spread)
        except Exception:  # noqa: BLE001 - a picture never stops a run (settle_evidence tries again)
            log.warning("証拠画像を先に作れませんでした / early evidence pictures failed", exc_info=True)
        finally:
            with self.lock:
                self.drawn += drawn
                self.converting -= 1
