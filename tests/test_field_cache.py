"""The fields kept per file (output/store/fields.py): what comes back is what extract_fields finds, and a
different field-pattern version or damaged entry is a miss (real files, no mocks)."""

from __future__ import annotations

from classifiers.fields import extract_fields
from extractors.discover import discover
from extractors.registry import extract
from output.store.fields import FieldCache
from tests.conftest import EXAMPLES


def test_kept_fields_are_the_fields_found(tmp_path) -> None:
    cache = FieldCache(tmp_path, ocr=False)
    sources = [s for s in discover([EXAMPLES]) if s.format.value in ("docx", "xlsx", "pdf")][:6]
    assert len(sources) == 6
    with_fields = 0
    for source in sources:
        found = extract_fields(extract(source, ocr=False))
        with_fields += bool(found.fields)
        assert cache.get(source.sha256, found.version) is None
        assert cache.put(source.sha256, found)
        assert cache.get(source.sha256, found.version) == found
        assert cache.get(source.sha256, found.version + "x") is None  # other patterns: found again
        assert FieldCache(tmp_path, ocr=True).get(source.sha256, found.version) is None
    assert with_fields >= 3


def test_a_damaged_entry_is_a_miss(tmp_path) -> None:
    source = next(s for s in discover([EXAMPLES]) if s.format.value == "docx")
    found = extract_fields(extract(source, ocr=False))
    cache = FieldCache(tmp_path, ocr=False)
    cache.put(source.sha256, found)
    [entry] = (tmp_path / "fields").rglob("*.json")
    entry.write_bytes(b'{"fields": [{"id": 1}]')
    assert cache.get(source.sha256, found.version) is None
