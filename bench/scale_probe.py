"""Helpers for bench/bench_scale.py: process-tree memory sampling, the floor and naive readers, machine info."""

from __future__ import annotations

import ctypes
import os
import platform
import re
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = (".pdf", ".docx", ".xlsx")
SUDACHI_CHUNK = 8000  # characters; Sudachi rejects input over 49,149 bytes


# ---------------------------------------------------------------- process tree memory
def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode("utf-8", "replace")
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _tree(root: int) -> list[int]:
    children, out, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_s(pid: int) -> float:
    """utime + stime of one process so far (clock ticks → s)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().decode("utf-8", "replace").rsplit(")", 1)[1].split()
    except OSError:
        return -1.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def role(name: str) -> str:
    if "multiprocessing" in name:
        return "workers"
    if "uvicorn" in name or "prefect.server" in name or name.startswith("prefect server start"):
        return "Prefect API server"
    if "soffice" in name or "tesseract" in name:
        return "converters"
    return "CLI / flow"


def _name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            parts = fh.read().split(b"\0")
    except OSError:
        return "?"
    words = [p.decode("utf-8", "replace") for p in parts if p]
    if "server" in words and words[words.index("server") + 1 :][:1] == ["start"]:  # flows/serve.py's launcher (-c …)
        return "prefect " + " ".join(words[words.index("server") :])[:72]
    return " ".join(Path(words[0]).name if i == 0 else w for i, w in enumerate(words[:4]))[:80]


@dataclass
class TreeMemory:
    """Polls /proc every `interval` s: the peak VmRSS of each process in the tree, and of the tree."""

    root: int
    interval: float = 0.1
    peak_by_pid: dict[int, tuple[int, str]] = field(default_factory=dict)
    peak_total_kb: int = 0
    processes: int = 0
    cpu_by_pid: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in _tree(self.root):
                rss = _rss_kb(pid)
                total += rss
                cpu = _cpu_s(pid)
                if cpu >= 0:
                    self.cpu_by_pid[pid] = cpu
                if rss > self.peak_by_pid.get(pid, (0, ""))[0]:  # re-read the name: a fresh fork has its parent's
                    self.peak_by_pid[pid] = (rss, _name(pid))
            self.peak_total_kb = max(self.peak_total_kb, total)
            self.processes = max(self.processes, len(self.peak_by_pid))
            self._stop.wait(self.interval)

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds per kind of process, as last sampled (a process's last 0.1 s may be missing)."""
        out: dict[str, float] = {}
        for pid, cpu in self.cpu_by_pid.items():
            key = role(self.peak_by_pid.get(pid, (0, ""))[1])
            out[key] = out.get(key, 0.0) + cpu
        return out

    def stop(self) -> tuple[int, str]:
        self._stop.set()
        self._thread.join()
        if not self.peak_by_pid:
            return 0, "?"
        return max(self.peak_by_pid.values())


PR_SET_CHILD_SUBREAPER = 36  # prctl(2)


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (prctl PR_SET_CHILD_SUBREAPER), so that a
    process that outlives its parent (multiprocessing's forkserver, which forks and reaps the workers, exits
    after the command) is waited for here and its CPU time, with its workers', reaches RUSAGE_CHILDREN."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans(timeout: float = 15.0) -> int:
    """Wait for the descendants re-parented to this process after the command ended; how many were reaped."""
    reaped, deadline = 0, time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)  # retried on EINTR by Python itself (PEP 475)
        except ChildProcessError:
            return reaped
        if pid:
            reaped += 1
        else:
            time.sleep(0.05)
    return reaped


def run_measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run `cmd`; wall time, exit code, output tail and peak RSS (largest process, whole tree). CPU time is
    RUSAGE_CHILDREN after the command and every descendant that outlived it have been waited for (this
    process is their subreaper), so the forkserver's workers are counted."""
    subreaper = become_subreaper()
    before = children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    memory = TreeMemory(proc.pid)
    timed: list[tuple[float, str]] = []
    assert proc.stdout is not None
    for raw in proc.stdout:
        timed.append((time.perf_counter() - started, raw.decode("utf-8", "replace").rstrip("\n")))
    proc.wait()
    wall = time.perf_counter() - started
    orphans = reap_orphans() if subreaper else 0
    peak_kb, peak_name = memory.stop()
    workers = [kb for kb, name in memory.peak_by_pid.values() if role(name) == "workers"]
    return {"wall": wall, "rc": proc.returncode, "output": "\n".join(line for _, line in timed),
            "phases": phases(timed, wall), "steady": steady(timed), "worker_peak_kb": max(workers, default=0), "cpu": children_cpu() - before, "peak_kb": peak_kb, "peak_name": peak_name,
            "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            "tree_kb": memory.peak_total_kb, "processes": memory.processes, "cpu_roles": memory.cpu_by_role(),
            "orphans_reaped": orphans, "subreaper": subreaper}


