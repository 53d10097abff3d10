"""Revised drafts (issue 10): the edit list for each kind of seal request, drafts that keep the
rest of the form's text, and drafts in which a scan finds no seal request any more."""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from classifiers.engine import detect
from extractors.discover import describe_file
from extractors.registry import extract
from output.revised import NOTE_NONE, NOTE_PDF, REVISER_VERSION, RevisionResult, draft_path, revise
from output.revised.edits import apply, plan
from output.revised.xlsx_reviser import EMPTY_CIRCLE
from tests.conftest import EXAMPLES
from tests.fixtures.revised_forms import make_docx, make_xlsx

CONFUSERS = [
    "この用紙を印刷して使用してください。",
    "収入印紙（消印しないでください）",
    "矢印の方向に折ってください。",
    "該当するものに○印をつけてください。",
    "※押印は不要です。",
]
OFFICE_ROWS = [["受付印", "確認印", "担当"], ["", "", "㊞"]]


def run(src: Path, out: Path, replacement: str = "kimei", fmt: str | None = None) -> RevisionResult:
    return revise(src, fmt=fmt or src.suffix.lstrip("."), rel_path=f"課/{src.name}", replacement=replacement,
                  out_dir=out)


def triples(result: RevisionResult) -> list[tuple[str, str, str]]:
    return [(e["location"], e["before"], e["after"]) for e in result.edits]


def scan(path: Path):
    return detect(extract(describe_file(path, path.parent)))


def texts(path: Path) -> list[str]:
    """The extractor's text blocks, blank lines and blank blocks left out."""
    out = []
    for block in extract(describe_file(path, path.parent)).blocks:
        lines = [line for line in block.text.split("\n") if line.strip(" \u3000\t")]
        if lines:
            out.append("\n".join(lines))
    return out


def assert_rest_identical(original: Path, draft: Path, edits: list[dict]) -> None:
    """The draft's text is the original's with exactly the listed edits applied, nothing else."""
    expected = texts(original)
    for edit in edits:
        if edit["before"] == EMPTY_CIRCLE:
            continue  # a drawn circle without text: nothing in the text to compare
        before = edit["before"].strip(" \u3000\t\n")
        hits = [i for i, t in enumerate(expected) if t.strip(" \u3000\t\n") == before] or [
            i for i, t in enumerate(expected) if before and before in t]
        assert hits, f"edit {edit} not found in the original's text"
        i = hits[0]
        expected[i] = expected[i].replace(before, edit["after"].strip(" \u3000\t\n"), 1)
    expected = [t for t in ("\n".join(x for x in e.split("\n") if x.strip(" \u3000\t")) for e in expected) if t]
    assert [t.rstrip(" \u3000") for t in texts(draft)] == [t.rstrip(" \u3000") for t in expected]


# ---- the text rules ---------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "replacement", "expected"), [
    ("氏名　　　　(印)", "kimei", "氏名　　　　"),
    ("氏名　　　　印", "kimei", "氏名　　　　"),
    ("届出者欄は、記名押印してください。", "kimei", "届出者欄は、記名してください。"),
    ("届出人署名押印", "shomei", "届出人署名"),
    ("1　押印してください。", "kimei", ""),
    ("氏名欄に押印してください。記入は黒のペンで。", "kimei", "記入は黒のペンで。"),
    ("申請者（署名又は記名押印）", "kimei", "申請者（記名）"),
    ("申請者（署名又は記名押印）", "shomei", "申請者（署名）"),
    ("（※自署または記名捺印）", "kimei", "（※記名）"),
    ("ご署名・ご捺印をお願いします。", "shomei", "ご署名をお願いします。"),
    ("実 印", "kimei", "実 印"),
    *[(c, "kimei", c) for c in CONFUSERS],
])
def test_text_rules(text: str, replacement: str, expected: str) -> None:
    ops = plan(text, replacement=replacement, name_context=True, office=False)
    assert apply(text, ops) == expected


