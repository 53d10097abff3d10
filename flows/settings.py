"""Process-wide settings that must be in place before Prefect is imported."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PIPELINE_VERSION = "0.2.0"  # 0.2.0: a bare 法律第N条 inside a law's name is no longer a second citation


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


def quiet_libraries() -> None:
    """pdfminer at DEBUG slows pdfplumber 30×; keep it at WARNING (pitfalls.md)."""
    for name in ("pdfminer", "pdfplumber", "PIL", "openpyxl"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextlib.contextmanager
def fewer_gc_passes(threshold: tuple[int, int, int] = (50_000, 20, 100)) -> Iterator[None]:
    """A run's main process builds a few million small objects that all live to its end (rows; in a re-audit
    also the documents and findings): with the default thresholds the cyclic garbage collector rescans them
    hundreds of times (≈15% of an unchanged re-audit of 4,508 forms). Collect less often during the run;
    restore afterwards (and unfreeze what the run froze). A scan, which may parse files in this process
    (`--workers 1`), passes a lower threshold, so pdfminer's cyclic garbage is still collected often."""
    before = gc.get_threshold()
    gc.set_threshold(*threshold)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
