"""JSON form of a cached analysis (Document + Detection): plain data, never code.

The cache lives under OUT_DIR, which may sit on shared storage for Dask workers: whoever can write there
must not be able to run code in the workers. So entries are JSON (no pickle): dataclasses become objects
with their non-default fields only, tuples become lists (and back), enums are stored by value. Anything
that does not decode into the expected shape raises `ValueError` (the cache treats it as a miss).
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from classifiers.models import Detection, Finding
from extractors.models import Document, InputFormat, Location, Status, TextBlock

try:  # pinned in requirements.lock (a Prefect dependency); about 5× faster than the json module
    import orjson
except ImportError:  # pragma: no cover - the standard library does the same, slower
    orjson = None

LOCATION_FIELDS = tuple(f.name for f in fields(Location))
FINDING_FIELDS = tuple(f.name for f in fields(Finding) if f.name != "location")
BLOCK_FLAGS = ("ocr", "example", "hidden")


def dumps(data: dict) -> bytes:
    if orjson is not None:
        return orjson.dumps(data, default=_plain)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_plain).encode("utf-8")


def loads(raw: bytes) -> Any:
    return orjson.loads(raw) if orjson is not None else json.loads(raw)


def _plain(value: Any) -> Any:
    """What orjson/json cannot write by themselves: sets (as sorted lists) and tuples inside meta."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} cannot be cached")


def tupled(value: Any) -> Any:
    """Lists back to tuples, nested (line keys and bounding boxes are tuples)."""
    return tuple(tupled(v) for v in value) if isinstance(value, list) else value


# Location ---------------------------------------------------------------------------------------------
def location_out(loc: Location) -> dict:
    out = {}
    for name in LOCATION_FIELDS:
        value = getattr(loc, name)
        if value is not None and not (name == "kind" and value == "body"):
            out[name] = value
    return out


def location_in(data: dict) -> Location:
    if not data:
        return BODY
    bbox = data.get("bbox")
    if bbox is not None:
        data = {**data, "bbox": tuple(bbox)}
    return Location(**data)


BODY = Location()


# Document ---------------------------------------------------------------------------------------------
def block_out(block: TextBlock) -> dict:
    out: dict = {"text": block.text, "loc": location_out(block.location)}
    if block.line_key is not None:
        out["line"] = block.line_key
    if block.order:
        out["order"] = block.order
    out.update({flag: True for flag in BLOCK_FLAGS if getattr(block, flag)})
    return out


def block_in(data: dict) -> TextBlock:
    line = data.get("line")
    if line is not None:
        line = tuple(tupled(v) if v.__class__ is list else v for v in line)
    get = data.get
    return TextBlock(data["text"], location_in(get("loc")), line, get("order", 0.0), get("ocr", False),
                     get("example", False), get("hidden", False))


def document_out(doc: Document) -> dict:
    return {"format": doc.format.value, "status": doc.status.value, "title": doc.title, "pages": doc.pages,
            "errors": list(doc.errors), "warnings": list(doc.warnings), "extractor": doc.extractor,
            "meta": doc.meta, "blocks": [block_out(b) for b in doc.blocks]}


def document_in(data: dict) -> Document:
    return Document(format=InputFormat(data["format"]), status=Status(data["status"]), title=data["title"],
                    pages=int(data["pages"]), errors=tuple(data["errors"]), warnings=tuple(data["warnings"]),
                    extractor=data["extractor"], meta=dict(data["meta"]),
                    blocks=tuple(block_in(b) for b in data["blocks"]))


# Detection --------------------------------------------------------------------------------------------
def finding_out(finding: Finding) -> dict:
    return {**{name: getattr(finding, name) for name in FINDING_FIELDS}, "location": location_out(finding.location)}


def finding_in(data: dict) -> Finding:
    return Finding(**{name: data[name] for name in FINDING_FIELDS if name in data},
                   location=location_in(data["location"]))


def detection_out(det: Detection) -> dict:
    out = {f.name: getattr(det, f.name) for f in fields(Detection) if f.name != "findings"}
    return {**out, "findings": [finding_out(f) for f in det.findings]}


def detection_in(data: dict) -> Detection:
    scalars = {f.name: data[f.name] for f in fields(Detection) if f.name not in ("findings", "seal_kinds")
               and f.name in data}
    scalars["ocr_name_pages"] = tuple(scalars.get("ocr_name_pages", ()))
    return Detection(findings=tuple(finding_in(f) for f in data["findings"]), seal_kinds=tuple(data["seal_kinds"]),
                     **scalars)


def analysis_out(document: Document, detection: Detection, *, key: str, format_version: str) -> bytes:
    return dumps({"cache_format": format_version, "key": key, "document": document_out(document),
                  "detection": detection_out(detection)})


def analysis_in(raw: bytes, *, key: str, format_version: str) -> tuple[Document, Detection]:
    """Decode one entry; ValueError when it is not a complete entry of this format and key."""
    try:
        data = loads(raw)
        if data.get("cache_format") != format_version or data.get("key") != key:
            raise ValueError("another cache format or key")
        return document_in(data["document"]), detection_in(data["detection"])
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"damaged cache entry ({type(exc).__name__}: {exc})") from exc
