"""The previous run's settings, read without importing Prefect (the command line needs them before it
starts the temporary server and imports the flows)."""

from __future__ import annotations

from pathlib import Path

from output.store.state import StateStore


def previous_settings(out_dir: Path) -> dict:
    """inputs / policy / manifest of the previous run (for a re-audit that does not repeat them)."""
    if not (out_dir / ".sealreview").exists():
        return {}
    with StateStore(out_dir) as store:
        run = store.last_run()
    if run is None:
        return {}
    return settings_of(run)


def settings_of(run: dict) -> dict:
    args = run.get("args") or {}
    return {"inputs": run.get("inputs") or args.get("inputs") or [], "policy": args.get("policy"),
            "manifest": args.get("manifest")}
