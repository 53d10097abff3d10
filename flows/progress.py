"""Progress on long runs: files done / total, rate, current file (stderr, Japanese)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, *, stream=None, min_interval: float = 1.0) -> None:
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.stream = stream or sys.stderr
        self.min_interval = min_interval
        self._last = 0.0

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def advance(self, count: int, current: str = "") -> None:
        self.done += count
        now = time.monotonic()
        if self.done < self.total and now - self._last < self.min_interval:
            return
        self._last = now
        pct = 100.0 * self.done / self.total if self.total else 100.0
        line = f"進捗 {self.done}/{self.total} 件 ({pct:.0f}%) {self.rate:.1f} 件/秒"
        if current:
            line += f" 処理中: {current}"
        print(line, file=self.stream, flush=True)
