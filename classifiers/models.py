"""What detection finds: immutable findings with their rule id, text, location and score."""

from __future__ import annotations

from dataclasses import dataclass

from extractors.models import Location

# Finding labels.
SEAL_MARK = "SEAL_MARK"  # 印 / ㊞ / (印) / ○印 by a name field
SEAL_INSTRUCTION = "SEAL_INSTRUCTION"  # 押印してください, 記名押印, 捺印 …
SEAL_KIND = "SEAL_KIND"  # 実印, 代表者印, 届出印 … (says which seal)
SEAL_NOT_REQUIRED = "SEAL_NOT_REQUIRED"  # 押印不要, 押印は任意 …
SIGNATURE = "SIGNATURE"  # 署名, 自署, ご署名, サイン …
SIGNATURE_NOT_REQUIRED = "SIGNATURE_NOT_REQUIRED"
OFFICE_BOX = "OFFICE_BOX"  # 受付印, 確認印 … (staff's box, not the applicant's)
ABOUT_OTHER_DOCUMENT = "ABOUT_OTHER_DOCUMENT"  # 委任状には押印が必要です, a checklist item: no request here
INCONSISTENT = "INCONSISTENT"  # a leftover mark beside a 押印不要 note

SEAL_KINDS = ("mitome", "jitsuin", "daihyo", "bank", "teisei", "sute", "keiin", "wariin")


@dataclass(frozen=True, slots=True)
class Finding:
    """One detection, explainable on its own (presidio's RecognizerResult + explanation)."""

    rule_id: str  # stable, versioned: `seal.mark.name_field.v1`
    label: str
    text: str  # the matched text
    context: str  # the line it was found in (shortened)
    location: Location
    score: float
    explanation: str  # why the score is what it is (Japanese)
    seal_kind: str | None = None
    supporting: str | None = None  # the context word that supported the finding (氏名 …)
    ocr: bool = False
    example: bool = False  # from a 記入例 / 見本 sheet
    hidden: bool = False  # from a hidden sheet
    comment: bool = False  # from a reviewer's comment (Word comments.xml, Excel cell note): not printed on the form

    @property
    def where(self) -> str:
        return self.location.describe()


@dataclass(frozen=True)
class Detection:
    """All findings for one document and what they add up to."""

    findings: tuple[Finding, ...] = ()
    seal_requested: bool = False
    seal_kinds: tuple[str, ...] = ()
    signature_required: bool = False
    seal_not_required_note: bool = False  # the form says 押印不要 / 押印は任意 somewhere
    inconsistent: bool = False  # a seal mark AND a 押印不要 note
    ocr_only: bool = False  # the seal request rests only on OCR text
    example_only: bool = False  # the seal request appears only in a 記入例 sheet
    comment_only: bool = False  # no request in the form, but a comment (not printed) mentions a seal
    ocr_name_pages: tuple[int, ...] = ()  # pages read by OCR that hold a name field (氏名, 代表者…)
    confidence: float = 1.0
    patterns_version: str = ""
