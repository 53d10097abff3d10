"""Rows of files whose analysis is cached: kept from the run that decided them when nothing they depend on
changed (output/store/decided.py), else decided now (output/pipeline/steps.process_file) and kept.

A kept row is the row `process_file` returned, so it is exactly what deciding again would give. What the
pipeline wrote beside it is checked, not assumed:
- the e-form: when OUT_DIR/eforms/ already holds the JSON this row staged, the row points at it and nothing is
  written (output/eforms.settle_eforms then only checks its オンライン化); otherwise it is staged again;
- the revised draft: when OUT_DIR/revised/ already holds the draft cache's bytes, the row points at it; otherwise
  the draft is copied from the draft cache into the staging folder as `process_file` does;
- a form shown under the same name as another file of the run (NFC/NFD twins, 様式.doc beside 様式.docx) is
  always staged, so output/revised/placement.py settles the names as before.
A scan keeps the rows its workers decided (`keep_read`, before the register moves their e-forms and drafts), so the
re-audit right after it gets them back instead of deciding every file again.
Evidence pictures are not made here: `settle_evidence` finds them made, or makes the missing ones.
Plain functions; no Prefect.
"""

from __future__ import annotations

import json
import logging
import os
import time
import weakref
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, replace
from multiprocessing import get_context
from pathlib import Path, PurePosixPath

from extractors.discover import SourceFile, changed_since, root_text
from output.eforms import final_rel as eform_rel
from output.eforms import write_staged
from output.models import RegisterRow
from output.pipeline.steps import UNEXPECTED_ERROR, PipelineOptions, process_file, rule_context
from output.pipeline.tuning import quiet_libraries
from output.revised.placement import file_staging, root_labels
from output.revised.placement import final_rel as draft_rel
from output.store.analysis import AnalysisCache
from output.store.decided import DecidedCache, context_digest, row_key
from output.store.drafts import DraftCache
from output.store.state import row_from_json

log = logging.getLogger(__name__)

PARALLEL_MIN = 64  # files to decide in one batch worth child processes (each starts in about 2 s)


def shown_name(root: str, rel_path: str) -> tuple[str, str]:
    """What two files share when the register would show (or draft) them under one name."""
    rel = PurePosixPath(rel_path.replace("\\", "/"))
    return root, rel.with_suffix("").as_posix().casefold()


def spelled_alike(options: PipelineOptions) -> PipelineOptions:
    """`options` with the output, work and cache folders as absolute paths, for the key of the kept rows only: a
    row holds its e-form and draft paths relative to the output folder, so `--out out` and `--out /abs/out` (a
    reviewer by hand, cron with a full path) give the same rows. Measured: an unchanged re-audit spelled the other
    way decided all 4,508 rows again (21 s against 9–12 s, 2 cores, 2026-12-03)."""
    folders = {name: os.path.abspath(value) for name in ("work_dir", "out_dir", "cache_dir")
               if isinstance(value := getattr(options, name), str) and value}
    return replace(options, **folders)


