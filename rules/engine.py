"""The decision procedure (domain.md, default policy): Document + Detection → Decision, each step a named rule."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from classifiers.models import (
    INCONSISTENT,
    SEAL_INSTRUCTION,
    SEAL_KIND,
    SEAL_MARK,
    SEAL_NOT_REQUIRED,
    SIGNATURE,
    Detection,
)
from extractors.models import Document, Status
from rules.basis import Basis, Hit, gather
from rules.catalogue import DEFAULT_CATALOGUE, Catalogue, load_catalogue
from rules.citations import normalise
from rules.doc_class import DocClasses, load_doc_classes
from rules.evidence import build as build_evidence
from rules.manifest import Manifest, load_manifest
from rules.models import REPLACEMENTS, Decision, Evidence
from rules.policy import Policy, load_policy

KEEP_ORDER = ("keep_law", "keep_registered", "keep_contract")
SEAL_LABELS = (SEAL_MARK, SEAL_INSTRUCTION, SEAL_KIND)
CERTIFICATE_RE = re.compile(r"印鑑(登録)?証明書(を|の)?(添付|提出|添え)")


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


def today_tokyo() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Tokyo")).date()


def load_context(*, policy: str | Path = "default", as_of: dt.date | None = None, manifest: Path | None = None,
                 catalogue: Path | None = None) -> RuleContext:
    """Load and validate the rule data. Bad data raises rules.errors.RuleDataError (file + field named)."""
    pol = load_policy(policy)
    return RuleContext(
        catalogue=load_catalogue(catalogue or DEFAULT_CATALOGUE),
        policy=pol,
        doc_classes=load_doc_classes(),
        as_of=as_of or today_tokyo(),
        manifest=load_manifest(manifest, city=pol.city) if manifest else None,
    )


@dataclass(frozen=True)
class _Form:
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
                        self.ctx.versions())

    @property
    def name(self) -> str:
        return self.title or self.doc_class or "この様式"


def decide(document: Document, detection: Detection, *, rel_path: str, title: str, ctx: RuleContext) -> Decision:
    """The decision for one form. Never raises: an unexpected problem becomes `needs_review`."""
    if document.status == Status.FAILED:
        reason = document.errors[0] if document.errors else "ファイルを読み取れませんでした。"
        return Decision("error", reason, "decide.error.v1", confidence=1.0, versions=ctx.versions())
    try:
        return _decide(document, detection, rel_path=rel_path, title=title, ctx=ctx)
    except Exception as exc:  # a rule bug must not stop the batch
        return Decision("needs_review", f"判定処理でエラーが発生したため要確認（{type(exc).__name__}: {exc}）。",
                        "decide.review.internal_error.v1", confidence=0.0, versions=ctx.versions())


def _decide(document: Document, detection: Detection, *, rel_path: str, title: str, ctx: RuleContext) -> Decision:
    entry = ctx.manifest.lookup(rel_path, title) if ctx.manifest else None
    lines = list(document.lines())
    text = "\n".join(line.text for line in lines)
    basis = gather(lines, title=title, catalogue=ctx.catalogue, as_of=ctx.as_of, manifest_entry=entry,
                   city=ctx.policy.city)
    form = _Form(document, detection, title, ctx.doc_classes.classify(title, text), basis, ctx, normalise(text),
                 rel_path)
    for step in (_untrustworthy, _no_seal, _catalogue_keep, _contract, _registered, _external_review):
        decision = step(form)
        if decision is not None:
            return decision
    return _abolish(form)


def _sample_marker(form: _Form) -> tuple[str, str, str] | None:
    """見本 / 記入例 in the file name or the title: the whole file is a sample, not the form itself.

    Returns (where: ファイル名 / 様式名, the word found, the name it was found in) or None."""
    stem = PurePosixPath(form.rel_path.replace("\\", "/")).stem
    for where, value in (("ファイル名", normalise(stem)), ("様式名", normalise(form.title))):
        for pattern in form.ctx.policy.sample_file_patterns:
            if value and (m := pattern.search(value)):
                return where, m.group(0), value
    return None


@dataclass(frozen=True)
class _Review:
    reason: str
    rule_id: str
    confidence: float
    labels: tuple[str, ...] = SEAL_LABELS
    extra: tuple[Evidence, ...] = ()


def _untrustworthy(form: _Form) -> Decision | None:
    """Step 1: a readable form whose signals cannot be trusted. The reason also names the external laws cited
    (the reviewer checks them at the same time; a later step would have named them)."""
    review = _why_untrustworthy(form)
    if review is None:
        return None
    reason, cited = review.reason, ()
    external = form.basis.unknown_external() + form.basis.other_bodies_rules()
    if external:
        names = "、".join(f"「{c.citation}」" for c in external)
        reason += f"また、根拠法令カタログにない法令等{names}が引用されているため、押印の義務付けの有無も確認すること。"
        cited = tuple(c.citation for c in external)
    return form.decision("needs_review", reason, review.rule_id, confidence=review.confidence, labels=review.labels,
                         cited=cited, extra=review.extra)


def _why_untrustworthy(form: _Form) -> _Review | None:
    det, doc = form.detection, form.document
    if det.seal_requested and (marker := _sample_marker(form)):
        where, word, value = marker
        return _Review(f"見本（記入例）のファイルのため、様式本体で押印欄を確認してください。（{where}に「{word}」）",
                       "decide.review.sample_file.v1", 0.5,
                       extra=(Evidence(value, where, "decide.review.sample_file.v1"),))
    if det.inconsistent:
        return _Review("「押印不要」等の注記と押印欄（印）が同じ様式に併存しているため、様式の確認が必要。",
                       "decide.review.inconsistent.v1", 0.5,
                       labels=(INCONSISTENT, SEAL_NOT_REQUIRED, SEAL_MARK, SEAL_KIND, SEAL_INSTRUCTION))
    if det.ocr_only and det.seal_requested:
        return _Review("押印の求めがOCRで読み取った文字だけに基づくため、原本で押印欄の有無の確認が必要。",
                       "decide.review.ocr_only.v1", 0.4)
    why = (doc.errors or doc.warnings or ("一部を読み取れませんでした",))[0]
    if doc.status == Status.PARTIAL and det.seal_requested and form.ctx.policy.partial_with_seal == "needs_review":
        return _Review(f"文書の一部を読み取れず（{why}）、押印の求めがあるため全体の確認が必要。",
                       "decide.review.partial.v1", 0.5)
    if doc.status == Status.PARTIAL and not det.seal_requested:
        return _Review(f"文書の一部を読み取れず（{why}）、読み取れなかった部分に押印欄がある可能性があるため確認が必要。",
                       "decide.review.partial_unread.v1", 0.4)
    if det.seal_requested and det.confidence < form.ctx.policy.min_detection_confidence:
        return _Review(f"押印の求めの検出の確からしさが低い（{det.confidence:.2f}）ため、様式の確認が必要。",
                       "decide.review.low_confidence.v1", det.confidence)
    return None


def _no_seal(form: _Form) -> Decision | None:
    """No seal requested. `example_only` (classifiers/summary.py: no request in the form itself, but a seal in a
    記入例 sheet) is also `no_seal`, under its own rule, naming the example sheet's mark."""
    det = form.detection
    if det.seal_requested:
        return None
    rule, labels = "decide.no_seal.v1", (SIGNATURE, SEAL_NOT_REQUIRED)
    reason = "押印を求める記載がないため対象外。"
    if det.example_only:
        rule, labels = "decide.no_seal.example_only.v1", (*SEAL_LABELS, SIGNATURE, SEAL_NOT_REQUIRED)
        reason = ("記入例（見本）のシートには押印の表示があるが、様式本体には押印を求める記載がないため対象外。"
                  "記入例の押印の表示も様式に合わせて削除すること。")
    if det.signature_required:
        reason += "署名（自署）を求める記載あり。"
    elif det.seal_not_required_note:
        reason += "押印不要の注記あり。"
    return form.decision("no_seal", reason, rule, confidence=det.confidence, labels=labels)


