"""The SQLite state store: runs, rows, files, corrections; WAL and all-or-nothing batches."""

from __future__ import annotations

import sqlite3

import pytest

from output.store.state import Correction, StateStore, record_scan
from tests.test_output_register import RUN_INFO
from tests.test_output_rows import make_row


def test_runs_rows_and_files(tmp_path):
    rows = [make_row(1, versions={"extractor": "ext.v2"}), make_row(2, decision="error", seal_requested=None)]
    run_id = record_scan(tmp_path, rows, run_info=RUN_INFO, args={"workers": 2})
    with StateStore(tmp_path) as store:
        assert store.path == tmp_path / ".sealreview" / "state.sqlite"
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        [run] = store.runs()
        assert (run["id"], run["as_of"], run["args"], run["finished"]) == (run_id, "2024-04-01", {"workers": 2},
                                                                          RUN_INFO["finished"])
        loaded = store.load_rows()
        assert loaded == rows
        assert store.current_keys() == {r.path: r.sha256 for r in rows}
        files = store.db.execute("SELECT path, extractor_version FROM files ORDER BY path").fetchall()
        assert [tuple(f) for f in files] == [(rows[0].path, "ext.v2"), (rows[1].path, None)]
    second = record_scan(tmp_path, rows[:1], run_info=RUN_INFO)
    with StateStore(tmp_path) as store:
        assert second == run_id + 1 and len(store.load_rows()) == 1 and len(store.load_rows(run_id)) == 2


def test_corrections_upsert_and_log(tmp_path):
    with StateStore(tmp_path) as store:
        store.add_corrections([Correction("a" * 64, "x.docx", decision="abolish", at="2024-01-01T00:00:00")])
        store.add_corrections([Correction("a" * 64, "x.docx", decision="keep_law", comment="法令あり")])
        [c] = store.corrections().values()
        assert (c.decision, c.comment) == ("keep_law", "法令あり") and c.at
        assert [x.decision for x in store.correction_log()] == ["abolish", "keep_law"]


def test_add_corrections_is_all_or_nothing(tmp_path):
    with StateStore(tmp_path) as store:
        good = Correction("a" * 64, "x.docx", decision="abolish")
        with pytest.raises(sqlite3.Error):
            store.add_corrections([good, Correction(None, "y.docx", decision="abolish")])  # type: ignore[arg-type]
        assert store.corrections() == {} and store.correction_log() == []


def test_empty_store(tmp_path):
    with StateStore(tmp_path) as store:
        assert store.load_rows() == [] and store.current_keys() == {} and store.last_run_id() is None


SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, finished TEXT, as_of TEXT,
    args TEXT NOT NULL DEFAULT '{}', versions TEXT NOT NULL DEFAULT '{}', inputs TEXT NOT NULL DEFAULT '[]');
CREATE TABLE rows (run_id INTEGER NOT NULL REFERENCES runs(id), sha256 TEXT NOT NULL, path TEXT NOT NULL,
    decision TEXT NOT NULL, machine_decision TEXT, row_json TEXT NOT NULL, PRIMARY KEY (run_id, sha256, path));
CREATE TABLE corrections (sha256 TEXT NOT NULL, path TEXT NOT NULL, decision TEXT, comment TEXT,
    legal_basis TEXT, reviewer TEXT, at TEXT NOT NULL, source TEXT, PRIMARY KEY (sha256, path));
CREATE TABLE correction_log (id INTEGER PRIMARY KEY AUTOINCREMENT, sha256 TEXT NOT NULL, path TEXT NOT NULL,
    decision TEXT, comment TEXT, legal_basis TEXT, reviewer TEXT, at TEXT NOT NULL, source TEXT);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO runs (started) VALUES ('2024-01-01T00:00:00');
INSERT INTO corrections VALUES ('aaaa', 'x.docx', 'keep_law', '法令あり', NULL, '鈴木', '2024-01-02T00:00:00', 'r.xlsx');
INSERT INTO correction_log (sha256, path, decision, at) VALUES ('aaaa', 'x.docx', 'keep_law', '2024-01-02T00:00:00');
"""


def test_a_schema_1_store_is_migrated_with_its_data(tmp_path):
    """Stores written before input_root keep their rows and corrections (keyed (sha256, path) as before)."""
    import json

    path = tmp_path / ".sealreview" / "state.sqlite"
    path.parent.mkdir()
    db = sqlite3.connect(path)
    db.executescript(SCHEMA_1)
    row = make_row(1, input_root="/data/forms")
    db.execute("INSERT INTO rows VALUES (1, ?, ?, ?, NULL, ?)",
               (row.sha256, row.path, row.decision, json.dumps(row.to_json(), ensure_ascii=False)))
    db.commit()
    db.close()
    with StateStore(tmp_path) as store:
        [c] = store.corrections().values()
        assert (c.key, c.decision, c.reviewer, c.input_root) == (("aaaa", "x.docx"), "keep_law", "鈴木", "")
        assert store.load_rows(1) == [row]
        assert store.current_files() == {("/data/forms", row.path): row.sha256}
        assert store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"
        store.add_corrections([Correction("aaaa", "x.docx", decision="abolish", input_root="/b")])
        assert set(store.corrections()) == {("aaaa", "x.docx"), ("aaaa", "x.docx", "/b")}
    with StateStore(tmp_path) as store:  # opening again changes nothing
        assert len(store.corrections()) == 2 and len(store.correction_log()) == 2
