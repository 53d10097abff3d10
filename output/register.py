"""Write the register: register.xlsx, register.csv and register.jsonl.

Each file is replaced atomically (written to a temporary file in OUT_DIR, then `os.replace`): a crash never
leaves a half-written file. The three are moved into place one after the other, so a crash between two
moves can leave files of two runs side by side; the set is recognisable because every file carries the
run id (`run_id`: the run's start time + a short hash): on each row of register.jsonl, on sheet 集計 of
register.xlsx (the 「run_id: …」 line under バージョン) and in the state store's runs table (`run_key`).
register.csv has no run id column (the spec fixes its columns): compare its time stamp with the others.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import replace
from pathlib import Path

from output.atomic import atomic_path
from output.columns import render
from output.csv_writer import write_csv
from output.jsonl_writer import row_json, write_lines
from output.models import RegisterRow
from output.side_writer import SideWriter
from output.xlsx_writer import write_xlsx

REGISTER_FILES = {"xlsx": "register.xlsx", "csv": "register.csv", "jsonl": "register.jsonl"}


def make_run_id(run_info: dict) -> str:
    """`20261121T101500-3fa2b1c9`: the run's start (digits of `started`) + a short hash (unique per call)."""
    started = str(run_info.get("started") or "")
    stamp = "".join(ch for ch in started[:19] if ch.isdigit() or ch == "T") or time.strftime("%Y%m%dT%H%M%S")
    seed = f"{started}|{run_info.get('inputs')}|{os.getpid()}|{time.time_ns()}"
    return f"{stamp}-{hashlib.sha256(seed.encode()).hexdigest()[:8]}"


def shown_run_info(run_info: dict, run_id: str) -> dict:
    """The run's information as sheet 集計 shows it (the run id among the versions)."""
    return {**run_info, "run_id": run_id, "versions": {**(run_info.get("versions") or {}), "run_id": run_id}}


