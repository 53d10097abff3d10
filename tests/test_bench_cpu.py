"""bench/scale_probe.run_measured counts the CPU time of descendants that outlive the command.

multiprocessing's forkserver forks and reaps the workers and exits after the command, so RUSAGE_CHILDREN of
the benchmark used to miss the workers' CPU time. The benchmark is now the subreaper of the command's tree.
The measurement runs in a child interpreter so that pytest itself does not become a subreaper."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A command whose grandchild outlives it and burns about 1 CPU-s after the command has exited.
ORPHAN = r"""
import os, time
if os.fork() == 0:
    time.sleep(0.3)                     # the command has exited by now: this process is an orphan
    end = time.process_time() + 1.0
    while time.process_time() < end:
        pass
    os._exit(0)
"""

MEASURE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import scale_probe
r = scale_probe.run_measured([sys.executable, "-c", sys.argv[2]])
print(json.dumps({"cpu": r["cpu"], "orphans": r["orphans_reaped"], "subreaper": r["subreaper"], "rc": r["rc"]}))
"""


def test_cpu_of_an_orphaned_grandchild_is_counted():
    done = subprocess.run([sys.executable, "-c", MEASURE, str(ROOT / "bench"), ORPHAN], capture_output=True,
                          text=True, timeout=60, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rc"] == 0
    assert result["subreaper"] is True
    assert result["orphans"] == 1
    assert result["cpu"] >= 0.9, result  # without the subreaper this is the command's own ≈0.02 CPU-s
