"""Prefect flow `scan`: discover → (batches of) extract/detect/decide → write the register.

The flow only orchestrates: every step is a plain function from the stage packages.
Tasks are coarse (one per batch of files) because each Prefect task run costs server time.
"""

from __future__ import annotations

import math
import queue
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import TerminationSignal
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from extractors.discover import SourceFile, path_token, root_text, token_path
from flows.progress import Progress
from flows.serve import prefect_api
from output.changes import with_machine_replacement
from output.corrections import corrected_basis
from output.decided_rows import DecidedRows
from output.evidence import first_of
from output.evidence.early import EarlyPictures
from output.markdown_text import md
from output.models import RegisterRow
from output.pipeline.guard import TERMINATED, RunTerminated, begin_grace_exit, end_terminated_run
from output.pipeline.steps import (
    WORKER_GC_THRESHOLD,
    PipelineOptions,
    batch_outcome,
    error_row,
    rule_context,
    versions,
)
from output.pipeline.tuning import fewer_gc_passes
from output.pipeline.workers import (
    forget_kept,
    kept_document,
    prestart,
    prestart_soon,
    process_batch_limited,
    release_spares,
    stop_all,
    warm_spares,
)
from output.register import write_run
from output.store import (
    AnalysisCache,
    StateStore,
    cache_dir_of,
    clear_checkpoint,
    discover_known,
    document_lookup,
    open_checkpoint,
    run_lock,
)
from output.summary import kawasaki_sentence, summarize
from rules.models import DECISIONS


def task_runner(workers: int, dask_address: str | None = None):
    """Which Prefect task runner runs the batch tasks: local worker processes, or an existing Dask cluster.

    - `--dask-address tcp://host:8786`: prefect-dask's `DaskTaskRunner(address=...)` sends each batch to the
      cluster. The workers need the same installation (sealreview + ja_ginza) and must see the input and
      output folders at the same paths (shared storage). Remote workers also need a real Prefect API
      (`prefect server start`, PREFECT_API_URL): a run's temporary 127.0.0.1 server is reachable only from
      the same machine (a LocalCluster).
    - otherwise `--workers N` task threads, each feeding one worker process of its own (GiNZA loaded once per
      process; output/pipeline/workers.py ends a worker at a file's limits and starts a fresh one).
    """
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    return ThreadPoolTaskRunner(max_workers=max(1, workers))  # each thread feeds one worker process


MAX_BATCH = 100  # 4,508 forms: 46 tasks instead of 91; the API server used 7.1 CPU-s instead of 9.2, the CLI 6.3 instead of 7.0
MAX_CACHED_BATCH = 500  # cached files only need a decision (≈1 ms): fewer, larger tasks (each costs ≈15 ms)


@task(name="scan-batch", task_run_name="batch-{index}", cache_policy=NO_CACHE)
def scan_batch(index: int, sources: list[SourceFile], options: PipelineOptions) -> list[RegisterRow]:
    return process_batch_limited(sources, options)  # each file in a worker process ended at its limits


def make_batches(sources: list[SourceFile], workers: int, limit: int = MAX_BATCH) -> list[list[SourceFile]]:
    """About eight batches per worker (for progress and balance), at most `limit` files each."""
    if not sources:
        return []
    size = max(1, min(limit, math.ceil(len(sources) / (workers * 8))))
    return [sources[i : i + size] for i in range(0, len(sources), size)]


@task(name="decide-cached", task_run_name="cached-{index}", cache_policy=NO_CACHE)
def cached_batch(index: int, sources: list[SourceFile], decided: DecidedRows) -> list[RegisterRow]:
    return decided.rows(sources)  # kept rows of unchanged files and rules (output/decided_rows.py), else decided


def split_cached(sources: list[SourceFile], options: PipelineOptions) -> tuple[list[SourceFile], list[SourceFile]]:
    """(files whose extract+detect result is cached, files to analyse)."""
    if not options.cache_dir:
        return [], list(sources)
    cache = AnalysisCache(options.cache_dir, ocr=options.ocr)
    hits = {id(s) for s in sources if cache.has(s.sha256)}
    return [s for s in sources if id(s) in hits], [s for s in sources if id(s) not in hits]


