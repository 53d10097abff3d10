"""The draft cache: an unchanged `abolish` form gets the same draft and edit list without being edited again;
a changed form, another replacement, a new reviser version or a damaged entry drafts again; failures that may
pass are not cached. No Prefect."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import output.pipeline.steps as pipeline
import output.store.drafts as draft_cache
from extractors.discover import discover
from output.pipeline.steps import PipelineOptions, process_file
from output.revised import NOTE_CONVERT, RevisionResult
from output.store.drafts import DraftCache

HOJOKIN = "経済労働局/産業振興部/中小企業補助金交付申請書.docx"
SEIYAKU = "健康福祉局/障害福祉課/誓約書.xlsx"
pytestmark = [pytest.mark.ginza]


def copy_in(tmp_path: Path, examples_dir: Path, rel: str):
    target = tmp_path / "in" / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((examples_dir / rel).read_bytes())
    return next(s for s in discover([tmp_path / "in"]) if s.rel_path == rel)


def options(tmp_path: Path) -> PipelineOptions:
    out = tmp_path / "out"
    return PipelineOptions(as_of="2024-04-01", out_dir=str(out), cache_dir=str(out / "cache"),
                           work_dir=str(out / "work"))


def no_revise(*_args, **_kwargs):
    raise AssertionError("the form was edited again")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("rel", [HOJOKIN, SEIYAKU])
def test_unchanged_form_reuses_its_draft(tmp_path, examples_dir, monkeypatch, rel) -> None:
    source = copy_in(tmp_path, examples_dir, rel)
    opts = options(tmp_path)
    first = process_file(source, opts)
    assert first.decision == "abolish" and first.revised_path and first.revisions
    draft = Path(opts.out_dir) / first.revised_path
    written = digest(draft)
    draft.unlink()  # settle_drafts moves drafts out of the staging folder: the next run must put it back
    monkeypatch.setattr(pipeline, "revise", no_revise)
    again = process_file(source, opts)
    assert again.to_json() == first.to_json()
    assert digest(Path(opts.out_dir) / again.revised_path) == written


def test_other_replacement_or_version_or_bytes_drafts_again(tmp_path, examples_dir, monkeypatch) -> None:
    source = copy_in(tmp_path, examples_dir, HOJOKIN)
    opts = options(tmp_path)
    first = process_file(source, opts)
    cache = DraftCache(opts.cache_dir)
    out = Path(opts.out_dir) / "elsewhere"
    assert cache.get(source.sha256, first.replacement, rel_path=source.rel_path, out_dir=out) is not None
    assert cache.get(source.sha256, "shomei", rel_path=source.rel_path, out_dir=out) is None
    assert cache.get("0" * 64, first.replacement, rel_path=source.rel_path, out_dir=out) is None
    monkeypatch.setattr(draft_cache, "REVISER_VERSION", "9.9.9")
    assert cache.get(source.sha256, first.replacement, rel_path=source.rel_path, out_dir=out) is None


def test_damaged_entry_is_a_miss_and_is_rewritten(tmp_path, examples_dir) -> None:
    source = copy_in(tmp_path, examples_dir, HOJOKIN)
    opts = options(tmp_path)
    first = process_file(source, opts)
    entries = list((Path(opts.cache_dir) / "drafts").rglob("*.json"))
    assert len(entries) == 1
    entries[0].write_text("{not json", encoding="utf-8")
    again = process_file(source, opts)
    assert again.revisions == first.revisions and again.revised_path == first.revised_path
    assert entries[0].read_text(encoding="utf-8").startswith("{\"format\"")  # drafted again and stored again


def test_failures_worth_retrying_are_not_cached(tmp_path) -> None:
    cache = DraftCache(tmp_path / "cache")
    failed = RevisionResult(None, [], NOTE_CONVERT, retry=True)
    assert cache.put("a" * 64, "kimei", failed) is False
    assert cache.get("a" * 64, "kimei", rel_path="x.doc", out_dir=tmp_path / "staging") is None
    none_found = RevisionResult(None, [], "場所なし")
    assert cache.put("b" * 64, "kimei", none_found) is True
    got = cache.get("b" * 64, "kimei", rel_path="x.docx", out_dir=tmp_path / "staging")
    assert got == none_found
