"""output/store/: everything a run keeps in OUT_DIR/.sealreview/ between runs, behind one small interface.

| module        | what it keeps                                                  | file under OUT_DIR/.sealreview/ |
|---------------|----------------------------------------------------------------|---------------------------------|
| lock.py       | one run per output folder (filelock)                           | run.lock, run.holder            |
| state.py      | runs, rows and reviewers' corrections (the register's history) | state.sqlite                    |
| history.py    | the previous run's settings, read without Prefect              | (state.sqlite)                  |
| analysis.py   | extract+detect result per file, keyed by sha256 + code digests | cache/                          |
| drafts.py     | revised drafts per file and replacement                        | cache/drafts/                   |
| decided.py    | decided rows per file, keyed by analysis + rules + code digests | cache/decided/                  |
| codec.py      | the JSON form of Document/Detection (never pickle)             | —                               |
| filestat.py   | size/mtime/inode → sha256, so unchanged files are not re-hashed | filestat.json                  |
| checkpoint.py | rows of finished batches, so a killed run resumes              | checkpoint.sqlite               |

Callers import the names in `_HOME` from `output.store`; the modules are the implementation. Nothing here decides anything, and
nothing here imports Prefect or flows/.
"""

from importlib import import_module

_HOME = {  # name → module: loaded when first used, so the command line pays only for what it touches
    "Analysis": "analysis", "AnalysisCache": "analysis", "cache_dir_of": "analysis", "document_lookup": "analysis",
    "clear_checkpoint": "checkpoint", "open_checkpoint": "checkpoint", "DraftCache": "drafts",
    "discover_known": "filestat", "previous_settings": "history", "settings_of": "history",
    "OutputBusy": "lock", "run_lock": "lock",
    "Correction": "state", "StateStore": "state", "record_scan": "state", "row_from_json": "state",
}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'output.store' has no attribute {name!r}")
    return getattr(import_module(f"output.store.{_HOME[name]}"), name)
