"""Decided rows kept per file (output/store/decided.py, output/decided_rows.py): an unchanged file under unchanged
rules gets back the row deciding it again would give, and every input of a decision is in the key — an edited
policy, catalogue, manifest, reviewers' 根拠法令 or as-of date decides again and changes the rows it should.
E-forms and drafts that did not change are not written again (same inode and mtime). Real files, no Prefect."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from extractors.discover import discover
from output.decided_rows import DecidedRows
from output.pipeline.steps import PipelineOptions, rule_context
from output.register import write_run
from output.store.analysis import cache_dir_of
from output.store.decided import context_digest
from rules.policy import POLICY_DIR
from tests.conftest import EXAMPLES

pytestmark = [pytest.mark.ginza]
RUN_INFO = {"as_of": "2025-04-01", "versions": {}, "inputs": [], "started": "2025-04-01T09:00:00+09:00",
            "finished": "2025-04-01T09:10:00+09:00"}


def comparable(row) -> dict:
    return row.to_json()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("forms") / "forms"
    shutil.copytree(EXAMPLES, root)
    return root


def options_for(out: Path, **changes) -> PipelineOptions:
    base = PipelineOptions(as_of="2025-04-01", ocr=False, work_dir=str(out / ".work"), out_dir=str(out),
                           cache_dir=str(cache_dir_of(out)))
    return replace(base, **changes)


def decide_all(corpus: Path, options: PipelineOptions) -> tuple[DecidedRows, list]:
    sources = discover([corpus])
    decided = DecidedRows(options, sources)
    return decided, decided.rows(sources)


@pytest.fixture(scope="module")
def first(corpus: Path, tmp_path_factory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("out")
    decided, rows = decide_all(corpus, options_for(out))
    assert decided.kept == 0 and decided.decided == len(rows) == 22
    write_run(rows, out, run_info=RUN_INFO, args={"command": "scan"})
    return out, rows


def test_an_unchanged_run_gets_the_rows_back_without_deciding(corpus: Path, first) -> None:
    out, rows = first
    decided, again = decide_all(corpus, options_for(out))
    assert decided.decided <= 2  # only rows that are never kept (an unreadable file's transient failure)
    assert decided.kept >= 20
    by_path = {r.path: r for r in again}
    for row in rows:
        kept = by_path[row.path]
        assert (kept.decision, kept.replacement, kept.reason, kept.evidence, kept.legal_basis, kept.online,
                kept.revisions, kept.warnings) == (row.decision, row.replacement, row.reason, row.evidence,
                                                     row.legal_basis, row.online, row.revisions, row.warnings)


def test_the_output_folder_spelled_relative_gets_the_same_rows_back(corpus: Path, first, monkeypatch) -> None:
    """`--out out` after `--out /abs/out` (found by bench/bench_scale.py: a re-audit typed by hand decided all 4,508
    rows again): the rows hold their e-form and draft paths relative to the output folder, so they are the same."""
    out, _rows = first
    _decided, absolute = decide_all(corpus, options_for(out))
    monkeypatch.chdir(out.parent)
    decided, relative = decide_all(corpus, options_for(Path(out.name)))
    assert decided.decided <= 2 and decided.kept >= 20
    assert [r.to_json() for r in relative] == [r.to_json() for r in absolute]
    other = out.parent / f"{out.name}-other"  # another folder is another key
    assert DecidedRows(options_for(other), []).context != DecidedRows(options_for(out), []).context


def test_unchanged_eforms_and_drafts_are_not_written_again(corpus: Path, first) -> None:
    out, _rows = first
    outputs = sorted(p for p in [*(out / "eforms").rglob("*"), *(out / "revised").rglob("*")] if p.is_file())
    assert any(p.suffix == ".html" for p in outputs) and any("revised" in p.parts for p in outputs)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in outputs}
    decided, rows = decide_all(corpus, options_for(out))
    shown, _paths = write_run(rows, out, run_info=RUN_INFO, args={"command": "reaudit"})
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in outputs} == before
    assert all(r.eform_path is None or (out / r.eform_path).is_file() for r in shown)
    assert all(r.revised_path is None or (out / r.revised_path).is_file() for r in shown)


def test_a_changed_eform_or_draft_on_disk_is_written_again(corpus: Path, first) -> None:
    out, _rows = first
    eform = next((out / "eforms").rglob("*.json"))
    draft = next(p for p in (out / "revised").rglob("*") if p.is_file())
    right_eform, right_draft = eform.read_bytes(), draft.read_bytes()
    eform.write_text('{"schema": "edited by hand"}', encoding="utf-8")
    draft.write_bytes(b"not the draft")
    _decided, rows = decide_all(corpus, options_for(out))
    write_run(rows, out, run_info=RUN_INFO, args={"command": "reaudit"})
    assert eform.read_bytes() == right_eform
    assert draft.read_bytes() == right_draft


def test_an_edited_policy_decides_again_and_changes_the_replacement(corpus: Path, first, tmp_path: Path) -> None:
    out, rows = first
    policy = tmp_path / "policy.yaml"
    shutil.copyfile(POLICY_DIR / "default.yaml", policy)
    _decided, before = decide_all(corpus, options_for(out, policy=str(policy)))
    assert [r.replacement for r in before] == [r.replacement for r in rows]
    text = policy.read_text(encoding="utf-8")
    assert "default_replacement: kimei" in text
    policy.write_text(text.replace("default_replacement: kimei", "default_replacement: shomei"), encoding="utf-8")
    # no cache to clear: rule_context keys its parsed data on the rule files' bytes (rules/files.py)
    decided, after = decide_all(corpus, options_for(out, policy=str(policy)))
    assert decided.kept == 0
    moved = [(a.path, a.replacement, b.replacement) for a, b in zip(before, after, strict=True)
             if a.replacement != b.replacement]
    assert moved and all(new == "shomei" for _path, _old, new in moved)


def test_reviewers_basis_as_of_and_manifest_are_in_the_key(corpus: Path, first, tmp_path: Path) -> None:
    out, rows = first
    target = next(r for r in rows if r.decision == "abolish")
    corrected = ((target.path, "戸籍法第29条"),)
    decided, after = decide_all(corpus, options_for(out, corrected_basis=corrected))
    assert decided.kept == 0
    row = next(r for r in after if r.path == target.path)
    assert any("戸籍法" in b.get("citation", "") for b in row.legal_basis)
    assert (row.decision, row.reason) != (target.decision, target.reason)
    decided, _rows = decide_all(corpus, options_for(out, as_of="2019-04-01"))
    assert decided.kept == 0
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("ファイル,様式名,根拠法令,所管\n", encoding="utf-8")
    decided, _rows = decide_all(corpus, options_for(out, manifest=str(manifest)))
    assert decided.decided == 22
    decided, _rows = decide_all(corpus, options_for(out, manifest=str(manifest)))
    assert decided.kept >= 20
    manifest.write_text(f"ファイル,様式名,根拠法令,所管\n{target.path},,戸籍法第29条,別の課\n", encoding="utf-8")
    # no cache to clear: rule_context keys its parsed data on the manifest's bytes (rules/files.py)
    decided, after = decide_all(corpus, options_for(out, manifest=str(manifest)))
    assert decided.kept == 0
    assert next(r for r in after if r.path == target.path).department == "別の課"


def test_the_catalogue_in_use_is_in_the_key(tmp_path: Path) -> None:
    """The decision's catalogue files are hashed by their bytes: an edited copy is another context."""
    ctx = rule_context(PipelineOptions(as_of="2025-04-01"))
    copies = []
    for i, name in enumerate(ctx.catalogue.files):
        copy = tmp_path / f"{i}-{Path(name).name}"
        shutil.copyfile(name, copy)
        copies.append(str(copy))
    key = context_digest(options=(), rule_files=tuple(copies), as_of="2025-04-01")
    assert key == context_digest(options=(), rule_files=tuple(copies), as_of="2025-04-01")
    Path(copies[0]).write_text(Path(copies[0]).read_text(encoding="utf-8") + "\n# 改正\n", encoding="utf-8")
    assert context_digest(options=(), rule_files=tuple(copies), as_of="2025-04-01") != key
    decided = DecidedRows(PipelineOptions(as_of="2025-04-01", cache_dir=str(tmp_path / "c"), out_dir=str(tmp_path)), [])
    assert decided.context != DecidedRows(PipelineOptions(as_of="2025-04-02", cache_dir=str(tmp_path / "c"),
                                                          out_dir=str(tmp_path)), []).context


