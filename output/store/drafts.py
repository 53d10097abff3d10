"""Cache of revised drafts, so an unchanged `abolish` form is not edited again on every run.

A draft depends only on the form's bytes, the replacement (記名 / 署名) and the reviser's code. The key is
sha256 + replacement + REVISER_VERSION (+ the cache layout). An entry is two files under
OUT_DIR/.sealreview/cache/drafts/<2 hex>/:
- `<key>.json`: the edit list, the note and the draft's suffix (JSON, never pickle; see output/store/analysis.py);
- `<key>.bin`: the draft's bytes, when a draft was written.
A hit copies the bytes to where `revise()` would have written them: the staging folder, from where
output/revised/placement.py moves them under OUT_DIR/revised/ (the reviewers' copy is never the cache's).

Only results that the same bytes always give are stored: a draft, or "no seal location found". A failed
conversion or an unexpected error is not, so the next run tries again. Entries are written atomically
(output/atomic.py, without fsync); a damaged or foreign entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from output.atomic import replace_bytes
from output.confine import inside, read_regular
from output.revised import REVISER_VERSION, RevisionResult, draft_path

log = logging.getLogger(__name__)

DRAFTS = "drafts"
LAYOUT = "1"
FORMAT_NAME = "sealreview-draft"


def draft_key(sha256: str, replacement: str) -> str:
    material = f"{sha256}|{replacement}|reviser={REVISER_VERSION}|layout={LAYOUT}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class DraftCache:
    """`DraftCache(cache_dir)`; `get(...)` → RevisionResult | None (draft copied into place), `put(...)`."""

    def __init__(self, cache_dir: str | Path) -> None:
        self.root = Path(cache_dir)
        self.directory = self.root / DRAFTS

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.directory / key[:2]
        return folder / f"{key}.json", folder / f"{key}.bin"

    def get(self, sha256: str, replacement: str, *, rel_path: str, out_dir: Path) -> RevisionResult | None:
        """The cached result for this form, with its draft copied to `draft_path(out_dir, rel_path, suffix)`."""
        if not sha256:
            return None
        key = draft_key(sha256, replacement)
        meta_path, data_path = self._paths(key)
        if meta_path.parent.exists() and not inside(meta_path.parent, self.root):  # drafts/ or <2 hex>/ a link
            log.warning("修正案のキャッシュの場所がキャッシュフォルダの外を指しているため使いません: %s", meta_path.parent)
            return None
        try:
            meta = json.loads(read_regular(meta_path).decode("utf-8"))  # an entry replaced by a link: refused
            if meta.get("format") != FORMAT_NAME or meta.get("key") != key:
                return None
            edits = [dict(e) for e in meta["edits"]]
            note = meta["note"]
            if not meta["has_draft"]:
                return RevisionResult(None, edits, note)
            target = draft_path(Path(out_dir), rel_path, meta["suffix"] or None)  # .doc → .docx
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(read_regular(data_path))  # never a link's target (a root-only file)
            return RevisionResult(target, edits, note)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:  # damaged entry: draft again
            log.warning("修正案のキャッシュを読めないため作り直します: %s (%s)", meta_path.name, exc)
            return None

    def put(self, sha256: str, replacement: str, result: RevisionResult) -> bool:
        """Store a result the same bytes give every time (a draft, or no place to edit), not a failure worth
        retrying (`result.retry`); returns whether it was stored. Never raises."""
        if not sha256 or result.retry:
            return False
        key = draft_key(sha256, replacement)
        meta_path, data_path = self._paths(key)
        meta = {"format": FORMAT_NAME, "key": key, "edits": result.edits, "note": result.note,
                "has_draft": result.path is not None, "suffix": result.path.suffix if result.path else ""}
        try:
            if result.path is not None:
                replace_bytes(data_path, Path(result.path).read_bytes())
            replace_bytes(meta_path, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        except (OSError, TypeError, ValueError) as exc:  # caching is an optimisation only
            log.warning("修正案のキャッシュを書けませんでした: %s (%s)", meta_path.name, exc)
            return False
        return True


    def same_draft(self, sha256: str, replacement: str, path: Path) -> bool:
        """Whether `path` holds exactly the draft cached for this form and replacement (then it need not be
        copied again). False for a missing entry or file, a link, or other bytes."""
        if not sha256:
            return False
        _meta, data_path = self._paths(draft_key(sha256, replacement))
        try:
            return read_regular(path) == read_regular(data_path)
        except OSError:
            return False

    def has(self, sha256: str, replacement: str) -> bool:
        """Whether a result is kept for this form and replacement (a failure worth retrying is not)."""
        return bool(sha256) and self._paths(draft_key(sha256, replacement))[0].is_file()
