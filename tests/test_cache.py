"""The extract+detect cache: unchanged bytes are neither re-read nor re-parsed; decisions still follow the
as-of date; a new extractor/patterns version or a damaged entry reads the file again. No Prefect."""

from __future__ import annotations

from pathlib import Path

import pytest

import flows.cache as cache_module
import flows.pipeline as pipeline
from classifiers.models import Detection
from extractors.discover import discover
from extractors.models import Document, InputFormat, Status, failed
from flows.cache import Analysis, AnalysisCache
from flows.pipeline import PipelineOptions, process_file

KONIN = "市民文化局/戸籍住民サービス部/婚姻届.pdf"
pytestmark = [pytest.mark.ginza]


@pytest.fixture()
def konin(tmp_path: Path, examples_dir: Path):
    target = tmp_path / "in" / KONIN
    target.parent.mkdir(parents=True)
    target.write_bytes((examples_dir / KONIN).read_bytes())
    return discover([tmp_path / "in"])[0]


def options(tmp_path: Path, as_of: str) -> PipelineOptions:
    return PipelineOptions(as_of=as_of, cache_dir=str(tmp_path / "cache"), work_dir=str(tmp_path / "work"))


def no_extract(*_args, **_kwargs):
    raise AssertionError("the file was extracted again")


def no_detect(*_args, **_kwargs):
    raise AssertionError("the document was detected again")


def test_second_run_uses_cache_and_recomputes_decision(tmp_path, konin, monkeypatch) -> None:
    first = process_file(konin, options(tmp_path, "2021-08-31"))
    assert first.decision == "keep_law"
    assert AnalysisCache(tmp_path / "cache").count() == 1
    monkeypatch.setattr(pipeline, "extract", no_extract)
    monkeypatch.setattr(pipeline.detection_engine, "detect", no_detect)
    again = process_file(konin, options(tmp_path, "2021-08-31"))
    assert again.to_json() == first.to_json()
    later = process_file(konin, options(tmp_path, "2021-09-01"))  # same cache, new as-of: new decision
    assert (later.decision, later.replacement) == ("abolish", "shomei")
    assert later.evidence == first.evidence and later.seal_kinds == first.seal_kinds


def test_new_extractor_version_misses_the_cache(tmp_path, konin, monkeypatch) -> None:
    process_file(konin, options(tmp_path, "2021-09-01"))
    cache = AnalysisCache(tmp_path / "cache")
    assert cache.has(konin.sha256)
    versions = dict(cache_module.analysis_versions())
    monkeypatch.setattr(cache_module, "analysis_versions",
                        lambda: tuple(sorted({**versions, "extractor": "999"}.items())))
    assert not cache.has(konin.sha256)
    calls = []
    real_extract = pipeline.extract
    monkeypatch.setattr(pipeline, "extract", lambda *a, **k: calls.append(1) or real_extract(*a, **k))
    row = process_file(konin, options(tmp_path, "2021-09-01"))
    assert calls == [1] and row.decision == "abolish"
    assert cache.count() == 2


def test_damaged_entry_is_a_miss(tmp_path, konin) -> None:
    cache = AnalysisCache(tmp_path / "cache")
    path = cache.path_of(konin.sha256)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    assert cache.get(konin.sha256) is None
    row = process_file(konin, options(tmp_path, "2021-09-01"))
    assert row.decision == "abolish"
    assert cache.get(konin.sha256) is not None  # rewritten


def test_failed_extraction_is_cached_unless_it_timed_out(tmp_path: Path) -> None:
    broken = tmp_path / "in" / "破損.pdf"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"%PDF-1.7\n1 0 obj <<")
    source = discover([tmp_path / "in"])[0]
    row = process_file(source, options(tmp_path, "2025-04-01"))
    assert row.decision == "error"
    cache = AnalysisCache(tmp_path / "cache")
    assert cache.get(source.sha256).document.status == Status.FAILED  # damaged: fails the same way again
    timed_out = Document(format=InputFormat.DOC, status=Status.FAILED,
                         errors=("旧形式のファイルの変換が制限時間（60秒）を超えたため中断しました",))
    assert not cache.put("ab" * 32, Analysis(timed_out, Detection()))
    assert not cache.has("ab" * 32)


@pytest.mark.parametrize("document", [
    failed(InputFormat.DOC, "LibreOffice が見つからないため旧形式のファイルを読み取れません", retry=True),
    failed(InputFormat.PDF, "ファイル（またはリンク先）が見つかりません", retry=True),
    Document(format=InputFormat.PDF, status=Status.PARTIAL, meta={"retry": True},
             warnings=("2ページ目は文字情報がなく、OCR（tesseract）が見つからないため読み取っていません",)),
])
def test_failures_of_the_surroundings_are_not_cached(tmp_path: Path, document: Document) -> None:
    """Regression: a missing work folder once made every .xls/scan fail, and the failure stuck in the cache."""
    cache = AnalysisCache(tmp_path / "cache")
    assert not cache.put("cd" * 32, Analysis(document, Detection()))
    assert not cache.has("cd" * 32)
