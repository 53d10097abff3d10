"""The manifest (staff's sheet of 根拠法令 / 所管) and its merge with the form text, manifest winning."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from rules.engine import decide, load_context
from rules.errors import RuleDataError
from rules.manifest import load_manifest
from tests.rules_helpers import doc, seal

ROWS = [
    ["ファイル", "様式名", "根拠法令", "所管"],
    ["健康福祉局/高齢者支援課/使用届.docx", "", "川崎市高齢者支援事業実施要綱第5条", "高齢者支援課"],
    ["申込書.xlsx", "", "川崎市手数料条例第3条", "市民文化局"],
    ["", "登記承諾書", "不動産登記令第19条", "財政局"],
    ["", "届出書", "なし", "総務企画局"],
]


@pytest.fixture()
def csv_manifest(tmp_path):
    path = tmp_path / "manifest.csv"
    path.write_text("\n".join(",".join(r) for r in ROWS), encoding="utf-8-sig")
    return path


@pytest.fixture()
def xlsx_manifest(tmp_path):
    path = tmp_path / "manifest.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["path", "title", "legal_basis", "department"])
    for row in ROWS[1:]:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("which", ["csv_manifest", "xlsx_manifest"])
def test_lookup_by_path_file_name_and_title(which, request):
    manifest = load_manifest(request.getfixturevalue(which), city="川崎市")
    by_path = manifest.lookup("健康福祉局/高齢者支援課/使用届.docx", "使用届")
    assert by_path.department == "高齢者支援課"
    assert by_path.citations[0].citation == "川崎市高齢者支援事業実施要綱第5条"
    assert by_path.citations[0].source == "manifest"
    assert manifest.lookup("市民文化局/区民課/申込書.xlsx", "").citations[0].kind == "条例"
    assert manifest.lookup("x/y.pdf", "登記承諾書").department == "財政局"
    assert manifest.lookup("x/y.pdf", "届出書").citations == ()
    assert manifest.lookup("x/other.pdf", "別の様式") is None


def test_cp932_csv(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes("様式名,根拠法令,所管\n誓約書,川崎市契約規則第5条,財政局\n".encode("cp932"))
    entry = load_manifest(path).lookup("a.docx", "誓約書")
    assert (entry.citations[0].law, entry.department) == ("川崎市契約規則", "財政局")


def test_manifest_without_basis_column_fails(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("ファイル,所管\na.docx,総務課\n", encoding="utf-8")
    with pytest.raises(RuleDataError, match="根拠法令"):
        load_manifest(path)


def test_manifest_wins_over_the_form_text(csv_manifest):
    ctx = load_context(as_of=dt.date(2025, 4, 1), manifest=csv_manifest)
    lines = ("使用届", "架空資源保全法第12条の規定により届け出ます。", "氏名 印")
    without = decide(doc(*lines), seal(), rel_path="other/使用届.docx", title="使用届", ctx=ctx)
    assert without.decision == "needs_review"
    with_entry = decide(doc(*lines), seal(), rel_path="健康福祉局/高齢者支援課/使用届.docx", title="使用届", ctx=ctx)
    assert (with_entry.decision, with_entry.replacement, with_entry.basis_category) == ("abolish", "kimei", "要綱")
    assert with_entry.legal_basis[0].source == "manifest"
    assert any(e.location == "台帳（マニフェスト）2行目" for e in with_entry.evidence)


def test_manifest_gives_a_basis_the_form_does_not_print(csv_manifest):
    ctx = load_context(as_of=dt.date(2025, 4, 1), manifest=csv_manifest)
    toki = decide(doc("登記承諾書", "承諾者 氏名 印"), seal(), rel_path="a/b.docx", title="登記承諾書", ctx=ctx)
    assert (toki.decision, toki.rule_id) == ("keep_law", "decide.keep_law.v1")
    jorei = decide(doc("申込書", "氏名 印"), seal(), rel_path="市民文化局/申込書.xlsx", title="申込書", ctx=ctx)
    assert (jorei.decision, jorei.reiki_kaisei, jorei.basis_category) == ("abolish", True, "条例")
