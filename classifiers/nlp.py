"""The one ja_ginza pipeline per process (NER disabled), plus small token helpers.

A library of forms repeats its boilerplate (注意事項, pledges, 記名押印欄) from form to form, so the answers
read from a parse are memoised per process: `read_parse(reader, …)` keeps `reader(doc, offset)` by the exact
window sent to GiNZA and the offset read in it, and `is_own_token` its answer by the tokenizer's window.
Only plain values are kept (strings, bools, tuples), never a `Doc`: the strings a `Doc` points to are freed
when the detector's `memory_zone` ends. One process has one model, so the text is the whole key.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any

MODEL = "ja_ginza"
WINDOW = 60  # characters each side of a candidate sent to the tokenizer / parser
MAX_BYTES = 40_000  # Sudachi rejects more than 49,149 bytes: stay well below
MEMO_SIZE = 20_000  # answers kept per process (windows of ≤ 2 × WINDOW characters: a few MB)

_lock = threading.Lock()


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    """Load `ja_ginza` once per process, without NER (≈2.5× faster; not needed here)."""
    import spacy

    with _lock:
        return spacy.load(MODEL, disable=["ner"])


@lru_cache(maxsize=1)
def _model_versions() -> tuple[tuple[str, str], ...]:
    """importlib.metadata scans site-packages (≈2 ms): look it up once per process (and never import spaCy
    itself just for its version: that costs about a second in a process that needs no model)."""
    from importlib.metadata import version

    found = []
    for key, dist in (("ja_ginza", "ja-ginza"), ("spacy", "spacy")):
        try:
            found.append((key, version(dist)))
        except Exception:  # noqa: BLE001 - metadata missing: report unknown, never fail
            found.append((key, "unknown"))
    return tuple(found)


def model_versions() -> dict[str, str]:
    return dict(_model_versions())


def clip(text: str, start: int, end: int, window: int = WINDOW) -> tuple[str, int]:
    """A window of `text` around [start, end) small enough for Sudachi; returns (window, offset)."""
    lo = max(0, start - window)
    hi = min(len(text), end + window)
    piece = text[lo:hi]
    while len(piece.encode("utf-8")) > MAX_BYTES:  # only with absurd windows
        piece = piece[: len(piece) // 2]
    return piece, lo


def token_at(doc: Any, offset: int) -> Any | None:
    for token in doc:
        if token.idx <= offset < token.idx + len(token.text):
            return token
    return None


def is_own_token(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is a whole token (印 alone, not the 印 of 印刷 / 印鑑)."""
    piece, lo = clip(text, start, end, 20)
    return _own_token(piece, start - lo, end - start)


@lru_cache(maxsize=MEMO_SIZE)
def _own_token(piece: str, offset: int, length: int) -> bool:
    doc = get_nlp().tokenizer(piece)
    token = token_at(doc, offset)
    return token is not None and token.idx == offset and len(token.text) == length


def parse(text: str, start: int, end: int) -> tuple[Any, int]:
    """Parse a window around [start, end); returns (doc, offset of the window)."""
    piece, lo = clip(text, start, end)
    return get_nlp()(piece), lo


def read_parse(reader: Callable[..., Any], text: str, start: int, end: int, *extra: Hashable,
               at: int | None = None) -> Any:
    """`reader(doc, offset, *extra)` on the parse of the window around [start, end) that `parse` makes, where
    `offset` is that of text position `at` (default `start`) in the window; memoised (see the module docstring).
    `reader` is a module-level function returning a plain value; `extra` its other (hashable) arguments."""
    piece, lo = clip(text, start, end)
    return _read(reader, piece, (start if at is None else at) - lo, extra)


@lru_cache(maxsize=MEMO_SIZE)
def _read(reader: Callable[..., Any], piece: str, offset: int, extra: tuple) -> Any:
    return reader(get_nlp()(piece), offset, *extra)


def memo_info() -> dict[str, tuple[int, int]]:
    """(hits, misses) of the memoised tokenizer and parser answers in this process (for the benchmarks)."""
    return {"tokenizer": (_own_token.cache_info().hits, _own_token.cache_info().misses),
            "parser": (_read.cache_info().hits, _read.cache_info().misses)}


def memory_zone() -> contextlib.AbstractContextManager:
    """`nlp.memory_zone()` when available: strings added while detecting one document are freed."""
    nlp = get_nlp()
    zone = getattr(nlp, "memory_zone", None)
    return zone() if zone is not None else contextlib.nullcontext()