def _fill(template: str, form: _Form, hit: Hit) -> str:
    return template.replace("{doc}", form.name).replace("{article}", hit.citation.article or "")


def _catalogue_keep(form: _Form) -> Decision | None:
    keeps = [h for h in form.basis.hits if h.period and h.period.effect in KEEP_ORDER]
    if not keeps:
        return None
    hit = min(keeps, key=lambda h: KEEP_ORDER.index(h.period.effect))
    effect = hit.period.effect
    reason = _fill(hit.period.reason, form, hit) or f"{hit.entry.name}により押印が必要なため存続。"
    rule = {"keep_law": "decide.keep_law.v1", "keep_contract": "decide.keep_contract.v1",
            "keep_registered": "decide.keep_registered.v1"}[effect]
    return form.decision(effect, reason, rule, confidence=0.95 * form.detection.confidence,
                         cited=(hit.citation.citation,))


def _contract(form: _Form) -> Decision | None:
    if form.doc_class not in form.ctx.policy.keep_contract_classes:
        return None
    reason = f"{form.doc_class}は契約等の文書であり、方針（{form.ctx.policy.name}）により押印を存続。"
    if form.doc_class in ("契約書", "請負契約書", "協定書", "覚書", "請書"):
        reason = f"{form.doc_class}は契約等の文書であり、地方自治法第234条第5項の記名押印の対象となるため存続。"
    return form.decision("keep_contract", reason, "decide.keep_contract.v1", confidence=0.9 * form.detection.confidence)


def _registered(form: _Form) -> Decision | None:
    pol, det, text = form.ctx.policy, form.detection, form.text
    kinds = [k for k in det.seal_kinds if k in pol.registered_seal_kinds]
    if "daihyo" in det.seal_kinds and any(p.search(text) for p in pol.daihyo_check_patterns):
        kinds.append("daihyo")
    why = ""
    if kinds:
        names = {"jitsuin": "実印", "daihyo": "登録された代表者印", "bank": "金融機関への届出印"}
        why = "・".join(names.get(k, k) for k in kinds) + "を求めており"
    elif form.doc_class in pol.registered_classes:
        why = f"{form.doc_class}の手続であり"
    elif CERTIFICATE_RE.search(text):
        why = "印鑑登録証明書の添付を求めており"
    if not why:
        return None
    return form.decision("keep_registered", f"{why}、登録された印影との照合が必要なため存続。",
                         "decide.keep_registered.v1", confidence=0.9 * det.confidence)


