"""The per-file limits, enforced by ending the process that works on the file (pebble.ProcessPool).

The flow runs its batch tasks in threads (Prefect's ThreadPoolTaskRunner, one thread per `--workers`); each
thread keeps one pebble pool of one worker process, which reads the batch's files one at a time. The worker
processes are forked by multiprocessing's forkserver, which loaded GiNZA once (output/pipeline/preload.py):
the run's workers, and each one started again after a file was ended, have the model without loading it
(see `worker_context` for when a worker is spawned instead). The next file of the batch is handed to the pool
while the worker reads the current one (`AHEAD`), so the worker never waits for this process between files;
a file's time limit counts from when the worker starts it. The thread only waits, so the command never hangs:

- past the time limit the pool ends the worker (SIGTERM, then SIGKILL), also when it is stuck in a C call,
  and starts a fresh one for the next file: the file gets an `error` row naming the stage it was in;
- the worker ends itself (SIGKILL) when its resident memory grows past the allowance while it reads a file;
  a worker that dies (this, the kernel's OOM killer, a crash in C) gives that one file an `error` row;
- a worker notices when the process that asked for it is gone (a pidfd of that process) and ends too.

The rest of the batch and of the run go on.

Test-only setting (documented in docs/internals.md): SEALREVIEW_TEST_STALL="STAGE:NAME" makes the worker
call libc's `pause()` — a C call that never returns — in STAGE (extract, detect, decide, draft) of every file
whose name contains NAME; SEALREVIEW_TEST_HOARD="STAGE:NAME" makes it allocate memory without end there.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from extractors.discover import SourceFile
from extractors.models import Document
from output.models import RegisterRow
from output.pipeline.guard import (
    limits,
    memory_reason,
    rss_bytes,
    timeout_reason,
    with_stage,
)
from output.pipeline.steps import (
    PipelineOptions,
    error_row,
    process_file,
    rule_context,
    staff_manifest,
    versions,
    warm_worker,
)

log = logging.getLogger(__name__)

STAGE_CODES = ("", "extract", "detect", "decide", "draft", "import")
WORKER_DIED = "作業プロセスが異常終了したため、このファイルを読み取れませんでした（メモリ不足の可能性があります）。再実行すると読み直します"
POLL_S = 0.2
_SPAWN = multiprocessing.get_context("spawn")  # never fork a process that runs threads (Prefect, the guard)
_FORKSERVER = multiprocessing.get_context("forkserver")  # a single-threaded process that forks the workers
PRELOAD = "output.pipeline.preload"
OWN_SETTINGS = "SEALREVIEW_"  # read by this project when used, never when a module is imported

AHEAD = 2  # files handed to a worker's pool at a time: the one being read and the next
_stage = None  # in a worker: the shared stage cells its supervisor reads after a failure, one per file in hand
_slot = 0  # in a worker: the cell of the file being read


def _enter(stage: str) -> None:
    if _stage is not None:
        _stage[_slot] = STAGE_CODES.index(stage)
    _test_hooks(stage)


TEST_SETTINGS = ("SEALREVIEW_TEST_STALL", "SEALREVIEW_TEST_HOARD")
_hooks: dict = {"name": "", "settings": {}}  # in a worker: the file at hand and the settings sent with it


def test_settings() -> dict[str, str]:
    """The test-only settings of the process that sends the file (a worker lives longer than one test)."""
    return {name: os.environ[name] for name in TEST_SETTINGS if os.environ.get(name)}


def _test_hooks(stage: str) -> None:
    """SEALREVIEW_TEST_STALL / SEALREVIEW_TEST_HOARD (tests only; see the module docstring)."""
    name = _hooks["name"]
    for setting, act in (("SEALREVIEW_TEST_STALL", _stall), ("SEALREVIEW_TEST_HOARD", _hoard)):
        wanted_stage, _, part = _hooks["settings"].get(setting, "").partition(":")
        if wanted_stage == stage and part and part in name:
            act()


def _stall() -> None:
    ctypes.CDLL(None).pause()  # blocks in C until a signal ends the process


def _hoard() -> None:
    hoard = []
    while True:
        hoard.append(bytearray(8 * 1024 * 1024))
        time.sleep(0.005)


def _watch_parent(parent: int) -> None:
    """SIGKILL to this worker when `parent` (the process that asked for it) ends. A forked worker's parent is
    the forkserver, which lives as long as any worker, so the asking process is watched itself: its pidfd
    becomes readable when it exits, and a pidfd never names another process."""
    try:
        pidfd = os.pidfd_open(parent)
    except ProcessLookupError:
        pidfd = None  # already gone
    except OSError:  # no pidfd (Linux before 5.3): the spawned worker's own parent
        while os.getppid() == parent:
            time.sleep(0.5)
        pidfd = None
    if pidfd is not None:
        select.select([pidfd], [], [])
    os.kill(os.getpid(), signal.SIGKILL)


def _init_worker(stage, parent: int, env: dict[str, str]) -> None:
    global _stage
    _stage = stage
    if os.environ != env:  # forked: the forkserver's environment, which may differ in this project's settings
        os.environ.clear()
        os.environ.update(env)
    threading.Thread(target=_watch_parent, args=(parent,), name="sealreview-parent", daemon=True).start()
    warm_worker()


class _MemoryWatch:
    """In the worker: SIGKILL to itself when the resident memory passes `limit` bytes."""

    def __init__(self, memory_mb: int) -> None:
        self.limit = rss_bytes() + memory_mb * 1024 * 1024 if memory_mb > 0 else None
        self.done = threading.Event()
        if self.limit is not None:
            threading.Thread(target=self._loop, name="sealreview-memory", daemon=True).start()

    def _loop(self) -> None:
        while not self.done.wait(POLL_S):
            if rss_bytes() > self.limit:
                os.kill(os.getpid(), signal.SIGKILL)

    def stop(self) -> None:
        self.done.set()


def _one_file(source: SourceFile, options: PipelineOptions, memory_mb: int,
              settings: dict, slot: int = 0) -> tuple[RegisterRow, Document | None]:
    """The file's row, and its Document when a Word/Excel evidence picture still has to be drawn from it.
    `slot`: the stage cell this file reports in (the next file, already handed over, has the other one)."""
    global _slot
    _slot = slot
    _hooks.update(name=source.path.name, settings=settings)
    _enter("")
    watch = _MemoryWatch(memory_mb)
    kept: dict = {}
    try:
        row = process_file(source, options, stage=_enter, keep=kept)
        return row, kept.get(source.sha256)
    finally:
        watch.stop()


KEPT_DOCUMENTS: dict[str, Document] = {}  # sha256 → Document sent back by a worker for a Word/Excel picture


def kept_document(sha256: str) -> Document | None:
    """The Document a worker of this process sent back with its row (None: not kept)."""
    return KEPT_DOCUMENTS.get(sha256)


def forget_kept() -> None:
    KEPT_DOCUMENTS.clear()


def _ready() -> int:
    """The no-op a pre-started worker is given: its pool spawns the process, which loads GiNZA meanwhile."""
    return os.getpid()


def _warm_rules(options: PipelineOptions) -> int:
    """Load this run's rules in the worker (catalogue, policy, manifest: ≈0.7 CPU-s, once per process) so the
    first file does not: given while the Prefect server boots, when the worker has nothing else to do."""
    versions(rule_context(options))
    staff_manifest(options)
    return os.getpid()


class LimitedWorker:
    """One pebble pool of one worker process; `run(source, options)` gives the file's row, whatever happens."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.env = dict(os.environ)  # what the worker process runs with
        context = worker_context(self.env)
        self.stage = context.Array("i", AHEAD, lock=False)
        self.pool = ProcessPool(max_workers=1, initializer=_init_worker, initargs=(self.stage, self.pid, self.env),
                                context=context)

    def start(self) -> None:
        """Spawn the worker process now (pebble starts a pool at its first task): it loads GiNZA in the
        background while the caller does other things (the Prefect server boots, the files are hashed)."""
        self.pool.schedule(_ready)

    def warm(self, options: PipelineOptions) -> None:
        """Load the run's rules in the worker process now (queued after its start; see `_warm_rules`)."""
        self.pool.schedule(_warm_rules, args=(options,))

    def stage_name(self, slot: int = 0) -> str:
        code = self.stage[slot]
        return STAGE_CODES[code] if 0 <= code < len(STAGE_CODES) else ""

    def run(self, source: SourceFile, options: PipelineOptions) -> RegisterRow:
        return self.run_all([source], options)[0]

    def run_all(self, sources: list[SourceFile], options: PipelineOptions) -> list[RegisterRow]:
        """The files' rows in order, whatever happens to each; up to AHEAD files are with the pool at once."""
        seconds, memory_mb = limits()
        settings = test_settings()
        pending: list = []
        rows: list[RegisterRow] = []
        for i, source in enumerate(sources):
            pending.append((source, i % AHEAD, self.pool.schedule(
                _one_file, args=(source, options, memory_mb, settings, i % AHEAD),
                timeout=seconds if seconds > 0 else None)))
            if len(pending) == AHEAD:
                rows.append(self._outcome(*pending.pop(0), seconds, memory_mb, options))
        rows.extend(self._outcome(*p, seconds, memory_mb, options) for p in pending)
        return rows

    def _outcome(self, source: SourceFile, slot: int, future, seconds: float, memory_mb: int,
                 options: PipelineOptions) -> RegisterRow:
        try:
            row, document = future.result()
            if document is not None:
                KEPT_DOCUMENTS[row.sha256] = document
            return row
        except FutureTimeout:
            reason = with_stage(timeout_reason(seconds), self.stage_name(slot))
        except ProcessExpired as exc:
            killed = exc.exitcode == -signal.SIGKILL and memory_mb > 0
            reason = with_stage(memory_reason(memory_mb), self.stage_name(slot)) if killed else WORKER_DIED
        log.warning("制限を超えたため中断しました: %s（%s）", source.rel_path, reason)
        return error_row(source, reason, rule_context(options))

    def close(self) -> None:
        self.pool.stop()
        self.pool.join(timeout=10)


