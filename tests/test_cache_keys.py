"""Cache keys derived from the code (issue 18): an edited extractor, classifier or reviser misses the cache."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.digest import source_digest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("extractors", "classifiers", "rules", "output", "flows")
PRINT_KEYS = ("from output.store.analysis import cache_key; from output.store.drafts import draft_key; "
              "print(cache_key('ab' * 32), draft_key('ab' * 32, 'kimei'))")


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "copy"
    for name in PACKAGES:
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


CACHE_SCRIPT = """
import sys
from classifiers.models import Detection
from extractors.models import Document, InputFormat
from output.store.analysis import Analysis, AnalysisCache
cache = AnalysisCache(sys.argv[2])
if sys.argv[1] == "put":
    cache.put("cd" * 32, Analysis(Document(InputFormat.DOCX, title="一時"), Detection()))
found = cache.get("cd" * 32)
print("hit" if found is not None and found.document.title == "一時" else "miss")
"""


def _run(root: Path, *args: str) -> str:
    out = subprocess.run([sys.executable, "-c", *args], cwd=root, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(root)}, check=True)
    return out.stdout.strip()


@pytest.mark.slow
def test_an_analysis_cached_by_the_old_code_is_a_miss_after_a_classifier_edit(tmp_path):
    """A real cache on disk: an entry stored by a copy of the code is found by the same code in a new process
    (a hit), and not found once a classifier source of that copy has one more line (a miss)."""
    root, cache_dir = _copy(tmp_path), tmp_path / "cache"
    assert _run(root, CACHE_SCRIPT, "put", str(cache_dir)) == "hit"
    assert _run(root, CACHE_SCRIPT, "get", str(cache_dir)) == "hit"
    with (root / "classifiers" / "seal.py").open("a", encoding="utf-8") as fh:
        fh.write("\n# an edit\n")
    assert _run(root, CACHE_SCRIPT, "get", str(cache_dir)) == "miss"


def _keys(root: Path) -> tuple[str, str]:
    out = subprocess.run([sys.executable, "-c", PRINT_KEYS], cwd=root, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(root)}, check=True)
    analysis, draft = out.stdout.split()
    return analysis, draft


def test_digest_follows_the_files(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "data.yaml").write_text("v: 1\n")
    first = source_digest(tmp_path)
    assert source_digest(tmp_path) == first  # stable
    (tmp_path / "notes.txt").write_text("not code")
    assert source_digest(tmp_path) == first  # only code and data count
    (tmp_path / "data.yaml").write_text("v: 2\n")
    assert source_digest(tmp_path) != first


@pytest.mark.slow
@pytest.mark.parametrize(("edited", "analysis_miss", "draft_miss"), [
    ("classifiers/engine.py", True, False),
    ("classifiers/patterns/seal.yaml", True, False),
    ("extractors/word.py", True, False),
    ("output/revised/edits.py", False, True),
])
def test_a_code_change_misses_the_cache(tmp_path, edited, analysis_miss, draft_miss):
    """One appended line in a copy of the package changes the key; an untouched copy keeps it (a hit)."""
    root = _copy(tmp_path)
    before = _keys(root)
    assert _keys(root) == before  # the same code: the same keys (a hit)
    with (root / edited).open("a", encoding="utf-8") as fh:
        fh.write("\n# an edit\n")
    after = _keys(root)
    assert (after[0] != before[0], after[1] != before[1]) == (analysis_miss, draft_miss)


@pytest.fixture
def fresh_engine():
    from extractors.ocr_engine import engine_identity

    engine_identity.cache_clear()
    yield engine_identity
    engine_identity.cache_clear()  # the next test sees this machine's own models again


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_ocr_results_are_not_reused_after_the_ocr_models_change(tmp_path, monkeypatch, fresh_engine):
    """A page read by another tesseract model must be read again: the analysis key (and so the decided-row and
    field keys built on it) changes with the model files tesseract finds, and only when OCR is on."""
    from output.store.analysis import cache_key

    installed = Path(subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=True)
                     .stdout.splitlines()[0].split('"')[1])
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        shutil.copy2(installed / "jpn.traineddata", folder / "jpn.traineddata")

    def keys(prefix: Path) -> tuple[str, str]:
        monkeypatch.setenv("TESSDATA_PREFIX", str(prefix))
        fresh_engine.cache_clear()
        return cache_key("ab" * 32), cache_key("ab" * 32, ocr=False)

    first, plain = keys(one)
    assert "jpn:" in fresh_engine()
    assert keys(two) == (first, plain)  # the same model files elsewhere: same key
    shutil.copy2(installed / "jpn_vert.traineddata", two / "jpn_vert.traineddata")
    added, plain_added = keys(two)
    assert added != first and plain_added == plain  # one more model installed
    (two / "jpn_vert.traineddata").unlink()
    (two / "jpn.traineddata").write_bytes((installed / "jpn.traineddata").read_bytes()[:-1024])
    changed, plain_changed = keys(two)
    assert changed not in (first, added) and plain_changed == plain  # another jpn model
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract at all
    fresh_engine.cache_clear()
    assert fresh_engine() == "none"
    assert cache_key("ab" * 32) not in (first, added, changed)
