"""The state store: SQLite under OUT_DIR/.sealreview/state.sqlite.

Tables: runs, files (path, sha256, extractor version), rows (each run's register rows as JSON, with the
findings/evidence and decisions), corrections (the reviewers', keyed by file sha256 + path, plus the input
folder when the same path exists under several INPUT_DIRs; "" = any input folder, as older stores have it) and
correction_log (every imported correction, never deleted). WAL mode; one transaction per batch.
A store of schema 1 is migrated in place when opened (input_root added to the keys, run_key to runs).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from output.models import RegisterRow

STATE_DIR, STATE_FILE = ".sealreview", "state.sqlite"
SCHEMA_VERSION = "2"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, finished TEXT, as_of TEXT,
    args TEXT NOT NULL DEFAULT '{}', versions TEXT NOT NULL DEFAULT '{}', inputs TEXT NOT NULL DEFAULT '[]',
    run_key TEXT);
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT NOT NULL, path TEXT NOT NULL, input_root TEXT, format TEXT, extractor_version TEXT,
    first_run INTEGER, last_run INTEGER, PRIMARY KEY (sha256, path));
CREATE TABLE IF NOT EXISTS rows (
    run_id INTEGER NOT NULL REFERENCES runs(id), sha256 TEXT NOT NULL, path TEXT NOT NULL,
    decision TEXT NOT NULL, machine_decision TEXT, row_json TEXT NOT NULL, input_root TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, input_root, sha256, path));
CREATE TABLE IF NOT EXISTS corrections (
    sha256 TEXT NOT NULL, path TEXT NOT NULL, decision TEXT, comment TEXT, legal_basis TEXT,
    reviewer TEXT, at TEXT NOT NULL, source TEXT, input_root TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sha256, path, input_root));
CREATE TABLE IF NOT EXISTS correction_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sha256 TEXT NOT NULL, path TEXT NOT NULL, decision TEXT,
    comment TEXT, legal_basis TEXT, reviewer TEXT, at TEXT NOT NULL, source TEXT,
    input_root TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS corrections_path ON corrections (path);
CREATE TABLE IF NOT EXISTS run_changes (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id), changes_json TEXT NOT NULL);
"""
ROW_FIELDS = {f.name for f in fields(RegisterRow)}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Correction:
    """A reviewer's correction of one file's row. None = not given."""

    sha256: str
    path: str
    decision: str | None = None  # DECISIONS key
    comment: str | None = None
    legal_basis: str | None = None  # 根拠法令（修正）, as written by the reviewer
    reviewer: str | None = None
    at: str = ""
    source: str = ""  # the workbook it came from
    input_root: str = ""  # the INPUT_DIR, only when the path exists under several; "" = any

    @property
    def key(self) -> tuple[str, ...]:
        """(sha256, path), or (sha256, path, input_root) for a correction tied to one input folder."""
        return (self.sha256, self.path, self.input_root) if self.input_root else (self.sha256, self.path)


def row_from_json(data: dict) -> RegisterRow:
    return RegisterRow(**{k: v for k, v in data.items() if k in ROW_FIELDS})


