"""The fields found in a form (classifiers.fields.extract_fields), kept per file so that a re-audit of an
unchanged file does not look for them again (they depend only on the Document and the field patterns).

Keyed by the analysis cache's key (sha256, OCR setting, extractor and detector versions), the field patterns'
version and a digest of the field extraction's code, so a change to any of them reads the fields again. JSON
(never pickle) under OUT_DIR/.sealreview/cache/fields/; a damaged or unexpected entry is a miss.
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path

from classifiers.fields.models import FieldSet, FormField
from extractors.digest import source_digest
from output.atomic import replace_bytes
from output.store.analysis import cache_key
from output.store.codec import dumps, loads

log = logging.getLogger(__name__)

FORMAT = 1
FOLDER = "fields"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of classifiers/fields/ (code and data): what, besides the Document, makes the fields. (The
    analysis key already holds the digest of all of classifiers/; this keeps the fields' own key explicit.)"""
    import classifiers.fields as package

    return source_digest(Path(package.__file__).resolve().parent)


def fieldset_out(fieldset: FieldSet) -> dict:
    return {"fields": [field_out(f) for f in fieldset.fields], "notes": list(fieldset.notes),
            "identity_documents": list(fieldset.identity_documents), "status": fieldset.status,
            "why": fieldset.why, "version": fieldset.version}


def field_out(field: FormField) -> dict:
    return {"id": field.id, "label": field.label, "kind": field.kind, "required": field.required,
            "group": field.group, "options": list(field.options), "repeat": field.repeat,
            "location": field.location, "rule": field.rule, "note": field.note}


def fieldset_in(data: dict) -> FieldSet:
    fields = tuple(FormField(id=f["id"], label=f["label"], kind=f["kind"], required=bool(f["required"]),
                             group=f["group"], options=tuple(f["options"]), repeat=int(f["repeat"]),
                             location=f["location"], rule=f["rule"], note=f["note"]) for f in data["fields"])
    return FieldSet(fields=fields, notes=tuple(data["notes"]), identity_documents=tuple(data["identity_documents"]),
                    status=data["status"], why=data["why"], version=data["version"])


class FieldCache:
    def __init__(self, cache_dir: Path | str, *, ocr: bool = True) -> None:
        self.directory = Path(cache_dir) / FOLDER
        self.ocr = ocr

    def _path(self, sha256: str, version: str) -> Path:
        material = f"{cache_key(sha256, ocr=self.ocr)}|{version}|{code_digest()}|{FORMAT}"
        key = hashlib.sha256(material.encode("utf-8")).hexdigest()
        return self.directory / key[:2] / f"{key}.json"

    def get(self, sha256: str, version: str) -> FieldSet | None:
        """The fields kept for these bytes and this field-pattern version (`fields@…`), or None."""
        if not sha256:
            return None
        try:
            data = loads(self._path(sha256, version).read_bytes())
            found = fieldset_in(data)
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - a damaged entry is a miss
            log.warning("電子様式の項目の記録を読めないため読み直します（%s）", exc)
            return None
        return found if found.version == version else None

    def put(self, sha256: str, fieldset: FieldSet) -> bool:
        if not sha256:
            return False
        path = self._path(sha256, fieldset.version)
        try:
            replace_bytes(path, dumps(fieldset_out(fieldset)))
            return True
        except (OSError, TypeError) as exc:
            log.warning("電子様式の項目を記録できませんでした（%s）", exc)
            return False