def run_batches(
    sources: list[SourceFile], options: PipelineOptions, workers: int, stats: dict | None = None,
    on_rows: Callable[[list[RegisterRow]], object] | None = None, decided: DecidedRows | None = None,
    local: bool = True,
) -> list[RegisterRow]:
    """Files not in the cache go to the task runner (worker processes or Dask); cached files only need
    decisions, which are cheap: they run here, so an unchanged re-audit starts no worker and loads no model.
    `on_rows(rows)` sees each finished batch's rows (the early evidence pictures, output/evidence/early.py).
    `decided`: the run's DecidedRows when made before (a re-audit looks its kept rows up while the API server
    boots): the files whose kept row it found are one task, the others batches of MAX_CACHED_BATCH.
    `local`: the batches run in this process's task threads (not on a Dask cluster; see `task_files`)."""
    progress = Progress(len(sources))
    checkpoint = open_checkpoint(options, versions(rule_context(options)))  # files a killed run already finished are not redone
    every, (resumed, sources) = sources, checkpoint.split(sources)
    if resumed:
        progress.advance(len(resumed))
    cached, fresh = split_cached(sources, options)
    if stats is not None:
        stats.update(cached=len(cached), analysed=len(fresh), resumed=len(resumed))
    batches = make_batches(fresh, workers)
    futures = [scan_batch.submit(i, task_files(batch, local), options) for i, batch in enumerate(batches)]
    batch_of = {id(future): batch for future, batch in zip(futures, batches, strict=True)}
    rows: list[RegisterRow] = list(resumed)
    try:
        decided = decided or DecidedRows(options, every, workers=workers)  # the run's files (names shown twice)
        for i, (batch, ahead) in enumerate(cached_batches(cached, decided), start=len(futures)):
            batch_rows = cached_batch(i, task_files(batch), quote(decided))  # runs in this thread
            if not ahead:  # kept rows found ahead are found again as cheaply by a run after a killed one
                checkpoint.save(batch_rows)
            rows.extend(batch_rows)
            if on_rows is not None:
                on_rows(batch_rows)
            progress.advance(len(batch_rows), batch_rows[-1].path if batch_rows else "")
        for future in completed(futures):
            batch_rows, complete = batch_outcome(future, batch_of[id(future)], options)  # a dead worker: error rows
            if complete:
                checkpoint.save(batch_rows)
                decided.keep_read(batch_of[id(future)], batch_rows)  # the next run gets these rows back
            rows.extend(batch_rows)
            if on_rows is not None:
                on_rows(batch_rows)
            progress.advance(len(batch_rows), batch_rows[-1].path if batch_rows else "")
    except (RunTerminated, TerminationSignal):  # SIGTERM (Prefect's bridge while the flow runs, or ours)
        begin_grace_exit()  # the register lists what finished, the rest are read by the next run
        if stats is not None:
            stats["terminated"] = True
        rows.extend(unfinished_rows(sources, rows, options))
    if stats is not None and decided is not None:
        stats.update(rows_reused=decided.kept, rows_redecided=decided.decided, rows_stored=decided.stored,
                     rows_stored_cpu_s=round(decided.store_cpu, 2))
    return sorted(rows, key=lambda r: (r.input_root, r.path))


def task_files(files: list[SourceFile], local: bool = True):
    """A task's list of files as Prefect should see it: `quote`d (Prefect's public annotation), so Prefect does not
    walk every file twice per task (the task's inputs, then their resolution): ≈1 CPU-s of the command's process per
    4,508 files, measured. No future is among them, so no dependency is lost. Only for tasks run here: a batch
    sent to a Dask cluster arrives there as the bare annotation (a tuple), so it goes as it is."""
    return quote(files) if local else files


def cached_batches(cached: list[SourceFile], decided: DecidedRows) -> list[tuple[list[SourceFile], bool]]:
    """The cached files' batches, each with whether its kept rows were found ahead: those in one batch (nothing
    left to do but hand the rows over: one task run instead of one per MAX_CACHED_BATCH), the others
    MAX_CACHED_BATCH at a time."""
    ahead = [s for s in cached if decided.found_ahead(s)]
    rest = [s for s in cached if not decided.found_ahead(s)]
    return ([(ahead, True)] if ahead else []) + [(batch, False) for batch in make_batches(rest, 1, MAX_CACHED_BATCH)]


def completed(futures: list, poll: float = 1.0):
    """The futures as they finish, like `as_completed`, but never blocked for more than `poll` seconds at a time:
    a signal handler (SIGTERM, output/pipeline/guard.py) only runs when the main thread wakes, and a signal delivered to a
    busy worker thread would otherwise wait until some batch finished."""
    finished: queue.Queue = queue.Queue()
    for future in futures:
        future.add_done_callback(finished.put)
    for _ in range(len(futures)):
        while True:
            try:
                yield finished.get(timeout=poll)
                break
            except queue.Empty:
                continue


