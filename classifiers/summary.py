"""What the findings of one document add up to (the `Detection` summary).

`inconsistent` (a seal mark beside a 押印不要 note) is scoped to one form: the mark and the note must be on
the same sheet (xlsx/xls), the same page (PDF), or in the same document when it has neither (docx, where
the whole file is one form). A long guide that bundles several forms — one saying 押印は不要です, another
with a seal box — is therefore not flagged; its seal request and its note are both still reported.
"""

from __future__ import annotations

from classifiers import models as m

REQUEST_SCORE = 0.5
REQUEST_LABELS = (m.SEAL_MARK, m.SEAL_INSTRUCTION, m.SEAL_KIND)


def _counts(f: m.Finding) -> bool:
    """A finding of the form itself: not hidden, not a 記入例, not a comment (comments are not printed)."""
    return not f.hidden and not f.example and not f.comment and f.score >= REQUEST_SCORE


def scope(f: m.Finding) -> tuple:
    """The form a finding belongs to: its sheet, else its page, else the whole document."""
    if f.location.sheet is not None:
        return ("sheet", f.location.sheet)
    if f.location.page is not None:
        return ("page", f.location.page)
    return ("document",)


def _same_form_pair(marks: list[m.Finding], notes: list[m.Finding]) -> tuple[m.Finding, m.Finding] | None:
    """The first (mark, note) that sit in the same form, or None."""
    for mark in marks:
        for note in notes:
            if scope(note) == scope(mark):
                return mark, note
    return None


def summarise(findings: list[m.Finding], version: str) -> m.Detection:
    requests = [f for f in findings if f.label in REQUEST_LABELS and _counts(f)]
    example_requests = [f for f in findings if f.label in REQUEST_LABELS and f.example and not f.hidden
                        and f.score >= REQUEST_SCORE]
    comment_requests = [f for f in findings if f.label in REQUEST_LABELS and f.comment and not f.hidden
                        and f.score >= REQUEST_SCORE]
    notes = [f for f in findings if f.label == m.SEAL_NOT_REQUIRED and not f.hidden and not f.example
             and not f.comment]
    signatures = [f for f in findings if f.label == m.SIGNATURE and _counts(f)]
    seal_requested = bool(requests)
    marks = [f for f in requests if f.label == m.SEAL_MARK]
    pair = _same_form_pair(marks, notes)
    inconsistent = pair is not None
    all_findings = list(findings)
    if pair is not None:
        mark, note = pair
        kinds_here = sorted({f.text for f in requests if f.label == m.SEAL_KIND and scope(f) == scope(mark)})
        also = f"（同じ様式の押印の種類：{'、'.join(kinds_here)}）" if kinds_here else ""
        all_findings.append(m.Finding(
            rule_id="seal.inconsistent.v2", label=m.INCONSISTENT, text=mark.text, context=mark.context,
            location=mark.location, score=0.9,
            explanation=f"押印欄（{mark.text}：{mark.where}）と押印不要の注記（{note.text}：{note.where}）が"
                        f"同じ様式に併存している{also}",
            supporting=note.text, ocr=mark.ocr,
        ))
    kinds = [k for k in m.SEAL_KINDS if any(f.seal_kind == k for f in requests)]
    if seal_requested and not kinds:
        kinds = ["mitome"]
    ocr_only = seal_requested and all(f.ocr for f in requests)
    confidence = 1.0
    if inconsistent:
        confidence = 0.5
    if ocr_only:
        confidence = min(confidence, 0.4)
    if seal_requested and max(f.score for f in requests) < 0.8:
        confidence = min(confidence, 0.7)
    return m.Detection(
        findings=tuple(all_findings), seal_requested=seal_requested, seal_kinds=tuple(kinds),
        signature_required=bool(signatures), seal_not_required_note=bool(notes),
        inconsistent=inconsistent, ocr_only=ocr_only,
        example_only=not seal_requested and bool(example_requests),
        comment_only=not seal_requested and bool(comment_requests),
        confidence=confidence, patterns_version=version,
    )
