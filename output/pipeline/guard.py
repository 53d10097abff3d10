"""Per-file time limit and memory guard, cheap enough for every file.

One watchdog thread per process checks the files in progress about five times a second. When a file
runs past its time limit, or the process's resident memory grows past its allowance while the file
is read, the watchdog raises an exception *in the thread working on the file*
(`PyThreadState_SetAsyncExc`). It works in the flow's own thread, in Prefect's thread pool and in
process-pool or Dask workers alike, and it costs a dictionary update per file — no extra process.

Limits of the approach (the reasons are in the README):
- The exception arrives when the thread next runs Python code. pdfminer/pdfplumber, openpyxl, the
  Word reader and spaCy are Python, so they stop within a fraction of a second; a long call inside C
  code (one huge regex, pdfium on one page) stops when that call returns. Code that catches the
  interrupt and goes on (a close() walking the pages again) gets it again every REFIRE_S; a worker
  process still stuck HARD_STOP_S after the limit is ended (its batch becomes error rows).
- LibreOffice and tesseract run as child processes with their own timeouts (extractors/legacy.py,
  extractors/ocr.py): their whole process group is killed.
- The memory guard watches RSS; it cannot stop one single giant allocation in C (the kernel's OOM
  killer would), but the per-batch checkpoint (output/store/checkpoint.py) keeps the files already done.

The exception types derive from BaseException so that `except Exception` inside the parsers
(per-page fallbacks) cannot swallow them; `file_guard` turns them into `FileLimitExceeded`, a normal
Exception carrying the Japanese reason for the register.

Settings (environment, inherited by worker processes):
- SEALREVIEW_FILE_TIMEOUT: seconds per file (default 300; 0 = no limit)
- SEALREVIEW_FILE_MEMORY_MB: extra resident memory a file may use, in MB (default 2048; 0 = no limit)
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

DEFAULT_TIMEOUT_S = 300.0
DEFAULT_MEMORY_MB = 2048
POLL_S = 0.2
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class _Interrupt(BaseException):
    """Raised asynchronously in the worker thread by the watchdog."""


class _TimeUp(_Interrupt):
    pass


class _MemoryUp(_Interrupt):
    pass


class FileLimitExceeded(Exception):
    """A file was cut off by the guard; `reason` is the Japanese text for the register."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.reason, self.kind = reason, kind


def timeout_reason(seconds: float) -> str:
    return f"処理が制限時間（{seconds:g}秒）を超えたため中断しました"


def memory_reason(megabytes: int) -> str:
    return f"処理に必要なメモリが上限（{megabytes}MB）を超えたため中断しました"


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def limits() -> tuple[float, int]:
    """(seconds per file, extra MB per file) from the environment; 0 = off."""
    return _env_number("SEALREVIEW_FILE_TIMEOUT", DEFAULT_TIMEOUT_S), int(
        _env_number("SEALREVIEW_FILE_MEMORY_MB", DEFAULT_MEMORY_MB))


def rss_bytes() -> int:
    """Resident memory of this process (Linux /proc; 0 where unknown)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


REFIRE_S = 1.0  # a block that caught the interrupt and carried on (a close() walking the pages again) gets it again
HARD_STOP_S = 30.0  # still running this long after the limit (stuck in C code): a worker process is ended

STAGES = {"extract": "読み取り", "detect": "検出", "decide": "判定", "draft": "修正案の作成", "import": "取り込み"}


@dataclass
class _Watch:
    thread_id: int
    deadline: float | None
    rss_limit: int | None
    fired: type[_Interrupt] | None = None
    fired_at: float = 0.0
    first_fired: float = 0.0
    stage: str = ""  # which step of the file's work is running (STAGES), named in the reason

    def enter(self, stage: str) -> None:
        self.stage = stage


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


class _Watchdog:
    """One daemon thread per process; watches the files in progress."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.watches: dict[int, _Watch] = {}
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def add(self, watch: _Watch) -> int:
        with self.lock:
            key = id(watch)
            self.watches[key] = watch
            if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
                self.pid = os.getpid()  # a forked worker has no watchdog thread yet
                self.thread = threading.Thread(target=self._loop, name="sealreview-guard", daemon=True)
                self.thread.start()
        return key  # no wake-up per file: the loop polls every POLL_S anyway (a wake cost 1–3 ms a file)

    def remove(self, key: int) -> _Watch | None:
        """Stop watching; clears an exception the watchdog set but the thread has not received yet."""
        with self.lock:
            watch = self.watches.pop(key, None)
            if watch is not None and watch.fired is not None:
                _raise_in(watch.thread_id, None)
        return watch

    def _loop(self) -> None:
        while True:
            self.wake.wait(POLL_S)
            self.wake.clear()
            with self.lock:
                if not self.watches:
                    continue
                now = time.monotonic()
                rss = rss_bytes() if any(w.rss_limit for w in self.watches.values()) else 0
                for watch in self.watches.values():
                    if watch.fired is not None:  # still running: a handler swallowed it, or cleanup loops
                        if now - watch.first_fired >= HARD_STOP_S:
                            _end_worker_process()
                        if now - watch.fired_at >= REFIRE_S:
                            watch.fired_at = now
                            _raise_in(watch.thread_id, watch.fired)
                        continue
                    if watch.deadline is not None and now >= watch.deadline:
                        watch.fired = _TimeUp
                    elif watch.rss_limit is not None and rss > watch.rss_limit:
                        watch.fired = _MemoryUp
                    if watch.fired is not None:
                        watch.fired_at = watch.first_fired = now
                        _raise_in(watch.thread_id, watch.fired)


