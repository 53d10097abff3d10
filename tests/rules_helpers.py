"""Builders for rule tests: Documents and Detections made directly (no extractor, no GiNZA)."""

from __future__ import annotations

from classifiers.models import SEAL_KIND, SEAL_MARK, SIGNATURE, Detection, Finding
from extractors.models import Document, InputFormat, Location, Status, TextBlock


def doc(*lines: str, status: Status = Status.OK, errors: tuple[str, ...] = ()) -> Document:
    blocks = tuple(TextBlock(text, Location(kind="body", paragraph=i + 1)) for i, text in enumerate(lines))
    return Document(format=InputFormat.DOCX, blocks=blocks, status=status, errors=errors, title=lines[0] if lines else "")


def finding(label: str, text: str, *, kind: str | None = None, paragraph: int = 5) -> Finding:
    return Finding(rule_id=f"test.{label.lower()}.v1", label=label, text=text, context=text,
                   location=Location(kind="table", table=1, row=paragraph, col=3), score=0.9,
                   explanation="テスト", seal_kind=kind)


def seal(*kinds: str, signature: bool = False, **flags) -> Detection:
    findings = [finding(SEAL_MARK, "印")] + [finding(SEAL_KIND, k, kind=k) for k in kinds]
    if signature:
        findings.append(finding(SIGNATURE, "署名"))
    return Detection(findings=tuple(findings), seal_requested=True, seal_kinds=tuple(kinds) or ("mitome",),
                     signature_required=signature, confidence=flags.pop("confidence", 0.9), **flags)


def no_seal(*, signature: bool = False) -> Detection:
    findings = (finding(SIGNATURE, "署名"),) if signature else ()
    return Detection(findings=findings, seal_requested=False, signature_required=signature)
