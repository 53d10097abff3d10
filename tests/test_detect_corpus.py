"""A small generated corpus (all three formats) read through extract → detect matches its labels."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from classifiers.engine import detect
from extractors.discover import discover
from extractors.registry import extract

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from gen_corpus import generate  # noqa: E402

pytestmark = [pytest.mark.ginza, pytest.mark.slow]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    out = tmp_path_factory.mktemp("corpus")
    labels = generate(out, n=8, seed=11)
    with labels.open(encoding="utf-8") as fh:
        return out, {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def test_generated_corpus_has_all_formats_and_both_classes(corpus):
    _, labels = corpus
    assert {r["format"] for r in labels.values()} == {"docx", "xlsx", "pdf"}
    assert {r["seal_requested"] for r in labels.values()} == {"yes", "no"}


def test_generated_corpus_detection_agrees(corpus):
    out, labels = corpus
    wrong = []
    for source in discover([out]):
        row = labels.get(source.path.name)
        if row is None:
            continue
        det = detect(extract(source, ocr=False))
        if det.seal_requested != (row["seal_requested"] == "yes"):
            wrong.append((source.path.name, det.seal_requested))
    assert len(labels) == 24 and not wrong, wrong