def _end_worker_process() -> None:
    """A file that ignores the interrupt for HARD_STOP_S (a long call in C code) in a worker process: end the
    process, so its batch becomes `error` rows (output/pipeline/steps.batch_outcome) and the run goes on. The command's
    own process (one worker, `--workers 1`) is never ended: there the file ends when the C call returns."""
    import multiprocessing

    if multiprocessing.parent_process() is None:
        return
    logging.getLogger(__name__).error("制限を超えても処理が終わらないため、作業プロセスを終了します（PID %s）", os.getpid())
    os._exit(70)


_WATCHDOG = _Watchdog()


def _stop_watching(key: int) -> None:
    """Remove the watch even when a re-fired interrupt lands while removing it (it is then dropped)."""
    while True:
        try:
            _WATCHDOG.remove(key)
            return
        except _Interrupt:
            continue


def with_stage(reason: str, stage: str) -> str:
    return f"{reason}（{STAGES[stage]}の段階）" if stage in STAGES else reason


@contextlib.contextmanager
def file_guard(seconds: float | None = None, memory_mb: int | None = None) -> Iterator[_Watch]:
    """Run the block under the per-file limits; raises FileLimitExceeded when it was cut off.

    Defaults come from the environment (`limits()`); 0 or less switches a limit off. The block gets the
    watch: `watch.enter("draft")` names the step that runs, and the reason names the step that hit the limit.
    The interrupt is raised again every REFIRE_S while the block still runs, so code that catches it and
    goes on (a parser's per-page fallback, a close() that walks the pages again) is stopped too.
    """
    env_seconds, env_mb = limits()
    seconds = env_seconds if seconds is None else seconds
    memory_mb = env_mb if memory_mb is None else memory_mb
    deadline = time.monotonic() + seconds if seconds > 0 else None
    rss_limit = rss_bytes() + memory_mb * 1024 * 1024 if memory_mb > 0 else None
    watch = _Watch(threading.get_ident(), deadline, rss_limit)
    if seconds <= 0 and memory_mb <= 0:
        yield watch
        return
    key = _WATCHDOG.add(watch)
    try:
        try:
            yield watch
        finally:
            _stop_watching(key)
    except _TimeUp:
        raise FileLimitExceeded(with_stage(timeout_reason(seconds), watch.stage), "timeout") from None
    except _MemoryUp:
        raise FileLimitExceeded(with_stage(memory_reason(memory_mb), watch.stage), "memory") from None


class RunTerminated(BaseException):
    """SIGTERM reached the command (flows/cli.py): the batches stop being waited for, and the register is
    written with what finished (the rest are `error` rows, read again by the next run)."""


TERMINATED = "実行が中断された（SIGTERM）ため、このファイルは読み取っていません（次回の実行で読み取ります）"
TERMINATE_GRACE_S = 60.0  # after SIGTERM, the register is written; the process ends at the latest after this


def terminate_on_sigterm() -> None:
    """Make SIGTERM raise RunTerminated in the main thread (once), and end the process after the grace time
    whatever it is doing then (a file stuck in C code, a worker pool waiting for its tasks)."""
    import signal

    def handler(signum, _frame) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
        begin_grace_exit()
        raise RunTerminated()

    if threading.current_thread() is threading.main_thread():
        _GRACE["armed"] = True
        signal.signal(signal.SIGTERM, handler)


_GRACE = {"armed": False, "started": False}


def begin_grace_exit() -> None:
    """After SIGTERM (in a command that called `terminate_on_sigterm`): end the process TERMINATE_GRACE_S
    from now whatever it is doing then. Once only; nothing outside the command line."""
    if not _GRACE["armed"] or _GRACE["started"]:
        return
    _GRACE["started"] = True

    def force_exit() -> None:
        time.sleep(TERMINATE_GRACE_S)
        with contextlib.suppress(Exception):
            sys.stderr.write("エラー: 中断後の終了処理が終わらないため終了しました / error: terminated after the grace time\n")
            sys.stderr.flush()
        os._exit(143)

    threading.Thread(target=force_exit, name="sealreview-terminate", daemon=True).start()


TERMINATED_JA = "エラー: 中断されました（SIGTERM）。台帳には終わったファイルまでを書き出しました（残りは次回の実行で読み取ります）"
TERMINATED_EN = "error: terminated (SIGTERM); the register lists the files that finished, the rest are read next run"


def end_terminated_run() -> None:
    """A command line run cut short by SIGTERM has written its register: say so and end now, without waiting
    for worker threads or processes still busy with a file (a library caller just gets its result back)."""
    if not _GRACE["armed"]:
        return
    logging.shutdown()
    print(TERMINATED_JA, file=sys.stderr)
    print(TERMINATED_EN, file=sys.stderr, flush=True)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    os._exit(143)