_FORK_LOCK = threading.Lock()
_FORK: dict = {}  # "env": the environment the forkserver was started with; "ours": it imports this code


def worker_context(env: dict[str, str]):
    """Forkserver (the model already loaded) or spawn (the worker loads it) for a worker that runs with `env`.

    The forkserver is started once per process, with the environment of then; a library it preloaded read
    that environment when it was imported. So a worker is forked only when `env` differs from it in this
    project's own settings at most (SEALREVIEW_…, given to the forked worker as they are now), and when the
    forkserver imports this very code: it starts as `python -c` in the current folder, which Python 3.11 puts
    first on its path (another checkout of the project there would be preloaded instead)."""
    with _FORK_LOCK:
        if "env" not in _FORK:
            _FORK.update(env=dict(env), ours=_forkserver_imports_ours())
            _FORKSERVER.set_forkserver_preload([PRELOAD])
    if _FORK["ours"] and _same_but_own_settings(env, _FORK["env"]):
        return _FORKSERVER
    return _SPAWN


def _same_but_own_settings(env: dict[str, str], other: dict[str, str]) -> bool:
    def libraries(e: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in e.items() if not k.startswith(OWN_SETTINGS)}

    return libraries(env) == libraries(other)


def _forkserver_imports_ours() -> bool:
    """Whether `python -c` started here, as the forkserver is, finds this process's package of the preload."""
    package = PRELOAD.split(".")[0]
    probe = f"import importlib.util as u; print(u.find_spec({package!r}).origin)"
    try:
        found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                               stdin=subprocess.DEVNULL).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return False
    return found == getattr(sys.modules.get(package), "__file__", None)


