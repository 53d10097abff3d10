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
def use_api(url: str) -> Iterator[str]:
    """Point this whole process at `url`, including threads whose context was copied before now.

    Prefect read its settings when it was imported. `temporary_settings` covers this thread only; the
    process-global settings context covers the threads Prefect and Dask clients run callbacks in —
    without it those start a temporary API server of their own and record task runs there.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with contextlib.ExitStack() as stack:
        stack.enter_context(temporary_settings({PREFECT_API_URL: url}))
        try:
            from prefect.context import _temporary_global_settings_context, get_settings_context
        except ImportError:  # a future Prefect without this internal helper
            pass
        else:
            stack.enter_context(_temporary_global_settings_context(get_settings_context()))
        yield url


@contextlib.contextmanager
def prefect_api() -> Iterator[str]:
    configured = os.environ.get("PREFECT_API_URL")
    if configured:  # also for this process, whose settings were read when prefect was imported
        with use_api(configured):
            yield configured
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")))
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with use_api(server.api_url):
            yield server.api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()
