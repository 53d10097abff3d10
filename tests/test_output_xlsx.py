"""register.xlsx made for reviewers and for print: protection, drop-down, colours, A4, 集計, 根拠法令一覧."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from output.columns import COLUMNS
from output.register import write_register
from tests.test_output_register import RUN_INFO
from tests.test_output_rows import make_row

COL = {name: i + 1 for i, name in enumerate(COLUMNS)}


def sample_rows():
    law = [{"citation": "戸籍法施行規則第57条", "level": "national"}]
    return [
        make_row(1),
        make_row(2, decision="needs_review", replacement=None, department="市民局/戸籍課", legal_basis=law,
                 basis_category="国の法令", title="=cmd|' /C calc'!A0"),
        make_row(3, decision="error", seal_requested=None, error="暗号化されています", legal_basis=[]),
        make_row(4, decision="keep_contract", replacement=None, department="財政局/契約課", signature_required=True),
    ]


@pytest.fixture(scope="module")
def register(tmp_path_factory) -> Path:
    return write_register(sample_rows(), tmp_path_factory.mktemp("reg"), run_info=RUN_INFO)["xlsx"]


def test_list_sheet_protection_and_reviewer_columns(register):
    ws = load_workbook(register)["一覧"]
    assert ws.protection.sheet is True
    assert ws.protection.autoFilter is False and ws.protection.sort is False  # filtering/sorting allowed
    for name in ("レビュー判定", "レビュー者コメント", "根拠法令（修正）", "レビュー者"):
        assert ws.cell(2, COL[name]).protection.locked is False, name
    for name in ("判定", "様式名", "理由", "No"):
        assert ws.cell(2, COL[name]).protection.locked is True, name
    assert ws.column_dimensions["Z"].hidden is True and COLUMNS[25] == "ファイルハッシュ"
    assert ws.column_dimensions["AA"].hidden is True and COLUMNS[26] == "取込済みレビュー"


def test_dropdown_points_to_hidden_choices(register):
    wb = load_workbook(register)
    choices = wb["選択肢"]
    assert choices.sheet_state == "hidden"
    assert [choices.cell(i, 1).value for i in range(1, 8)] == [
        "押印なし", "廃止", "存続（法令等）", "存続（契約等）", "存続（登録印）", "要確認", "読取不可"]
    [dv] = wb["一覧"].data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == "'選択肢'!$A$1:$A$7"
    assert "P2:P1000" in str(dv.sqref)


def test_conditional_colours_for_review_and_unreadable(register):
    ws = load_workbook(register)["一覧"]
    formulas = [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules]
    assert formulas == ['$K2="要確認"', '$K2="読取不可"']


def test_print_setup_and_layout(register):
    ws = load_workbook(register)["一覧"]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows == "$1:$1"
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref == f"A1:{get_column_letter(len(COLUMNS))}5"
    assert 10 <= ws.column_dimensions["D"].width <= 30  # 様式名 sized for Japanese text
    assert ws.cell(2, COL["理由"]).alignment.wrap_text is True


def test_formula_text_quote_prefixed(register):
    ws = load_workbook(register)["一覧"]
    cell = ws.cell(3, COL["様式名"])
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s" and cell.quotePrefix is True


def test_summary_sheet_tables_and_chart(register):
    ws = load_workbook(register)["集計"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in values for v in row if v is not None]
    assert "押印を求めている申請書等3件のうち1件（約33%）について押印を廃止" in flat
    by_title = {row[0]: row for row in values if row and row[0]}
    for title in ("判定別件数", "根拠区分 × 判定", "所管 × 判定", "押印・署名の見直し結果（狛江市方式）"):
        assert title in by_title
    seal_basis = section(values, "根拠区分 × 判定")
    assert seal_basis["規則"][1:9] == [0, 1, 0, 1, 0, 0, 1, 3]  # 押印なし 廃止 法令 契約 登録印 要確認 読取不可 計
    assert seal_basis["国の法令"][1:9] == [0, 0, 0, 0, 0, 1, 0, 1]
    komae = section(values, "押印・署名の見直し結果（狛江市方式）")
    assert komae["押印"][1:6] == [1, 1, 1, 0, 3] and komae["署名"][1:6] == [0, 1, 0, 0, 1]
    assert len(ws._charts) == 1


def section(values: list[list], title: str) -> dict[str, list]:
    """The rows of one table of 集計 (below its title and header), by their first cell."""
    start = next(i for i, row in enumerate(values) if row[0] == title) + 2
    out = {}
    for row in values[start:]:
        if row[0] is None:
            break
        out[row[0]] = row
    return out


def test_summary_sheet_signature_tables(register):
    """Row 4 (存続（契約等）, 財政局/契約課, 規則) is the only form asking for a signature."""
    ws = load_workbook(register)["集計"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    by_decision = section(values, "署名を求めている様式：判定別件数")
    assert by_decision["存続（契約等）"][1] == 1 and by_decision["廃止"][1] == 0 and by_decision["計"][1] == 1
    by_basis = section(values, "署名を求めている様式：根拠区分 × 判定")
    assert list(by_basis) == ["条例", "規則", "要綱", "要領その他", "国の法令", "なし", "計"]
    assert by_basis["規則"][1:9] == [0, 0, 0, 1, 0, 0, 0, 1] and by_basis["計"][8] == 1
    by_department = section(values, "署名を求めている様式：所管 × 判定")
    assert list(by_department) == ["財政局/契約課", "計"] and by_department["財政局/契約課"][4] == 1


def test_summary_sheet_times_in_japan_time(tmp_path):
    run_info = {**RUN_INFO, "started": "2024-03-31T23:30:00+00:00", "finished": "2024-04-01T09:05:00+09:00"}
    ws = load_workbook(write_register(sample_rows(), tmp_path, run_info=run_info)["xlsx"])["集計"]
    info = {row[0].value: row[1].value for row in ws.iter_rows(min_row=4, max_row=10)}
    assert info["開始"] == "2024-04-01 08:30:00（日本時間）" and info["終了"] == "2024-04-01 09:05:00（日本時間）"


def test_summary_sheet_without_seal_requests_says_so(tmp_path):
    rows = [make_row(1, decision="no_seal", seal_requested=False, replacement=None)]
    ws = load_workbook(write_register(rows, tmp_path, run_info=RUN_INFO)["xlsx"])["集計"]
    assert ws["A2"].value == "押印を求めている申請書等はありませんでした"


def test_legal_bases_sheet_lists_forms(register):
    ws = load_workbook(register)["根拠法令一覧"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][:4] == ["根拠法令", "区分", "件数", "この根拠法令を挙げている様式"]
    assert rows[0][4:8] == ["カタログ", "法令（カタログ）", "所管", "基準日の効果"]
    assert rows[1][:3] == ["狛江市補助金等交付規則第4条", "市の例規", 2]
    assert rows[1][3] == ("補助金交付申請書1（総務局/総務課/申請書1.docx）\n"
                          "補助金交付申請書4（総務局/総務課/申請書4.docx）")
    assert rows[2][:3] == ["戸籍法施行規則第57条", "国の法令", 1]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_to_pdf(register, tmp_path):
    """Staff print the register: LibreOffice headless must open it and export a PDF."""
    cmd = ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
           "--outdir", str(tmp_path), str(register)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, start_new_session=True)
    pdf = tmp_path / "register.pdf"
    assert proc.returncode == 0, proc.stderr
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
        assert "様式名" in text and "押印を求めている申請書等3件のうち1件" in text


def test_revised_draft_edits_are_listed(tmp_path: Path) -> None:
    row = make_row(decision="abolish", replacement="kimei")
    row.revised_path = "revised/総務局/申請書.docx"
    row.revisions = [{"location": "表1 2行3列", "before": "印", "after": ""},
                     {"location": "段落4", "before": "記名押印してください。", "after": "記名してください。"}]
    paths = write_register([row], tmp_path, run_info=RUN_INFO)
    wb = load_workbook(paths["xlsx"])
    header = [c.value for c in wb["一覧"][1]]
    values = dict(zip(header, [c.value for c in wb["一覧"][2]], strict=True))
    assert values["修正案"] == "revised/総務局/申請書.docx"
    assert values["修正内容"] == "表1 2行3列: 印 → （削除）\n段落4: 記名押印してください。 → 記名してください。"
    sheet = [[c.value for c in r] for r in wb["修正一覧"].iter_rows(min_row=2)]
    assert [r[2:] for r in sheet] == [["表1 2行3列", "印", "（削除）"],
                                      ["段落4", "記名押印してください。", "記名してください。"]]


def test_legal_bases_sheet_shows_catalogue_entries_and_ranks_missing_laws(tmp_path):
    """Each cited law with its entry, effect and source; then the laws the catalogue lacks, most cited first."""
    known = {"citation": "国民健康保険法第9条", "level": "national", "kind": "法", "catalogue_id": "law.kokumin_kenko_hoken",
             "law": "国民健康保険法", "ministry": "厚生労働省", "effect": "none", "period": "2020-12-25〜",
             "instrument": "令和2年厚生労働省令第208号", "source": "https://www.mhlw.go.jp/x"}
    missing_a = {"citation": "架空資源保全法第3条", "level": "national", "kind": "法"}
    missing_a2 = {"citation": "架空資源保全法第7条", "level": "national", "kind": "法"}
    missing_b = {"citation": "架空港湾管理法", "level": "national", "kind": "法"}
    guideline = {"citation": "○○県補助金交付要綱", "level": "internal", "kind": "要綱"}
    rows = [make_row(1, legal_basis=[known]), make_row(2, legal_basis=[missing_a, guideline]),
            make_row(3, legal_basis=[missing_a2]), make_row(4, legal_basis=[missing_b])]
    ws = load_workbook(write_register(rows, tmp_path, run_info=RUN_INFO)["xlsx"])["根拠法令一覧"]
    table = [[c.value for c in r] for r in ws.iter_rows()]
    (kokuho,) = [r for r in table if r[0] == "国民健康保険法第9条"]
    assert kokuho[4:11] == ["law.kokumin_kenko_hoken", "国民健康保険法", "厚生労働省", "押印義務なし（廃止可）",
                            "2020-12-25〜", "令和2年厚生労働省令第208号", "https://www.mhlw.go.jp/x"]
    start = next(i for i, r in enumerate(table) if str(r[0] or "").startswith("カタログにない国・県の法令"))
    assert table[start][0].startswith("カタログにない国・県の法令 2 件")
    ranked = [r[:4] for r in table[start + 2:start + 4]]
    assert ranked == [[1, "架空資源保全法", "国の法令", 2], [2, "架空港湾管理法", "国の法令", 1]]


def rgb(color) -> str:
    """RRGGBB of an ARGB colour (Excel ignores the alpha byte: openpyxl wrote 00, XlsxWriter writes FF)."""
    return color.rgb[-6:]


def test_what_a_reviewer_sees_of_each_kind_of_cell(tmp_path: Path) -> None:
    """Each kind of cell of 一覧 (header, machine text, reviewer column, 信頼度, a linked file name) keeps its font,
    border, fill, alignment, protection and number format (one format per kind of cell)."""
    form = tmp_path / "forms" / "総務局" / "総務課" / "申請書1.docx"
    form.parent.mkdir(parents=True)
    form.write_bytes(b"PK")
    rows = [make_row(1, input_root=str(tmp_path / "forms")), make_row(2, title="=1+1")]
    out = tmp_path / "out"
    ws = load_workbook(write_register(rows, out, run_info=RUN_INFO)["xlsx"])["一覧"]
    header, body, review = ws.cell(1, COL["判定"]), ws.cell(2, COL["判定"]), ws.cell(2, COL["レビュー判定"])
    number, link, plain_file = ws.cell(2, COL["信頼度"]), ws.cell(2, COL["ファイル"]), ws.cell(3, COL["ファイル"])
    for cell in (header, body, review, number, link, plain_file):
        assert cell.font.name == "IPAexゴシック" and cell.font.sz == 9, cell.coordinate
        assert cell.border.left.style == "thin" and rgb(cell.border.bottom.color) == "999999", cell.coordinate
    assert header.font.b is True and rgb(header.fill.fgColor) == "DDEBF7" and header.alignment.horizontal == "center"
    assert body.font.b is not True and body.alignment.wrap_text is True and body.alignment.vertical == "top"
    assert body.protection.locked is True and body.fill.fill_type is None and body.number_format == "General"
    assert review.protection.locked is False and rgb(review.fill.fgColor) == "FFF2CC"
    assert number.number_format == "0.00" and number.value == 0.92
    # a relative link; XlsxWriter writes Excel's `\` (Excel and LibreOffice resolve it against the workbook's folder)
    assert link.hyperlink is not None and link.hyperlink.target.replace("\\", "/") == "../forms/%E7%B7%8F%E5%8B%99%E5%B1%80/" \
        "%E7%B7%8F%E5%8B%99%E8%AA%B2/%E7%94%B3%E8%AB%8B%E6%9B%B81.docx"
    assert rgb(link.font.color) == "0563C1" and link.font.u == "single" and link.protection.locked is True
    assert plain_file.hyperlink is None and plain_file.font.u is None  # no such file: no link
    quoted = ws.cell(3, COL["様式名"])
    assert quoted.value == "=1+1" and quoted.quotePrefix is True and quoted.data_type == "s"
    assert quoted.font.sz == 9 and quoted.border.left.style == "thin"
