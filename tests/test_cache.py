"""The extract+detect cache: unchanged bytes are neither re-read nor re-parsed; decisions still follow the
as-of date; a new extractor/patterns version or a damaged entry reads the file again. No Prefect."""

from __future__ import annotations

from pathlib import Path

import pytest

import output.pipeline.steps as pipeline
import output.store.analysis as cache_module
from classifiers.models import Detection
from extractors.discover import discover
from extractors.models import Document, InputFormat, Status, failed
from output.pipeline.steps import PipelineOptions, process_file
from output.store.analysis import Analysis, AnalysisCache

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


# --- discovery without re-hashing unchanged files (output/store/filestat.py) -------------------------------------
def small_tree(root: Path) -> Path:
    for name, text in {"総務局/総務課/a.txt": "申請書 印", "総務局/総務課/b.txt": "届出書", "c.txt": "同意書"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def no_hash(*_args, **_kwargs):
    raise AssertionError("an unchanged file was read again")


def test_unchanged_files_are_not_hashed_again(tmp_path: Path, monkeypatch) -> None:
    import output.store.filestat as filestat

    monkeypatch.setattr(filestat, "RACY_NS", 0)  # files written by the test are "racy" for the first 3 s
    roots = [small_tree(tmp_path / "in")]
    first, hashed = filestat.discover_known(roots, tmp_path / "out")
    assert hashed == 3 and first == discover(roots)
    monkeypatch.setattr(filestat, "describe_file", no_hash)
    again, hashed = filestat.discover_known(roots, tmp_path / "out")
    assert hashed == 0 and again == first


def test_a_changed_file_is_hashed_again_even_with_size_and_mtime_kept(tmp_path: Path, monkeypatch) -> None:
    import os

    import output.store.filestat as filestat

    monkeypatch.setattr(filestat, "RACY_NS", 0)
    roots = [small_tree(tmp_path / "in")]
    filestat.discover_known(roots, tmp_path / "out")
    target = tmp_path / "in" / "c.txt"
    before = target.stat()
    target.write_text("承諾書", encoding="utf-8")  # same size in UTF-8 (9 bytes)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime put back, as cp -p would
    assert target.stat().st_size == before.st_size and target.stat().st_mtime_ns == before.st_mtime_ns
    found, hashed = filestat.discover_known(roots, tmp_path / "out")
    assert hashed == 1 and found == discover(roots)  # the ctime moved: read again, new sha256
    assert {s.rel_path: s.sha256 for s in found}["c.txt"] == discover([target])[0].sha256


def test_files_hashed_within_the_racy_window_are_hashed_again(tmp_path: Path) -> None:
    import output.store.filestat as filestat

    roots = [small_tree(tmp_path / "in")]  # just written: too young to trust their stat next time
    filestat.discover_known(roots, tmp_path / "out")
    found, hashed = filestat.discover_known(roots, tmp_path / "out")
    assert hashed == 3 and found == discover(roots)


def test_a_damaged_stat_table_only_costs_hashing(tmp_path: Path, monkeypatch) -> None:
    import output.store.filestat as filestat

    monkeypatch.setattr(filestat, "RACY_NS", 0)
    roots = [small_tree(tmp_path / "in")]
    table = tmp_path / "out" / filestat.STAT_FILE
    table.parent.mkdir(parents=True)
    table.write_bytes(b"\x00{not json")
    found, hashed = filestat.discover_known(roots, tmp_path / "out")
    assert hashed == 3 and found == discover(roots)
    forged = table.read_text(encoding="utf-8").replace('"format":1', '"format":99')
    table.write_text(forged, encoding="utf-8")
    assert filestat.discover_known(roots, tmp_path / "out")[1] == 3


def test_preloaded_entries_are_used_once(tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path / "cache")
    document = Document(format=InputFormat.PDF, pages=2, extractor="pdf")
    for sha in ("0a" * 32, "0b" * 32):
        cache.put(sha, Analysis(document, Detection(seal_requested=True)))
    assert cache.preload(["0a" * 32, "0b" * 32, "0c" * 32], stop=lambda: False) == 2
    cache.path_of("0a" * 32).unlink()  # decoded ahead: no file read any more
    assert cache.get("0a" * 32) == Analysis(document, Detection(seal_requested=True))
    assert cache.get("0a" * 32) is None  # once
    AnalysisCache.forget_preloaded()
    assert cache.preload(["0b" * 32], stop=lambda: True) == 0  # the server answered: stop at once
    assert cache.get("0b" * 32).detection.seal_requested is True  # read from its file as usual
