"""One run per output folder: an exclusive `fcntl.flock` on OUT_DIR/.sealreview/run.lock.

The kernel releases the lock when the holding process ends, however it ends (SIGKILL, power cut of a
client): a stale lock file never blocks the next run. The file's content (PID, command, start time)
only serves the message shown to the second run.

Note: flock is reliable on local disks; on NFS/SMB shares it depends on the server (see README).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

LOCK_FILE = Path(".sealreview") / "run.lock"
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


def read_holder(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def run_lock(out_dir: str | Path, command: str = "scan") -> Iterator[Path]:
    """Hold the output folder for the duration of the block; raises OutputBusy when another run has it."""
    path = lock_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(Path(out_dir), read_holder(path)) from None
        holder = {"pid": os.getpid(), "command": command,
                  "started": datetime.now().astimezone().isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder, ensure_ascii=False).encode("utf-8"), 0)
        try:
            yield path
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
