"""The review policy (rules/data/policies/*.yaml): the choices a city makes, as data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rules.errors import RuleDataError
from rules.yamlio import need, read_yaml, regexes, str_list

POLICY_DIR = Path(__file__).parent / "data" / "policies"
DEFAULT_POLICY = POLICY_DIR / "default.yaml"  # its sample_file_patterns hold for a policy that names none


@dataclass(frozen=True)
class Policy:
    version: str
    name: str
    city: str | None
    prefecture: str | None
    keep_contract_classes: tuple[str, ...]
    registered_seal_kinds: tuple[str, ...]
    daihyo_check_patterns: tuple[re.Pattern, ...]
    registered_classes: tuple[str, ...]
    unknown_external_law: str
    default_replacement: str
    shomei_classes: tuple[str, ...]
    partial_with_seal: str
    keep_existing_signature: bool = True
    min_detection_confidence: float = 0.6
    other_municipality_rule: str = "needs_review"  # another city's 条例/規則 cited: needs_review / abolish
    sample_file_patterns: tuple[re.Pattern, ...] = ()  # a whole file that is a 見本 / 記入例 (file name or title)
    path: str = ""


def _choice(data: dict, key: str, choices: tuple[str, ...], default: str, path: Path) -> str:
    value = data.get(key, default)
    if value not in choices:
        raise RuleDataError(path, key, f"値が不正です（{value}）。{' / '.join(choices)} のいずれか")
    return value


def resolve_policy_path(policy: str | Path) -> Path:
    """A NAME (rules/data/policies/NAME.yaml) or a FILE path."""
    candidate = Path(policy)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    path = POLICY_DIR / f"{policy}.yaml"
    if not path.exists():
        names = ", ".join(sorted(p.stem for p in POLICY_DIR.glob("*.yaml")))
        raise RuleDataError(path, "--policy", f"方針「{policy}」が見つかりません（あるもの: {names}）")
    return path


def load_policy(policy: str | Path = "default") -> Policy:
    path = resolve_policy_path(policy)
    data = read_yaml(path)
    version = str(need(data, "version", (str, int, float), path, "policy"))
    kinds = str_list(data, "registered_seal_kinds", path, "policy")
    return Policy(
        version=version,
        name=str(data.get("name") or path.stem),
        city=data.get("city") or None,
        prefecture=data.get("prefecture") or None,
        keep_contract_classes=str_list(data, "keep_contract_classes", path, "policy"),
        registered_seal_kinds=kinds,
        daihyo_check_patterns=regexes(data, "daihyo_check_patterns", path, "policy"),
        registered_classes=str_list(data, "registered_classes", path, "policy"),
        unknown_external_law=_choice(data, "unknown_external_law", ("needs_review", "abolish"), "needs_review", path),
        default_replacement=_choice(data, "default_replacement", ("kimei", "shomei"), "kimei", path),
        shomei_classes=str_list(data, "shomei_classes", path, "policy"),
        partial_with_seal=_choice(data, "partial_with_seal", ("needs_review", "ignore"), "needs_review", path),
        keep_existing_signature=_flag(data, "keep_existing_signature", True, path),
        min_detection_confidence=_ratio(data, "min_detection_confidence", 0.6, path),
        sample_file_patterns=_sample_patterns(data, path),
        other_municipality_rule=_choice(data, "other_municipality_rule", ("needs_review", "abolish"), "needs_review",
                                        path),
        path=str(path),
    )


def _sample_patterns(data: dict, path: Path) -> tuple[re.Pattern, ...]:
    """The policy's own 見本 / 記入例 file patterns, or (when it names none) those of the default policy:
    the patterns are data, kept in one place (rules/data/policies/default.yaml)."""
    if "sample_file_patterns" not in data and path.resolve() != DEFAULT_POLICY.resolve():
        return regexes(read_yaml(DEFAULT_POLICY), "sample_file_patterns", DEFAULT_POLICY, "policy")
    return regexes(data, "sample_file_patterns", path, "policy")


def _flag(data: dict, key: str, default: bool, path: Path) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise RuleDataError(path, key, f"true か false にしてください（{value}）")
    return value


def _ratio(data: dict, key: str, default: float, path: Path) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise RuleDataError(path, key, f"0 から 1 の数にしてください（{value}）")
    return float(value)
