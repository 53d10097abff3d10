"""The per-file limits (time, memory) as settings and reasons, and the command's SIGTERM handling.

The limits are enforced by ending the process that works on the file (output/pipeline/workers.py): a file
runs in a worker process of a pebble.ProcessPool; past its time limit the pool ends that process (a call
stuck in C code is stopped too) and starts a fresh one, and the batch goes on. The worker ends itself with
SIGKILL when its resident memory grows past the allowance while it reads a file. LibreOffice and tesseract
run as child processes with their own timeouts (extractors/legacy.py, extractors/ocr.py).

Settings (environment, inherited by worker processes):
- SEALREVIEW_FILE_TIMEOUT: seconds per file (default 300; 0 = no limit)
- SEALREVIEW_FILE_MEMORY_MB: extra resident memory a file may use, in MB (default 2048; 0 = no limit)
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time

DEFAULT_TIMEOUT_S = 300.0
DEFAULT_MEMORY_MB = 2048
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

STAGES = {"extract": "読み取り", "detect": "検出", "decide": "判定", "draft": "修正案の作成", "import": "取り込み"}


def timeout_reason(seconds: float) -> str:
    return f"処理が制限時間（{seconds:g}秒）を超えたため中断しました"


def memory_reason(megabytes: int) -> str:
    return f"処理に必要なメモリが上限（{megabytes}MB）を超えたため中断しました"


def with_stage(reason: str, stage: str) -> str:
    return f"{reason}（{STAGES[stage]}の段階）" if stage in STAGES else reason


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


class RunTerminated(BaseException):
    """SIGTERM reached the command (flows/cli.py): the batches stop being waited for, and the register is
    written with what finished (the rest are `error` rows, read again by the next run)."""


TERMINATED = "実行が中断された（SIGTERM）ため、このファイルは読み取っていません（次回の実行で読み取ります）"
TERMINATE_GRACE_S = 60.0  # after SIGTERM, the register is written; the process ends at the latest after this


def terminate_on_sigterm() -> None:
    """Make SIGTERM raise RunTerminated in the main thread (once), and end the process after the grace time
    whatever it is doing then (a file stuck in C code, a worker pool waiting for its tasks)."""
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
        end_by_sigterm()

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
    end_by_sigterm()


def end_by_sigterm() -> None:
    """End this process by the signal it was sent (exit status 143), without waiting for threads or worker
    processes still busy: the default action of SIGTERM, restored and raised again."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(60)  # the signal is delivered at once; never returns
