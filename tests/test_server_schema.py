"""The temporary server skips Prefect's migration check only when the database is known to be current."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from flows.server import TemporaryServer
from flows.server_schema import STAMP, prefect_version, record_schema, revision, server_environment


def make_db(home: Path, rev: str | None) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    db = home / "prefect.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        if rev:
            conn.execute("INSERT INTO alembic_version VALUES (?)", (rev,))
    return db


def migrates(env: dict[str, str]) -> bool:
    return server_environment(env).get("PREFECT_API_DATABASE_MIGRATE_ON_START") != "false"


def test_recorded_revision_skips_the_migration_until_anything_changes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = make_db(home, "a3b9c7d2e5f1")
    env = {"PREFECT_HOME": str(home)}
    assert migrates(env)  # nothing recorded yet
    record_schema(env)
    assert json.loads((home / STAMP).read_text()) == {"prefect": prefect_version(), "revision": "a3b9c7d2e5f1"}
    assert not migrates(env)
    with sqlite3.connect(db) as conn:  # another revision in the database (an older or newer Prefect wrote it)
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    assert migrates(env)
    record_schema(env)
    assert not migrates(env)
    db.unlink()  # the database deleted: a new one must be created
    assert migrates(env)


@pytest.mark.parametrize("change", ["version", "damaged", "elsewhere", "profile", "explicit"])
def test_anything_unknown_migrates(tmp_path: Path, change: str) -> None:
    home = tmp_path / "home"
    make_db(home, "a3b9c7d2e5f1")
    env = {"PREFECT_HOME": str(home)}
    record_schema(env)
    if change == "version":
        (home / STAMP).write_text(json.dumps({"prefect": "0.0.1", "revision": "a3b9c7d2e5f1"}))
    elif change == "damaged":
        (home / STAMP).write_text("{")
    elif change == "elsewhere":
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = "postgresql+asyncpg://db/prefect"
    elif change == "profile":
        (home / "profiles.toml").write_text('[profiles.x]\nPREFECT_API_DATABASE_CONNECTION_URL = "postgresql+asyncpg://db/p"\n')
    else:
        env["PREFECT_API_DATABASE_MIGRATE_ON_START"] = "true"
    assert migrates(env)


def test_a_real_server_records_the_schema_and_the_next_one_skips_the_migration(tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "prefect-home"
    home.mkdir()
    monkeypatch.setenv("PREFECT_HOME", str(home))
    for name in ("PREFECT_API_URL", "PREFECT_API_DATABASE_MIGRATE_ON_START", "PREFECT_API_DATABASE_CONNECTION_URL",
                 "PREFECT_SERVER_DATABASE_CONNECTION_URL"):
        monkeypatch.delenv(name, raising=False)
    # an imported Prefect passes its own settings on to the server: set PREFECT_HOME there too
    from prefect.settings import PREFECT_HOME, temporary_settings

    with temporary_settings({PREFECT_HOME: str(home)}):
        first = TemporaryServer()
        first.launch()
        try:
            assert "PREFECT_API_DATABASE_MIGRATE_ON_START" not in first.env
            first.wait_ready(90)
        finally:
            first.stop()
        assert revision(home / "prefect.db")  # the fresh database was migrated
        assert json.loads((home / STAMP).read_text())["revision"] == revision(home / "prefect.db")
        second = TemporaryServer()
        second.launch()
        try:
            assert second.env["PREFECT_API_DATABASE_MIGRATE_ON_START"] == "false"
            second.wait_ready(90)  # and it serves the API on the migrated database
        finally:
            second.stop()