def unfinished_rows(sources: list[SourceFile], done: list[RegisterRow], options: PipelineOptions) -> list[RegisterRow]:
    """One `error` row for every file a terminated run did not finish."""
    finished = {(r.input_root, r.path, r.sha256) for r in done}
    ctx = rule_context(options)
    return [error_row(s, TERMINATED, ctx) for s in sources
            if (root_text(s.root), s.rel_path, s.sha256) not in finished]


def publish_artifacts(rows: list[RegisterRow], paths: dict[str, Path]) -> None:
    summary = summarize(rows)
    table = [{"判定": k, "件数": v} for k, v in summary.get("by_decision", {}).items()]
    create_table_artifact(table=table, key="sealreview-summary", description=kawasaki_sentence(rows))
    create_markdown_artifact(markdown=review_markdown(rows, paths), key="sealreview-review-list")


def review_markdown(rows: list[RegisterRow], paths: dict[str, Path]) -> str:
    """The `sealreview-review-list` artifact: the rows to review or that could not be read."""
    review = [r for r in rows if r.decision in ("needs_review", "error")]
    lines = ["# 押印見直し台帳", "", md(kawasaki_sentence(rows)), "", f"台帳: {md(paths.get('xlsx', ''))}", ""]
    if review:  # file names and reasons are text: escaped, never Markdown or HTML (output/markdown_text.py)
        lines += ["## 要確認・読取不可", "", "| ファイル | 判定 | 理由 |", "|---|---|---|"]
        lines += [f"| {md(r.path)} | {md(DECISIONS[r.decision])} | {md(r.reason)} |" for r in review[:200]]
    return "\n".join(lines)


def reviewers_basis(out_dir: Path) -> tuple[tuple[str, str], ...]:
    """The reviewers' corrected 根拠法令 from the state store (path → text), for the rules."""
    if not (out_dir / ".sealreview").exists():
        return ()
    with StateStore(out_dir) as store:
        return tuple(sorted(corrected_basis(store, by_path=True).items()))


@flow(name="scan", log_prints=False)
def scan_flow(
    inputs: list[str],
    out: str,
    as_of: str | None = None,
    policy: str = "default",
    manifest: str | None = None,
    workers: int = 1,
    dask_address: str | None = None,
) -> dict:
    out_dir = token_path(out)  # folders arrive as path tokens: a Shift_JIS name survives Prefect's JSON
    ready = _PREPARED.pop(prepared_key(inputs, out, as_of, policy, manifest), None)  # run_scan: during the boot
    ready = ready or prepare_scan(inputs, out_dir, as_of=as_of, policy=policy, manifest=manifest)
    options, sources, started = ready.options, ready.sources, ready.started
    stats: dict = {}
    documents = run_documents(options)
    early = EarlyPictures(out_dir, documents)  # Word/Excel pictures converted while the files are read
    try:
        rows = with_machine_replacement(run_batches(sources, options, workers, stats, on_rows=early.add,
                                                    local=not dask_address))
        if not stats.get("terminated"):
            early.flush()  # the last Word/Excel batches convert while the register is written
        run_info = make_run_info(rows, inputs=inputs, as_of=as_of, started=started)
        args = {"command": "scan", "inputs": inputs, "as_of": as_of, "policy": policy, "manifest": manifest,
                "workers": workers, "dask_address": dask_address, **stats}
        # the drafts and e-forms settle while the last LibreOffice batch makes its pictures
        rows, paths = write_run(rows, out_dir, run_info=run_info, args=args, documents=documents,
                                pictures=lambda: last_pictures(early, stats), pictures_busy=early.busy)
    finally:
        early.finish(rest=not stats.get("terminated"))  # when the run failed before write_run waited for it
    forget_kept()
    clear_checkpoint(out_dir)
    if stats.get("terminated"):
        stop_all()  # SIGTERM: the register is in place; the workers still busy are ended
        end_terminated_run()
    publish_artifacts(rows, paths)
    return {"rows": len(rows), "paths": {k: str(v) for k, v in paths.items()}, "sentence": kawasaki_sentence(rows),
            **stats}


def last_pictures(early: EarlyPictures, stats: dict) -> None:
    """write_run's wait for the pictures still being made (the drafts, the e-forms and, when pictures are still
    being made, register.xlsx are done meanwhile). The run's `finished` is when its files were all read and
    decided (make_run_info): the register may be written before the last pictures are made."""
    early.finish(rest=not stats.get("terminated"))


def run_documents(options: PipelineOptions):
    """sha256 → Document for the evidence pictures: those the workers sent back with their rows (read in this
    run), else the analysis cache (a cached file)."""
    return first_of(kept_document, document_lookup(AnalysisCache(options.cache_dir, ocr=options.ocr)))


