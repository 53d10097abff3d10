"""What the decision steps look at: the rule data (`RuleContext`) and one form (`Form`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from classifiers.models import SEAL_INSTRUCTION, SEAL_KIND, SEAL_MARK, Detection
from extractors.models import Document
from rules.basis import Basis
from rules.catalogue import Catalogue
from rules.doc_class import DocClasses
from rules.evidence import build as build_evidence
from rules.manifest import Manifest
from rules.models import Decision, Evidence
from rules.policy import Policy

SEAL_LABELS = (SEAL_MARK, SEAL_INSTRUCTION, SEAL_KIND)


@dataclass(frozen=True)
class RuleContext:
    """Everything a decision depends on besides the document."""

    catalogue: Catalogue
    policy: Policy
    doc_classes: DocClasses
    as_of: dt.date
    manifest: Manifest | None = None

    def versions(self) -> dict:
        return {"catalogue": self.catalogue.version, "policy": self.policy.version, "as_of": self.as_of.isoformat()}


@dataclass(frozen=True)
class Form:
    """What the steps look at for one form."""

    document: Document
    detection: Detection
    title: str
    doc_class: str | None
    basis: Basis
    ctx: RuleContext
    text: str  # normalised
    rel_path: str = ""

    def decision(self, decision: str, reason: str, rule_id: str, *, confidence: float,
                 labels: tuple[str, ...] = SEAL_LABELS, replacement: str | None = None,
                 reiki_kaisei: bool = False, cited: tuple[str, ...] = (), extra: tuple[Evidence, ...] = ()) -> Decision:
        """`labels`: the findings that support this decision (shown first); every other finding follows."""
        citations = [self.basis.evidence[c] for c in cited if c in self.basis.evidence]
        evidence = build_evidence(self.detection.findings, labels, citations, extra)
        return Decision(decision, reason, rule_id, replacement, evidence, round(confidence, 2),
                        self.basis.citations, reiki_kaisei, self.doc_class, self.basis.category(),
                        self.ctx.versions(), tuple(f.text for f in self.basis.form_numbers), self.basis.details())

    @property
    def name(self) -> str:
        return self.title or self.doc_class or "この様式"