# ---- Word: each kind of mark ----------------------------------------------------------------
DOCX_CASES = {
    "bare_cell": ("kimei", {"table": [["氏名", "", "印"]]}, [("表1 1行3列", "印", "")]),
    "circled": ("kimei", {"table": [["代表者氏名", "", "㊞"]]}, [("表1 1行3列", "㊞", "")]),
    "paren_half": ("kimei", {"paragraphs": ["届出書", "氏名　　　　(印)"]}, [("段落2", "氏名　　　　(印)", "氏名　　　　")]),
    "paren_full": ("kimei", {"paragraphs": ["届出書", "申請者　　（印）"]}, [("段落2", "申請者　　（印）", "申請者　　")]),
    "kikko": ("kimei", {"paragraphs": ["届出書", "氏名　〔印〕"]}, [("段落2", "氏名　〔印〕", "氏名　")]),
    "kimei_oin": ("kimei", {"paragraphs": ["届出書", "届出者欄は、記名押印してください。"]},
                  [("段落2", "届出者欄は、記名押印してください。", "届出者欄は、記名してください。")]),
    "shomei_oin": ("shomei", {"paragraphs": ["婚姻届", "届出人署名押印"]}, [("段落2", "届出人署名押印", "届出人署名")]),
    "oin_sentence": ("kimei", {"paragraphs": ["申請書", "注意", "1　押印してください。", "2　黒のペンで記入してください。"]},
                     [("段落3", "1　押印してください。", "")]),
    "either_kimei": ("kimei", {"paragraphs": ["申請書", "申請者（署名又は記名押印）"]},
                     [("段落2", "申請者（署名又は記名押印）", "申請者（記名）")]),
    "either_shomei": ("shomei", {"paragraphs": ["同意書", "同意者（署名又は記名押印）"]},
                      [("段落2", "同意者（署名又は記名押印）", "同意者（署名）")]),
    "jisho_either": ("shomei", {"paragraphs": ["誓約書", "氏名（自署又は記名押印）"]},
                     [("段落2", "氏名（自署又は記名押印）", "氏名（自署）")]),
    "jisho_label": ("shomei", {"table": [["氏名", "", "印"]]},
                    [("表1 1行1列", "氏名", "氏名（自署）"), ("表1 1行3列", "印", "")]),
    "jisho_present": ("shomei", {"table": [["氏名（自署）", "", "㊞"]]}, [("表1 1行3列", "㊞", "")]),
    "eq_field": ("kimei", {"table": [["氏名", "", ""]], "eq_in": (0, 2)}, [("表1 1行3列", "○印", "")]),
    "text_box": ("kimei", {"table": [["氏名", "", ""]], "box_in": (0, 2)}, [("表1 1行3列 テキストボックス", "印", "")]),
    "text_box_circled": ("shomei", {"table": [["氏名", "", ""]], "box_in": (0, 2), "box_text": "㊞"},
                         [("表1 1行3列 テキストボックス", "㊞", ""), ("表1 1行1列", "氏名", "氏名（自署）")]),
    "text_box_text": ("kimei", {"table": [["氏名", "", ""]], "box_in": (0, 1), "box_text": "記名押印してください。"},
                      [("テキストボックス", "記名押印してください。", "記名してください。")]),
    "with_confusers": ("kimei", {"paragraphs": ["申請書", *CONFUSERS], "table": [["氏名", "", "印"], *OFFICE_ROWS]},
                       [("表1 1行3列", "印", "")]),
}


@pytest.mark.parametrize("case", sorted(DOCX_CASES))
def test_docx_edit_list_and_clean_draft(case: str, tmp_path: Path) -> None:
    replacement, spec, expected = DOCX_CASES[case]
    src = make_docx(tmp_path / "in" / f"{case}.docx", **spec)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    assert scan(src).seal_requested is True
    result = run(src, tmp_path / "out", replacement)
    assert triples(result) == expected
    assert result.path == tmp_path / "out" / "revised" / "課" / f"{case}.docx"
    assert scan(result.path).seal_requested is False
    assert_rest_identical(src, result.path, result.edits)
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest  # the original is never touched


def test_docx_keeps_styles_and_run_formatting(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "f.docx", ["届出書", "届出者欄は、記名押印してください。"])
    result = run(src, tmp_path / "out")
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(result.path) as b:
        assert a.namelist() == b.namelist()
        assert a.read("word/styles.xml") == b.read("word/styles.xml")
    import docx

    title = docx.Document(str(result.path)).paragraphs[0].runs[0]
    assert title.text == "届出書" and title.bold is True


def test_docx_text_box_and_eq_field_are_gone_from_the_xml(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "f.docx", table=[["氏名", "", ""]], eq_in=(0, 2), box_in=(0, 1))
    result = run(src, tmp_path / "out")
    xml = zipfile.ZipFile(result.path).read("word/document.xml").decode()
    assert "fldChar" not in xml and "instrText" not in xml and "txbxContent" not in xml
    assert len(result.edits) == 2


