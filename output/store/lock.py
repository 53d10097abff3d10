"""One run per output folder: `filelock.FileLock` on OUT_DIR/.sealreview/run.lock.

filelock takes an exclusive `flock` on the file; the kernel releases it when the holding process ends,
however it ends (SIGKILL, power cut of a client), so a stale lock file never blocks the next run. Who holds
the folder (PID, command, start time) is written beside it, to OUT_DIR/.sealreview/run.holder, only for
the message shown to a second run (filelock truncates the lock file itself when it tries to take it).

Note: flock is reliable on local disks; on NFS/SMB shares it depends on the server (see README).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from output.atomic import atomic_path

LOCK_FILE = Path(".sealreview") / "run.lock"
HOLDER_FILE = Path(".sealreview") / "run.holder"
BUSY_CODE = 3


class OutputBusy(Exception):
    """Another run holds the output folder: `ja` / `en` messages and the exit `code`, like cli.UsageError
    (not a subclass: `python -m flows.cli` runs the CLI as __main__, whose UsageError is another class)."""

    def __init__(self, out_dir: Path, holder: dict) -> None:
        who = f"PID {holder.get('pid', '?')}, {holder.get('command', '?')}, 開始 {holder.get('started', '?')}"
        who_en = f"PID {holder.get('pid', '?')}, {holder.get('command', '?')}, started {holder.get('started', '?')}"
        self.ja = (f"同じ出力フォルダで別の実行が進行中のため、開始しませんでした（{who}）: {out_dir}。"
                   "終わってから再度実行してください")
        self.en = f"another run is using this output folder ({who_en}): {out_dir}; nothing was done, try again later"
        self.code = BUSY_CODE
        self.holder = holder
        super().__init__(self.ja)


def lock_path(out_dir: str | Path) -> Path:
    return Path(out_dir) / LOCK_FILE


def read_holder(out_dir: str | Path) -> dict:
    try:
        holder = json.loads((Path(out_dir) / HOLDER_FILE).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


@contextlib.contextmanager
def run_lock(out_dir: str | Path, command: str = "scan") -> Iterator[Path]:
    """Hold the output folder for the duration of the block; raises OutputBusy when another run has it."""
    path = lock_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=0, mode=0o644, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise OutputBusy(Path(out_dir), read_holder(out_dir)) from None
    holder_path = Path(out_dir) / HOLDER_FILE
    try:
        holder = {"pid": os.getpid(), "command": command,
                  "started": datetime.now().astimezone().isoformat(timespec="seconds")}
        with contextlib.suppress(OSError), atomic_path(holder_path) as tmp:
            Path(tmp).write_text(json.dumps(holder, ensure_ascii=False), encoding="utf-8")
        yield path
    finally:
        with contextlib.suppress(OSError):
            holder_path.unlink()
        lock.release()
