"""What the findings of one document add up to (the `Detection` summary)."""

from __future__ import annotations

from classifiers import models as m

REQUEST_SCORE = 0.5
REQUEST_LABELS = (m.SEAL_MARK, m.SEAL_INSTRUCTION, m.SEAL_KIND)


def _counts(f: m.Finding) -> bool:
    return not f.hidden and not f.example and f.score >= REQUEST_SCORE


def summarise(findings: list[m.Finding], version: str) -> m.Detection:
    requests = [f for f in findings if f.label in REQUEST_LABELS and _counts(f)]
    example_requests = [f for f in findings if f.label in REQUEST_LABELS and f.example and not f.hidden
                        and f.score >= REQUEST_SCORE]
    notes = [f for f in findings if f.label == m.SEAL_NOT_REQUIRED and not f.hidden and not f.example]
    signatures = [f for f in findings if f.label == m.SIGNATURE and _counts(f)]
    seal_requested = bool(requests)
    marks = [f for f in requests if f.label == m.SEAL_MARK]
    inconsistent = bool(marks and notes)
    all_findings = list(findings)
    if inconsistent:
        mark, note = marks[0], notes[0]
        all_findings.append(m.Finding(
            rule_id="seal.inconsistent.v1", label=m.INCONSISTENT, text=mark.text, context=mark.context,
            location=mark.location, score=0.9,
            explanation=f"押印欄（{mark.text}：{mark.where}）と押印不要の注記（{note.text}：{note.where}）が併存している",
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
        confidence=confidence, patterns_version=version,
    )