def test_text_box_fallback_copy_is_edited_too(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "f.docx", table=[["氏名", "", ""]], box_in=(0, 1), box_text="署名押印")
    result = run(src, tmp_path / "out")
    xml = zipfile.ZipFile(result.path).read("word/document.xml").decode()
    assert triples(result) == [("テキストボックス", "署名押印", "署名")]  # reported once
    assert xml.count(">署名<") == 2 and "押印" not in xml  # mc:Choice and mc:Fallback both changed


def test_a_broken_file_gives_a_note_not_an_exception(tmp_path: Path) -> None:
    src = tmp_path / "壊れた.docx"
    src.write_bytes(b"PK\x03\x04 not really a zip")
    result = run(src, tmp_path / "out")
    assert result.path is None and result.edits == [] and "問題" in result.note


def test_confusers_and_office_boxes_are_never_touched(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "f.docx", ["申請書", *CONFUSERS], [["住所", ""], *[r[:2] for r in OFFICE_ROWS]])
    result = run(src, tmp_path / "out")
    assert result == RevisionResult(None, [], NOTE_NONE)
    assert not (tmp_path / "out" / "revised").exists()


# ---- Excel -----------------------------------------------------------------------------------
XLSX_CASES = {
    "cell_circled": ("kimei", {"A5": "氏名", "B5": "", "G5": "㊞"}, [], [("様式!G5", "㊞", "")]),
    "cell_paren": ("kimei", {"A5": "氏名　　　(印)"}, [], [("様式!A5", "氏名　　　(印)", "氏名　　　")]),
    "shape_mark": ("kimei", {"A5": "氏名", "A12": "記入上の注意"}, [(4, 6, "印", "ellipse"), (12, 1, "黒のペンで記入", "rect")],
                   [("様式!G5 図形", "印", "")]),
    "empty_circle": ("kimei", {"A5": "氏名", "G5": "印"}, [(4, 6, "", "ellipse")],
                     [("様式!G5", "印", ""), ("様式!G5 図形", "○（円の図形）", "")]),
    "shomei": ("shomei", {"A5": "氏名", "G5": "㊞"}, [], [("様式!A5", "氏名", "氏名（自署）"), ("様式!G5", "㊞", "")]),
    "instruction": ("kimei", {"A1": "申請書", "A5": "氏名", "A10": "※記名押印してください。"}, [],
                    [("様式!A10", "※記名押印してください。", "※記名してください。")]),
    "office_rows": ("kimei", {"A5": "氏名", "G5": "㊞", "A20": "受付印", "B20": "確認印", "B21": "㊞", "C22": "印刷日"}, [],
                    [("様式!G5", "㊞", "")]),
}


@pytest.mark.parametrize("case", sorted(XLSX_CASES))
def test_xlsx_edit_list_and_clean_draft(case: str, tmp_path: Path) -> None:
    replacement, cells, shapes, expected = XLSX_CASES[case]
    src = make_xlsx(tmp_path / "in" / f"{case}.xlsx", cells, shapes)
    assert scan(src).seal_requested is True
    result = run(src, tmp_path / "out", replacement)
    assert triples(result) == expected
    assert scan(result.path).seal_requested is False
    assert_rest_identical(src, result.path, result.edits)


def test_xlsx_keeps_drawings_styles_and_other_shapes(tmp_path: Path) -> None:
    cells = {"A5": "氏名", "G5": "", "A12": "記入上の注意"}
    src = make_xlsx(tmp_path / "f.xlsx", cells, [(4, 6, "㊞", "ellipse"), (12, 1, "黒のペンで記入", "rect")])
    result = run(src, tmp_path / "out")
    drawing = zipfile.ZipFile(result.path).read("xl/drawings/drawing1.xml").decode()
    assert drawing.count("twoCellAnchor>") == 2  # one anchor (open + close tag) is left
    assert "黒のペンで記入" in drawing and "㊞" not in drawing
    ws = openpyxl.load_workbook(result.path).active
    assert ws["A5"].font.b is True and ws["G5"].border.left.style == "thin"


# ---- PDF, paths, legacy ----------------------------------------------------------------------
def test_pdf_gets_a_list_of_edits_and_no_draft(tmp_path: Path) -> None:
    rel = "市民文化局/地域安全推進課/暴力団排除に関する誓約書.pdf"
    result = revise(EXAMPLES / rel, fmt="pdf", rel_path=rel, replacement="shomei", out_dir=tmp_path)
    assert result.path is None and result.note == NOTE_PDF
    assert [(e["location"], e["before"], e["after"]) for e in result.edits] == [
        ("p.1 6行目", "氏名 (印)", "氏名（自署）")]  # no trailing space where the mark was
    assert not (tmp_path / "revised").exists()


