"""Every pattern's own positive/negative examples run through the real detector; bad data fails loudly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from classifiers.engine import PATTERNS, get_detector
from classifiers.patterns import PatternError, load_patterns

CASES = [(p.id, text, True) for p in PATTERNS.patterns for text in p.positive] + [
    (p.id, text, False) for p in PATTERNS.patterns for text in p.negative
]


def test_every_pattern_has_examples():
    for p in PATTERNS.patterns:
        assert p.positive or p.id == "seal.mark.object_of_osu.v1", f"{p.id} has no positive example"
        assert p.negative, f"{p.id} has no negative example"


def test_ids_are_unique_and_versioned():
    ids = [p.id for p in PATTERNS.patterns]
    assert len(ids) == len(set(ids)) and len(ids) > 40
    assert all(i.rsplit(".", 1)[-1].startswith("v") for i in ids)


@pytest.mark.ginza
@pytest.mark.parametrize(("pattern_id", "text", "fires"), CASES,
                         ids=[f"{c[0]}:{'+' if c[2] else '-'}:{c[1][:10]}" for c in CASES])
def test_pattern_examples(pattern_id, text, fires):
    trace = get_detector().trace(text)
    assert (pattern_id in trace) is fires, sorted(trace)


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "x.yaml").write_text(body, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("body", "message"), [
    ("group: g\nversion: 1\npatterns:\n - {id: a.b.v1, role: mask, terms: [x]}\n"
     " - {id: a.b.v1, role: mask, terms: [y]}\n", "duplicate id"),
    ("group: g\nversion: 1\npatterns:\n - {id: a.b.v1, role: mask, regex: '(x'}\n", "bad regex"),
    ("group: g\nversion: 1\npatterns:\n - {id: a.b.v1, role: mask, terms: [x], score: 1.5}\n", "not in [0, 1]"),
    ("group: g\nversion: 1\npatterns:\n - {id: a.b.v1, role: nope, terms: [x]}\n", "unknown role"),
    ("group: g\nversion: 1\npatterns:\n - {id: Bad, role: mask, terms: [x]}\n", "id must look like"),
    ("group: g\nversion: 1\npatterns:\n - {id: a.b.v1, role: kind, terms: [x], seal_kind: gold}\n", "seal_kind"),
])
def test_bad_pattern_data_is_rejected(tmp_path, body, message):
    with pytest.raises(PatternError, match=re.escape(message)):
        load_patterns(_write(tmp_path, body))
