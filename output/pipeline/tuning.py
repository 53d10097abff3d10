"""Process tuning for the pipeline's processes: quiet library loggers, fewer cyclic-GC passes."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Iterator


def quiet_libraries() -> None:
    """pdfminer at DEBUG slows pdfplumber 30×; keep it at WARNING (pitfalls.md)."""
    for name in ("pdfminer", "pdfplumber", "PIL", "openpyxl"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextlib.contextmanager
def fewer_gc_passes(threshold: tuple[int, int, int] = (50_000, 20, 100)) -> Iterator[None]:
    """A run's main process builds a few million small objects that all live to its end (rows; in a re-audit
    also the documents and findings): with the default thresholds the cyclic garbage collector rescans them
    hundreds of times (≈15% of an unchanged re-audit of 4,508 forms). Collect less often during the run;
    restore afterwards (and unfreeze what the run froze). A scan, which may parse files in this process
    (`--workers 1`), passes a lower threshold, so pdfminer's cyclic garbage is still collected often."""
    before = gc.get_threshold()
    gc.set_threshold(*threshold)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