def test_draft_path_keeps_the_tree_and_refuses_escapes(tmp_path: Path) -> None:
    assert draft_path(tmp_path, "局/課/様式.doc", ".docx") == tmp_path / "revised" / "局" / "課" / "様式.docx"
    with pytest.raises(ValueError):
        draft_path(tmp_path, "../外/様式.docx")
    assert len(REVISER_VERSION) == 16  # derived from the reviser's code (issue 18)


def _to_legacy(src: Path, fmt: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder.parent}/lo-profile", "--headless", "--convert-to", fmt,
                    "--outdir", str(folder), str(src)], check=True, capture_output=True, timeout=120)
    return folder / f"{src.stem}.{fmt}"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_legacy_doc_and_xls_are_converted_then_revised(tmp_path: Path) -> None:
    doc = _to_legacy(make_docx(tmp_path / "a.docx", ["申請書", "印刷してください。", "氏名　　　　印"]), "doc",
                     tmp_path / "doc")
    result = run(doc, tmp_path / "out")
    assert result.path.suffix == ".docx" and "変換して修正しました" in result.note
    assert [(e["before"], e["after"]) for e in result.edits] == [("氏名　　　　印", "氏名　　　　")]
    assert scan(result.path).seal_requested is False
    cells = {"A5": "氏名", "G5": "㊞", "A20": "受付", "B20": "㊞"}  # LibreOffice writes one shared ㊞ string
    xls = _to_legacy(make_xlsx(tmp_path / "b.xlsx", cells), "xls", tmp_path / "xls")
    result = run(xls, tmp_path / "out")
    assert result.path.suffix == ".xlsx" and triples(result) == [("様式!G5", "㊞", "")]
    ws = openpyxl.load_workbook(result.path).active
    assert ws["G5"].value is None and ws["B20"].value == "㊞" and ws["A5"].value == "氏名"


# ---- the real corpus (skipped when absent) -------------------------------------------------------
def test_real_forms_with_a_seal_get_clean_drafts(real_corpus: Path, tmp_path: Path) -> None:
    with (real_corpus / "LABELS.tsv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["seal_requested"] == "yes"
                and r["seal_kinds"] == "mitome" and r["file"].rsplit(".", 1)[-1] in ("docx", "xlsx", "xls")]
    assert len(rows) >= 5
    for row in rows:
        source = describe_file(real_corpus / row["file"], real_corpus)
        result = revise(source.path, fmt=source.format.value, rel_path=source.rel_path, replacement="kimei",
                        out_dir=tmp_path)
        assert result.path is not None and result.edits, row["file"]
        assert scan(result.path).seal_requested is False, row["file"]


# ---- the bundled examples ---------------------------------------------------------------------
def _abolished() -> list[dict]:
    with (EXAMPLES.parent / "EXPECTED.tsv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh, delimiter="\t") if r["decision"] == "abolish" and r["format"] != "pdf"]


EXAMPLE_EDITS = {
    "中小企業補助金交付申請書.docx": [("印", "")],
    "犬の登録事項変更届出書.docx": [("1　届出者欄は、所有者が記名押印してください。", "1　届出者欄は、所有者が記名してください。")],
    "ごみ集積所設置届.docx": [("　" * 16 + "○印", "　" * 16)],
    "誓約書.xlsx": [("氏名", "氏名（自署）"), ("㊞", "")],
    "住所変更届.xlsx": [("㊞", "")],
    "農地法第3条許可申請書.docx": [("印", ""), ("印", "")],  # 譲受人 and 譲渡人 (abolished since the 農地法 entry)
}


@pytest.mark.parametrize("row", _abolished(), ids=lambda r: r["path"].rsplit("/", 1)[-1])
def test_example_forms_drafts(row: dict, tmp_path: Path) -> None:
    src = EXAMPLES / row["path"]
    result = revise(src, fmt=row["format"], rel_path=row["path"], replacement=row["replacement"], out_dir=tmp_path)
    assert result.path == tmp_path / "revised" / row["path"]
    assert [(e["before"], e["after"]) for e in result.edits] == EXAMPLE_EDITS[src.name]
    assert scan(result.path).seal_requested is False
    assert_rest_identical(src, result.path, result.edits)