_LOCAL = threading.local()  # one limited worker per thread that runs batches (Prefect's task threads)
_ALL: list[LimitedWorker] = []  # every limited worker of this process, for stop_all()
_SPARE: queue.SimpleQueue = queue.SimpleQueue()  # started by prestart(), taken by the first threads that need one
_STOPPED = threading.Event()


def _new_worker() -> LimitedWorker:
    worker = LimitedWorker()
    _ALL.append(worker)
    threading.Thread(target=_close_when_main_ends, args=(worker,), name="sealreview-pool-closer").start()
    return worker


def _usable(worker: LimitedWorker | None) -> bool:
    return worker is not None and worker.env == os.environ and worker.pid == os.getpid() and worker.pool.active


def prestart(count: int) -> int:
    """Start `count` limited workers now, for the batch threads to take later (one each): their processes
    spawn and load GiNZA while this process goes on. Returns how many are waiting (started earlier + now)."""
    for _ in range(max(0, count - _SPARE.qsize())):
        worker = _new_worker()
        worker.start()
        _SPARE.put(worker)
    return _SPARE.qsize()


def prestart_soon(count: int) -> threading.Thread:
    """`prestart(count)` in a thread of its own, started now; `join()` it before the workers are needed. The first
    start waits until the forkserver has loaded GiNZA (2.5–4 s measured on 2 cores), and the caller has work that
    needs no worker meanwhile (hashing the input files). A failure is logged: the batches then start their workers
    themselves, as they do when none was started ahead."""

    def run() -> None:
        try:
            prestart(count)
        except Exception:  # noqa: BLE001 - starting ahead is an optimisation only
            log.warning("作業プロセスを先に起動できませんでした / workers not started ahead", exc_info=True)

    thread = threading.Thread(target=run, name="sealreview-prestart", daemon=True)
    thread.start()
    return thread


