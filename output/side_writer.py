"""register.xlsx written in a child process while this one writes the rest of the register (2 cores, not 1).

`SideWriter()` starts one process at once (spawned: it imports the workbook writer while the run settles its
drafts, pictures and e-forms). `xlsx(rows, path, run_info=…)` sends it the rows and returns `wait()`, which
returns when the workbook is written and raises what the writer raised (a full disk fails the run as before).
When the child cannot be started, or dies before it is done (killed, out of memory), the workbook is written
in this process instead: the register is complete either way. The child writes only the temporary file
output/register.py gives it; the three register files are moved into place by this process, after all three
are written. Plain functions; no Prefect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

from output.models import RegisterRow

log = logging.getLogger(__name__)


def _ready() -> int:
    import os

    import output.xlsx_writer  # noqa: F401 - imported while the parent settles the run's files

    return os.getpid()


def _write_xlsx(rows: list[RegisterRow], path: str, run_info: dict) -> None:
    from output.xlsx_writer import write_xlsx

    write_xlsx(rows, Path(path), run_info=run_info, atomic=False)


class SideWriter:
    """One child process for register.xlsx; `close()` ends it (also when nothing was written)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self.pid: int | None = None  # the child's process id once it answered (tests end it to see the fallback)
        try:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
            self._started = self._pool.submit(_ready)
        except (OSError, RuntimeError) as exc:  # no process can be started: write here
            log.warning("台帳の書き出し用プロセスを起動できないため、このプロセスで書き出します (%s)", exc)
            self._pool = None

    def xlsx(self, rows: list[RegisterRow], path: Path, *, run_info: dict) -> Callable[[], None]:
        """Start writing register.xlsx to `path` (a temporary file); returns `wait()`."""

        def here() -> None:
            from output.xlsx_writer import write_xlsx

            write_xlsx(rows, path, run_info=run_info, atomic=False)

        if self._pool is None:
            here()
            return lambda: None
        try:
            future = self._pool.submit(_write_xlsx, rows, str(path), run_info)
        except (BrokenProcessPool, RuntimeError):
            here()
            return lambda: None

        def wait() -> None:
            try:
                future.result()
            except BrokenProcessPool:  # the child died (killed, out of memory): the workbook is written here
                log.warning("台帳の書き出し用プロセスが終了したため、このプロセスで書き出し直します")
                here()

        return wait

    def child_pid(self, timeout: float = 60.0) -> int | None:
        """The child's process id (waits until it has started)."""
        if self._pool is None:
            return None
        try:
            self.pid = self._started.result(timeout=timeout)
        except Exception:  # noqa: BLE001 - a child that never started has no id
            return None
        return self.pid

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> SideWriter:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
