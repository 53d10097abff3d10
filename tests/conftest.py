"""Shared test set-up: a project-local, throwaway Prefect home and common paths."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "forms"
REAL_CORPUS = ROOT.parent / "shared" / "corpus" / "real"

# One Prefect home for the whole test session, outside the user's ~/.prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix="sealreview-test-prefect-")
os.environ.setdefault("SEALREVIEW_PREFECT_HOME", _PREFECT_HOME)
os.environ.setdefault("PREFECT_HOME", _PREFECT_HOME)

from flows import configure_environment  # noqa: E402

configure_environment()


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    assert EXAMPLES.is_dir(), "examples/forms is missing: run `make examples`"
    return EXAMPLES


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    if not (REAL_CORPUS / "LABELS.tsv").is_file():
        pytest.skip("the real corpus (../shared/corpus/real) is not present")
    return REAL_CORPUS


@pytest.fixture(scope="session")
def real_documents(real_corpus: Path) -> dict:
    """Every labelled form of the real corpus read once (OCR included) for the whole session:
    {file name: (SourceFile, Document)}."""
    from extractors.discover import discover
    from extractors.registry import extract

    return {source.path.name: (source, extract(source)) for source in discover([real_corpus])}
