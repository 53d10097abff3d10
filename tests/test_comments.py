"""Word and Excel comments are a separate, flagged source: a reviewer's note is not printed on the form, so a seal
mentioned only there is evidence 「コメント（様式には印刷されない）」 and sends the form to review, never to a
request of the form by itself. Real files written by python-docx / openpyxl and read back by the extractors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from classifiers.engine import detect
from extractors.discover import describe_file
from extractors.registry import extract
from rules.engine import decide, load_context

pytestmark = pytest.mark.ginza
FLAG = "コメント（様式には印刷されない）"


@pytest.fixture(scope="module")
def ctx():
    return load_context(as_of=dt.date(2025, 4, 1))


def _docx(path: Path, body: list[str], comment: str) -> Path:
    import docx

    document = docx.Document()
    paragraphs = [document.add_paragraph(text) for text in body]
    document.add_comment(paragraphs[-1].runs, text=comment, author="審査担当", initials="審")
    document.save(path)
    return path


def _xlsx(path: Path, cells: dict[str, str], note_cell: str, note: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    wb = Workbook()
    ws = wb.active
    ws.title = "届出書"
    for ref, value in cells.items():
        ws[ref] = value
    ws[note_cell].comment = Comment(note, "審査担当")
    wb.save(path)
    return path


def _run(path: Path, ctx):
    document = extract(describe_file(path, path.parent))
    det = detect(document)
    return document, det, decide(document, det, rel_path=path.name, title=document.title or path.stem, ctx=ctx)


def test_word_comment_is_read_as_comment(tmp_path):
    path = _docx(tmp_path / "c.docx", ["住所変更届", "住所　　　　　", "氏名　　　　　"], "ここに押印欄を戻すか要検討")
    document = extract(describe_file(path, tmp_path))
    kinds = {b.location.kind for b in document.blocks if "押印欄" in b.text}
    assert kinds == {"comment"}


def test_seal_only_in_a_word_comment_is_reviewed_not_requested(tmp_path, ctx):
    path = _docx(tmp_path / "c.docx", ["住所変更届", "住所　　　　　", "氏名　　　　　"],
                 "申請者に実印を押してもらうこと")
    _, det, decision = _run(path, ctx)
    assert not det.seal_requested and det.comment_only
    assert all(f.comment for f in det.findings if f.label in ("SEAL_INSTRUCTION", "SEAL_KIND", "SEAL_MARK"))
    assert decision.decision == "needs_review" and decision.rule_id == "decide.review.comment_only.v1"
    assert "コメント" in decision.reason and "印刷されない" in decision.reason
    assert any(FLAG in e.location for e in decision.evidence)


def test_seal_only_in_an_excel_comment_is_reviewed(tmp_path, ctx):
    path = _xlsx(tmp_path / "c.xlsx", {"A1": "廃棄物処理届出書", "A3": "届出者氏名", "B3": ""}, "B3",
                 "旧様式では代表者印の押印欄がここにあった")
    _, det, decision = _run(path, ctx)
    assert not det.seal_requested and det.comment_only
    assert decision.rule_id == "decide.review.comment_only.v1"
    assert any(FLAG in e.location and "B3" in e.location for e in decision.evidence)


def test_comment_beside_a_real_seal_box_is_evidence_only(tmp_path, ctx):
    """The form asks for a seal; a comment saying 押印不要 is not the form's note: no 不整合, the seal stands."""
    path = _docx(tmp_path / "c.docx", ["補助金交付申請書", "申請者　氏名　　　　　　印"], "来年度から押印不要にする予定")
    _, det, decision = _run(path, ctx)
    assert det.seal_requested and not det.comment_only
    assert not det.inconsistent and not det.seal_not_required_note
    assert decision.rule_id != "decide.review.comment_only.v1"
    flagged = [e for e in decision.evidence if FLAG in e.location]
    assert flagged and all("不要" in e.text for e in flagged)


def test_form_without_any_seal_or_comment_stays_no_seal(tmp_path, ctx):
    path = _docx(tmp_path / "c.docx", ["住所変更届", "氏名　　　　　"], "記入欄の幅を広げること")
    _, det, decision = _run(path, ctx)
    assert not det.comment_only and decision.decision == "no_seal"
