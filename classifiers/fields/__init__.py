"""Field extraction: a form's input fields (label, kind, required, group, repeated rows) from its `Document`.

Detect stage, beside the seal detectors: it reads the same lines the detectors read and never decides
anything about seals. `extract_fields(document)` returns a `FieldSet`; the patterns are data
(classifiers/fields/patterns.yaml, with ids, a version and examples).
"""

from classifiers.fields.extract import extract_fields
from classifiers.fields.models import KINDS, FieldSet, FormField

__all__ = ["KINDS", "FieldSet", "FormField", "extract_fields"]
