"""The decision procedure (domain.md, default policy): Document + Detection → Decision, each step a named rule."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from classifiers.models import SEAL_NOT_REQUIRED, SIGNATURE, Detection
from extractors.models import Document, Status
from rules.basis import Hit, gather
from rules.catalogue import DEFAULT_CATALOGUE, load_catalogue
from rules.citations import joined_text
from rules.confidence import ABOLISH_CITED, ABOLISH_UNCITED, KEEP_BY_CATALOGUE, KEEP_BY_CLASS
from rules.doc_class import load_doc_classes
from rules.form import SEAL_LABELS, Form, RuleContext
from rules.manifest import load_manifest
from rules.models import REPLACEMENTS, Decision
from rules.policy import load_policy
from rules.trust import untrustworthy

__all__ = ["RuleContext", "decide", "load_context", "today_tokyo"]

KEEP_ORDER = ("keep_law", "keep_registered", "keep_contract")
CERTIFICATE_RE = re.compile(r"印鑑(登録)?証明書(を|の)?(添付|提出|添え)")


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
    text = document.text
    norm = joined_text(text)
    basis = gather(lines, title=title, catalogue=ctx.catalogue, as_of=ctx.as_of, manifest_entry=entry,
                   city=ctx.policy.city, norm=norm)
    form = Form(document, detection, title, ctx.doc_classes.classify(title, text), basis, ctx, norm, rel_path)
    for step in (untrustworthy, _no_seal, _catalogue_keep, _contract, _registered, _external_review):
        decision = step(form)
        if decision is not None:
            return decision
    return _abolish(form)


def _no_seal(form: Form) -> Decision | None:
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


def _fill(template: str, form: Form, hit: Hit) -> str:
    return template.replace("{doc}", form.name).replace("{article}", hit.citation.article or "")


def _provenance(hit: Hit) -> str:
    """「（カタログ law.kokumin_kenko_hoken、2020-12-25〜、押印を求める…省令（令和2年厚生労働省令第208号）。出典: URL）」"""
    p = hit.period
    parts = [f"カタログ {hit.entry.id}"]
    if p is not None:
        parts.append(p.describe())
        if p.instrument:
            parts.append(p.instrument)
    text = "、".join(parts)
    if p is not None and p.source:
        text += f"。出典: {p.source}"
    return f"（{text}）"


def _catalogue_keep(form: Form) -> Decision | None:
    keeps = [h for h in form.basis.hits if h.period and h.period.effect in KEEP_ORDER]
    if not keeps:
        return None
    hit = min(keeps, key=lambda h: KEEP_ORDER.index(h.period.effect))
    effect = hit.period.effect
    reason = (_fill(hit.period.reason, form, hit) or f"{hit.entry.name}により押印が必要なため存続。") + _provenance(hit)
    rule = {"keep_law": "decide.keep_law.v1", "keep_contract": "decide.keep_contract.v1",
            "keep_registered": "decide.keep_registered.v1"}[effect]
    return form.decision(effect, reason, rule, confidence=KEEP_BY_CATALOGUE * form.detection.confidence,
                         cited=(hit.citation.citation,))


def _contract(form: Form) -> Decision | None:
    if form.doc_class not in form.ctx.policy.keep_contract_classes:
        return None
    reason = f"{form.doc_class}は契約等の文書であり、方針（{form.ctx.policy.name}）により押印を存続。"
    if form.doc_class in ("契約書", "請負契約書", "協定書", "覚書", "請書"):
        reason = f"{form.doc_class}は契約等の文書であり、地方自治法第234条第5項の記名押印の対象となるため存続。"
    return form.decision("keep_contract", reason, "decide.keep_contract.v1",
                         confidence=KEEP_BY_CLASS * form.detection.confidence)


def _registered(form: Form) -> Decision | None:
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
                         "decide.keep_registered.v1", confidence=KEEP_BY_CLASS * det.confidence)


def _external_review(form: Form) -> Decision | None:
    flagged = [h for h in form.basis.hits if h.period and h.period.effect == "needs_review"]
    if flagged:
        hit = flagged[0]
        reason = (_fill(hit.period.reason, form, hit) or f"{hit.entry.name}について確認が必要。") + _provenance(hit)
        return form.decision("needs_review", reason, "decide.review.catalogue.v1", confidence=0.5,
                             cited=(hit.citation.citation,))
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


def _other_body_review(form: Form) -> Decision | None:
    """Another municipality's 条例/規則 cited: the seal may be that body's rule, which this city cannot amend."""
    others = form.basis.other_bodies_rules()
    if not others or form.ctx.policy.other_municipality_rule != "needs_review":
        return None
    names = "、".join(f"「{c.citation}」" for c in others)
    bodies = "・".join(dict.fromkeys(c.issuer or "" for c in others))
    return form.decision("needs_review", f"他の団体（{bodies}）の例規{names}が引用されており、押印がその例規で定められて"
                         f"いる場合は{form.ctx.policy.city or '自市'}だけでは様式を変更できないため、様式の所管と押印の根拠を確認が必要。",
                         "decide.review.other_body_rule.v1", confidence=0.5, cited=tuple(c.citation for c in others))


def _abolish(form: Form) -> Decision:
    pol = form.ctx.policy
    by_law = next((h for h in form.basis.hits if h.period and h.period.effect == "none"), None)
    law_replacement = by_law.period.replacement if by_law else None
    unnamed_forms = form.basis.unnamed_forms()
    shomei_class = form.doc_class in pol.shomei_classes
    signed = pol.keep_existing_signature and form.detection.signature_required
    replacement = law_replacement or ("shomei" if shomei_class or signed else pol.default_replacement)
    if by_law:
        reason = _fill(by_law.period.reason, form, by_law) or (
            f"{by_law.entry.name}は{form.ctx.as_of}時点で押印を求めていないため、押印を廃止する。")
        if not law_replacement:
            reason += f"見直し後の取扱いは{REPLACEMENTS[replacement]}。"
        reason += _provenance(by_law)
    elif shomei_class:
        reason = f"{form.doc_class}は本人の意思確認が必要なため、押印を廃止し署名とする。"
    elif signed:
        reason = "法令等の根拠がなく、様式が既に署名（自署）を求めているため、押印を廃止し署名のみとする。"
    elif form.basis.citations:
        reason = f"押印を義務付ける法令等の根拠がないため、押印を廃止し{REPLACEMENTS[replacement]}とする。"
    elif unnamed_forms:
        reason = (f"様式番号「{unnamed_forms[0].text}」のほかに根拠の記載がなく、押印を義務付ける法令等は見当たらないため、"
                  f"押印を廃止し{REPLACEMENTS[replacement]}とする。")
    else:
        checked = "・".join(form.basis.checked)
        reason = (f"押印を義務付ける法令等の根拠がない（{checked}を確認）ため、押印を廃止し"
                  f"{REPLACEMENTS[replacement]}とする。")
    if unnamed_forms:
        reason += (f"様式番号「{unnamed_forms[0].text}」の属する例規の名称が様式に記載されていないため、例規集でその例規を"
                   "確認すること（自市の条例・規則であれば例規改正要）。")
    own = form.basis.own_rules()
    if own and own[0].unnamed:
        reason += (f"様式が{own[0].citation}に定められているため、例規の改正が必要（例規改正要）。"
                   f"{own[0].kind}の名称の記載がないため、自市の{own[0].kind}とみなした。")
    elif own:
        reason += f"様式が{own[0].law or own[0].citation}に定められているため、例規の改正が必要（例規改正要）。"
    elif others := form.basis.other_bodies_rules():
        reason += f"引用されている{others[0].law or others[0].citation}は他の団体の例規のため、自市の例規改正は不要。"
    cited = tuple(dict.fromkeys(c.citation for c in (*own, *form.basis.citations)))
    confidence = (ABOLISH_CITED if form.basis.citations else ABOLISH_UNCITED) * form.detection.confidence
    return form.decision("abolish", reason, "decide.abolish.v1", confidence=confidence, replacement=replacement,
                         reiki_kaisei=bool(own), cited=cited)
