"""Decided rows kept per file, so an unchanged file whose rules are unchanged is not decided again.

A row depends on the file's analysis (the analysis cache's key: sha256, OCR setting, extractor, detector and model
versions), on where the file is (input folder, relative path, name: 所管 and the fallback 様式名 come from them), on
the rule data (catalogue, policy, document classes, online rules, the staff's manifest, the reviewers' corrected
根拠法令, the as-of date) and on the code that decides and writes a row. The key is a digest of all of them:
- the bytes of every source and data file of extractors/, classifiers/, rules/ and output/ (extractors/digest.py),
- the bytes of the catalogue, policy and manifest files this run loads (they may live outside the repository),
- the as-of date, the corrected 根拠法令 and the other pipeline options.
Nothing is remembered by hand: an edit to any of them is a new key, and the row is decided again.

Entries are JSON under OUT_DIR/.sealreview/cache/decided/<2 hex>/<key>.json (never pickle), written atomically
without fsync (output.atomic.replace_bytes, as the workers' caches: a scan keeps one per file in the command's
process); a damaged, foreign or unknown entry is a miss. An entry holds the row as the pipeline returned it
and the e-form JSON it staged (to tell whether the e-form in OUT_DIR/eforms/ is still that one).
"""

from __future__ import annotations

import hashlib
import logging
import os
from functools import lru_cache
from pathlib import Path

from extractors.digest import source_digest
from extractors.discover import SourceFile, root_text
from output.atomic import replace_bytes
from output.confine import read_regular
from output.store.analysis import cache_key
from output.store.checkpoint import file_digest
from output.store.codec import dumps, loads

log = logging.getLogger(__name__)

FOLDER = "decided"
FORMAT = "sealreview-decided-1"
PACKAGES = ("extractors", "classifiers", "rules", "output")
ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Every source and data file of the packages a row comes from (the flows only orchestrate)."""
    return source_digest(*(ROOT / name for name in PACKAGES))


def context_digest(*, options: tuple, rule_files: tuple[str | None, ...], as_of: str) -> str:
    """The digest of everything a row depends on besides the file: `options` (plain values: policy, manifest,
    corrected 根拠法令, OCR, output folder …), the rule files' bytes and the as-of date in effect."""
    material = [FORMAT, code_digest(), as_of, repr(options), *(file_digest(f) for f in rule_files)]
    return hashlib.sha256("\0".join(material).encode("utf-8", "surrogateescape")).hexdigest()


def row_key(source: SourceFile, context: str, *, ocr: bool = True) -> str:
    """The key of one file's row under `context` (context_digest)."""
    material = [cache_key(source.sha256, ocr=ocr), context, root_text(source.root), source.rel_path,
                os.fsencode(str(source.path)).hex(), source.format.value, source.department or ""]
    return hashlib.sha256("\0".join(material).encode("utf-8", "surrogateescape")).hexdigest()


class DecidedCache:
    """`DecidedCache(cache_dir)`; `get(key)` → {"row": …, "eform": …} | None, `put(key, entry)`."""

    def __init__(self, cache_dir: str | Path) -> None:
        self.directory = Path(cache_dir) / FOLDER

    def path_of(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        path = self.path_of(key)
        try:
            data = loads(read_regular(path))  # an entry replaced by a link is not followed
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - a damaged entry is a miss, never a failure
            log.warning("判定の記録を読めないため判定し直します: %s (%s)", path.name, exc)
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key \
                or not isinstance(data.get("row"), dict):
            return None
        return data

    def put(self, key: str, row: dict, *, eform: str | None = None) -> bool:
        """Keep a row (its JSON dict) and the e-form JSON text it staged; never raises."""
        path = self.path_of(key)
        try:
            replace_bytes(path, dumps({"format": FORMAT, "key": key, "row": row, "eform": eform}))
        except Exception as exc:  # noqa: BLE001 - an optimisation only
            log.warning("判定を記録できませんでした: %s (%s)", path.name, exc)
            return False
        return True
