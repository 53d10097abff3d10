"""What a decision's `confidence` number really is: a named level with its reason (docs/confidence.md).

`confidence` (register-spec.md: a float 0..1) is not a probability: it is a constant per decision rule times the
detection's own factor (classifiers/summary.py). Measured on labelled corpora it carries no calibration (every
level was 100% right on the generated corpus), so the register also shows the level it stands for and why:
which rule decided, and whether the detection lowered it.
"""

from __future__ import annotations

# rule id prefix → (the rule's own constant, the reason it stands for). The first matching prefix wins.
RULE_BASES: tuple[tuple[str, float, str], ...] = (
    ("decide.error.", 1.0, "読み取れなかったため判定していない"),
    ("decide.review.", 0.5, "要確認（人が決める必要がある）"),
    ("decide.no_seal.", 1.0, "押印の求めが見つからない"),
    ("decide.keep_law.", 0.95, "根拠法令カタログの法令が押印を求めている"),
    ("decide.keep_contract.", 0.9, "契約等の文書（方針で押印を残す分類）"),
    ("decide.keep_registered.", 0.9, "登録印（実印等）を求める文書"),
    ("decide.abolish.", 0.8, "押印を廃止できる（法令の押印は廃止済み、または市の様式で根拠法令の記載がない）"),
)
HIGH, MIDDLE = 0.9, 0.75
LOWERED = "検出が弱いため下げた（OCRのみ・押印不要の注記との併存・弱い一致など）"


def confidence_level(rule_id: str, confidence: float) -> str:
    """「高／中／低：理由」 for a decision's rule and confidence; "" for a row without a rule (never decided)."""
    if not rule_id:
        return ""
    base, reason = next(((b, r) for prefix, b, r in RULE_BASES if rule_id.startswith(prefix)), (None, "その他の規則"))
    if rule_id.startswith("decide.error."):
        return f"－：{reason}"
    if rule_id.startswith("decide.review."):
        return f"低：{reason}"
    level = "高" if confidence >= HIGH else "中" if confidence >= MIDDLE else "低"
    lowered = base is not None and confidence < base * 0.999
    return f"{level}：{reason}" + (f"。{LOWERED}" if lowered else "")
