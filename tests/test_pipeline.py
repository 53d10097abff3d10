"""The per-file pipeline without Prefect: every stage composed, bad files become rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.discover import discover
from output.pipeline.steps import PipelineOptions, process_batch

pytestmark = pytest.mark.ginza


@pytest.fixture(scope="module")
def options(tmp_path_factory) -> PipelineOptions:
    return PipelineOptions(as_of="2024-04-01", work_dir=str(tmp_path_factory.mktemp("work")))


def test_bad_files_become_error_rows_and_the_batch_finishes(tmp_path: Path, options, examples_dir: Path) -> None:
    good = examples_dir / "総務企画局" / "契約課" / "入札書.pdf"
    (tmp_path / "a_empty.pdf").write_bytes(b"")
    (tmp_path / "b_corrupt.docx").write_bytes(b"PK\x03\x04 this is not a real zip")
    (tmp_path / "c_truncated.pdf").write_bytes(good.read_bytes()[:300])
    (tmp_path / "d_good.pdf").write_bytes(good.read_bytes())
    rows = {r.path: r for r in process_batch(discover([tmp_path]), options)}
    assert list(rows) == ["a_empty.pdf", "b_corrupt.docx", "c_truncated.pdf", "d_good.pdf"]
    for name in ("a_empty.pdf", "b_corrupt.docx", "c_truncated.pdf"):
        row = rows[name]
        assert row.decision == "error", (name, row.reason)
        assert row.error and row.reason  # Japanese reason
        assert row.seal_requested is None and row.signature_required is None
    assert "空" in rows["a_empty.pdf"].error
    assert rows["d_good.pdf"].decision == "keep_contract"
    assert rows["d_good.pdf"].seal_requested is True


def test_row_carries_versions_and_evidence(options, examples_dir: Path) -> None:
    [row] = process_batch(discover([examples_dir / "経済労働局" / "産業振興部"]), options)
    assert row.department is None  # the input folder itself has no 局/課 above the file
    assert row.decision == "abolish" and row.replacement == "kimei"
    assert row.reiki_kaisei is True
    assert {"pipeline", "extractor", "as_of"} <= set(row.versions)
    assert row.versions["as_of"] == "2024-04-01"
    assert any(e["rule"].startswith("seal.") for e in row.evidence)
    assert all(e["location"] for e in row.evidence)


def test_as_of_changes_the_marriage_form(tmp_path: Path, examples_dir: Path) -> None:
    folder = examples_dir / "市民文化局" / "戸籍住民サービス部"
    before = process_batch(discover([folder]), PipelineOptions(as_of="2021-04-01"))[0]
    after = process_batch(discover([folder]), PipelineOptions(as_of="2021-09-01"))[0]
    assert before.decision == "keep_law", before.reason
    assert (after.decision, after.replacement) == ("abolish", "shomei"), after.reason


def test_reviewers_corrected_basis_feeds_the_decision(examples_dir: Path) -> None:
    folder = examples_dir / "健康福祉局" / "生活衛生課"
    [plain] = process_batch(discover([folder]), PipelineOptions(as_of="2024-04-01"))
    assert plain.decision == "abolish"
    # a national rule the catalogue does not know (fictional): the corrected basis sends the form to review
    corrected = PipelineOptions(as_of="2024-04-01", corrected_basis=((plain.path, "架空資源保全法施行規則第10条"),))
    [row] = process_batch(discover([folder]), corrected)
    assert row.decision == "needs_review", row.reason
    assert "架空資源保全法施行規則" in row.reason
    assert any("架空資源保全法施行規則" in b["citation"] for b in row.legal_basis)
    # a national rule the catalogue knows: decided by its period on the as-of date
    known = PipelineOptions(as_of="2021-04-01", corrected_basis=((plain.path, "農地法施行規則第10条"),))
    [row] = process_batch(discover([folder]), known)
    assert row.decision == "needs_review" and "law.nochi" in row.reason, row.reason  # 2020-12-21〜2022-03-31


def test_corrected_basis_with_the_citys_own_ordinance_rule(examples_dir: Path) -> None:
    """Regression: a city's 条例施行規則 was read as a national 施行規則 and sent an abolishable form to review."""
    folder = examples_dir / "健康福祉局" / "生活衛生課"
    [plain] = process_batch(discover([folder]), PipelineOptions(as_of="2024-04-01"))
    corrected = PipelineOptions(as_of="2024-04-01", corrected_basis=((plain.path, "川崎市介護保険条例施行規則第5条"),))
    [row] = process_batch(discover([folder]), corrected)
    assert (row.decision, row.replacement, row.reiki_kaisei) == ("abolish", "kimei", True), row.reason
    assert {"citation": "川崎市介護保険条例施行規則第5条", "level": "municipal", "kind": "規則"} in row.legal_basis


def _worker_gc_state() -> tuple[tuple[int, int, int], int]:
    import gc

    return gc.get_threshold(), gc.get_freeze_count()


def test_workers_start_with_the_model_frozen_out_of_the_gc() -> None:
    """The process pool's initializer loads GiNZA, then freezes it and raises the GC threshold (output/pipeline/steps.py)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from output.pipeline.steps import WORKER_GC_THRESHOLD, warm_worker

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=warm_worker) as pool:
        threshold, frozen = pool.submit(_worker_gc_state).result(timeout=300)
    assert threshold == WORKER_GC_THRESHOLD
    assert frozen > 50_000  # the modules and the model's Python objects
