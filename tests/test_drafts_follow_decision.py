"""OUT_DIR/revised/ follows the FINAL decision (issue 10 「Forms decided otherwise get no draft」).

The workers' step (`output.pipeline.steps.add_draft`, no GiNZA needed) drafts the machine's abolish rows into the
staging folder; `write_run` applies the reviewers' corrections and settles the drafts. Real .docx forms.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document as Docx

from extractors.discover import describe_file
from output.corrections import import_corrections
from output.models import RegisterRow
from output.pipeline.steps import PipelineOptions, add_draft
from output.register import write_run
from output.revised.placement import STAGING, root_labels
from output.store.state import Correction, StateStore
from tests.fixtures.revised_forms import make_docx
from tests.test_corrections import review
from tests.test_output_register import RUN_INFO
from tests.test_output_rows import make_row

SEALED = {"paragraphs": ["補助金交付申請書", "上記のとおり申請します。"], "table": [["氏名", "", "印"]]}


def form(root: Path, rel: str, title: str = "補助金交付申請書") -> Path:
    return make_docx(root / rel, **{**SEALED, "paragraphs": [title, "上記のとおり申請します。"]})


def machine_run(root: Path, out: Path, decisions: dict[str, str], **extra) -> list[RegisterRow]:
    """What the workers hand to write_run: one row per form, abolish rows drafted (like process_file)."""
    options = PipelineOptions(out_dir=str(out))
    rows = []
    for rel, decision in decisions.items():
        source = describe_file(root / rel, root)
        row = make_row(1, path=source.rel_path, sha256=source.sha256, input_root=str(root), decision=decision,
                       replacement="kimei" if decision == "abolish" else None, **extra.get(rel, {}))
        rows.append(add_draft(source, None, row, options) if decision == "abolish" else row)  # type: ignore[arg-type]
    return rows


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def draft_text(path: Path) -> list[str]:
    doc = Docx(str(path))
    return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]


def correct(out: Path, row: RegisterRow, decision: str, **kw) -> None:
    with StateStore(out) as store:
        store.add_corrections([Correction(row.sha256, row.path, decision=decision, **kw)])


A, B, C = "総務局/総務課/申請書A.docx", "総務局/総務課/申請書B.docx", "健康福祉局/障害福祉課/誓約書C.docx"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "forms"
    for rel in (A, B, C):
        form(root, rel)
    return root


def test_machine_abolish_drafts_land_in_revised_with_a_relative_path(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows, _ = write_run(machine_run(root, out, {A: "abolish", B: "abolish", C: "no_seal"}), out, run_info=RUN_INFO)
    assert [r.revised_path for r in rows] == [f"revised/{A}", f"revised/{B}", None]
    assert files_under(out / "revised") == {A, B}
    assert not (out / STAGING).exists()  # the staging folder is emptied
    assert "氏名" in draft_text(out / rows[0].revised_path) and "印" not in draft_text(out / rows[0].revised_path)
    assert rows[0].revisions == [{"location": "表1 1行3列", "before": "印", "after": ""}]


def test_drafts_are_staged_in_one_folder_per_input_folder(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows = machine_run(root, out, {A: "abolish", B: "abolish", C: "abolish"})
    staged = [out / r.revised_path for r in rows]
    assert all(p.is_file() and p.suffix == ".docx" for p in staged) and len(set(staged)) == 3
    assert len({p.parent for p in staged}) == 1  # no folder per file (nor its 局/課 folders) to remove later
    assert len([p for p in (out / STAGING).rglob("*") if p.is_dir()]) == 2  # <input folder key>/revised
    settled, _ = write_run(rows, out, run_info=RUN_INFO)
    assert [r.revised_path for r in settled] == [f"revised/{A}", f"revised/{B}", f"revised/{C}"]
    assert not (out / STAGING).exists()


def test_reviewer_away_from_abolish_and_stale_correction_leave_no_draft(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first, _ = write_run(machine_run(root, out, {A: "abolish", B: "abolish"}), out, run_info=RUN_INFO)
    correct(out, first[0], "keep_law", comment="条例で必要")
    correct(out, first[1], "abolish")  # reviewed as abolish, then the file is edited: the correction is stale
    form(root, B, title="補助金交付申請書（改）")
    rows, _ = write_run(machine_run(root, out, {A: "abolish", B: "abolish"}), out, run_info=RUN_INFO)
    a, b = rows
    assert (a.decision, a.machine_decision, a.revised_path, a.revisions) == ("keep_law", "abolish", None, [])
    assert (b.decision, b.revised_path, b.revisions) == ("needs_review", None, [])
    assert "ファイルが変更された" in (b.review_note or "")
    assert files_under(out / "revised") == set()
    assert a.reason.startswith("レビューにより「存続（法令等）」と判定（機械判定: 廃止）。法令上の押印義務がない")


@pytest.mark.parametrize(("extra", "replacement", "name_after"), [
    ({}, "kimei", "氏名"),
    ({"document_class": "誓約書"}, "shomei", "氏名（自署）"),  # the policy's shomei class
    ({"signature_required": True}, "shomei", "氏名（自署）"),  # the form already asks for a signature
])
def test_reviewer_to_abolish_gets_a_draft_with_the_policys_replacement(
        root: Path, tmp_path: Path, extra: dict, replacement: str, name_after: str) -> None:
    out = tmp_path / "out"
    first, _ = write_run(machine_run(root, out, {C: "needs_review"}, **{C: extra}), out, run_info=RUN_INFO)
    assert first[0].revised_path is None and files_under(out / "revised") == set()
    correct(out, first[0], "abolish")
    [row], _ = write_run(machine_run(root, out, {C: "needs_review"}, **{C: extra}), out, run_info=RUN_INFO)
    assert (row.decision, row.replacement, row.revised_path) == ("abolish", replacement, f"revised/{C}")
    assert row.reason.startswith("レビューにより「廃止」と判定（機械判定: 要確認）。")
    assert files_under(out / "revised") == {C}
    assert name_after in draft_text(out / row.revised_path) and "印" not in draft_text(out / row.revised_path)
    assert {"location": "表1 1行3列", "before": "印", "after": ""} in row.revisions


def test_reaudit_leaving_abolish_removes_the_old_draft_and_stray_files(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(machine_run(root, out, {A: "abolish", B: "abolish"}), out, run_info=RUN_INFO)
    stray = out / "revised" / "廃止された課" / "古い様式.docx"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"old")
    rows, _ = write_run(machine_run(root, out, {A: "no_seal", B: "abolish"}), out, run_info=RUN_INFO)
    assert [r.revised_path for r in rows] == [None, f"revised/{B}"]
    assert files_under(out / "revised") == {B}  # every file in revised/ is a draft an abolish row points to
    assert not (out / "revised" / "廃止された課").exists()  # empty folders go too


def test_two_input_folders_with_the_same_relative_path(tmp_path: Path) -> None:
    """a/総務局/課/申請書.docx and b/総務局/課/申請書.docx: one draft each, and a review of both imports."""
    rel = "総務局/課/申請書.docx"
    roots = [form(tmp_path / name, rel, title=f"{name} の申請書").parents[2] for name in ("a", "b")]
    out = tmp_path / "out"
    machine = [*machine_run(roots[0], out, {rel: "abolish"}), *machine_run(roots[1], out, {rel: "abolish"})]
    rows, paths = write_run(machine, out, run_info=RUN_INFO)
    assert [r.revised_path for r in rows] == [f"revised/a/{rel}", f"revised/b/{rel}"]
    assert files_under(out / "revised") == {f"a/{rel}", f"b/{rel}"}
    assert draft_text(out / rows[0].revised_path)[0] == "a の申請書"
    assert draft_text(out / rows[1].revised_path)[0] == "b の申請書"

    sent = review(paths["xlsx"], tmp_path / "reviewed.xlsx", {(2, "レビュー判定"): "存続（法令等）",
                                                              (3, "レビュー者コメント"): "確認済み"})
    report = import_corrections(sent, out)
    assert report.ok and report.applied == 2, report.errors
    with StateStore(out) as store:
        assert {c.input_root for c in store.corrections().values()} == {str(r) for r in roots}
    machine = [*machine_run(roots[0], out, {rel: "abolish"}), *machine_run(roots[1], out, {rel: "abolish"})]
    again, _ = write_run(machine, out, run_info=RUN_INFO)
    assert [(r.decision, r.reviewed, r.review_note) for r in again] == [("keep_law", True, None),
                                                                        ("abolish", True, None)]
    assert again[1].reviewer_comment == "確認済み" and again[0].revised_path is None
    assert files_under(out / "revised") == {f"b/{rel}"}


def test_root_labels_are_the_folder_names_made_unique() -> None:
    assert root_labels(["/data/forms"]) == {"/data/forms": ""}
    assert root_labels(["/x/forms", "/y/forms", "/z/old"]) == {"/x/forms": "forms", "/y/forms": "forms-2",
                                                                "/z/old": "old"}


def test_reviewer_abolished_pdf_gets_its_edit_list_and_no_file(tmp_path: Path) -> None:
    from output.revised import NOTE_PDF
    from tests.conftest import EXAMPLES

    rel = "市民文化局/地域安全推進課/暴力団排除に関する誓約書.pdf"
    root = tmp_path / "forms"
    (root / rel).parent.mkdir(parents=True)
    (root / rel).write_bytes((EXAMPLES / rel).read_bytes())
    out = tmp_path / "out"
    source = describe_file(root / rel, root)
    machine = make_row(1, path=rel, sha256=source.sha256, format="pdf", input_root=str(root), decision="needs_review",
                       replacement=None, document_class="誓約書")
    correct(out, machine, "abolish")
    [row], _ = write_run([machine], out, run_info=RUN_INFO)
    assert (row.decision, row.replacement, row.revised_path) == ("abolish", "shomei", None)
    assert row.revisions == [{"location": "p.1 6行目", "before": "氏名 (印)", "after": "氏名（自署）"}]
    assert NOTE_PDF in row.warnings and files_under(out / "revised") == set()