def warm_spares(options: PipelineOptions) -> int:
    """Have every pre-started worker load the rules of `options` while it waits. Returns how many."""
    spares = []
    while True:
        try:
            spares.append(_SPARE.get_nowait())
        except queue.Empty:
            break
    for worker in spares:
        if _usable(worker):
            worker.warm(options)
        _SPARE.put(worker)
    return len(spares)


def release_spares() -> int:
    """Close the pre-started workers no thread took (a run with fewer batches than workers). Returns how many."""
    closed = 0
    while True:
        try:
            worker = _SPARE.get_nowait()
        except queue.Empty:
            return closed
        worker.close()
        closed += 1


def _take_spare() -> LimitedWorker | None:
    while True:
        try:
            worker = _SPARE.get_nowait()
        except queue.Empty:
            return None
        if _usable(worker):
            return worker
        worker.close()  # started under other settings (a test, a library caller): not for this run


def limited_worker() -> LimitedWorker:
    worker = getattr(_LOCAL, "worker", None)
    if worker is not None and worker.env != os.environ:  # settings changed (a library caller, a test): respawn
        worker.close()
        worker = None
    if not _usable(worker):
        worker = _LOCAL.worker = _take_spare() or _new_worker()
    return worker


def _close_when_main_ends(worker: LimitedWorker) -> None:
    """Stop the worker when this process's main thread is done: a non-daemon thread, which the interpreter
    waits for before it joins child processes at exit (the pebble worker would otherwise wait for tasks)."""
    threading.main_thread().join()
    worker.close()


def process_batch_limited(sources: list[SourceFile], options: PipelineOptions) -> list[RegisterRow]:
    """The batch's files one by one in this thread's limited worker (see the module docstring)."""
    if multiprocessing.current_process().daemon:  # a daemonic worker (Dask's default) may not start children
        log.warning("デーモンプロセスのため、ファイルごとの時間・メモリの制限なしで処理します（Dask のワーカーは "
                    "DASK_DISTRIBUTED__WORKER__DAEMON=False で起動すると制限が効きます） / a daemonic process: no "
                    "per-file limits (start Dask workers with DASK_DISTRIBUTED__WORKER__DAEMON=False)")
        return [process_file(source, options) for source in sources]  # (a Dask worker: nothing kept here)
    if _STOPPED.is_set():
        raise RuntimeError("作業プロセスは停止しました（実行の中断） / the run's workers were stopped")
    return limited_worker().run_all(sources, options)


def stop_all() -> None:
    """A terminated run (SIGTERM): end every limited worker now, start no new one, and release what the pools
    hold (their locks are semaphores the resource tracker would report as leaked when the process ends)."""
    import gc

    _STOPPED.set()
    release_spares()
    while _ALL:
        _ALL.pop().close()
    _LOCAL.__dict__.clear()
    gc.collect()
