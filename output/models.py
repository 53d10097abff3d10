"""One register row per input file: the contract of register-spec.md, plus our extensions."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from rules.confidence import confidence_level


@dataclass
class RegisterRow:
    # register-spec.md fields (never rename or remove)
    path: str
    sha256: str
    format: str
    title: str
    department: str | None
    seal_requested: bool | None
    seal_kinds: list[str]
    signature_required: bool | None
    legal_basis: list[dict]  # [{citation, level}]
    decision: str
    replacement: str | None
    reason: str
    evidence: list[dict]  # [{text, location, rule}]
    confidence: float
    error: str | None
    reviewed: bool = False
    # extensions (optional fields, allowed by the spec)
    rule_id: str = ""
    document_class: str | None = None
    basis_category: str = "なし"
    reiki_kaisei: bool = False
    machine_decision: str | None = None  # the machine's own decision when a reviewer overrode it
    reviewer_comment: str | None = None
    review_note: str | None = None  # e.g. the file changed after the correction
    review_decision: str | None = None  # the reviewer's decision code (DECISIONS key) when one is applied
    corrected_basis: str | None = None  # 根拠法令（修正）: the reviewer's corrected legal basis, as written
    reviewer: str | None = None  # who made the correction, when given
    input_root: str = ""
    warnings: list[str] = field(default_factory=list)
    versions: dict = field(default_factory=dict)
    revised_path: str | None = None  # the revised draft under OUT_DIR/revised/ (abolish only)
    revisions: list[dict] = field(default_factory=list)  # [{location, before, after}] edits in the draft
    machine_replacement: str | None = None  # the machine's own replacement (kept when a reviewer overrides)
    evidence_image: str | None = None  # picture of the pictured finding, under OUT_DIR/evidence/ (relative)
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR (a scan: check the original)
    run_id: str = ""  # the run that wrote this row (the same id in register.jsonl and on sheet 集計)
    form_numbers: list[str] = field(default_factory=list)  # 様式番号: 様式第3号(第5条関係) … (not a legal basis)
    online: dict | None = None  # オンライン化: {class, label, reason, rule, identity_documents} (rules/online.py)
    eform_path: str | None = None  # the e-form JSON under OUT_DIR/eforms/ (its HTML preview beside it)
    eform_note: str | None = None  # why the form has no e-form (unreadable, scanned, no fields)

    def to_json(self) -> dict:
        """The row as a JSON-ready dict. Shallow on purpose: every caller serialises it at once, and
        `dataclasses.asdict`'s deep copy cost seconds per 4,508 rows (called for jsonl, state, checkpoint)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["confidence_level"] = confidence_level(self.rule_id, float(self.confidence))  # derived, not stored
        return data