class StateStore:
    """`with StateStore(out_dir) as store: ...` — or call close()."""

    def __init__(self, out_dir: Path) -> None:
        self.path = Path(out_dir) / STATE_DIR / STATE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)
        _migrate(self.db)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _tx(self):
        return _Transaction(self.db)

    # runs -------------------------------------------------------------------------------------------
    def runs(self) -> list[dict]:
        out = []
        for r in self.db.execute("SELECT * FROM runs ORDER BY id"):
            out.append({**dict(r), "args": json.loads(r["args"]), "versions": json.loads(r["versions"]),
                        "inputs": json.loads(r["inputs"])})
        return out

    def last_run_id(self) -> int | None:
        """The newest run that saved rows."""
        r = self.db.execute("SELECT MAX(run_id) FROM rows").fetchone()
        return r[0]

    def last_run(self) -> dict | None:
        """The newest run that saved rows, as in `runs()`."""
        run_id = self.last_run_id()
        return next((r for r in self.runs() if r["id"] == run_id), None) if run_id is not None else None

    def changes(self, run_id: int | None = None) -> dict | None:
        """The 変更履歴 saved for `run_id` (default: the newest run that has one)."""
        sql = ("SELECT changes_json FROM run_changes WHERE run_id = ?" if run_id is not None
               else "SELECT changes_json FROM run_changes ORDER BY run_id DESC LIMIT 1")
        found = self.db.execute(sql, (run_id,) if run_id is not None else ()).fetchone()
        return json.loads(found[0]) if found else None

    # rows and files ---------------------------------------------------------------------------------
    def insert_rows(self, run_id: int, rows: list[RegisterRow], row_json: list[str] | None = None) -> None:
        """A run's rows and the files they came from, in the caller's transaction. `row_json`: each row's
        `_dump(row.to_json())` when already made (register.jsonl's lines are the same text)."""
        dumped = row_json if row_json is not None and len(row_json) == len(rows) else None
        for i, row in enumerate(rows):
            ext = (row.versions or {}).get("extractor")
            self.db.execute(
                "INSERT INTO files (sha256, path, input_root, format, extractor_version, first_run, last_run)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256, path) DO UPDATE SET"
                " last_run = excluded.last_run, extractor_version = excluded.extractor_version,"
                " input_root = excluded.input_root",
                (row.sha256, row.path, row.input_root, row.format, ext, run_id, run_id))
            self.db.execute(
                "INSERT OR REPLACE INTO rows (run_id, sha256, path, decision, machine_decision, row_json,"
                " input_root) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, row.sha256, row.path, row.decision, row.machine_decision or row.decision,
                 dumped[i] if dumped is not None else _dump(row.to_json()), row.input_root or ""))

    def load_rows(self, run_id: int | None = None) -> list[RegisterRow]:
        """Rows of `run_id` (default: the newest run that saved rows), in the order they were saved."""
        run_id = self.last_run_id() if run_id is None else run_id
        if run_id is None:
            return []
        cur = self.db.execute("SELECT row_json FROM rows WHERE run_id = ? ORDER BY rowid", (run_id,))
        return [row_from_json(json.loads(r[0])) for r in cur]

    def current_keys(self) -> dict[str, str]:
        """path → sha256 of the files in the newest run."""
        run_id = self.last_run_id()
        if run_id is None:
            return {}
        return {r["path"]: r["sha256"] for r in self.db.execute(
            "SELECT path, sha256 FROM rows WHERE run_id = ?", (run_id,))}

    def current_files(self) -> dict[tuple[str, str], str]:
        """(input_root, path) → sha256 of the files in the newest run (one path may be under several roots)."""
        run_id = self.last_run_id()
        if run_id is None:
            return {}
        return {(r["input_root"], r["path"]): r["sha256"] for r in self.db.execute(
            "SELECT input_root, path, sha256 FROM rows WHERE run_id = ?", (run_id,))}

    def run_by_key(self, run_key: str) -> int | None:
        """The run id recorded with the register's run id `run_key` (None if unknown)."""
        found = self.db.execute("SELECT id FROM runs WHERE run_key = ?", (run_key,)).fetchone()
        return int(found[0]) if found else None

    # corrections ------------------------------------------------------------------------------------
    def corrections(self) -> dict[tuple[str, ...], Correction]:
        """By `Correction.key`: (sha256, path), or (sha256, path, input_root) when tied to one input folder."""
        cur = self.db.execute("SELECT * FROM corrections")
        items = (Correction(**dict(r)) for r in cur)
        return {c.key: c for c in items}

    def correction_log(self) -> list[Correction]:
        cur = self.db.execute("SELECT * FROM correction_log ORDER BY id")
        return [Correction(**{k: r[k] for k in r.keys() if k != "id"}) for r in cur]

    def add_corrections(self, items: list[Correction], *, atomic: bool = True) -> int:
        """Upsert corrections (and log them); an empty one withdraws. atomic=True: one transaction, or none."""
        if atomic:
            with self._tx():
                for item in items:
                    self._put_correction(item)
        else:
            for item in items:
                with self._tx():
                    self._put_correction(item)
        return len(items)

    def _put_correction(self, c: Correction) -> None:
        """Upsert; a correction with no decision, comment or basis withdraws the stored one (logged too)."""
        c = Correction(**{**asdict(c), "at": c.at or now_iso()})
        values = (c.sha256, c.path, c.decision, c.comment, c.legal_basis, c.reviewer, c.at, c.source, c.input_root)
        columns = "(sha256, path, decision, comment, legal_basis, reviewer, at, source, input_root)"
        if c.decision is None and c.comment is None and c.legal_basis is None:
            self.db.execute("DELETE FROM corrections WHERE sha256 = ? AND path = ? AND input_root = ?",
                            (c.sha256, c.path, c.input_root))
        else:
            self.db.execute(f"INSERT OR REPLACE INTO corrections {columns} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        self.db.execute(f"INSERT INTO correction_log {columns} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_rest) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def _migrate(db: sqlite3.Connection) -> None:
    """Schema 1 → 2: input_root in the keys of rows and corrections, run_key on runs (data kept)."""
    if "run_key" not in _columns(db, "runs"):
        db.execute("ALTER TABLE runs ADD COLUMN run_key TEXT")
    if "input_root" not in _columns(db, "correction_log"):
        db.execute("ALTER TABLE correction_log ADD COLUMN input_root TEXT NOT NULL DEFAULT ''")
    rebuild = {
        "corrections": ("sha256, path, decision, comment, legal_basis, reviewer, at, source, ''",),
        "rows": ("run_id, sha256, path, decision, machine_decision, row_json,"
                 " COALESCE(json_extract(row_json, '$.input_root'), '')",),
    }
    for table, (select,) in rebuild.items():
        if "input_root" in _columns(db, table):
            continue
        create = SCHEMA.split(f"CREATE TABLE IF NOT EXISTS {table} (")[1].split(");")[0]
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(f"ALTER TABLE {table} RENAME TO {table}_v1")
            db.execute(f"CREATE TABLE {table} ({create})")
            db.execute(f"INSERT OR REPLACE INTO {table} SELECT {select} FROM {table}_v1")
            db.execute(f"DROP TABLE {table}_v1")
            db.execute("COMMIT")
        except Exception:
            db.execute("ROLLBACK")
            raise
    db.execute("CREATE INDEX IF NOT EXISTS corrections_path ON corrections (path)")
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,))


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


