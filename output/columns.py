"""The columns of sheet 一覧 (and register.csv): headers, and how a `RegisterRow` renders into them.

The first 18 columns are register-spec.md's, in its order; our extra columns come after them.
register.jsonl carries optional fields beyond the spec (allowed by it), among them `ocr_pages`: the page
numbers read by OCR (a scan: a reviewer checks the original), also shown in 備考 by `notes_text`, and
`confidence_level`: what 信頼度 stands for (高／中／低 and the reason, rules/confidence.py), column 信頼度の段階.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from output.models import RegisterRow
from rules.confidence import confidence_level
from rules.models import DECISIONS, LEVELS, REPLACEMENTS

SPEC_COLUMNS: tuple[str, ...] = (
    "No", "所管", "ファイル", "様式名", "形式", "押印の求め", "押印の種類", "署名の求め", "根拠法令",
    "根拠区分", "判定", "見直し後の取扱い", "理由", "根拠箇所", "信頼度", "レビュー判定",
    "レビュー者コメント", "例規改正要",
)
# Extra columns, appended after the spec's (never before, never reordered).
BASIS_FIX = "根拠法令（修正）"
REVIEWER = "レビュー者"
EXTRA_COLUMNS: tuple[str, ...] = (
    BASIS_FIX, REVIEWER, "機械判定", "備考", "ルールID", "文書種別", "入力フォルダ", "ファイルハッシュ",
    "取込済みレビュー", "修正案", "修正内容", "様式番号", "オンライン化", "オンライン化の理由", "電子様式",
    "信頼度の段階",
)
COLUMNS: tuple[str, ...] = SPEC_COLUMNS + EXTRA_COLUMNS
REVIEW_DECISION = "レビュー判定"
REVIEW_COMMENT = "レビュー者コメント"
REVIEWER_COLUMNS: frozenset[str] = frozenset({REVIEW_DECISION, REVIEW_COMMENT, BASIS_FIX, REVIEWER})
PREFILLED = "取込済みレビュー"  # hidden: the stored correction this register shows (to notice a cleared cell)
HIDDEN_COLUMNS: frozenset[str] = frozenset({"ファイルハッシュ", PREFILLED})
KEY_PATH, KEY_SHA = "ファイル", "ファイルハッシュ"
# The columns reviewers decide with: these print (A4 landscape, output/print_layout.py); all others are folded
# (an outline group, collapsed) so they stay in the workbook but off the page. A new column is folded unless
# it is named here.
PRINT_COLUMNS: frozenset[str] = frozenset({
    "No", "所管", "様式名", "押印の求め", "署名の求め", "根拠法令", "判定", "見直し後の取扱い", "理由", REVIEW_DECISION,
    REVIEW_COMMENT,
})

SEAL_KINDS: dict[str, str] = {
    "mitome": "認印", "jitsuin": "実印", "daihyo": "代表者印", "bank": "銀行届出印",
    "teisei": "訂正印", "sute": "捨印", "keiin": "契印", "wariin": "割印",
}
AFTER_REVIEW: dict[str, str] = {
    "keep_law": "押印存続（法令等）", "keep_contract": "押印存続（契約等）",
    "keep_registered": "押印存続（登録印）",
}
# Characters that make a spreadsheet read a cell as a formula (OWASP / ASVS 1.2.10), plus full-width forms.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")
EVIDENCE_CELL_LINES = 8  # 根拠箇所 shows this many findings; the rest are counted (all are in register.jsonl)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Rendered:
    """One register row as cell values, in COLUMNS order (str, int or float only)."""

    values: tuple[str | int | float, ...]

    def as_dict(self) -> dict[str, str | int | float]:
        return dict(zip(COLUMNS, self.values, strict=True))


def yes_no(value: bool | None) -> str:
    return {True: "あり", False: "なし"}.get(value, "不明")  # type: ignore[arg-type]


def decision_label(code: str | None) -> str:
    return DECISIONS.get(code or "", code or "")


def evidence_text(evidence: list[dict], limit: int = EVIDENCE_CELL_LINES) -> str:
    """「p.1 表1 2行3列: 氏名 … 印 [seal.mark.name_field.v1]」, one per line.

    The cell shows the first `limit` items (the rules put the decision-supporting ones first) and says how many
    more there are; register.jsonl keeps them all."""
    lines = []
    for item in evidence[:limit]:
        loc, text, rule = item.get("location") or "", item.get("text") or "", item.get("rule") or ""
        head = f"{loc}: {text}" if loc else text
        lines.append(f"{head} [{rule}]" if rule else head)
    if len(evidence) > limit:
        lines.append(f"ほか {len(evidence) - limit} 件（register.jsonl に全件）")
    return "\n".join(lines)


def basis_text(legal_basis: list[dict]) -> str:
    return "\n".join(str(b.get("citation", "")) for b in legal_basis if b.get("citation"))


def basis_level_text(level: str | None) -> str:
    return LEVELS.get(level or "", level or "")


def after_review(row: RegisterRow) -> str:
    if row.decision == "abolish":
        return REPLACEMENTS.get(row.replacement or "kimei", row.replacement or "")
    return AFTER_REVIEW.get(row.decision, "")


def reason_text(row: RegisterRow) -> str:
    if row.error and row.error not in row.reason:
        return f"{row.reason}（{row.error}）" if row.reason else row.error
    return row.reason


def notes_text(row: RegisterRow) -> str:
    ocr = f"OCRで読み取ったページ: {', '.join(f'p.{p}' for p in row.ocr_pages)}" if row.ocr_pages else ""
    return "\n".join([n for n in [row.review_note, *row.warnings, ocr] if n])


def clean(text: str) -> str:
    """NFC and no control characters that XML (xlsx) cannot hold; newlines and tabs stay."""
    return _ILLEGAL_XML.sub("", unicodedata.normalize("NFC", text))


def render(row: RegisterRow, number: int) -> Rendered:
    reviewed_label = decision_label(row.review_decision) if row.review_decision else ""
    values: list[str | int | float] = [
        number, row.department or "", row.path, row.title, row.format, yes_no(row.seal_requested),
        "、".join(SEAL_KINDS.get(k, k) for k in row.seal_kinds), yes_no(row.signature_required),
        basis_text(row.legal_basis), row.basis_category or "なし", decision_label(row.decision),
        after_review(row), reason_text(row), evidence_text(row.evidence), round(float(row.confidence), 2),
        reviewed_label, row.reviewer_comment or "", "要" if row.reiki_kaisei else "",
        row.corrected_basis or "", row.reviewer or "",
        decision_label(row.machine_decision or row.decision), notes_text(row), row.rule_id,
        row.document_class or "", row.input_root, row.sha256, prefilled_text(row),
        row.revised_path or "", revisions_text(row.revisions), "\n".join(row.form_numbers),
        (row.online or {}).get("label", ""), (row.online or {}).get("reason", ""), eform_text(row),
        confidence_level(row.rule_id, float(row.confidence)),
    ]
    return Rendered(tuple(clean(v) if isinstance(v, str) else v for v in values))


def eform_text(row: RegisterRow) -> str:
    """The e-form's HTML preview (relative to OUT_DIR), or why there is none."""
    if row.eform_path:
        return row.eform_path[: -len(".json")] + ".html" if row.eform_path.endswith(".json") else row.eform_path
    return f"なし（{row.eform_note}）" if row.eform_note else ""


def revisions_text(revisions: list[dict]) -> str:
    """The revised draft's edits, 「場所: 修正前 → 修正後」 one per line (an empty after = 削除)."""
    return "\n".join(
        f"{e.get('location', '')}: {e.get('before', '')} → {e.get('after') or '（削除）'}" for e in revisions
    )


def prefilled_text(row: RegisterRow) -> str:
    """JSON of the reviewer values this row is pre-filled with ("" when none)."""
    shown = {"decision": row.review_decision, "comment": row.reviewer_comment, "legal_basis": row.corrected_basis}
    shown = {k: v for k, v in shown.items() if v}
    return json.dumps(shown, ensure_ascii=False, sort_keys=True) if shown else ""


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def csv_safe(value: str | int | float) -> str | int | float:
    """OWASP CSV-injection defence: a text cell that starts like a formula gets a leading `'`."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value
