"""Skip the database migration check of the temporary Prefect server when the schema is known to be current.

Every temporary server runs Prefect's migrations on start (alembic reads its ~100 revision scripts): about
half a second (0.4–0.8 s measured) of the 4 s boot, on every scan and re-audit, for a database brought up
to date by the previous run. After a server that did migrate answers, the database's alembic revision is
recorded with the installed Prefect version in PREFECT_HOME/sealreview-schema.json. The next server skips
the migration only if the database still holds that revision and Prefect is still that version; anything
else — a new Prefect, a deleted or replaced database, a damaged stamp, a database configured elsewhere
(environment or profile) — migrates as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from importlib import metadata
from pathlib import Path

STAMP = "sealreview-schema.json"
DATABASE_URL_SETTINGS = ("PREFECT_API_DATABASE_CONNECTION_URL", "PREFECT_SERVER_DATABASE_CONNECTION_URL")


def database_path(env: dict[str, str]) -> Path | None:
    """Prefect's default SQLite database under PREFECT_HOME; None when a database is configured elsewhere."""
    if any(env.get(name) for name in DATABASE_URL_SETTINGS) or not env.get("PREFECT_HOME"):
        return None
    home = Path(env["PREFECT_HOME"])
    try:  # a profile may name another database too (read before Prefect is imported: look for the setting)
        profiles = (home / "profiles.toml").read_text(encoding="utf-8")
    except OSError:
        profiles = ""
    if "DATABASE_CONNECTION_URL" in profiles:
        return None
    return home / "prefect.db"


def revision(database: Path) -> str | None:
    """The alembic revision the database is at (read-only), or None."""
    if not database.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=2)) as conn:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return None
    return rows[0][0] if len(rows) == 1 and rows[0][0] else None


def prefect_version() -> str | None:
    try:
        return metadata.version("prefect")
    except metadata.PackageNotFoundError:
        return None


def schema_is_current(env: dict[str, str]) -> bool:
    """Whether the recorded revision is the database's and Prefect is the version that recorded it."""
    database = database_path(env)
    if database is None:
        return False
    try:
        stamp = json.loads((database.parent / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict):
        return False
    current = revision(database)
    return current is not None and stamp.get("revision") == current and stamp.get("prefect") == prefect_version()


def server_environment(env: dict[str, str]) -> dict[str, str]:
    """The temporary server's environment: no migration when the schema is current (unless set explicitly)."""
    if "PREFECT_API_DATABASE_MIGRATE_ON_START" not in env and schema_is_current(env):
        return {**env, "PREFECT_API_DATABASE_MIGRATE_ON_START": "false"}
    return env


def record_schema(env: dict[str, str]) -> None:
    """After a server that migrated answers: record the database's revision with the Prefect version."""
    database = database_path(env)
    if database is None or env.get("PREFECT_API_DATABASE_MIGRATE_ON_START", "").lower() in ("false", "0"):
        return
    current, version = revision(database), prefect_version()
    if current is None or version is None:
        return
    stamp = database.parent / STAMP
    tmp = stamp.with_name(f".{STAMP}.{os.getpid()}")
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps({"prefect": version, "revision": current}), encoding="utf-8")
        os.replace(tmp, stamp)