@contextlib.contextmanager
def recording(out_dir: Path) -> Iterator[Callable[..., int]]:
    """`with recording(out_dir) as record: … record(rows, run_info=…, args=…, row_json=…) …`: the run and its
    rows are written (`record`, as record_scan does) inside one transaction that is committed when the block
    ends without an error, rolled back otherwise. output/register.py records while register.xlsx is being
    written and leaves the block once the register files are in place: the state store still says the
    run happened only after its register does, as when record_scan is called after the register."""
    with StateStore(out_dir) as store, store._tx():
        yield lambda rows, **kw: _record(store, rows, **kw)


def _record(store: StateStore, rows: list[RegisterRow], *, run_info: dict, args: dict | None = None,
            row_json: list[str] | None = None) -> int:
    """The run (its runs row, rows, 変更履歴 and finish time), in the caller's transaction; returns the run id."""
    cur = store.db.execute(
        "INSERT INTO runs (started, as_of, args, versions, inputs, run_key) VALUES (?, ?, ?, ?, ?, ?)",
        (run_info.get("started") or now_iso(), run_info.get("as_of"), _dump(args or {}),
         _dump(run_info.get("versions") or {}), _dump([str(p) for p in run_info.get("inputs") or ()]),
         run_info.get("run_id")))
    run_id = int(cur.lastrowid)
    store.insert_rows(run_id, rows, row_json)
    if run_info.get("changes") is not None:
        store.db.execute("INSERT OR REPLACE INTO run_changes VALUES (?, ?)", (run_id, _dump(run_info["changes"])))
    store.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (run_info.get("finished") or now_iso(), run_id))
    return run_id


def record_scan(out_dir: Path, rows: list[RegisterRow], *, run_info: dict, args: dict | None = None,
                row_json: list[str] | None = None) -> int:
    """Record one finished run and its rows, in one transaction; returns the run id. `row_json`: the rows' JSON
    text when already made (see StateStore.insert_rows)."""
    with recording(out_dir) as record:
        return record(rows, run_info=run_info, args=args, row_json=row_json)