def write_register(rows: list[RegisterRow], out_dir: Path, *, run_info: dict, side: SideWriter | None = None,
                   lines: list[str] | None = None, meanwhile: Callable[[], object] | None = None,
                   workbook: Path | None = None, workbook_ready: Callable[[], object] | None = None) -> dict[str, Path]:
    """Write the three register files into `out_dir`; returns {"xlsx"|"csv"|"jsonl": path}.

    `run_info`: {"as_of", "versions", "inputs", "started", "finished"[, "run_id", "changes"]}, shown on
    sheet 集計. Without a "run_id" one is made (make_run_id); every row gets it in `run_id`.
    All three are first written to temporary files in `out_dir`; only when all three are complete are
    they moved into place with `os.replace`. A crash leaves the previous register untouched.
    `side`: register.xlsx is written by that child process meanwhile (output/side_writer.py). `lines`: a list
    that gets the rows' JSON (jsonl_writer.row_json) while the workbook is written, for the state store
    (write_run); when it already holds them, they are used as they are. `meanwhile()`: more work of this
    process while the child writes the workbook (write_run records the run in the state store), before any file
    is moved into place. `workbook`: a temporary register.xlsx already written for exactly these rows and this
    run (`WorkbookAhead`, `SideAhead`): it is moved into place with the other two instead of being written again,
    once `workbook_ready()` returns (the side process still writing it: the other two are written meanwhile).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run_id = run_info.get("run_id") or make_run_id(run_info)
    rows = [row if row.run_id == run_id else replace(row, run_id=run_id) for row in rows]
    shown_info = shown_run_info(run_info, run_id)
    targets = {kind: out_dir / name for kind, name in REGISTER_FILES.items()}
    with ExitStack() as stack:
        tmp = {kind: stack.enter_context(atomic_path(path)) for kind, path in targets.items()}
        wait = side.xlsx(rows, tmp["xlsx"], run_info=shown_info) if side is not None and workbook is None else None
        lines = lines if lines is not None else []
        if len(lines) != len(rows):
            lines[:] = [row_json(row) for row in rows]
        write_lines(lines, tmp["jsonl"])
        rendered = [render(row, number) for number, row in enumerate(rows, start=1)]  # once, for both
        write_csv(rows, tmp["csv"], atomic=False, rendered=rendered)
        if meanwhile is not None:
            meanwhile()
        if wait is not None:
            wait()
        elif workbook is None:
            write_xlsx(rows, tmp["xlsx"], run_info=shown_info, atomic=False, rendered=rendered)
        else:
            if workbook_ready is not None:
                workbook_ready()
            os.replace(workbook, tmp["xlsx"])
    return targets


def temporary_workbook(out_dir: Path) -> Path:
    """An empty temporary register.xlsx in `out_dir`, named as `remove_stale_temporaries` finds it after a crash."""
    fd, name = tempfile.mkstemp(prefix=f".{REGISTER_FILES['xlsx']}.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    return Path(name)


class WorkbookAhead:
    """register.xlsx written while a scan's last evidence pictures are still being made (LibreOffice, in other
    processes), for the rows as they will be if every picture being made is made (`expected_evidence`).
    `take(rows)` gives the written file when the final rows are exactly those, else None (a picture failed:
    the workbook is written again, as before); `discard()` (always called at the end) removes the file unless
    it was moved into place. Measured, 4,508 forms on 2 cores: the workbook (≈1.6 s) was written after a wait of
    ≈2.5 s for LibreOffice, with this process idle."""

    def __init__(self, rows: list[RegisterRow], out_dir: Path, run_info: dict) -> None:
        self.rows = rows
        self.path: Path | None = temporary_workbook(out_dir)  # until given by `take` or discarded
        self.given: Path | None = None  # given by `take`: write_register moves it into place
        try:
            self.write(self.path, shown_run_info(run_info, run_info["run_id"]))
        except BaseException:
            self.discard()
            raise

    def write(self, path: Path, shown_info: dict) -> None:
        write_xlsx(self.rows, path, run_info=shown_info, atomic=False)  # in this process: complete on return

    def ready(self) -> None:
        """Wait until the file `take` gave is complete: written in this process, it already is."""

    def take(self, rows: list[RegisterRow]) -> Path | None:
        """The file, when `rows` are the ones it is written for (once); else None, the file removed."""
        if self.path is None:
            return None
        if rows == self.rows:
            self.given, self.path = self.path, None
            return self.given
        self.discard()
        return None

    def discard(self) -> None:
        """Wait for the file's writer (it must not write it after it is removed), then remove the file: the one
        not given, or the one given if a failed run did not move it into place."""
        files = [path for path in (self.path, self.given) if path is not None]
        self.path = self.given = None
        if files:
            with suppress(Exception):
                self.ready()
        for path in files:
            path.unlink(missing_ok=True)


class SideAhead(WorkbookAhead):
    """register.xlsx started in the side process (output/side_writer.py) before the drafts, e-forms and pictures
    settle, for the rows as they will be (`expected_evidence`: the pictures already made): a re-audit's kept rows
    already name their settled e-form and draft (`settled_already`), so settling changes none of them and the
    workbook is written beside it instead of after it. `take(rows)` gives the file when the settled rows are exactly
    those (write_register moves it into place once `ready()`, after writing the other two files), else None (written
    again, as before, once the side process is done with it). Measured, an unchanged re-audit of 4,508 forms on 2
    cores: the settling (0.6–1.0 s) and register.jsonl / .csv and the state store (0.3–0.6 s) used to come before
    the workbook (2–3 s), one after the other."""

    def __init__(self, side: SideWriter, rows: list[RegisterRow], out_dir: Path, run_info: dict) -> None:
        self.side = side
        self.wait: Callable[[], None] | None = None
        super().__init__(rows, out_dir, run_info)

    def write(self, path: Path, shown_info: dict) -> None:
        self.wait = self.side.xlsx(self.rows, path, run_info=shown_info)  # returns at once

    def ready(self) -> None:
        """Wait until the side process has written the file (or this process, if that process died); once."""
        wait, self.wait = self.wait, None
        if wait is not None:
            wait()


def settled_already(rows: list[RegisterRow]) -> bool:
    """No row names a staged e-form or draft (a file read in this run has both in staging until it settles)."""
    from output.eforms import STAGING as EFORM_STAGING
    from output.revised.placement import STAGING as DRAFT_STAGING

    staged = (f"{EFORM_STAGING.as_posix()}/", f"{DRAFT_STAGING.as_posix()}/")
    return not any(Path(path).as_posix().startswith(staged) for row in rows
                   for path in (row.eform_path, row.revised_path) if path)


def run_history(store) -> list[dict]:
    """The recorded runs, newest first, each with its 変更履歴 (None for a scan): for sheet 変更履歴."""
    return [{"started": run["started"], "as_of": run["as_of"], "command": (run["args"] or {}).get("command"),
             "run_key": run["run_key"], "changes": store.changes(run["id"])}
            for run in reversed(store.runs()) if run["finished"]]


def write_run(rows: list[RegisterRow], out_dir: Path, *, run_info: dict, args: dict | None = None,
              documents=None, pictures: Callable[[], object] | None = None,
              pictures_busy: Callable[[], bool] | None = None) -> tuple[list[RegisterRow], dict[str, Path]]:
    """What a scan / re-audit does after deciding: apply the reviewers' corrections from the state store,
    make OUT_DIR/revised/ follow the final decisions (output/revised/placement.py) and OUT_DIR/evidence/ the
    rows to picture (output/evidence), write the register and the review page (review.html), and record the
    run and its rows in the state store. The オンライン化 follows the final decision and the e-forms move to
    OUT_DIR/eforms/ (output/eforms.py). `documents`: sha256 → the Document read in this run (None: the
    pictures read the files again). `pictures()`: waits for the evidence pictures still being made (a scan's
    last LibreOffice batch, output/evidence/early.py); called once the drafts and e-forms, which do not depend on
    them, are in place, so that they settle meanwhile. `pictures_busy()`: whether pictures are still being
    made; then register.xlsx is written meanwhile for the rows as they will be (`WorkbookAhead`), and used when
    they are. Returns (rows shown, paths)."""
    out_dir = Path(out_dir)
    remove_stale_temporaries(out_dir)
    if not side_worth_it(len(rows)) or (pictures_busy is not None and pictures_busy()):  # busy: written ahead
        return _write_run(rows, out_dir, run_info=run_info, args=args, documents=documents, side=None,
                          pictures=pictures, pictures_busy=pictures_busy)
    with SideWriter() as side:  # its process starts now, while the drafts, pictures and e-forms settle
        return _write_run(rows, out_dir, run_info=run_info, args=args, documents=documents, side=side,
                          pictures=pictures, pictures_busy=pictures_busy)


SIDE_MIN_ROWS = 1_000  # below, the child's start (≈0.5 CPU-s) and the rows' pickling cost more than they save


def side_worth_it(rows: int) -> bool:
    """Whether register.xlsx is worth a process of its own: a large register and a core to spare (a core is
    free when the 1-minute load average is below the cores less half a core). Measured, 4,508 rows, load 8 on
    2 cores: 15.9 / 16.4 s with the child against 13.8 / 14.4 s in this process (the child needs a core the
    machine does not have, plus 0.6 CPU-s to pickle and unpickle the rows)."""
    cores = os.cpu_count() or 1
    return rows >= SIDE_MIN_ROWS and cores >= 2 and os.getloadavg()[0] < cores - 0.5


def _write_run(rows: list[RegisterRow], out_dir: Path, *, run_info: dict, args: dict | None, documents,
               side: SideWriter | None, pictures: Callable[[], object] | None,
               pictures_busy: Callable[[], bool] | None = None) -> tuple[list[RegisterRow], dict[str, Path]]:
    from output.corrections import apply_corrections
    from output.eforms import settle_eforms
    from output.evidence import expected_evidence, settle_evidence
    from output.review_page import write_review_page
    from output.revised.placement import STAGING as DRAFT_STAGING
    from output.revised.placement import finish_drafts, settle_drafts
    from output.store.state import StateStore, recording

    with StateStore(out_dir) as store:
        rows = apply_corrections(rows, store, policy=str((args or {}).get("policy") or "default"))
        earlier = run_history(store)
    run_info = {**run_info, "run_id": run_info.get("run_id") or make_run_id(run_info)}
    this_run = {"started": run_info.get("started"), "as_of": run_info.get("as_of"),
                "command": (args or {}).get("command"), "run_key": run_info["run_id"],
                "changes": run_info.get("changes")}
    run_info["history"] = [this_run, *earlier]
    ahead: WorkbookAhead | None = None  # or a SideAhead
    if side is not None and settled_already(rows):  # the drafts, e-forms and pictures settle meanwhile
        expected = [replace(row, run_id=run_info["run_id"]) for row in expected_evidence(rows, out_dir)]
        ahead = SideAhead(side, expected, out_dir, run_info)
    try:
        rows = settle_drafts(rows, out_dir, work_dir=out_dir / ".work", prune_now=False)
        # every draft is in revised/ now: its staging folders (one per file of a scan) are removed here, while a
        # scan's last pictures are made, not after the register (finish_drafts then finds them gone)
        shutil.rmtree(out_dir / DRAFT_STAGING, ignore_errors=True)
        rows = settle_eforms(rows, out_dir)
        if pictures is not None:
            if ahead is None and pictures_busy is not None and pictures_busy():  # written while LibreOffice works
                expected = [replace(row, run_id=run_info["run_id"]) for row in expected_evidence(rows, out_dir)]
                ahead = WorkbookAhead(expected, out_dir, run_info)
            pictures()  # the pictures still being made: settle_evidence then finds them
        rows = settle_evidence(rows, out_dir, documents=documents)
        rows = [replace(row, run_id=run_info["run_id"]) for row in rows]
        workbook = ahead.take(rows) if ahead is not None else None
        lines: list[str] = []  # register.jsonl's lines, the state store's row_json too
        with recording(out_dir) as record:  # committed once the register and the review page are in place
            paths = write_register(rows, out_dir, run_info=run_info, side=side, lines=lines, workbook=workbook,
                                   workbook_ready=ahead.ready if workbook is not None else None,
                                   meanwhile=lambda: record(rows, run_info=run_info, args=args, row_json=lines))
            write_review_page(rows, out_dir, run_info=run_info)
    finally:
        if ahead is not None:
            ahead.discard()
    finish_drafts(rows, out_dir)  # only now: a run killed before this leaves the previous register's drafts
    return rows, paths


def remove_stale_temporaries(out_dir: Path) -> int:
    """Delete the temporary register files a killed run left (`.register.xlsx.<random>.tmp`, …). The run
    holds the output folder's lock, so no other run is writing them. Returns how many were removed."""
    removed = 0
    for name in REGISTER_FILES.values():
        for stale in Path(out_dir).glob(f".{name}.*.tmp"):
            if stale.is_file() and not stale.is_symlink():
                stale.unlink(missing_ok=True)
                removed += 1
    return removed