class DecidedRows:
    """One run's rows of cached files. `rows(sources)` gives them in order."""

    def __init__(self, options: PipelineOptions, sources: Iterable[SourceFile], *, workers: int = 1) -> None:
        sources = list(sources)
        self.options = options
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self.out_dir = Path(options.out_dir) if options.out_dir else None
        roots = [root_text(s.root) for s in sources]
        self.labels = root_labels(roots)
        names = Counter(shown_name(root, s.rel_path) for root, s in zip(roots, sources, strict=True))
        self.shared = {name for name, n in names.items() if n > 1}
        self.cache = DecidedCache(options.cache_dir) if options.cache_dir else None
        self.drafts = DraftCache(options.cache_dir) if options.cache_dir else None
        self.analyses = AnalysisCache(options.cache_dir, ocr=options.ocr) if options.cache_dir else None
        self.context = self._context() if self.cache is not None else ""
        self.kept = self.decided = self.stored = 0  # rows reused, decided again here, kept from workers
        self.store_cpu = 0.0  # CPU-s spent keeping the workers' rows (keep_read)
        self._ahead: dict[tuple, RegisterRow] = {}  # kept rows found by look_ahead, taken by rows()

    def _context(self) -> str:
        ctx = rule_context(self.options)
        files = (*ctx.catalogue.files, ctx.policy.path, self.options.manifest)
        context = context_digest(options=astuple(spelled_alike(self.options)), rule_files=files,
                                 as_of=ctx.as_of.isoformat())
        self.options = replace(self.options, as_of=ctx.as_of.isoformat())  # a child process decides as of the same day
        return context

    def __getstate__(self) -> dict:  # sent to the child processes without their pool and the rows found ahead
        return {**self.__dict__, "_pool": None, "_ahead": {}}

    def look_ahead(self, sources: Iterable[SourceFile]) -> int:
        """Find the kept rows of `sources` now (a re-audit does this while its API server boots), checking their
        e-forms and drafts as `rows` would; `rows` then takes them instead of looking again (after checking
        once more that the file did not change meanwhile). Returns how many were found."""
        if self.cache is None:
            return 0
        for source in sources:
            row = self.kept_row(source)
            if row is not None:
                self._ahead[_file_key(source)] = row
        return len(self._ahead)

    def found_ahead(self, source: SourceFile) -> bool:
        """`look_ahead` found the kept row of `source` (`rows` will not need to decide it)."""
        return _file_key(source) in self._ahead

    def rows(self, sources: list[SourceFile]) -> list[RegisterRow]:
        """The rows of `sources`, in order: kept ones from the cache; the others decided — in `workers` processes
        when there are many (a new as-of date, catalogue or policy decides every file again), else here."""
        if self.cache is None:
            return [process_file(source, self.options) for source in sources]
        found = [self._taken_ahead(source) or self.kept_row(source) for source in sources]
        missing = [source for source, row in zip(sources, found, strict=True) if row is None]
        self.kept += len(sources) - len(missing)
        self.decided += len(missing)
        if self.workers > 1 and len(missing) >= PARALLEL_MIN:
            decided = iter(self._in_processes(missing))
        else:
            decided = iter([self.decide(source) for source in missing])
        return [row if row is not None else next(decided) for row in found]

    def _taken_ahead(self, source: SourceFile) -> RegisterRow | None:
        row = self._ahead.pop(_file_key(source), None)
        return None if row is None or changed_since(source) else row

    def kept_row(self, source: SourceFile) -> RegisterRow | None:
        entry = self.cache.get(row_key(source, self.context, ocr=self.options.ocr))
        return self._reuse(source, entry) if entry is not None else None

    def decide(self, source: SourceFile) -> RegisterRow:
        """Decide one file now (process_file) and keep its row when the same inputs always give it."""
        row = process_file(source, self.options)
        self.keep(source, row)
        return row

    def keep(self, source: SourceFile, row: RegisterRow) -> bool:
        """Keep `row`, which `process_file(source, options)` gave in this run (here, in a child process or in a
        scan's worker), when the same inputs always give it; before the register moves its e-form or draft."""
        if self.cache is None:
            return False
        staged = self._staged_eform(row)
        if not self._keepable(source, row, staged):
            return False
        return self.cache.put(row_key(source, self.context, ocr=self.options.ocr), row.to_json(), eform=staged)

    def keep_read(self, sources: list[SourceFile], rows: list[RegisterRow]) -> int:
        """Keep the rows of files the workers read in this run (a scan's batch, in the order of `sources`), so
        the next run with the same rules gets them back instead of deciding again. Returns how many were kept."""
        started = time.process_time()
        by_file = {(root_text(s.root), s.rel_path, s.sha256): s for s in sources}
        kept = 0
        for row in rows:
            source = by_file.get((row.input_root, row.path, row.sha256))
            if source is not None and self.keep(source, row):
                kept += 1
        self.stored += kept
        self.store_cpu += time.process_time() - started
        return kept

    def _in_processes(self, sources: list[SourceFile]) -> list[RegisterRow]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"))
            weakref.finalize(self, self._pool.shutdown)
        size = max(1, -(-len(sources) // (self.workers * 4)))
        chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
        return [row for rows in self._pool.map(_decide_chunk, [self] * len(chunks), chunks) for row in rows]

    # a kept row ----------------------------------------------------------------------------------------
    def _reuse(self, source: SourceFile, entry: dict) -> RegisterRow | None:
        if changed_since(source) or self.out_dir is None:
            return None  # process_file flags it
        try:
            row = row_from_json(entry["row"])  # the derived confidence_level is left out
        except (TypeError, ValueError) as exc:
            log.warning("判定の記録を使えないため判定し直します: %s (%s)", source.rel_path, exc)
            return None
        unique = shown_name(row.input_root, row.path) not in self.shared
        label = self.labels.get(row.input_root, "")
        if row.eform_path and not self._eform_in_place(row, entry.get("eform"), label, unique):
            return None
        if row.revised_path and not self._draft_in_place(row, source, label, unique):
            return None
        return row

    def _eform_in_place(self, row: RegisterRow, staged: str | None, label: str, unique: bool) -> bool:
        """Point the row at its e-form when OUT_DIR/eforms/ holds that one; else stage it again."""
        if not isinstance(staged, str):
            return False
        final = eform_rel(row, label)
        if unique and _read(self.out_dir / final) == staged.encode("utf-8"):
            row.eform_path = str(final)
            return True
        try:
            write_staged(self.out_dir / row.eform_path, json.loads(staged), staged)
        except (OSError, ValueError):
            return False
        return True

    def _draft_in_place(self, row: RegisterRow, source: SourceFile, label: str, unique: bool) -> bool:
        """Point the row at its draft when OUT_DIR/revised/ holds the cached bytes; else copy them to staging."""
        replacement = row.replacement or ""
        suffix = PurePosixPath(row.revised_path).suffix
        final = draft_rel(row, label, suffix)
        if unique and self.drafts.same_draft(row.sha256, replacement, self.out_dir / final):
            row.revised_path = final
            return True
        staging, staged = file_staging(self.out_dir, source.root, source.path)
        result = self.drafts.get(row.sha256, replacement, rel_path=staged, out_dir=staging)
        if result is None or result.path is None:
            return False
        row.revised_path = os.path.relpath(result.path, self.out_dir)
        return True

    # keeping a row -------------------------------------------------------------------------------------
    def _keepable(self, source: SourceFile, row: RegisterRow, staged: str | None) -> bool:
        """Only rows the same inputs always give: the analysis and the draft are cached (a time limit, a
        missing tool or a file written while read is not), and the row is not a crash's."""
        if row.rule_id == "decide.changed_during_scan.v1" or UNEXPECTED_ERROR in (row.reason or ""):
            return False
        if not self.analyses.has(source.sha256):
            return False
        if row.revised_path and not self.drafts.has(source.sha256, row.replacement or ""):
            return False
        return not (row.eform_path and staged is None)

    def _staged_eform(self, row: RegisterRow) -> str | None:
        if not row.eform_path or self.out_dir is None:
            return None
        try:
            return (self.out_dir / row.eform_path).read_text(encoding="utf-8")
        except OSError:
            return None


def _file_key(source: SourceFile) -> tuple:
    return root_text(source.root), source.rel_path, source.sha256


def _decide_chunk(decided: DecidedRows, sources: list[SourceFile]) -> list[RegisterRow]:
    """In a child process: decide `sources` (their analyses are cached: no model is loaded)."""
    quiet_libraries()
    return [decided.decide(source) for source in sources]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
