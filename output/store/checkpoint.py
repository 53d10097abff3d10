"""Resume an interrupted scan: every finished batch's rows are saved at once, a re-run skips those files.

Rows go to OUT_DIR/.sealreview/checkpoint.sqlite (SQLite, WAL, one transaction per batch), keyed by
the run's settings, the file's input folder, path and sha256. A row is reused only when

- the settings of the run are the same (as-of date, policy, manifest and its content, OCR, the
  reviewers' corrected 根拠法令), and
- the file has the same bytes (sha256) at the same path, and
- the row's versions (pipeline, extractor, patterns, GiNZA, catalogue, policy, as-of) are the current ones.

After the register has been written, the checkpoint is emptied: it only serves to resume a run that
was killed (power cut, SIGKILL, out of memory). Reviewers' corrections are never stored here: they
live in the state store and are applied when the register is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from dataclasses import asdict
from pathlib import Path

from extractors.discover import SourceFile, root_text
from output.models import RegisterRow
from output.store.state import row_from_json

log = logging.getLogger(__name__)

CHECKPOINT_FILE = Path(".sealreview") / "checkpoint.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS done (
    run_key TEXT NOT NULL, input_root TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,
    row_json TEXT NOT NULL, PRIMARY KEY (run_key, input_root, path, sha256));
"""
_LOCAL_FIELDS = ("work_dir", "out_dir", "cache_dir")  # where things go, not what is decided


def file_digest(path: str | Path | None) -> str:
    """sha256 of a settings file the run reads ("" when none, "unreadable" when it cannot be read)."""
    if not path:
        return ""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def run_key(options) -> str:
    """The settings that change a row (PipelineOptions without its folders, plus the manifest's bytes)."""
    settings = {k: v for k, v in asdict(options).items() if k not in _LOCAL_FIELDS}
    settings["manifest_sha256"] = file_digest(settings.get("manifest"))
    policy = settings.get("policy") or ""
    if policy.endswith((".yaml", ".yml")):
        settings["policy_sha256"] = file_digest(policy)
    material = json.dumps(settings, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class Checkpoint:
    """`Checkpoint(out_dir, key, versions)`; `split(sources)`, `save(rows)`, `clear()`."""

    def __init__(self, out_dir: str | Path, key: str, versions: dict | None = None) -> None:
        self.path = Path(out_dir) / CHECKPOINT_FILE
        self.key = key
        self.versions = versions
        self.path.parent.mkdir(parents=True, exist_ok=True)

    @classmethod
    def for_options(cls, options, versions: dict | None) -> Checkpoint | None:
        """The checkpoint of a run writing into `options.out_dir` (None without an output folder); `versions`
        are those a row made now carries (a saved row with others is done again)."""
        if not getattr(options, "out_dir", None):
            return None
        return cls(options.out_dir, run_key(options), versions)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        return db

    def load(self) -> dict[tuple[str, str, str], RegisterRow]:
        """(input_root, path, sha256) → row saved by an earlier, interrupted run with the same settings."""
        found: dict[tuple[str, str, str], RegisterRow] = {}
        try:
            db = self._connect()
            try:
                cur = db.execute("SELECT row_json FROM done WHERE run_key = ?", (self.key,))
                for (text,) in cur:
                    row = row_from_json(json.loads(text))
                    if self.versions is None or row.versions == self.versions:
                        found[(row.input_root, row.path, row.sha256)] = row
            finally:
                db.close()
        except (sqlite3.Error, ValueError, TypeError) as exc:  # a damaged checkpoint: start afresh
            log.warning("途中経過を読めないため、最初から処理します: %s", exc)
            return {}
        return found

    def split(self, sources: list[SourceFile]) -> tuple[list[RegisterRow], list[SourceFile]]:
        """(rows of files already done, files still to do), in the order of `sources`."""
        found = self.load()
        done: list[RegisterRow] = []
        todo: list[SourceFile] = []
        for source in sources:
            row = found.get((root_text(source.root), source.rel_path, source.sha256)) if source.sha256 else None
            if row is None:
                todo.append(source)
            else:
                done.append(row)
        return done, todo

    def save(self, rows: list[RegisterRow]) -> None:
        """Save one finished batch in one transaction. Never raises (the run goes on without it)."""
        if not rows:
            return
        try:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT OR REPLACE INTO done VALUES (?, ?, ?, ?, ?)",
                    [(self.key, r.input_root, r.path, r.sha256,
                      json.dumps(r.to_json(), ensure_ascii=False, default=str)) for r in rows])
                db.execute("COMMIT")
            finally:
                db.close()
        except sqlite3.Error as exc:
            log.warning("途中経過を保存できませんでした（処理は続けます）: %s", exc)

    def count(self) -> int:
        try:
            db = self._connect()
            try:
                return int(db.execute("SELECT COUNT(*) FROM done WHERE run_key = ?", (self.key,)).fetchone()[0])
            finally:
                db.close()
        except sqlite3.Error:
            return 0

    def clear(self) -> None:
        """Forget every saved row (the register is complete)."""
        try:
            db = self._connect()
            try:
                db.execute("DELETE FROM done")
            finally:
                db.close()
        except sqlite3.Error as exc:
            log.warning("途中経過を消去できませんでした: %s", exc)


class _NoCheckpoint:
    """For runs without an output folder: nothing saved, nothing skipped."""

    def split(self, sources: list[SourceFile]) -> tuple[list[RegisterRow], list[SourceFile]]:
        return [], list(sources)

    def save(self, rows: list[RegisterRow]) -> None:
        return None

    def clear(self) -> None:
        return None


def open_checkpoint(options, versions: dict | None) -> Checkpoint | _NoCheckpoint:
    """The checkpoint of a run (a no-op one when the run has no output folder)."""
    return Checkpoint.for_options(options, versions) or _NoCheckpoint()


def clear_checkpoint(out_dir: str | Path) -> None:
    """Empty the checkpoint of `out_dir` once its register is complete."""
    if (Path(out_dir) / CHECKPOINT_FILE).exists():
        Checkpoint(out_dir, "").clear()
