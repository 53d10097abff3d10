"""Totals for sheet 集計 and for Prefect artifacts. Counts only: nothing here decides."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from output.models import RegisterRow
from rules.models import DECISIONS
from rules.online import online_rules

BASIS_CATEGORIES: tuple[str, ...] = ("条例", "規則", "要綱", "要領その他", "国の法令", "なし")
NO_DEPARTMENT = "（所管なし）"
KEEP = frozenset({"keep_law", "keep_contract", "keep_registered"})
OUTCOMES: tuple[str, ...] = ("廃止", "継続", "要確認", "読取不可")  # 狛江市 style columns


def _num(n: int) -> str:
    return f"{n:,}"


def percent(part: int, whole: int) -> int:
    """Percentage rounded half up to an integer (87.13 → 87, 86.5 → 87); 0 when whole is 0."""
    if whole == 0:
        return 0
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def seal_counts(rows: list[RegisterRow]) -> tuple[int, int]:
    """N = forms that ask for a seal (seal_requested is True); M = those whose decision is abolish."""
    asking = [r for r in rows if r.seal_requested is True]
    return len(asking), sum(1 for r in asking if r.decision == "abolish")


NO_SEAL_SENTENCE = "押印を求めている申請書等はありませんでした"


def kawasaki_sentence(rows: list[RegisterRow]) -> str:
    """The spec's sentence whenever at least one form asks for a seal; a plain statement when none does."""
    n, m = seal_counts(rows)
    if n == 0:
        return NO_SEAL_SENTENCE
    return f"押印を求めている申請書等{_num(n)}件のうち{_num(m)}件（約{percent(m, n)}%）について押印を廃止"


def _by_decision(rows: list[RegisterRow]) -> dict[str, int]:
    counts = Counter(r.decision for r in rows)
    out = {label: counts.get(code, 0) for code, label in DECISIONS.items()}
    for code, n in counts.items():  # an unknown code is shown, never dropped
        if code not in DECISIONS:
            out[code] = n
    return out


def _cross(rows: list[RegisterRow], key, order: tuple[str, ...] = ()) -> dict[str, dict[str, int]]:
    groups: dict[str, list[RegisterRow]] = {k: [] for k in order}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    table = {}
    for name, members in groups.items():
        counts = _by_decision(members)
        counts["計"] = len(members)
        table[name] = counts
    return table


def seal_outcome(row: RegisterRow) -> str:
    if row.decision == "error":
        return "読取不可"
    if row.decision == "abolish":
        return "廃止"
    return "継続" if row.decision in KEEP else "要確認"


def signature_outcome(row: RegisterRow) -> str:
    """After review, does the form still ask for a handwritten signature? (abolish→記名のみ drops it)."""
    if row.decision == "error":
        return "読取不可"
    if row.decision == "needs_review":
        return "要確認"
    if row.decision == "abolish" and row.replacement != "shomei":
        return "廃止"
    return "継続"


def _outcomes(rows: list[RegisterRow], outcome) -> dict[str, int]:
    counts = Counter(outcome(r) for r in rows)
    out = {k: counts.get(k, 0) for k in OUTCOMES}
    out["計"] = len(rows)
    return out


def signatures(rows: list[RegisterRow]) -> dict[str, dict[str, int]]:
    """狛江市 style: 押印 and 署名, each × 廃止 / 継続 / 要確認 / 読取不可 / 計."""
    sealed = [r for r in rows if r.seal_requested is True]
    signed = [r for r in rows if r.signature_required is True]
    return {"押印": _outcomes(sealed, seal_outcome), "署名": _outcomes(signed, signature_outcome)}


def signature_tables(rows: list[RegisterRow]) -> dict:
    """The seal tables again for the forms asking for a signature: by 判定, 根拠区分 × 判定, 所管 × 判定."""
    signed = [r for r in rows if r.signature_required is True]
    return {
        "by_decision": _by_decision(signed),
        "by_basis": _cross(signed, lambda r: r.basis_category or "なし", BASIS_CATEGORIES),
        "by_department": _cross(signed, lambda r: r.department or NO_DEPARTMENT),
    }


ONLINE_NOW = frozenset({"kimei"})  # online without an electronic signature


def online_labels() -> tuple[str, ...]:
    """The オンライン化 labels in rules/data/online.yaml order (each once)."""
    return tuple(dict.fromkeys(rule.label for rule in online_rules().rules))


def _online_counts(rows: list[RegisterRow]) -> dict[str, int]:
    counts = Counter((r.online or {}).get("label") or "（未分類）" for r in rows)
    out = {label: counts.pop(label, 0) for label in online_labels()}
    out.update(counts)  # a label no longer in the data is shown, never dropped
    out["計"] = len(rows)
    return out


def online_sentence(rows: list[RegisterRow]) -> str:
    now = sum(1 for r in rows if (r.online or {}).get("class") in ONLINE_NOW)
    eforms = sum(1 for r in rows if r.eform_path)
    return (f"様式{_num(len(rows))}件のうち{_num(now)}件（約{percent(now, len(rows))}%）は電子署名なしでオンライン化できます"
            f"（電子様式の下書き{_num(eforms)}件）")


def online_tables(rows: list[RegisterRow]) -> dict:
    """オンライン化: counts by class, and 所管 × class."""
    groups: dict[str, list[RegisterRow]] = {}
    for row in rows:
        groups.setdefault(row.department or NO_DEPARTMENT, []).append(row)
    return {
        "sentence": online_sentence(rows),
        "by_class": _online_counts(rows),
        "by_department": {name: _online_counts(members) for name, members in groups.items()},
    }


def summarize(rows: list[RegisterRow]) -> dict:
    n, m = seal_counts(rows)
    return {
        "total": len(rows),
        "seal_requested": n,
        "abolished": m,
        "percent": percent(m, n),
        "sentence": kawasaki_sentence(rows),
        "signature_required": sum(1 for r in rows if r.signature_required is True),
        "reviewed": sum(1 for r in rows if r.reviewed),
        "by_decision": _by_decision(rows),
        "by_basis": _cross(rows, lambda r: r.basis_category or "なし", BASIS_CATEGORIES),
        "by_department": _cross(rows, lambda r: r.department or NO_DEPARTMENT),
        "signatures": signatures(rows),
        "signature": signature_tables(rows),
        "online": online_tables(rows),
    }
