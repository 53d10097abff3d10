"""Detection (not only extraction) of an applicant's seal field hidden in a Word header or text box.

Each file's body asks for no seal; the 「申請者氏名　　印」 field sits only in the header, a VML text box or a
DrawingML text box. The seal request must be detected, and its finding must say where it is.
A PDF whose fonts pdfminer can only print as `(cid:NN)` is read through pypdfium2 and detected too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers import models as m
from classifiers.engine import detect
from extractors.discover import describe_file
from extractors.models import Status
from extractors.registry import extract
from tests.fixtures.detect_places import build, make_cid_pdf

pytestmark = pytest.mark.ginza


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("places"))


def _detect(path: Path):
    document = extract(describe_file(path, path.parent))
    assert document.status == Status.OK, document.errors
    return detect(document)


@pytest.mark.parametrize(("name", "kind", "words"), [
    ("header", "header", "ヘッダー"),
    ("vml", "textbox", "テキストボックス"),
    ("drawingml", "textbox", "テキストボックス"),
])
def test_seal_field_is_detected_where_it_hides(files, name, kind, words):
    det = _detect(files[name])
    assert det.seal_requested and det.seal_kinds == ("mitome",)
    marks = [f for f in det.findings if f.label == m.SEAL_MARK and f.score >= 0.5]
    assert len(marks) == 1, [(f.rule_id, f.text, f.where) for f in det.findings]  # the VML fallback not twice
    mark = marks[0]
    assert mark.rule_id == "seal.mark.name_field.v1" and mark.text == "印"
    assert mark.supporting == "申請者" and "申請者氏名" in mark.context
    assert mark.location.kind == kind and words in mark.where


def test_same_form_without_the_field_asks_no_seal(files):
    det = _detect(files["none"])
    assert not det.seal_requested
    assert not [f for f in det.findings if f.label in (m.SEAL_MARK, m.SEAL_INSTRUCTION, m.SEAL_KIND)]


def test_cid_text_layer_falls_back_to_pdfium_and_is_detected(tmp_path):
    import pdfplumber

    path = make_cid_pdf(tmp_path / "cid.pdf")
    with pdfplumber.open(path) as pdf:
        assert "(cid:" in pdf.pages[0].extract_text()  # the premise: pdfminer cannot decode this font
    document = extract(describe_file(path, tmp_path), ocr=False)
    assert "申請者氏名" in "\n".join(b.text for b in document.blocks)
    assert not any("(cid:" in b.text for b in document.blocks)
    det = detect(document)
    assert det.seal_requested and not det.ocr_only
    mark = next(f for f in det.findings if f.label == m.SEAL_MARK)
    assert mark.text == "印" and mark.supporting == "申請者" and mark.location.page == 1
