"""Step 1 of the decision procedure: a readable form whose signals cannot be trusted → `needs_review`.

A whole 見本 / 記入例 file, a 押印不要 note beside a seal mark, OCR-only signals, a partly unread file, a weak
detection. The reason also names the external laws cited (the reviewer checks them at the same time).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from classifiers.models import INCONSISTENT, SEAL_INSTRUCTION, SEAL_KIND, SEAL_MARK, SEAL_NOT_REQUIRED
from extractors.models import Status
from rules.citations import joined_text
from rules.form import SEAL_LABELS, Form
from rules.models import Decision, Evidence


def sample_marker(form: Form) -> tuple[str, str, str] | None:
    """見本 / 記入例 in the file name or the title: the whole file is a sample, not the form itself.

    Returns (where: ファイル名 / 様式名, the word found, the name it was found in) or None."""
    stem = PurePosixPath(form.rel_path.replace("\\", "/")).stem
    for where, value in (("ファイル名", joined_text(stem)), ("様式名", joined_text(form.title))):
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


def untrustworthy(form: Form) -> Decision | None:
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


def _why_untrustworthy(form: Form) -> _Review | None:
    det, doc = form.detection, form.document
    if det.seal_requested and (marker := sample_marker(form)):
        where, word, value = marker
        return _Review(f"見本（記入例）のファイルのため、様式本体で押印欄を確認してください。（{where}に「{word}」）",
                       "decide.review.sample_file.v1", 0.5,
                       extra=(Evidence(value, where, "decide.review.sample_file.v1"),))
    if det.inconsistent:
        return _Review("「押印不要」等の注記と押印欄（印）が同じ様式に併存しているため、様式の確認が必要。",
                       "decide.review.inconsistent.v1", 0.5,
                       labels=(INCONSISTENT, SEAL_NOT_REQUIRED, SEAL_MARK, SEAL_KIND, SEAL_INSTRUCTION))
    if det.comment_only:
        said = next(f for f in det.findings if f.comment and f.label in SEAL_LABELS)
        return _Review(f"様式本体には押印を求める記載がないが、様式に印刷されないコメント（{said.where}「{said.text}」）が"
                       "押印に触れているため、コメントの趣旨（押印欄を設けるか、削除済みか）を確認してください。",
                       "decide.review.comment_only.v1", 0.5)
    if det.ocr_only and det.seal_requested:
        return _Review("押印の求めがOCRで読み取った文字だけに基づくため、原本で押印欄の有無の確認が必要。",
                       "decide.review.ocr_only.v1", 0.4)
    if det.ocr_name_pages and not det.seal_requested:
        pages = "・".join(f"p.{p}" for p in det.ocr_name_pages)
        return _Review(f"OCRでしか読めないページ（{pages}）に氏名等の記名欄（または押印欄らしい図形）があるが、押印欄の有無を読み取れないため、"
                       "押印欄の有無を原本で確認してください。", "decide.review.ocr_unverified.v1", 0.4)
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
