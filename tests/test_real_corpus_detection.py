"""The real corpus (../shared/corpus/real, forms nobody here wrote) holds its numbers: seal and signature
precision and recall ≥ 0.97 against LABELS.tsv. Skips when the corpus is absent."""

from __future__ import annotations

import csv

import pytest

from classifiers.engine import detect

pytestmark = [pytest.mark.ginza, pytest.mark.slow]
TARGET = 0.97


def _prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float]:
    tp = sum(1 for t, p in pairs if t and p)
    fp = sum(1 for t, p in pairs if p and not t)
    fn = sum(1 for t, p in pairs if t and not p)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def test_real_corpus_precision_and_recall(real_corpus, real_documents):
    with (real_corpus / "LABELS.tsv").open(encoding="utf-8") as fh:
        labels = {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}
    seal, signature, wrong = [], [], []
    for name, row in labels.items():
        _source, document = real_documents[name]
        det = detect(document)
        truth = (row["seal_requested"] == "yes", row["signature_required"] == "yes")
        seal.append((truth[0], det.seal_requested))
        signature.append((truth[1], det.signature_required))
        if truth != (det.seal_requested, det.signature_required):
            wrong.append(name)
    assert len(seal) >= 60
    for what, pairs in (("seal", seal), ("signature", signature)):
        precision, recall = _prf(pairs)
        assert precision >= TARGET and recall >= TARGET, (what, precision, recall, wrong)
