"""Issue 19: a run on its own temporary Prefect server sends no flow-run heartbeats (the end of every flow run
waited up to a second for the heartbeat thread); a run on the user's server keeps Prefect's setting. A real
temporary server and a real flow run."""

from __future__ import annotations

import pytest
from prefect import flow
from prefect.settings import get_current_settings

from flows.serve import prefect_api


@flow(name="heartbeat-probe")
def heartbeat_seen() -> int | None:
    return get_current_settings().flows.heartbeat_frequency


def test_a_run_on_the_temporary_server_sends_no_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", raising=False)
    before = get_current_settings().flows.heartbeat_frequency
    assert before is not None  # Prefect's default: heartbeats on
    with prefect_api() as url:
        assert url.startswith("http://127.0.0.1:")
        assert heartbeat_seen() is None  # what the flow engine reads when it runs the flow
    assert get_current_settings().flows.heartbeat_frequency == before  # restored after the run


def test_a_run_on_the_users_server_keeps_its_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # never contacted: only the settings are read
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "45")
    with prefect_api() as url:
        assert url == "http://127.0.0.1:9/api"
        assert get_current_settings().flows.heartbeat_frequency == 45
