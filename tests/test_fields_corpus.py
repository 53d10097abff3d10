"""Generated forms with known fields (every layout bench/gen_corpus.py makes, plus bench/gen_fields.py's block):
field recall, precision and kinds ≥ 0.90, read through the real extractors from files written by the test."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from classifiers.fields import extract_fields
from extractors.discover import discover
from extractors.registry import extract

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from eval_fields import score  # noqa: E402
from gen_fields import generate  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> dict[str, Counter]:
    out = tmp_path_factory.mktemp("fields")
    truth = {}
    for line in generate(out, n=10, seed=23).read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        truth[item["file"]] = item
    totals: dict[str, Counter] = {}
    for source in discover([out]):
        item = truth.get(source.rel_path)
        if item is None:
            continue
        s = score(item["fields"], [f.to_json() for f in extract_fields(extract(source)).fields])
        for key in (item["format"], "all"):
            totals.setdefault(key, Counter()).update({k: v for k, v in s.items() if isinstance(v, int)})
    return totals


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf", "all"])
def test_recall_precision_and_kinds(scored, fmt):
    c = scored[fmt]
    assert c["known"] > 50
    assert c["matched"] / c["known"] >= 0.90
    assert c["matched"] / c["found"] >= 0.90
    assert c["kinds"] / c["matched"] >= 0.90


def test_required_groups_and_repeats_are_read(scored):
    c = scored["all"]
    assert c["required"] / c["matched"] >= 0.90
    assert c["groups"] / c["matched"] >= 0.90
    assert c["repeats"] / c["matched"] >= 0.90
