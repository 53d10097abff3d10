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


@pytest.mark.parametrize("name", [KONIN, "健康福祉局/障害福祉課/誓約書.xlsx", "会計室/審査課/請求書.docx"])
def test_entries_are_json_and_round_trip_exactly(tmp_path: Path, examples_dir: Path, name: str) -> None:
    """Document and Detection come back equal (tuples, enums, locations, line keys), from plain JSON."""
    import json

    from classifiers import engine
    from extractors.registry import extract

    source = discover([examples_dir / name])[0]
    document = extract(source, work_dir=tmp_path / "work")
    detection = engine.detect(document)
    assert document.blocks and detection.findings  # a real form with real findings
    cache = AnalysisCache(tmp_path / "cache")
    assert cache.put(source.sha256, Analysis(document, detection))
    entry = cache.path_of(source.sha256)
    assert entry.suffix == ".json"
    data = json.loads(entry.read_text(encoding="utf-8"))  # human-inspectable
    assert data["cache_format"] == cache_module.CACHE_FORMAT and data["document"]["format"] == source.format.value
    back = AnalysisCache(tmp_path / "cache").get(source.sha256)
    assert back.document == document and back.detection == detection
    assert [line.text for line in back.document.lines()] == [line.text for line in document.lines()]


def test_a_pickle_planted_in_the_cache_is_never_loaded(tmp_path: Path) -> None:
    """Whoever can write OUT_DIR must not run code in the workers: a pickle entry is a miss, not a call."""
    import os
    import pickle

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    cache = AnalysisCache(tmp_path / "cache")
    sha = "ef" * 32
    for path in (cache.path_of(sha), cache.path_of(sha).with_suffix(".pickle")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(Payload()))
    assert cache.get(sha) is None
    assert not marker.exists()


def test_an_entry_of_another_file_or_format_is_a_miss(tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path / "cache")
    document = Document(format=InputFormat.PDF, pages=1, extractor="pdf")
    assert cache.put("01" * 32, Analysis(document, Detection()))
    assert cache.get("01" * 32).document == document
    moved = cache.path_of("02" * 32)  # copied under another file's key
    moved.parent.mkdir(parents=True, exist_ok=True)
    moved.write_bytes(cache.path_of("01" * 32).read_bytes())
    assert cache.get("02" * 32) is None
    entry = cache.path_of("01" * 32)
    entry.write_text(entry.read_text(encoding="utf-8").replace('"pdf"', '"bogus"', 1), encoding="utf-8")
    assert cache.get("01" * 32) is None  # an unknown format value
    entry.write_text('{"cache_format": "2"}', encoding="utf-8")
    assert cache.get("01" * 32) is None
