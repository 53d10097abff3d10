"""What a decision's `confidence` number really is: a named level with its reason (docs/confidence.md).

`confidence` (register-spec.md: a float 0..1) is not a probability: it is a constant per decision rule times the
detection's own factor (classifiers/summary.py). Measured on labelled corpora it carries no calibration (every
level was 100% right on the generated corpus), so the register also shows the level it stands for and why:
which rule decided, and whether the detection lowered it.
"""

from __future__ import annotations

# The rules' own constants (rules/engine.py multiplies them by the detection's factor); one place for both.
KEEP_BY_CATALOGUE = 0.95  # a catalogue period keeps the seal (keep_law, or keep_contract / keep_registered)
KEEP_BY_CLASS = 0.9  # the document class keeps it (契約書 / 登録印 …)
ABOLISH_CITED = 0.85  # abolished, a cited law's seal was abolished
ABOLISH_UNCITED = 0.8  # abolished, a city form without a cited law

# rule id prefix → (the lowest constant the rule is given, the reason it stands for). The first match wins.
RULE_BASES: tuple[tuple[str, float, str], ...] = (
    ("decide.error.", 1.0, "読み取れなかったため判定していない"),
    ("decide.review.", 0.5, "要確認（人が決める必要がある）"),
    ("decide.no_seal.", 1.0, "押印の求めが見つからない"),
    ("decide.keep_law.", KEEP_BY_CATALOGUE, "根拠法令カタログの法令が押印を求めている"),
    ("decide.keep_contract.", KEEP_BY_CLASS, "契約等の文書（方針で押印を残す分類）"),
    ("decide.keep_registered.", KEEP_BY_CLASS, "登録印（実印等）を求める文書"),
    ("decide.abolish.", ABOLISH_UNCITED, "押印を廃止できる（法令の押印は廃止済み、または市の様式で根拠法令の記載がない）"),
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
