"""The per-file limits, enforced by ending the process that works on the file (pebble.ProcessPool).

The flow runs its batch tasks in threads (Prefect's ThreadPoolTaskRunner, one thread per `--workers`); each
thread keeps one pebble pool of one worker process, which loads GiNZA once and reads the batch's files one
at a time. The thread only waits, so the command never hangs:

- past the time limit the pool ends the worker (SIGTERM, then SIGKILL), also when it is stuck in a C call,
  and starts a fresh one for the next file: the file gets an `error` row naming the stage it was in;
- the worker ends itself (SIGKILL) when its resident memory grows past the allowance while it reads a file;
  a worker that dies (this, the kernel's OOM killer, a crash in C) gives that one file an `error` row;
- a worker notices when the process that started it is gone and ends too.

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
import signal
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from extractors.discover import SourceFile
from output.models import RegisterRow
from output.pipeline.guard import (
    limits,
    memory_reason,
    rss_bytes,
    timeout_reason,
    with_stage,
)
from output.pipeline.steps import PipelineOptions, error_row, process_file, rule_context, warm_worker

log = logging.getLogger(__name__)

STAGE_CODES = ("", "extract", "detect", "decide", "draft", "import")
WORKER_DIED = "作業プロセスが異常終了したため、このファイルを読み取れませんでした（メモリ不足の可能性があります）。再実行すると読み直します"
POLL_S = 0.2
_SPAWN = multiprocessing.get_context("spawn")  # never fork a process that runs threads (Prefect, the guard)

_stage = None  # in a worker: the shared stage cell its supervisor reads after a failure


def _enter(stage: str) -> None:
    if _stage is not None:
        _stage.value = STAGE_CODES.index(stage)
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
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGKILL)


def _init_worker(stage, parent: int) -> None:
    global _stage
    _stage = stage
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


def _one_file(source: SourceFile, options: PipelineOptions, memory_mb: int, settings: dict) -> RegisterRow:
    _hooks.update(name=source.path.name, settings=settings)
    _enter("")
    watch = _MemoryWatch(memory_mb)
    try:
        return process_file(source, options, stage=_enter)
    finally:
        watch.stop()


class LimitedWorker:
    """One pebble pool of one worker process; `run(source, options)` gives the file's row, whatever happens."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.env = dict(os.environ)  # what the worker process inherits when it is spawned
        self.stage = _SPAWN.Value("i", 0, lock=False)
        self.pool = ProcessPool(max_workers=1, initializer=_init_worker, initargs=(self.stage, os.getpid()), context=_SPAWN)

    def stage_name(self) -> str:
        return STAGE_CODES[self.stage.value] if 0 <= self.stage.value < len(STAGE_CODES) else ""

    def run(self, source: SourceFile, options: PipelineOptions) -> RegisterRow:
        seconds, memory_mb = limits()
        future = self.pool.schedule(_one_file, args=(source, options, memory_mb, test_settings()),
                                    timeout=seconds if seconds > 0 else None)
        try:
            return future.result()
        except FutureTimeout:
            reason = with_stage(timeout_reason(seconds), self.stage_name())
        except ProcessExpired as exc:
            killed = exc.exitcode == -signal.SIGKILL and memory_mb > 0
            reason = with_stage(memory_reason(memory_mb), self.stage_name()) if killed else WORKER_DIED
        log.warning("制限を超えたため中断しました: %s（%s）", source.rel_path, reason)
        return error_row(source, reason, rule_context(options))

    def close(self) -> None:
        self.pool.stop()
        self.pool.join(timeout=10)


_LOCAL = threading.local()  # one limited worker per thread that runs batches (Prefect's task threads)
_ALL: list[LimitedWorker] = []  # every limited worker of this process, for stop_all()
_STOPPED = threading.Event()


def limited_worker() -> LimitedWorker:
    worker = getattr(_LOCAL, "worker", None)
    if worker is not None and worker.env != os.environ:  # settings changed (a library caller, a test): respawn
        worker.close()
        worker = None
    if worker is None or worker.pid != os.getpid() or not worker.pool.active:
        worker = _LOCAL.worker = LimitedWorker()
        _ALL.append(worker)
        threading.Thread(target=_close_when_main_ends, args=(worker,), name="sealreview-pool-closer").start()
    return worker


def _close_when_main_ends(worker: LimitedWorker) -> None:
    """Stop the worker when this process's main thread is done: a non-daemon thread, which the interpreter
    waits for before it joins child processes at exit (the pebble worker would otherwise wait for tasks)."""
    threading.main_thread().join()
    worker.close()


def process_batch_limited(sources: list[SourceFile], options: PipelineOptions) -> list[RegisterRow]:
    """The batch's files one by one in this thread's limited worker (see the module docstring)."""
    if multiprocessing.current_process().daemon:  # a daemonic worker (Dask's default) may not start children
        log.warning("デーモンプロセスのため、ファイルごとの制限なしで処理します")
        return [process_file(source, options) for source in sources]
    if _STOPPED.is_set():
        raise RuntimeError("作業プロセスは停止しました（実行の中断） / the run's workers were stopped")
    worker = limited_worker()
    return [worker.run(source, options) for source in sources]


def stop_all() -> None:
    """A terminated run (SIGTERM): end every limited worker now, start no new one, and release what the pools
    hold (their locks are semaphores the resource tracker would report as leaked when the process ends)."""
    import gc

    _STOPPED.set()
    while _ALL:
        _ALL.pop().close()
    _LOCAL.__dict__.clear()
    gc.collect()
