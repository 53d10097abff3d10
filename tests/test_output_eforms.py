"""E-forms: JSON (validated against output/eform_schema.json), HTML preview, staging → OUT_DIR/eforms/, register columns."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook

from classifiers.fields import FieldSet, FormField
from output.columns import render
from output.eform_html import render_html
from output.eforms import EFORMS, STAGING, build_eform, row_online, settle_eforms, stage_eform
from output.register import write_register
from tests.test_output_rows import make_row

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "output" / "eform_schema.json").read_text(encoding="utf-8"))
FIELDS = FieldSet(fields=(
    FormField("f001", "日付", "date", location="段落2", rule="fields.layout.date.v1"),
    FormField("f002", "氏名", "name", required=True, group="申請者", location="表1 1行1列", rule="fields.kind.name.v1",
              note="自署"),
    FormField("f003", "性別", "choice", group="申請者", options=("男", "女"), location="表1 2行1列",
              rule="fields.layout.choice.v1"),
    FormField("f004", "続柄", "text", group="世帯員", repeat=3, location="表2 1行2列", rule="fields.layout.repeat.v1"),
), notes=("※黒のボールペンで記入してください。",), identity_documents=("運転免許証",), version="fields@1")


def _row(n: int = 1, **over):
    row = make_row(n, input_root="/in", **over)
    return replace(row, online=row_online(row, ["運転免許証"]))


def test_eform_json_follows_its_schema_and_groups_fields():
    eform = build_eform(_row(), FIELDS)
    jsonschema.validate(eform, SCHEMA)
    assert [(s["title"], s["fields"], s.get("repeat")) for s in eform["sections"]] == [
        ("申請内容", ["f001"], None), ("申請者", ["f002", "f003"], None), ("世帯員", ["f004"], 3)]
    assert eform["online"]["class"] == "kimei" and "運転免許証" in eform["online"]["reason"]
    assert eform["fields"][2]["options"] == ["男", "女"] and eform["fields"][1]["note"] == "自署"


def test_schema_rejects_an_unknown_kind():
    eform = build_eform(_row(), FIELDS)
    eform["fields"][0]["kind"] = "colour"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(eform, SCHEMA)


def test_html_preview_has_inputs_by_kind_and_escapes_text():
    html = render_html(build_eform(_row(title="<script>x</script>"), FIELDS))
    assert "<script>x" not in html and "&lt;script&gt;" in html
    assert '<input type="date" name="f001">' in html
    assert 'type="radio" name="f003" value="男"' in html
    assert html.count('name="f004-') == 3  # the repeated table keeps its three rows
    assert "※必須" in html and '<td class="src">表1 1行1列</td>' in html and "オンライン化: 記名のみ" in html
    assert "元の様式: 表2 1行2列（3行）" in html


def test_stage_then_settle_moves_eforms_and_removes_strays(tmp_path):
    stray = tmp_path / EFORMS / "old" / "gone.docx.json"
    stray.parent.mkdir(parents=True)
    stray.write_text("{}", encoding="utf-8")
    staged = stage_eform(_row(), FIELDS, tmp_path)
    assert staged.eform_path.startswith(str(STAGING))
    [row] = settle_eforms([staged], tmp_path)
    assert row.eform_path == f"{EFORMS}/総務局/総務課/申請書1.docx.json"
    assert (tmp_path / row.eform_path).is_file() and (tmp_path / row.eform_path.replace(".json", ".html")).is_file()
    assert not stray.exists() and not (tmp_path / STAGING).exists()
    assert render(row, 1).as_dict()["電子様式"] == f"{EFORMS}/総務局/総務課/申請書1.docx.html"


def test_a_new_folder_of_staged_eforms_moves_whole_and_later_ones_file_by_file(tmp_path):
    import os

    first = [stage_eform(_row(n), FIELDS, tmp_path) for n in (1, 2)]
    folder = (tmp_path / first[0].eform_path).parent
    inode = os.stat(folder).st_ino
    (folder / "left-over.docx.json").write_text("{}", encoding="utf-8")  # staged, no row points to it
    rows = settle_eforms(first, tmp_path)
    placed = tmp_path / EFORMS / "総務局" / "総務課"
    assert os.stat(placed).st_ino == inode  # one rename for the folder, not two a form
    assert sorted(p.name for p in placed.iterdir()) == ["申請書1.docx.html", "申請書1.docx.json",
                                                       "申請書2.docx.html", "申請書2.docx.json"]
    assert [json.loads((tmp_path / r.eform_path).read_text(encoding="utf-8"))["title"] for r in rows] == \
        [r.title for r in first]
    again = stage_eform(_row(3), FIELDS, tmp_path)  # the folder exists now: the file moves alone
    rows = settle_eforms([*rows, again], tmp_path)
    assert os.stat(placed).st_ino == inode and (tmp_path / rows[2].eform_path).is_file()
    assert len(list(placed.iterdir())) == 6 and not (tmp_path / STAGING).exists()


def test_the_online_class_follows_a_reviewers_decision(tmp_path):
    staged = stage_eform(_row(), FIELDS, tmp_path)
    reviewed = replace(staged, decision="keep_contract", replacement=None, document_class="契約書")
    [row] = settle_eforms([reviewed], tmp_path)
    assert row.online["class"] == "contract"
    saved = json.loads((tmp_path / row.eform_path).read_text(encoding="utf-8"))
    assert saved["online"]["class"] == "contract"
    assert "電子契約" in (tmp_path / row.eform_path.replace(".json", ".html")).read_text(encoding="utf-8")


def test_two_input_folders_get_their_own_eform_folders(tmp_path):
    a = stage_eform(replace(_row(), input_root="/x/a"), FIELDS, tmp_path)
    b = stage_eform(replace(_row(), input_root="/y/b"), FIELDS, tmp_path)
    rows = settle_eforms([a, b], tmp_path)
    assert sorted(r.eform_path.split("/")[1] for r in rows) == ["a", "b"]


def test_no_fields_no_eform_and_the_row_says_why(tmp_path):
    row = stage_eform(_row(), FieldSet(status="no_fields", why="入力項目（記入欄）が見つからないため電子様式は作りません"), tmp_path)
    [row] = settle_eforms([row], tmp_path)
    assert row.eform_path is None
    assert render(row, 1).as_dict()["電子様式"] == "なし（入力項目（記入欄）が見つからないため電子様式は作りません）"
    assert not (tmp_path / EFORMS).exists() or not any((tmp_path / EFORMS).rglob("*.json"))


def test_register_columns_jsonl_and_summary_tables(tmp_path):
    rows = [_row(1), _row(2, decision="keep_contract", replacement=None, department="財政局/契約課")]
    rows = [replace(r, online=row_online(r)) for r in rows]
    paths = write_register(rows, tmp_path, run_info={"started": "2026-12-01T10:00:00+09:00"})
    values = render(rows[1], 2).as_dict()
    assert values["オンライン化"] == "存続（契約等）（電子契約）" and "電子契約" in values["オンライン化の理由"]
    first = json.loads(paths["jsonl"].read_text(encoding="utf-8").splitlines()[0])
    assert first["online"]["class"] == "kimei" and "eform_path" in first
    ws = load_workbook(paths["xlsx"])["集計"]
    cells = [[c for c in r if c is not None] for r in ws.iter_rows(values_only=True)]
    assert ["様式2件のうち1件（約50%）は電子署名なしでオンライン化できます（電子様式の下書き0件）"] in cells
    assert ["記名のみ（電子署名不要）", 1] in cells and ["存続（契約等）（電子契約）", 1] in cells
    header = next(r for r in cells if r and r[0] == "所管" and "記名のみ（電子署名不要）" in r)
    assert header[-1] == "計"
    assert ["財政局/契約課", 0, 0, 0, 1, 0, 0, 0, 1] in cells
