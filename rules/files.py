"""Which files a rule context is parsed from, and a digest of their bytes (a cache key for parsed rule data).

`rule_files_digest` is called for every form (output/pipeline/steps.rule_context), so it reads a file's bytes
again only when its size, modification time, change time or inode differ from the last call (a dozen `stat`
calls, ≈0.1 ms a form), and lists the files again only when their folders change; the key itself is the bytes'
sha256, so an edit shows as a new key whatever the modification time says, and an undo shows as the old one.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from extractors.discover import stat_signature
from rules.catalogue import LAWS_DIR, catalogue_files
from rules.doc_class import DEFAULT_CLASSES
from rules.errors import RuleDataError
from rules.policy import POLICY_DIR, resolve_policy_path


def rule_files(*, policy: str | Path = "default", manifest: str | Path | None = None) -> tuple[Path, ...]:
    """The catalogue's files, the policy, the document classes and the manifest (when given)."""
    try:
        policy_path: Path | None = resolve_policy_path(policy)
    except RuleDataError:
        policy_path = None  # an unknown policy: loading it raises the error the user sees
    files = [*catalogue_files(), policy_path, DEFAULT_CLASSES, Path(manifest) if manifest else None]
    return tuple(path for path in files if path is not None)


def rule_files_digest(*, policy: str | Path = "default", manifest: str | Path | None = None) -> tuple[str, ...]:
    """The names and the sha256 of the bytes of `rule_files(...)` ("missing" for a file that cannot be read)."""
    folders = tuple(_stat_of(folder) for folder in (LAWS_DIR, POLICY_DIR))  # a law or policy file added, removed
    files = _files(str(policy), str(manifest) if manifest else None, folders)
    return tuple(f"{path}\0{_bytes_digest(path, _stat_of(path))}" for path in files)


@lru_cache(maxsize=32)
def _files(policy: str, manifest: str | None, _folders: tuple) -> tuple[str, ...]:
    return tuple(str(path) for path in rule_files(policy=policy, manifest=manifest))


def _stat_of(path: str | Path) -> tuple[int, ...] | None:
    try:
        return stat_signature(os.stat(path))
    except OSError:
        return None


def file_digest(path: str | Path) -> str:
    """sha256 of the file's bytes ("missing" when it cannot be read), read again only when its stat changes: a
    cache key for data parsed from one file (rules/online.py), so a long-lived process sees an edit."""
    return _bytes_digest(str(path), _stat_of(path))


@lru_cache(maxsize=256)
def _bytes_digest(path: str, stat: tuple[int, ...] | None) -> str:
    """sha256 of the file's bytes; cached per (path, stat): the bytes are read again when the stat changes."""
    if stat is None:
        return "missing"
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"
