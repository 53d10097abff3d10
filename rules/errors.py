"""Errors of the rule data (catalogue, policy, document classes, manifest)."""

from __future__ import annotations

from pathlib import Path


class RuleDataError(ValueError):
    """Rule data that cannot be used. The message (Japanese) names the file and the field."""

    def __init__(self, path: str | Path, where: str, problem: str) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        super().__init__(f"{self.path}: {where}: {problem}")