def children_cpu() -> float:
    """User + system CPU seconds of all waited-for descendants (less sensitive to a busy machine than wall time)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def phases(timed: list[tuple[float, str]], wall: float) -> dict[str, float]:
    """From the progress lines (進捗 N/M 件): start-up until the first, files until the last, then writing."""
    progress = [t for t, line in timed if line.startswith("進捗")]
    if not progress:
        return {}
    return {"start-up": progress[0], "files": progress[-1] - progress[0], "write": wall - progress[-1]}


PROGRESS = re.compile(r"^進捗\s*([\d,]+)/([\d,]+)")


def steady(timed: list[tuple[float, str]]) -> float | None:
    """Files per second between the first and the last progress line (start-up and writing left out)."""
    points = [(t, int(m.group(1).replace(",", ""))) for t, line in timed if (m := PROGRESS.match(line))]
    if len(points) < 2 or points[-1][0] <= points[0][0]:
        return None
    return (points[-1][1] - points[0][1]) / (points[-1][0] - points[0][0])


# ---------------------------------------------------------------- the floor: read text only
def read_text(path: str) -> str:
    """Only the text, with the plain library calls (no layout, drawings, fields, hashing)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        import pdfplumber

        parts = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                try:
                    parts.append(page.extract_text() or "")
                finally:
                    page.close()
        return "\n".join(parts)
    if suffix == ".docx":
        import docx

        d = docx.Document(path)
        parts = [p.text for p in d.paragraphs]
        for table in d.tables:
            for row in table.rows:
                parts.append("\t".join(c.text for c in row.cells))
        return "\n".join(parts)
    if suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            parts = []
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    cells = [str(v) for v in row if v is not None]
                    if cells:
                        parts.append("\t".join(cells))
            return "\n".join(parts)
        finally:
            wb.close()
    return ""


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
X = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_text_fast(path: str) -> str:
    """Only the text, with the fastest reader of each format: pypdfium2's text page; zip + lxml for docx/xlsx."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path)
        try:
            parts = []
            for page in pdf:
                textpage = page.get_textpage()
                parts.append(textpage.get_text_range())
                textpage.close()
                page.close()
            return "\n".join(parts)
        finally:
            pdf.close()
    if suffix in (".docx", ".xlsx"):
        import zipfile

        from lxml import etree

        with zipfile.ZipFile(path) as zf:
            if suffix == ".docx":
                root = etree.fromstring(zf.read("word/document.xml"))
                return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p"))
            names = zf.namelist()
            shared = []
            if "xl/sharedStrings.xml" in names:
                shared = ["".join(t.text or "" for t in si.iter(f"{X}t"))
                          for si in etree.fromstring(zf.read("xl/sharedStrings.xml")).iter(f"{X}si")]
            parts = []
            for name in sorted(n for n in names if n.startswith("xl/worksheets/sheet")):
                for cell in etree.fromstring(zf.read(name)).iter(f"{X}c"):
                    v = cell.find(f"{X}v")
                    if v is not None and v.text:
                        parts.append(shared[int(v.text)] if cell.get("t") == "s" else v.text)
                    elif cell.get("t") == "inlineStr":
                        parts.append("".join(t.text or "" for t in cell.iter(f"{X}t")))
            return "\n".join(parts)
    return ""


def read_chunk_fast(paths: list[str]) -> int:
    return sum(len(read_text_fast(p)) for p in paths)


def quiet_worker() -> None:
    import logging

    for name in ("pdfminer", "pdfplumber", "openpyxl"):
        logging.getLogger(name).setLevel(logging.WARNING)


def read_chunk(paths: list[str]) -> int:
    return sum(len(read_text(p)) for p in paths)


def chunks(text: str, size: int = SUDACHI_CHUNK) -> list[str]:
    """Lines packed into pieces Sudachi accepts."""
    out, current = [], ""
    for line in text.splitlines():
        line = line[:size]
        if current and len(current) + len(line) + 1 > size:
            out.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current.strip():
        out.append(current)
    return out


# ---------------------------------------------------------------- machine
def machine() -> dict:
    cpu = "?"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        mem_kb = int(fh.readline().split()[1])
    return {"nproc": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "kernel": platform.release()}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