def now_local() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def make_options(out_dir: Path, *, as_of: str | None, policy: str, manifest: str | None) -> PipelineOptions:
    """Pipeline options of a run writing into `out_dir` (drafts, work files and the analysis cache there)."""
    return PipelineOptions(
        as_of=as_of,
        policy=policy,
        manifest=manifest,
        work_dir=str(out_dir / ".work"),
        corrected_basis=reviewers_basis(out_dir),
        out_dir=str(out_dir),
        cache_dir=str(cache_dir_of(out_dir)),
    )


def make_run_info(rows: list[RegisterRow], *, inputs: list[str], as_of: str | None, started: str) -> dict:
    return {
        "as_of": rows[0].versions.get("as_of") if rows else as_of,
        "versions": rows[0].versions if rows else {},
        "inputs": [path_token(token_path(p).resolve()) for p in inputs],
        "started": started,
        "finished": now_local(),
    }


@dataclass
class PreparedScan:
    options: PipelineOptions
    sources: list[SourceFile]
    fresh: int  # files to analyse (neither cached nor finished by a killed run)
    started: str  # when the run started (before the files were hashed)


_PREPARED: dict[tuple, PreparedScan] = {}  # prepared by run_scan while the API server starts, used once


def prepared_key(inputs: list[str], out: str, as_of: str | None, policy: str, manifest: str | None) -> tuple:
    """The key of a prepared scan: the flow's parameters (path tokens)."""
    return (tuple(inputs), out, as_of, policy, manifest)


def prepare_scan(inputs: list[str], out_dir: Path, *, as_of: str | None, policy: str,
                 manifest: str | None) -> PreparedScan:
    """List and hash the input files and see how many need analysing. No Prefect API needed.
    Unchanged files (same size/mtime/inode as when last hashed) are not re-hashed (output/store/filestat.py)."""
    started = now_local()
    options = make_options(out_dir, as_of=as_of, policy=policy, manifest=manifest)
    sources, _rehashed = discover_known([token_path(p) for p in inputs], out_dir)
    checkpoint = open_checkpoint(options, versions(rule_context(options)))
    _resumed, rest = checkpoint.split(sources)
    _cached, fresh = split_cached(rest, options)
    return PreparedScan(options, sources, len(fresh), started)


def nothing_cached(out_dir: Path) -> bool:
    """No analysis cached yet (a first scan): every file will be analysed."""
    cache = cache_dir_of(out_dir)
    return not cache.is_dir() or next(cache.iterdir(), None) is None


def run_scan(
    *,
    inputs: list[str],
    out: str,
    as_of: str | None,
    policy: str,
    manifest: str | None,
    workers: int,
    dask_address: str | None = None,
) -> dict:
    """Run the flow with the task runner that fits the worker count, on one shared API server."""
    tokens, out_token = [path_token(p) for p in inputs], path_token(out)
    key = prepared_key(tokens, out_token, as_of, policy, manifest)
    local = not dask_address

    def get_ready(_server_ready) -> None:
        """While the server boots: start the worker processes (they load GiNZA) and hash the files, so the first
        batch starts at once. A first scan starts the workers in a thread while the files are hashed (starting the
        first one waits for the forkserver's GiNZA); otherwise only once a file is known to need analysing (an
        unchanged re-scan starts none)."""
        out_dir = token_path(out_token)
        starting = prestart_soon(max(1, workers)) if local and nothing_cached(out_dir) else None
        try:
            ready = _PREPARED[key] = prepare_scan(tokens, out_dir, as_of=as_of, policy=policy, manifest=manifest)
        finally:  # also when hashing failed: run_scan's release_spares then finds every worker started
            if starting is not None:
                starting.join()  # the first start waited for GiNZA in the forkserver while the files were hashed
        if local and ready.fresh:
            prestart(min(max(1, workers), len(make_batches([None] * ready.fresh, workers))))
            warm_spares(ready.options)  # their first file then finds the rules loaded

    configured = scan_flow.with_options(task_runner=task_runner(workers, dask_address))
    with run_lock(out, "scan"), fewer_gc_passes(WORKER_GC_THRESHOLD):
        try:
            with prefect_api(while_starting=get_ready):
                return configured(inputs=tokens, out=out_token, as_of=as_of, policy=policy, manifest=manifest,
                                  workers=workers, dask_address=dask_address)
        finally:
            _PREPARED.pop(key, None)
            release_spares()  # pre-started workers no batch took
