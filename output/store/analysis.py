"""Per-file cache of extraction + detection, so unchanged files are neither re-read nor re-parsed.

Key: the file's sha256 + extractor version + patterns version + ja_ginza/spaCy versions + OCR on/off (and, with
OCR on, the tesseract version and model files: extractors/ocr_engine.py).
A change to any of them misses the cache. Decisions are never cached: they are recomputed on every run,
so catalogue, policy, manifest and as-of changes always take effect.

Entries are JSON (output/store/codec.py; never pickle: OUT_DIR may be shared storage, and whoever can
write there must not be able to run code in the workers) of (Document, Detection) under
OUT_DIR/.sealreview/cache/<2 hex>/<key>.json, each naming its format and key, written atomically (output/atomic.py, without fsync), so parallel workers (local processes or Dask workers
with OUT_DIR on shared storage) can write them at the same time. A failed extraction is cached too (a
damaged or unsupported file fails the same way every time) unless it failed on a time limit, which may
pass next time; a damaged, foreign or unknown entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from classifiers.models import Detection
from extractors.models import Document, Status
from output.atomic import replace_bytes
from output.confine import read_regular
from output.store.codec import analysis_in, analysis_out

log = logging.getLogger(__name__)

CACHE_DIR = Path(".sealreview") / "cache"
CACHE_FORMAT = "2"  # bump when the stored layout changes (1: pickle, 2: JSON)
SUFFIX = ".json"
TRANSIENT_WORDS = ("制限時間", "タイムアウト", "時間切れ")  # failures worth retrying on the next run


def cache_dir_of(out_dir: str | Path) -> Path:
    return Path(out_dir) / CACHE_DIR


@lru_cache(maxsize=1)
def analysis_versions() -> tuple[tuple[str, str], ...]:
    """Everything besides the bytes that changes what extract + detect return."""
    from classifiers import engine as detection_engine
    from extractors.registry import EXTRACTOR_VERSION

    found = {"cache": CACHE_FORMAT, "extractor": EXTRACTOR_VERSION, **detection_engine.versions()}
    return tuple(sorted((k, str(v)) for k, v in found.items()))


def cache_key(sha256: str, *, ocr: bool = True) -> str:
    """With OCR on, the key holds the OCR engine and models too (extractors/ocr_engine.py): every file, as which
    files hold scanned pages is known only once they are read; tesseract changes rarely."""
    from extractors.ocr_engine import engine_identity

    engine = [f"ocr_engine={engine_identity()}"] if ocr else []
    material = "|".join([sha256, f"ocr={ocr}", *(f"{k}={v}" for k, v in analysis_versions()), *engine])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def transient(document: Document) -> bool:
    """Did reading fail because of the surroundings (a missing tool or folder, a locked or vanished
    file, a time limit) rather than the file's bytes? Then the next run must read it again."""
    if document.status == Status.OK:
        return False
    if document.meta.get("retry"):
        return True
    notes = (*document.errors, *document.warnings)
    return any(word in note for note in notes for word in TRANSIENT_WORDS)


@dataclass(frozen=True, slots=True)
class Analysis:
    document: Document
    detection: Detection


_DECODED_AHEAD: dict[tuple[str, str], Analysis] = {}  # (directory, key) → decoded by `preload`, used once


class AnalysisCache:
    """`AnalysisCache(dir)`; `get(sha256)` → Analysis | None, `put(sha256, analysis)`."""

    def __init__(self, directory: str | Path, *, ocr: bool = True) -> None:
        self.directory = Path(directory)
        self.ocr = ocr

    def path_of(self, sha256: str) -> Path:
        key = cache_key(sha256, ocr=self.ocr)
        return self.directory / key[:2] / f"{key}{SUFFIX}"

    def has(self, sha256: str) -> bool:
        return bool(sha256) and self.path_of(sha256).is_file()

    def get(self, sha256: str) -> Analysis | None:
        if not sha256:
            return None
        key = cache_key(sha256, ocr=self.ocr)
        ahead = _DECODED_AHEAD.pop((str(self.directory), key), None)
        return ahead if ahead is not None else self._read(key)

    def preload(self, sha256s: Iterable[str], *, stop: Callable[[], bool], limit: int = 20_000) -> int:
        """Decode entries ahead (a re-audit does this while its API server starts) until `stop()` says so;
        `get` then takes them from memory, once. Returns how many were decoded."""
        done = 0
        for sha256 in sha256s:
            if done >= limit or (done % 50 == 0 and stop()):
                break
            key = cache_key(sha256, ocr=self.ocr) if sha256 else ""
            if key and (str(self.directory), key) not in _DECODED_AHEAD:
                found = self._read(key)
                if found is not None:
                    _DECODED_AHEAD[(str(self.directory), key)] = found
                    done += 1
        return done

    @staticmethod
    def forget_preloaded() -> None:
        _DECODED_AHEAD.clear()

    def _read(self, key: str) -> Analysis | None:
        path = self.directory / key[:2] / f"{key}{SUFFIX}"
        try:
            raw = read_regular(path)  # an entry replaced by a link is not followed
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("キャッシュを読めないため読み直します: %s (%s)", path.name, exc)
            return None
        try:
            document, detection = analysis_in(raw, key=key, format_version=CACHE_FORMAT)
        except Exception as exc:  # noqa: BLE001 - a damaged entry is a miss, never a failure
            log.warning("キャッシュを読めないため読み直します: %s (%s)", path.name, exc)
            return None
        return Analysis(document, detection)

    def put(self, sha256: str, analysis: Analysis) -> bool:
        """Store unless the file hit a time limit; returns whether it was stored. Never raises."""
        if not sha256 or transient(analysis.document):
            return False
        key = cache_key(sha256, ocr=self.ocr)
        path = self.directory / key[:2] / f"{key}{SUFFIX}"
        try:
            raw = analysis_out(analysis.document, analysis.detection, key=key, format_version=CACHE_FORMAT)
        except Exception as exc:  # noqa: BLE001 - something that is not plain data: not cached
            log.warning("キャッシュに書けない内容のため保存しません: %s (%s)", path.name, exc)
            return False
        try:
            replace_bytes(path, raw)
        except Exception as exc:  # noqa: BLE001 - caching is an optimisation only
            log.warning("キャッシュを書けませんでした: %s (%s)", path.name, exc)
            return False
        return True

    def count(self) -> int:
        return sum(1 for _ in self.directory.glob(f"*/*{SUFFIX}")) if self.directory.is_dir() else 0


def document_lookup(cache: AnalysisCache) -> Callable[[str], Document | None]:
    """sha256 → the cached Document (None on a miss): for the evidence pictures, which then need not read the
    file again (a scanned page is not OCR'd twice)."""

    def lookup(sha256: str) -> Document | None:
        found = cache.get(sha256)
        return found.document if found is not None else None

    return lookup