def _external_review(form: _Form) -> Decision | None:
    flagged = [h for h in form.basis.hits if h.period and h.period.effect == "needs_review"]
    if flagged:
        hit = flagged[0]
        return form.decision("needs_review", _fill(hit.period.reason, form, hit) or f"{hit.entry.name}について確認が必要。",
                             "decide.review.catalogue.v1", confidence=0.5, cited=(hit.citation.citation,))
    undated = [h for h in form.basis.hits if h.period is None]
    if undated:
        hit = undated[0]
        return form.decision("needs_review", f"{hit.entry.name}の{form.ctx.as_of}時点の扱いがカタログにないため確認が必要。",
                             "decide.review.unknown_law.v1", confidence=0.5, cited=(hit.citation.citation,))
    unknown = form.basis.unknown_external()
    if unknown and form.ctx.policy.unknown_external_law == "needs_review":
        unnamed = [c for c in unknown if c.unnamed]
        if unnamed:
            names = "、".join(f"「{c.citation}」" for c in unnamed)
            return form.decision("needs_review", f"法令名の記載のない引用{names}があり、どの法令か特定できないため、"
                                 "押印の義務付けの有無を確認が必要。", "decide.review.unnamed_law.v1", confidence=0.5,
                                 cited=tuple(c.citation for c in unknown))
        names = "、".join(f"「{c.citation}」" for c in unknown)
        level = "国" if any(c.level == "national" for c in unknown) else "県"
        return form.decision("needs_review", f"{level}の法令{names}が引用されているが根拠法令カタログにないため、"
                             "押印の義務付けの有無を確認が必要。", "decide.review.unknown_law.v1", confidence=0.5,
                             cited=tuple(c.citation for c in unknown))
    return _other_body_review(form)


def _other_body_review(form: _Form) -> Decision | None:
    """Another municipality's 条例/規則 cited: the seal may be that body's rule, which this city cannot amend."""
    others = form.basis.other_bodies_rules()
    if not others or form.ctx.policy.other_municipality_rule != "needs_review":
        return None
    names = "、".join(f"「{c.citation}」" for c in others)
    bodies = "・".join(dict.fromkeys(c.issuer or "" for c in others))
    return form.decision("needs_review", f"他の団体（{bodies}）の例規{names}が引用されており、押印がその例規で定められて"
                         f"いる場合は{form.ctx.policy.city or '自市'}だけでは様式を変更できないため、様式の所管と押印の根拠を確認が必要。",
                         "decide.review.other_body_rule.v1", confidence=0.5, cited=tuple(c.citation for c in others))


def _abolish(form: _Form) -> Decision:
    pol = form.ctx.policy
    by_law = next((h for h in form.basis.hits if h.period and h.period.effect == "none"), None)
    law_replacement = by_law.period.replacement if by_law else None
    shomei_class = form.doc_class in pol.shomei_classes
    signed = pol.keep_existing_signature and form.detection.signature_required
    replacement = law_replacement or ("shomei" if shomei_class or signed else pol.default_replacement)
    if by_law and by_law.period.reason:
        reason = _fill(by_law.period.reason, form, by_law)
        if not law_replacement:
            reason += f"見直し後の取扱いは{REPLACEMENTS[replacement]}。"
    elif shomei_class:
        reason = f"{form.doc_class}は本人の意思確認が必要なため、押印を廃止し署名とする。"
    elif signed:
        reason = "法令等の根拠がなく、様式が既に署名（自署）を求めているため、押印を廃止し署名のみとする。"
    else:
        reason = f"押印を義務付ける法令等の根拠がないため、押印を廃止し{REPLACEMENTS[replacement]}とする。"
    own = form.basis.own_rules()
    if own and own[0].unnamed:
        reason += (f"様式が{own[0].citation}に定められているため、例規の改正が必要（例規改正要）。"
                   f"{own[0].kind}の名称の記載がないため、自市の{own[0].kind}とみなした。")
    elif own:
        reason += f"様式が{own[0].law or own[0].citation}に定められているため、例規の改正が必要（例規改正要）。"
    elif others := form.basis.other_bodies_rules():
        reason += f"引用されている{others[0].law or others[0].citation}は他の団体の例規のため、自市の例規改正は不要。"
    cited = tuple(dict.fromkeys(c.citation for c in (*own, *form.basis.citations)))
    confidence = (0.85 if form.basis.citations else 0.8) * form.detection.confidence
    return form.decision("abolish", reason, "decide.abolish.v1", confidence=confidence, replacement=replacement,
                         reiki_kaisei=bool(own), cited=cited)
