"""Fuzzing: real docx / xlsx / pdf forms with mutated bytes never make the pipeline raise, and always
give exactly one row with a decision and a reason (bounded: 60 cases, a few seconds each at most)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.discover import describe_file
from extractors.models import Document
from extractors.registry import extract
from output.pipeline.steps import PipelineOptions, process_file
from rules.models import DECISIONS

pytestmark = [pytest.mark.ginza]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "forms"
OPTIONS = PipelineOptions(as_of="2026-04-01", ocr=False)  # OCR would make each case seconds long


def seeds() -> list[Path]:
    found = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".docx", ".xlsx", ".pdf") and p.stat().st_size)
    picked: list[Path] = []
    for suffix in (".docx", ".xlsx", ".pdf"):
        picked += [p for p in found if p.suffix == suffix][:3]
    return picked


SEEDS = seeds()

mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(1, 255)),  # xor one byte
    st.tuples(st.just("cut"), st.integers(0, 10**9), st.just(0)),  # truncate
    st.tuples(st.just("junk"), st.integers(0, 10**9), st.binary(min_size=1, max_size=64)),  # insert bytes
    st.tuples(st.just("zero"), st.integers(0, 10**9), st.integers(1, 4096)),  # wipe a run of bytes
)


def mutate(data: bytes, steps: list[tuple]) -> bytes:
    buf = bytearray(data)
    for kind, where, arg in steps:
        if not buf:
            break
        at = where % len(buf)
        if kind == "flip":
            buf[at] ^= arg
        elif kind == "cut":
            del buf[max(at, 1):]
        elif kind == "junk":
            buf[at:at] = arg
        else:
            buf[at:at + arg] = bytes(min(arg, len(buf) - at))
    return bytes(buf)


@pytest.mark.skipif(not SEEDS, reason="examples/forms is missing")
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS or [Path("none")]), steps=st.lists(mutation, min_size=1, max_size=6))
def test_mutated_forms_always_give_one_row(seed: Path, steps: list[tuple]) -> None:
    data = mutate(seed.read_bytes(), steps)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path = Path(tmp) / f"変異{seed.suffix}"
        path.write_bytes(data)
        source = describe_file(path, Path(tmp))
        document = extract(source, ocr=False)
        assert isinstance(document, Document)
        if document.status.value == "failed":
            assert document.errors and all(e for e in document.errors)
        row = process_file(source, OPTIONS)
    assert row.path == path.name
    assert row.decision in DECISIONS
    assert row.reason
    if row.decision == "error":
        assert row.error
