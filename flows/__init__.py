"""flows/: the Prefect flows and the command line, and nothing else.

- cli.py: `sealreview scan | reaudit | serve | laws | import-review` (argument parsing, messages, exit codes)
- scan.py: the `scan` flow (discover → batches of the per-file pipeline → register) and its task runners
- reaudit.py: the `reaudit` flow (the same, reusing cached analyses) and the served deployment
- serve.py: Prefect API servers: one temporary server per run, `prefect server start` for `serve`
- laws_cli.py: `sealreview laws` (the catalogue as a table)
- progress.py: the progress line on stderr

Everything a flow runs is a plain function in the stage packages (output/pipeline/ for one file,
output/store/ for what is kept between runs). No module outside flows/ imports flows/.

This file holds the process-wide Prefect environment, which must be set before `import prefect`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from output.pipeline.tuning import quiet_libraries

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SERVED_ENV = "SEALREVIEW_SERVED_PARAMETERS"  # set by `serve`: the parameters its deployment may run with


class OverrideRefused(RuntimeError):
    """A flow run of the served deployment asked for other folders or options than those served."""


def served_parameters() -> dict | None:
    """The parameters `serve` was started with (None outside a served process)."""
    raw = os.environ.get(SERVED_ENV)
    return json.loads(raw) if raw else None


def prefect_home() -> Path:
    """The project's own PREFECT_HOME (never the user's ~/.prefect)."""
    configured = os.environ.get("SEALREVIEW_PREFECT_HOME")
    home = Path(configured) if configured else PROJECT_ROOT / ".prefect"
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        home = Path.home() / ".cache" / "sealreview" / "prefect"
        home.mkdir(parents=True, exist_ok=True)
    return home


def configure_environment() -> None:
    """Offline, project-local Prefect; quiet libraries. Call before `import prefect`."""
    env = os.environ
    env.setdefault("PREFECT_HOME", str(prefect_home()))
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "WARNING")
    env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    env.setdefault("PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS", "4")
    env.setdefault("PREFECT_UI_ENABLED", "false")
    env.setdefault("OMP_THREAD_LIMIT", "1")  # tesseract in parallel workers
    quiet_libraries()
