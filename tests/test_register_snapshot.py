"""A scan and an unchanged re-audit of the bundled examples give the registers they gave before issue 18's
move (tests/fixtures/register_snapshot/snapshot.json, made with the code at 17485d8 by make_snapshot.py in
the same folder; timestamps, run ids, folders and code digests normalised away)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "fixtures" / "register_snapshot"
sys.path.insert(0, str(HERE))
import make_snapshot  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.ginza]


@pytest.fixture(scope="module")
def now() -> dict:
    return make_snapshot.snapshot()


@pytest.fixture(scope="module")
def before() -> dict:
    return json.loads((HERE / "snapshot.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("run", ["scan", "reaudit"])
def test_register_rows_are_those_of_before_the_move(now: dict, before: dict, run: str) -> None:
    assert len(before[run]) == 22
    got = {row["path"]: row for row in now[run]}
    want = {row["path"]: row for row in before[run]}
    assert sorted(got) == sorted(want)
    for path, row in want.items():
        assert got[path] == row, path


def test_the_unchanged_reaudit_agrees_with_the_scan(now: dict) -> None:
    assert now["scan"] == now["reaudit"]