def test_files_to_decide_again_are_decided_in_processes_with_the_same_rows(corpus: Path, first, monkeypatch) -> None:
    """A new as-of date decides every file again: in two child processes, giving the rows one process gives."""
    import output.decided_rows as decided_rows

    out, _rows = first
    monkeypatch.setattr(decided_rows, "PARALLEL_MIN", 4)
    sources = discover([corpus])
    alone = DecidedRows(options_for(out, as_of="2021-04-01", cache_dir=str(out / "c1")), sources)
    serial = alone.rows(sources)
    pooled = DecidedRows(options_for(out, as_of="2021-04-01", cache_dir=str(out / "c2")), sources, workers=2)
    parallel = pooled.rows(sources)
    assert pooled._pool is not None and pooled.decided == len(sources)
    assert [r.to_json() for r in parallel] == [r.to_json() for r in serial]
    again = DecidedRows(options_for(out, as_of="2021-04-01", cache_dir=str(out / "c2")), sources, workers=2)
    assert [r.decision for r in again.rows(sources)] == [r.decision for r in serial]
    assert again.kept >= 20 and again._pool is None  # what the children decided was kept


def test_rows_looked_up_ahead_are_the_rows_and_a_file_changed_since_is_decided_again(tmp_path: Path) -> None:
    """A re-audit looks the kept rows up while its API server boots (look_ahead); `rows` hands them over, except
    for a file written after the look-up, which is decided again (and flagged) as before."""
    forms = tmp_path / "forms"
    shutil.copytree(EXAMPLES, forms)
    out = tmp_path / "out"
    _decided, rows = decide_all(forms, options_for(out))
    write_run(rows, out, run_info=RUN_INFO, args={"command": "scan"})
    sources = discover([forms])
    plain = DecidedRows(options_for(out), sources).rows(sources)
    ahead = DecidedRows(options_for(out), sources)
    found = ahead.look_ahead(sources)
    assert found >= 20 and sum(ahead.found_ahead(s) for s in sources) == found
    changed = next(s for s in sources if ahead.found_ahead(s) and s.format.value == "docx")
    with changed.path.open("ab") as fh:  # written after the look-up
        fh.write(b"\0")
    again = ahead.rows(sources)
    assert ahead.kept == found - 1
    for row, same in zip(again, plain, strict=True):
        if row.path == changed.rel_path:
            assert row.rule_id == "decide.changed_during_scan.v1" and row.decision == "needs_review"
        else:
            assert comparable(row) == comparable(same)
