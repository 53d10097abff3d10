"""One register row per input file: the contract of register-spec.md, plus our extensions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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
    input_root: str = ""
    warnings: list[str] = field(default_factory=list)
    versions: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)
