"""One Prefect API server per run, shared by the flow and its worker processes.

Without `PREFECT_API_URL`, every process that talks to Prefect starts its own temporary API
server (7–17 s each, pitfalls.md) — worker processes included. So the command line starts
one temporary server (bound to 127.0.0.1) and hands its URL to every worker through the
environment. With `PREFECT_API_URL` set (a real `prefect server start`), it is used as is.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def prefect_api() -> Iterator[str]:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = os.environ.get("PREFECT_API_URL")
    if configured:  # also for this process, whose settings were read when prefect was imported
        with temporary_settings({PREFECT_API_URL: configured}):
            yield configured
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")))
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()
