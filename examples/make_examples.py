#!/usr/bin/env python3
"""Generate the bundled example forms under examples/forms/ (deterministically).

Usage:
    .venv/bin/python examples/make_examples.py [--out examples/forms]

Every file is a fictitious Kawasaki-style municipal form that exercises one
detection / decision case; the expected results are in examples/EXPECTED.tsv
(written by this script too, next to the output folder's parent when --out is
the default, or inside --out otherwise).

Determinism:
  * PDF  -- reportlab ``invariant=1`` (fixed dates and document ID).
  * DOCX -- python-docx core properties set to a fixed date; the zip is then
            rewritten with fixed member timestamps (python-docx uses
            ZipFile.writestr, which stamps the current time).
  * XLSX -- openpyxl properties fixed; written with ExcelWriter directly
            (openpyxl.save_workbook overwrites ``modified`` with now()), then
            the zip is normalised the same way.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import shutil
import sys
import zipfile
from pathlib import Path

FIXED_DT = dt.datetime(2021, 4, 1, 9, 0, 0)
ZIP_DT = (2021, 4, 1, 9, 0, 0)
AUTHOR = "川崎市（サンプル）"

FONT_MINCHO = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
FONT_GOTHIC = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"

SP = "\u3000"  # full-width space

# --------------------------------------------------------------------------
# zip normalisation (DOCX / XLSX)
# --------------------------------------------------------------------------
_CORE_DATE_RE = re.compile(
    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:(created|modified)>)")


def normalize_zip(data: bytes) -> bytes:
    """Rewrite an OOXML zip with fixed timestamps and fixed core dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = _CORE_DATE_RE.sub(rb"\g<1>2021-04-01T09:00:00Z\g<3>", blob)
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_DT)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, blob)
    return out.getvalue()


# --------------------------------------------------------------------------
# DOCX helpers
# --------------------------------------------------------------------------
def docx_new(title: str):
    import docx
    from docx.enum.section import WD_ORIENT  # noqa: F401
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin = sec.bottom_margin = Mm(20)
    sec.left_margin = sec.right_margin = Mm(22)
    st = d.styles["Normal"]
    st.font.name = "ＭＳ 明朝"
    st.font.size = Pt(10.5)
    rpr = st.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), "ＭＳ 明朝")
    pf = st.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(2)
    cp = d.core_properties
    cp.title = title
    cp.author = AUTHOR
    cp.last_modified_by = AUTHOR
    cp.created = FIXED_DT
    cp.modified = FIXED_DT
    cp.last_printed = FIXED_DT
    cp.revision = 1
    cp.comments = ""
    cp.subject = ""
    cp.keywords = ""
    return d


def dp(d, text: str = "", align: str = "left", bold: bool = False, size: float | None = None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = d.add_paragraph()
    p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    if text:
        r = p.add_run(text)
        r.bold = bold
        if size:
            r.font.size = Pt(size)
    return p


def dtable(d, rows: list[list[str]], widths_mm: list[float], merges=(), center_cols=()):
    """Add a grid table. ``rows`` is a list of row cell texts; ``merges`` is a
    list of ((r0, c0), (r1, c1)) ranges merged (the first cell keeps its text)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    t = d.add_table(rows=len(rows), cols=len(widths_mm))
    t.style = d.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for ri, row in enumerate(rows):
        for ci, text in enumerate(row):
            c = t.cell(ri, ci)
            c.width = Mm(widths_mm[ci])
            c.text = text
            if ci in center_cols or text in ("印", "㊞", "(印)", "（印）"):
                for p in c.paragraphs:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for (r0, c0), (r1, c1) in merges:
        a = t.cell(r0, c0)
        keep = a.text
        m = a.merge(t.cell(r1, c1))
        # merge() concatenates paragraphs of the merged cells; keep the first text only
        for p in list(m.paragraphs)[1:]:
            p._element.getparent().remove(p._element)
        m.paragraphs[0].text = keep
    return t


def docx_save(d, path: Path) -> None:
    buf = io.BytesIO()
    d.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(normalize_zip(buf.getvalue()))


def docx_eq_circle_seal(paragraph) -> None:
    """Append a Word EQ field drawing ○印 (enclosed character) with NO cached
    result, as real Word files often have: begin / instrText / separate / end."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child):
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    b = OxmlElement("w:fldChar")
    b.set(qn("w:fldCharType"), "begin")
    run_with(b)
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = " eq \\o\\ac(○,印) "
    run_with(it)
    s = OxmlElement("w:fldChar")
    s.set(qn("w:fldCharType"), "separate")
    run_with(s)
    e = OxmlElement("w:fldChar")
    e.set(qn("w:fldCharType"), "end")
    run_with(e)


def docx_header_block(d, yoshiki: str | None, title: str, atena: str = "川崎市長" + SP + "様",
                      date_line: str = "年" + SP + SP + "月" + SP + SP + "日"):
    if yoshiki:
        dp(d, yoshiki)
    dp(d, title, align="center", bold=True, size=16)
    dp(d)
    dp(d, date_line, align="right")
    dp(d, "（宛先）" + atena if atena else "")


# --------------------------------------------------------------------------
# XLSX helpers
# --------------------------------------------------------------------------
class Sheet:
    def __init__(self, title: str, widths: dict[str, float]):
        from openpyxl import Workbook
        from openpyxl.worksheet.properties import PageSetupProperties  # noqa: F401

        self.wb = Workbook()
        self.ws = self.wb.active
        self.ws.title = "様式"
        for col, w in widths.items():
            self.ws.column_dimensions[col].width = w
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        self.ws.page_setup.orientation = "portrait"
        self.ws.sheet_view.showGridLines = False
        p = self.wb.properties
        p.title = title
        p.creator = AUTHOR
        p.lastModifiedBy = AUTHOR
        p.created = FIXED_DT
        p.modified = FIXED_DT

    def put(self, ref: str, text, merge: str | None = None, bold=False, size=10.5,
            align="left", valign="center", border=False, wrap=True):
        from openpyxl.styles import Alignment, Border, Font, Side

        ws = self.ws
        ws[ref] = text
        c = ws[ref]
        c.font = Font(name="ＭＳ 明朝", size=size, bold=bold)
        c.alignment = Alignment(horizontal=align, vertical=valign, wrap_text=wrap)
        rng = merge or ref
        if merge:
            ws.merge_cells(merge)
        if border:
            thin = Side(style="thin")
            cells = ws[rng] if ":" in rng else ((ws[rng],),)
            for row in cells:
                for cell in row:
                    cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        return c

    def height(self, row: int, h: float):
        self.ws.row_dimensions[row].height = h

    def save(self, path: Path) -> None:
        from openpyxl.writer.excel import ExcelWriter

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
            ExcelWriter(self.wb, z).save()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(normalize_zip(buf.getvalue()))


# --------------------------------------------------------------------------
# PDF helpers
# --------------------------------------------------------------------------
_FONTS_DONE = False


def _register_fonts():
    global _FONTS_DONE
    if _FONTS_DONE:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("IPAexMincho", FONT_MINCHO))
    pdfmetrics.registerFont(TTFont("IPAexGothic", FONT_GOTHIC))
    _FONTS_DONE = True


class Pdf:
    """A4 page; coordinates in mm from the TOP-left corner."""

    def __init__(self, path: Path, title: str):
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        _register_fonts()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.W, self.H = A4
        self.c = canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
        self.c.setTitle(title)
        self.c.setAuthor(AUTHOR)
        self.c.setCreator("sealreview examples/make_examples.py")
        self.c.setProducer("ReportLab")
        self.c.setSubject("")
        self.c.setLineWidth(0.6)

    @staticmethod
    def mm(v: float) -> float:
        return v * 72.0 / 25.4

    def text(self, x: float, y: float, s: str, size: float = 10.5, font: str = "IPAexMincho",
             align: str = "left"):
        c = self.c
        c.setFont(font, size)
        X, Y = self.mm(x), self.H - self.mm(y)
        if align == "center":
            c.drawCentredString(X, Y, s)
        elif align == "right":
            c.drawRightString(X, Y, s)
        else:
            c.drawString(X, Y, s)

    def lines(self, x: float, y: float, items: list[str], size: float = 10.5, lead: float = 6.5,
              font: str = "IPAexMincho") -> float:
        for s in items:
            self.text(x, y, s, size=size, font=font)
            y += lead
        return y

    def rect(self, x: float, y: float, w: float, h: float):
        self.c.rect(self.mm(x), self.H - self.mm(y + h), self.mm(w), self.mm(h), stroke=1, fill=0)

    def hline(self, x0: float, x1: float, y: float):
        self.c.line(self.mm(x0), self.H - self.mm(y), self.mm(x1), self.H - self.mm(y))

    def vline(self, x: float, y0: float, y1: float):
        self.c.line(self.mm(x), self.H - self.mm(y0), self.mm(x), self.H - self.mm(y1))

    def circle(self, x: float, y: float, r: float):
        self.c.circle(self.mm(x), self.H - self.mm(y), self.mm(r), stroke=1, fill=0)

    def grid(self, x: float, y: float, col_w: list[float], row_h: list[float],
             cells: dict[tuple[int, int], str], size: float = 10, skip_v: set = frozenset()):
        """Draw a table grid; ``cells[(r, c)]`` is text placed in cell (r, c).
        ``skip_v`` = {(r, c)}: omit the vertical line at the LEFT of cell (r, c) (a merge)."""
        tw, th = sum(col_w), sum(row_h)
        self.rect(x, y, tw, th)
        yy = y
        for r, h in enumerate(row_h):
            if r:
                self.hline(x, x + tw, yy)
            xx = x
            for ci, w in enumerate(col_w):
                if ci and (r, ci) not in skip_v:
                    self.vline(xx, yy, yy + h)
                s = cells.get((r, ci))
                if s:
                    for k, part in enumerate(s.split("\n")):
                        self.text(xx + 1.5, yy + 4.5 + k * 4.8, part, size=size)
                xx += w
            yy += h
        return y + th

    def new_page(self):
        self.c.showPage()

    def save(self):
        self.c.showPage()
        self.c.save()


# --------------------------------------------------------------------------
# The forms
# --------------------------------------------------------------------------
DATE = "年" + SP + SP + "月" + SP + SP + "日"
EXPECTED: list[tuple] = []  # (path, format, seal_requested, kinds, signature, decision, repl, notes)


def expect(rel: str, fmt: str, seal, kinds: str, sig, decision: str, repl: str, notes: str):
    def b(v):
        return "" if v is None else ("true" if v else "false")
    EXPECTED.append((rel, fmt, b(seal), kinds, b(sig), decision, repl, notes))


# 1 ------------------------------------------------------------------------
def f01_hojokin(out: Path):
    rel = "経済労働局/産業振興部/中小企業補助金交付申請書.docx"
    d = docx_new("川崎市中小企業補助金交付申請書")
    docx_header_block(d, "様式第1号（第4条関係）", "川崎市中小企業補助金交付申請書")
    dp(d)
    dp(d, "申請者", bold=True)
    dtable(d, [
        ["所在地", "", ""],
        ["名称", "", ""],
        ["代表者氏名", "", "印"],
        ["電話番号", "", ""],
    ], [30, 105, 20], merges=[((0, 1), (0, 2)), ((1, 1), (1, 2)), ((3, 1), (3, 2))])
    dp(d)
    dp(d, SP + "川崎市中小企業補助金交付規則第4条の規定により、次のとおり補助金の交付を申請します。")
    dp(d)
    dtable(d, [
        ["補助事業の名称", ""],
        ["補助事業の目的及び内容", "\n\n"],
        ["補助事業に要する経費", SP * 8 + "円"],
        ["交付申請額", SP * 8 + "円"],
        ["事業期間", "着手" + SP + DATE + "\n完了予定" + SP + DATE],
    ], [45, 110])
    dp(d)
    dp(d, "添付書類")
    for s in ["(1)" + SP + "事業計画書（様式第2号）", "(2)" + SP + "収支予算書（様式第3号）",
              "(3)" + SP + "市税の納税証明書", "(4)" + SP + "その他市長が必要と認める書類"]:
        dp(d, SP + s)
    docx_save(d, out / rel)
    expect(rel, "docx", True, "mitome", False, "abolish", "kimei",
           "代表者氏名の右のセルに「印」のみ（代表者印の明示なし→認印扱い）；川崎市中小企業補助金交付規則第4条（市規則）→例規改正要")


# 2 ------------------------------------------------------------------------
def f02_jusho_henko(out: Path):
    rel = "健康福祉局/高齢者在宅サービス課/住所変更届.xlsx"
    s = Sheet("住所変更届", {"A": 3, "B": 14, "C": 14, "D": 14, "E": 14, "F": 14, "G": 8, "H": 3})
    s.put("B1", "第5号様式（第8条関係）")
    s.put("B3", "住" + SP + "所" + SP + "変" + SP + "更" + SP + "届", merge="B3:G3", bold=True, size=16,
          align="center")
    s.height(3, 30)
    s.put("E5", DATE, merge="E5:G5", align="right")
    s.put("B6", "（宛先）川崎市長" + SP + "様")
    s.put("D8", "届出者", align="right")
    rows = [("住所", 9), ("フリガナ", 10), ("氏名", 11), ("電話番号", 12)]
    for label, r in rows:
        s.put(f"D{r}", label, border=True, align="center")
        s.put(f"E{r}", "", merge=f"E{r}:F{r}", border=True)
        s.height(r, 24)
    s.put("G11", "㊞", border=True, align="center", size=12)
    for r in (9, 10, 12):
        s.put(f"G{r}", "", border=True)
    s.put("B14", SP + "川崎市住宅改修費助成事業実施要綱第8条の規定により、次のとおり住所の変更を届け出ます。",
          merge="B14:G15", valign="top")
    s.height(14, 18)
    items = [("利用者番号", 17), ("変更前の住所", 18), ("変更後の住所", 19), ("変更年月日", 20), ("備考", 21)]
    for label, r in items:
        s.put(f"B{r}", label, merge=f"B{r}:C{r}", border=True, align="center")
        s.put(f"D{r}", DATE if label == "変更年月日" else "", merge=f"D{r}:G{r}", border=True,
              align="center" if label == "変更年月日" else "left")
        s.height(r, 26)
    s.put("B23", "※住民票の異動を伴う場合は、区役所への届出も必要です。", merge="B23:G23")
    s.save(out / rel)
    expect(rel, "xlsx", True, "mitome", False, "abolish", "kimei",
           "「氏名」行の右端セルに「㊞」；根拠は川崎市住宅改修費助成事業実施要綱（要綱）→様式の改正のみ（例規改正不要）")


# 3 ------------------------------------------------------------------------
def f03_seiyaku_pdf(out: Path):
    rel = "市民文化局/地域安全推進課/暴力団排除に関する誓約書.pdf"
    p = Pdf(out / rel, "暴力団排除に関する誓約書")
    p.text(20, 20, "様式第3号（第6条関係）", size=10)
    p.text(105, 38, "暴力団排除に関する誓約書", size=16, align="center", font="IPAexGothic")
    p.text(190, 52, DATE, align="right")
    p.text(20, 60, "（宛先）川崎市長" + SP + "様")
    y = p.lines(95, 74, ["住所" + SP * 2 + "＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿",
                         "氏名" + SP * 10 + "(印)",
                         "生年月日" + SP * 3 + "年" + SP * 2 + "月" + SP * 2 + "日"], lead=9)
    p.hline(95, 185, 74 + 9 + 1.5)
    y = p.lines(20, y + 8, [
        SP + "私は、下記の事項を誓約します。",
        SP + "なお、市が必要と認めた場合には、暴力団員であるか否かの確認のため、神奈川県警察本部",
        "長に照会することについて承諾します。",
    ])
    p.text(105, y + 6, "記", align="center")
    p.lines(20, y + 18, [
        "1" + SP + "私は、暴力団員ではありません。",
        "2" + SP + "私は、暴力団又は暴力団員と密接な関係を有する者ではありません。",
        "3" + SP + "上記の事項に反することが判明した場合は、許可の取消し等の措置を受けても異議",
        SP + SP + "ありません。",
    ])
    p.save()
    expect(rel, "pdf", True, "mitome", False, "abolish", "shomei",
           "「氏名　…　(印)」；誓約書（私は、下記の事項を誓約します。）→署名へ")


# 4 ------------------------------------------------------------------------
def f04_todokede_kimei(out: Path):
    rel = "健康福祉局/生活衛生課/犬の登録事項変更届出書.docx"
    d = docx_new("犬の登録事項変更届出書")
    docx_header_block(d, "第2号様式（第3条関係）", "犬の登録事項変更届出書")
    dp(d)
    dtable(d, [
        ["届出者", "住所", ""],
        ["", "氏名", ""],
        ["", "電話番号", ""],
    ], [22, 28, 105], merges=[((0, 0), (2, 0))])
    dp(d)
    dp(d, SP + "犬の登録事項に変更がありましたので、次のとおり届け出ます。")
    dp(d)
    dtable(d, [
        ["登録番号", "第" + SP * 6 + "号"],
        ["犬の名前", ""],
        ["種類・毛色", ""],
        ["変更事項", "□所在地" + SP + "□所有者" + SP + "□その他（" + SP * 6 + "）"],
        ["変更前", ""],
        ["変更後", ""],
        ["変更年月日", DATE],
    ], [40, 115])
    dp(d)
    dp(d, "（注意）")
    dp(d, "1" + SP + "届出者欄は、所有者が記名押印してください。")
    dp(d, "2" + SP + "所有者が変わった場合は、新しい所有者が届け出てください。")
    docx_save(d, out / rel)
    expect(rel, "docx", True, "mitome", False, "abolish", "kimei",
           "印マークなし；注意書き「記名押印してください。」のみで押印を要求")


# 5 ------------------------------------------------------------------------
def f05_oin_fuyo(out: Path):
    rel = "市民文化局/市民活動推進課/会議室使用許可申請書.pdf"
    p = Pdf(out / rel, "市民活動センター会議室使用許可申請書")
    p.text(20, 20, "第1号様式（第4条関係）", size=10)
    p.text(105, 36, "川崎市市民活動センター会議室使用許可申請書", size=15, align="center", font="IPAexGothic")
    p.text(190, 50, DATE, align="right")
    p.text(20, 58, "（宛先）川崎市長" + SP + "様")
    y = p.grid(95, 64, [25, 70], [9, 9, 9, 9],
               {(0, 0): "団体名", (1, 0): "住所", (2, 0): "氏名", (3, 0): "電話番号"})
    p.text(90, 68.5, "申請者", align="right")
    p.text(20, y + 10, SP + "次のとおり会議室を使用したいので申請します。")
    y = p.grid(20, y + 16, [40, 130], [10, 10, 10, 10, 16],
               {(0, 0): "使用日", (0, 1): "令和" + SP * 2 + "年" + SP * 2 + "月" + SP * 2 + "日（" + SP + "）",
                (1, 0): "使用時間", (1, 1): SP * 3 + "時" + SP * 2 + "分から" + SP * 3 + "時" + SP * 2 + "分まで",
                (2, 0): "使用室名", (2, 1): "□会議室A" + SP + "□会議室B" + SP + "□和室",
                (3, 0): "使用人数", (3, 1): SP * 6 + "人",
                (4, 0): "使用目的"})
    p.lines(20, y + 10, [
        "※押印は不要です。",
        "※使用料は、使用日の前日までに納付してください。",
    ], size=10)
    p.save()
    expect(rel, "pdf", False, "", False, "no_seal", "",
           "押印欄なし；注記「※押印は不要です。」；氏名欄は記名")


# 6 ------------------------------------------------------------------------
def f06_confusers(out: Path):
    rel = "財政局/市民税課/税証明交付申請書.xlsx"
    s = Sheet("税証明交付申請書", {"A": 3, "B": 13, "C": 13, "D": 13, "E": 13, "F": 13, "G": 13, "H": 3})
    s.put("B1", "この用紙を印刷してご記入ください。太枠内を記入してください。", merge="B1:G1", size=9)
    s.put("B3", "税" + SP + "証" + SP + "明" + SP + "交" + SP + "付" + SP + "申" + SP + "請" + SP + "書",
          merge="B3:G3", bold=True, size=16, align="center")
    s.height(3, 30)
    s.put("E5", DATE, merge="E5:G5", align="right")
    s.put("B6", "（宛先）川崎市長" + SP + "様")
    for label, r in [("住所", 8), ("氏名", 9), ("電話番号", 10)]:
        s.put(f"C{r}", label, border=True, align="center")
        s.put(f"D{r}", "", merge=f"D{r}:G{r}", border=True)
        s.height(r, 24)
    s.put("B8", "申請者", merge="B8:B10", border=True, align="center")
    s.put("B12", "証明の種類", merge="B12:C12", border=True, align="center")
    s.put("D12", "□所得証明書" + SP + "□課税証明書" + SP + "□納税証明書", merge="D12:G12", border=True)
    s.put("B13", "年度", merge="B13:C13", border=True, align="center")
    s.put("D13", SP * 4 + "年度", merge="D13:G13", border=True)
    s.put("B14", "必要枚数", merge="B14:C14", border=True, align="center")
    s.put("D14", SP * 4 + "枚", merge="D14:G14", border=True)
    s.put("B15", "使用目的", merge="B15:C15", border=True, align="center")
    s.put("D15", "→（矢印）の該当するものに○をつけてください：" + SP + "児童手当・保育所・その他", merge="D15:G15",
          border=True)
    for r in (12, 13, 14, 15):
        s.height(r, 24)
    s.put("B17", "収入印紙（消印しないでください）", merge="B17:C20", border=True, align="center")
    s.put("D17", "※郵送請求で登記事項証明書を同時に請求する場合のみ、収入印紙を左の枠内に貼ってください。",
          merge="D17:G18", size=9)
    s.put("B22", "※市使用欄", merge="B22:G22", bold=True)
    s.put("B23", "受付印", border=True, align="center")
    s.put("C23", "確認印", border=True, align="center")
    s.put("D23", "本人確認", border=True, align="center")
    s.put("E23", "交付枚数", border=True, align="center")
    s.put("F23", "手数料", merge="F23:G23", border=True, align="center")
    for col in "BCDEF":
        s.put(f"{col}24", "", border=True)
    s.put("F24", "", merge="F24:G24", border=True)
    s.height(24, 40)
    s.save(out / rel)
    expect(rel, "xlsx", False, "", False, "no_seal", "",
           "紛らわしい語のみ：印刷、矢印、収入印紙・消印、※市使用欄の受付印・確認印（職員用）；申請者の押印なし")


# 7 ------------------------------------------------------------------------
def f07_jitsuin(out: Path):
    rel = "建設緑政局/用地課/委任状.docx"
    d = docx_new("委任状")
    dp(d, "委" + SP + "任" + SP + "状", align="center", bold=True, size=18)
    dp(d)
    dp(d, DATE, align="right")
    dp(d, "（宛先）川崎市長" + SP + "様")
    dp(d)
    dtable(d, [["代理人", "住所", ""], ["", "氏名", ""]], [22, 28, 105], merges=[((0, 0), (1, 0))])
    dp(d)
    dp(d, SP + "私は、上記の者を代理人と定め、次の土地の市への寄附に関する一切の権限を委任します。")
    dp(d)
    dtable(d, [["所在地番", ""], ["地目", ""], ["地積", SP * 8 + "㎡"]], [40, 115])
    dp(d)
    dtable(d, [
        ["委任者", "住所", "", ""],
        ["", "氏名", "", "印"],
        ["", "電話番号", "", ""],
    ], [22, 28, 85, 20], merges=[((0, 0), (2, 0)), ((0, 2), (0, 3)), ((2, 2), (2, 3))])
    dp(d)
    dp(d, "（注意）")
    dp(d, "1" + SP + "委任者の氏名欄は自署し、実印を押印してください。")
    dp(d, "2" + SP + "発行後3か月以内の印鑑登録証明書を添付してください。")
    docx_save(d, out / rel)
    expect(rel, "docx", True, "jitsuin", True, "keep_registered", "",
           "氏名の横に「印」；「実印を押印してください」「印鑑登録証明書を添付してください」→登録印のため存続")


# 8 ------------------------------------------------------------------------
def f08_contract(out: Path):
    rel = "総務企画局/契約課/工事請負契約書.docx"
    d = docx_new("工事請負契約書")
    dp(d, "工" + SP + "事" + SP + "請" + SP + "負" + SP + "契" + SP + "約" + SP + "書", align="center",
       bold=True, size=18)
    dp(d)
    dtable(d, [
        ["1" + SP + "工事名", ""],
        ["2" + SP + "工事場所", "川崎市" + SP * 8 + "区"],
        ["3" + SP + "工期", "令和" + SP + "年" + SP + "月" + SP + "日から令和" + SP + "年" + SP + "月" + SP + "日まで"],
        ["4" + SP + "請負代金額", SP * 8 + "円\n（うち取引に係る消費税及び地方消費税の額" + SP * 6 + "円）"],
        ["5" + SP + "契約保証金", SP * 8 + "円"],
    ], [40, 115])
    dp(d)
    dp(d, SP + "上記の工事について、発注者と受注者は、各々の対等な立場における合意に基づいて、別添の条項に"
          "よって公正な請負契約を締結し、信義に従って誠実にこれを履行するものとする。")
    dp(d, SP + "この契約の証として本書2通を作成し、当事者記名押印の上、各自1通を保有する。")
    dp(d)
    dp(d, "令和" + SP * 2 + "年" + SP * 2 + "月" + SP * 2 + "日")
    dp(d)
    dtable(d, [
        ["発注者", "住所", "川崎市川崎区宮本町1番地", ""],
        ["", "氏名", "川崎市" + SP + "代表者" + SP + "川崎市長", "印"],
        ["受注者", "住所", "", ""],
        ["", "氏名", "", "印"],
    ], [22, 20, 93, 20], merges=[((0, 0), (1, 0)), ((2, 0), (3, 0)), ((0, 2), (0, 3)), ((2, 2), (2, 3))])
    docx_save(d, out / rel)
    expect(rel, "docx", True, "mitome", False, "keep_contract", "",
           "表題「契約書」；「当事者記名押印の上」；発注者・受注者欄に「印」→契約書のため存続（地方自治法第234条第5項）")


# 9 ------------------------------------------------------------------------
def f09_nyusatsu(out: Path):
    rel = "総務企画局/契約課/入札書.pdf"
    p = Pdf(out / rel, "入札書")
    p.text(20, 20, "第1号様式", size=10)
    p.text(105, 38, "入" + SP + "札" + SP + "書", size=20, align="center", font="IPAexGothic")
    p.text(190, 54, DATE, align="right")
    p.text(20, 62, "（宛先）川崎市長" + SP + "様")
    p.lines(90, 76, ["入札者" + SP + "住所",
                     SP * 3 + "氏名",
                     "代理人" + SP + "氏名"], lead=10)
    p.text(175, 86, "印")
    p.text(175, 96, "印")
    p.text(20, 114, SP + "川崎市契約規則及び入札心得を承諾の上、下記のとおり入札します。")
    p.text(105, 124, "記", align="center")
    y = p.grid(20, 130, [40, 130], [12, 12, 16],
               {(0, 0): "件名", (1, 0): "履行場所", (2, 0): "入札金額"})
    # digit boxes for the amount
    for i in range(10):
        p.rect(63 + i * 11.5, y - 14, 11.5, 12)
    p.text(63 + 10 * 11.5 + 1.5, y - 5, "円")
    p.lines(20, y + 10, ["（注意）",
                         "1" + SP + "入札金額は、算用数字で記入し、頭に「￥」を付けてください。",
                         "2" + SP + "入札金額は、見積もった契約希望金額の110分の100に相当する金額を記入してください。",
                         "3" + SP + "代理人が入札する場合は、委任状を提出してください。"], size=10)
    p.save()
    expect(rel, "pdf", True, "mitome", False, "keep_contract", "",
           "「入札者　住所　氏名　…　印」；入札書は契約関係書類のため存続")


# 10 -----------------------------------------------------------------------
def f10_seiyaku_xlsx(out: Path):
    rel = "健康福祉局/障害福祉課/誓約書.xlsx"
    s = Sheet("誓約書", {"A": 3, "B": 6, "C": 14, "D": 14, "E": 14, "F": 14, "G": 8, "H": 3})
    s.put("B1", "第7号様式（第9条関係）", merge="B1:D1")
    s.put("B3", "誓" + SP + "約" + SP + "書", merge="B3:G3", bold=True, size=18, align="center")
    s.height(3, 34)
    s.put("E5", DATE, merge="E5:G5", align="right")
    s.put("B6", "（宛先）川崎市長" + SP + "様", merge="B6:E6")
    s.put("B8", SP + "私は、川崎市障害者日常生活用具給付事業の利用に当たり、下記の事項を遵守することを誓約します。",
          merge="B8:G9", valign="top")
    s.put("D11", "記", merge="D11:E11", align="center")
    items = ["給付を受けた用具を、給付の目的に反して使用し、譲渡し、貸し付け、又は担保に供しません。",
             "給付の要件を欠くこととなったときは、速やかに届け出ます。",
             "偽りその他不正な手段により給付を受けたときは、給付に要した費用を返還します。"]
    for i, it in enumerate(items):
        r = 12 + i
        s.put(f"B{r}", f"{i + 1}", align="center", valign="top")
        s.put(f"C{r}", it, merge=f"C{r}:G{r}", valign="top")
        s.height(r, 30)
    s.put("C17", "住所", border=True, align="center")
    s.put("D17", "", merge="D17:G17", border=True)
    s.put("C18", "氏名", border=True, align="center")
    s.put("D18", "", merge="D18:F18", border=True)
    s.put("G18", "㊞", border=True, align="center", size=12)
    s.put("C19", "電話番号", border=True, align="center")
    s.put("D19", "", merge="D19:G19", border=True)
    for r in (17, 18, 19):
        s.height(r, 26)
    s.save(out / rel)
    expect(rel, "xlsx", True, "mitome", False, "abolish", "shomei",
           "「氏名」行の右端セルに「㊞」；誓約書→署名へ")


# 11 -----------------------------------------------------------------------
def f11_jisho_only(out: Path):
    rel = "こども未来局/こども家庭課/児童手当現況届.pdf"
    p = Pdf(out / rel, "児童手当現況届")
    p.text(20, 20, "第3号様式（第5条関係）", size=10)
    p.text(105, 36, "児童手当・特例給付" + SP + "現況届", size=16, align="center", font="IPAexGothic")
    p.text(190, 50, DATE, align="right")
    p.text(20, 58, "（宛先）川崎市長" + SP + "様")
    y = p.grid(70, 64, [30, 90], [9, 11, 9, 9],
               {(0, 0): "住所", (1, 0): "氏名（自署）", (2, 0): "個人番号", (3, 0): "電話番号"})
    p.text(66, 68.5, "受給者", align="right")
    p.text(20, y + 10, SP + "次のとおり現況を届け出ます。")
    y = p.grid(20, y + 16, [45, 45, 40, 40], [9, 9, 9, 9],
               {(0, 0): "児童の氏名", (0, 1): "生年月日", (0, 2): "続柄", (0, 3): "同居・別居"})
    p.lines(20, y + 10, ["※受給者の氏名欄は、必ず受給者本人が自署してください。",
                         "※記入内容に誤りがあった場合は、二重線で消して書き直してください。"], size=10)
    p.save()
    expect(rel, "pdf", False, "", True, "no_seal", "",
           "「氏名（自署）」のみ・押印欄なし→署名必須を記録")


# 12 -----------------------------------------------------------------------
def f12_plain(out: Path):
    rel = "市民文化局/市民スポーツ室/体育館使用料計算表.xlsx"
    s = Sheet("体育館使用料計算表", {"A": 3, "B": 18, "C": 12, "D": 12, "E": 10, "F": 14, "G": 3})
    s.put("B1", "体育館使用料計算表", merge="B1:F1", bold=True, size=14, align="center")
    s.height(1, 26)
    s.put("B3", "団体名", border=True, align="center")
    s.put("C3", "", merge="C3:F3", border=True)
    s.put("B4", "使用日", border=True, align="center")
    s.put("C4", DATE, merge="C4:F4", border=True)
    hdr = ["施設区分", "単価（円）", "時間数", "面数", "小計（円）"]
    for i, h in enumerate(hdr):
        s.put(f"{'BCDEF'[i]}6", h, border=True, align="center", bold=True)
    data = [("大体育室（全面）", 4400), ("大体育室（半面）", 2200), ("小体育室", 1500), ("会議室", 600)]
    for i, (name, price) in enumerate(data):
        r = 7 + i
        s.put(f"B{r}", name, border=True)
        s.put(f"C{r}", price, border=True, align="right")
        s.put(f"D{r}", 0, border=True, align="right")
        s.put(f"E{r}", 0, border=True, align="right")
        s.put(f"F{r}", f"=C{r}*D{r}*E{r}", border=True, align="right")
    s.put("B11", "合計", merge="B11:E11", border=True, align="center", bold=True)
    s.put("F11", "=SUM(F7:F10)", border=True, align="right", bold=True)
    s.put("B13", "※市外団体の使用料は、上記単価の1.5倍となります。", merge="B13:F13", size=9)
    s.put("B14", "※冷暖房を使用する場合は、別途冷暖房費がかかります。", merge="B14:F14", size=9)
    s.save(out / rel)
    expect(rel, "xlsx", False, "", False, "no_seal", "", "押印・署名の要求なし（計算表）")


# 13 -----------------------------------------------------------------------
def f13_konin(out: Path):
    rel = "市民文化局/戸籍住民サービス部/婚姻届.pdf"
    p = Pdf(out / rel, "婚姻届")
    p.text(20, 16, "戸籍法施行規則附録第12号様式", size=9)
    p.text(40, 30, "婚" + SP + "姻" + SP + "届", size=20, font="IPAexGothic")
    p.text(40, 40, "令和" + SP * 2 + "年" + SP * 2 + "月" + SP * 2 + "日届出", size=10)
    p.text(40, 47, "川崎市" + SP * 3 + "区長" + SP + "殿", size=10.5)
    p.rect(120, 18, 70, 30)
    p.text(122, 23, "受理" + SP + "令和" + SP + "年" + SP + "月" + SP + "日", size=8)
    p.text(122, 29, "送付" + SP + "令和" + SP + "年" + SP + "月" + SP + "日", size=8)
    p.text(122, 35, "書類調査" + SP + "戸籍記載" + SP + "記載調査", size=8)
    col = [38, 66, 66]
    cells = {(0, 1): "夫になる人", (0, 2): "妻になる人",
             (1, 0): "(1)氏名", (2, 0): "生年月日", (3, 0): "住所\n（住民登録を\nしているところ）",
             (4, 0): "本籍", (5, 0): "父母の氏名",
             (6, 0): "(2)婚姻後の夫婦\nの氏・新しい本籍", (6, 1): "□夫の氏" + SP + "□妻の氏",
             (7, 0): "同居を始めたとき", (7, 1): SP * 4 + "年" + SP * 2 + "月",
             (8, 0): "その他"}
    y = p.grid(20, 54, col, [8, 14, 9, 16, 11, 11, 12, 9, 10], cells, size=9,
               skip_v={(6, 2), (7, 2), (8, 2)})
    # 届出人署名押印
    y = p.grid(20, y + 4, col, [8, 16], {(0, 1): "夫", (0, 2): "妻", (1, 0): "届出人署名押印"}, size=9,
               skip_v=set())
    p.text(20 + 38 + 66 - 8, y - 5, "印", size=10)
    p.text(20 + 38 + 66 + 66 - 8, y - 5, "印", size=10)
    p.circle(20 + 38 + 66 - 6.5, y - 6.2, 3.2)
    p.circle(20 + 38 + 66 + 66 - 6.5, y - 6.2, 3.2)
    y = p.grid(20, y + 4, [38, 66, 66], [8, 10, 10, 10],
               {(0, 0): "証人", (1, 0): "署名", (2, 0): "生年月日", (3, 0): "住所"}, size=9)
    p.text(20 + 38 + 66 - 8, y - 24, "印", size=10)
    p.text(20 + 38 + 66 + 66 - 8, y - 24, "印", size=10)
    p.lines(20, y + 7, ["※届出人の署名は、必ず本人が自署してください。",
                        "※この届書は、黒のボールペン等で記入してください。"], size=9, lead=5)
    p.save()
    expect(rel, "pdf", True, "mitome", True, "abolish", "shomei",
           "戸籍法施行規則附録第12号様式；「届出人署名押印」＋印→2021-09-01以降は押印任意・署名必須（監査日が2021-08-31以前ならkeep_law）")


# 14 -----------------------------------------------------------------------
def f14_koza(out: Path):
    rel = "財政局/収納課/口座振替依頼書.xlsx"
    s = Sheet("市税口座振替依頼書", {"A": 3, "B": 14, "C": 14, "D": 14, "E": 14, "F": 12, "G": 12, "H": 3})
    s.put("B1", "第1号様式（第3条関係）", merge="B1:D1")
    s.put("B3", "川崎市市税口座振替依頼書（兼自動払込利用申込書）", merge="B3:G3", bold=True, size=14,
          align="center")
    s.height(3, 30)
    s.put("E5", DATE, merge="E5:G5", align="right")
    s.put("B6", "（宛先）川崎市長" + SP + "様", merge="B6:D6")
    s.put("B7", "（宛先）取扱金融機関" + SP + "御中", merge="B7:D7")
    s.put("B9", SP + "私は、川崎市に納付する下記の市税を、私名義の預金口座から口座振替により納付することとし、"
                "下記の事項を承諾の上、依頼します。", merge="B9:G10", valign="top")
    s.put("B12", "金融機関名", border=True, align="center")
    s.put("C12", "銀行・信用金庫・農協" + SP * 2 + "本店・支店", merge="C12:G12", border=True)
    s.put("B13", "預金種目", border=True, align="center")
    s.put("C13", "1 普通" + SP + "2 当座", merge="C13:D13", border=True)
    s.put("E13", "口座番号", border=True, align="center")
    s.put("F13", "", merge="F13:G13", border=True)
    s.put("B14", "フリガナ", border=True, align="center")
    s.put("C14", "", merge="C14:E14", border=True)
    s.put("B15", "口座名義人\n氏名", merge="B15:B16", border=True, align="center")
    s.put("C15", "", merge="C15:E16", border=True)
    s.put("F14", "金融機関お届け印", merge="F14:G14", border=True, align="center", size=9)
    s.put("F15", "届出印", merge="F15:G16", border=True, align="center", valign="top", size=9)
    s.height(15, 30)
    s.height(16, 30)
    s.put("B18", "納税義務者", border=True, align="center")
    s.put("C18", "住所", border=True, align="center")
    s.put("D18", "", merge="D18:G18", border=True)
    s.put("C19", "氏名", border=True, align="center")
    s.put("D19", "", merge="D19:G19", border=True)
    s.put("B19", "", border=True)
    s.put("B21", "振替税目", border=True, align="center")
    s.put("C21", "□市県民税（普通徴収）" + SP + "□固定資産税・都市計画税" + SP + "□軽自動車税（種別割）",
          merge="C21:G21", border=True)
    s.put("B23", "※口座名義人の欄は、金融機関お届け印を押印してください。", merge="B23:G23")
    s.put("B24", "※お届け印が相違していると、口座振替を開始できません。", merge="B24:G24")
    s.save(out / rel)
    expect(rel, "xlsx", True, "bank", False, "keep_registered", "",
           "口座名義人氏名の横に「金融機関お届け印」「届出印」欄；銀行届出印のため存続")


# 15 -----------------------------------------------------------------------
def f15_seikyu(out: Path):
    rel = "会計室/審査課/請求書.docx"
    d = docx_new("請求書")
    dp(d, "第22号様式（第41条関係）")
    dp(d, "請" + SP + "求" + SP + "書", align="center", bold=True, size=18)
    dp(d)
    dp(d, DATE, align="right")
    dp(d, "（宛先）川崎市長" + SP + "様")
    dp(d)
    dtable(d, [
        ["請求者", "住所", "", ""],
        ["", "氏名", "", "印"],
        ["", "電話番号", "", ""],
    ], [22, 28, 85, 20], merges=[((0, 0), (2, 0)), ((0, 2), (0, 3)), ((2, 2), (2, 3))])
    dp(d)
    dp(d, SP + "下記のとおり請求します。")
    dp(d, "記", align="center")
    dtable(d, [
        ["請求金額", "￥"],
        ["件名", ""],
        ["契約年月日", DATE],
        ["履行（納品）年月日", DATE],
    ], [45, 110])
    dp(d)
    dp(d, "振込先")
    dtable(d, [
        ["金融機関名", "", "支店名", ""],
        ["預金種目", "普通・当座", "口座番号", ""],
        ["口座名義（カナ）", "", "", ""],
    ], [35, 45, 30, 45], merges=[((2, 1), (2, 3))])
    docx_save(d, out / rel)
    expect(rel, "docx", True, "mitome", False, "keep_contract", "",
           "「請求者　氏名　印」；請求書は契約関係書類（川崎市は請求書の押印を存続、ポリシー設定）")


# 16 -----------------------------------------------------------------------
def f16_eq_field(out: Path):
    rel = "環境局/減量推進課/ごみ集積所設置届.docx"
    d = docx_new("ごみ集積所設置届")
    docx_header_block(d, "第1号様式", "ごみ集積所設置届")
    dp(d)
    t = dtable(d, [
        ["届出者", "住所", ""],
        ["", "氏名", ""],
        ["", "電話番号", ""],
    ], [22, 28, 105], merges=[((0, 0), (2, 0))])
    name_cell = t.cell(1, 2)
    par = name_cell.paragraphs[0]
    par.add_run(SP * 16)
    docx_eq_circle_seal(par)
    dp(d)
    dp(d, SP + "次のとおりごみ集積所を設置したいので届け出ます。")
    dp(d)
    dtable(d, [
        ["設置場所", "川崎市" + SP * 6 + "区"],
        ["利用世帯数", SP * 6 + "世帯"],
        ["設置予定年月日", DATE],
        ["町内会・自治会名", ""],
        ["添付書類", "位置図、集積所の見取図"],
    ], [45, 110])
    docx_save(d, out / rel)
    expect(rel, "docx", True, "mitome", False, "abolish", "kimei",
           "氏名セルに Word EQ フィールド「eq \\o\\ac(○,印)」（キャッシュ結果なし）→○印")


# 17 -----------------------------------------------------------------------
def f17_koyo_hoken(out: Path):
    rel = "経済労働局/労働雇用推進課/雇用保険適用事業所設置届.pdf"
    p = Pdf(out / rel, "雇用保険適用事業所設置届")
    p.text(20, 18, "様式第1号（雇用保険法施行規則第141条関係）", size=10)
    p.text(105, 34, "雇用保険適用事業所設置届", size=16, align="center", font="IPAexGothic")
    p.text(20, 46, "（宛先）川崎公共職業安定所長" + SP + "殿", size=10.5)
    y = p.grid(20, 52, [45, 125], [10, 10, 10, 10, 10, 10, 10],
               {(0, 0): "1．事業所の名称", (1, 0): "2．事業所の所在地", (2, 0): "3．事業所の電話番号",
                (3, 0): "4．設置年月日", (3, 1): "令和" + SP * 2 + "年" + SP * 2 + "月" + SP * 2 + "日",
                (4, 0): "5．事業の種類", (5, 0): "6．被保険者数", (5, 1): SP * 6 + "人",
                (6, 0): "7．賃金締切日", (6, 1): "毎月" + SP * 3 + "日"})
    p.text(20, y + 10, SP + "雇用保険法施行規則第141条の規定により、上記のとおり届けます。")
    p.text(190, y + 18, DATE, align="right")
    p.lines(80, y + 30, ["事業主" + SP + "住所",
                         SP * 3 + "名称",
                         SP * 3 + "氏名" + SP * 14 + "印",
                         SP * 3 + "電話番号"], lead=9)
    p.text(20, y + 74, "※社会保険労務士記載欄", size=9)
    p.rect(20, y + 77, 170, 14)
    p.save()
    expect(rel, "pdf", True, "mitome", False, "abolish", "kimei",
           "雇用保険法施行規則第141条；「事業主　氏名　印」→2023-10-01以降は押印廃止（監査日が2023-09-30以前ならkeep_law）")


# 18 -----------------------------------------------------------------------
def f18_nochi(out: Path):
    rel = "農業委員会事務局/農地課/農地法第3条許可申請書.docx"
    d = docx_new("農地法第3条の規定による許可申請書")
    dp(d, "様式例第1号の1")
    dp(d, "農地法第3条の規定による許可申請書", align="center", bold=True, size=15)
    dp(d)
    dp(d, DATE, align="right")
    dp(d, "（宛先）川崎市農業委員会会長" + SP + "様")
    dp(d)
    dtable(d, [
        ["譲受人", "住所", "", ""],
        ["", "氏名", "", "印"],
        ["譲渡人", "住所", "", ""],
        ["", "氏名", "", "印"],
    ], [22, 28, 85, 20], merges=[((0, 0), (1, 0)), ((2, 0), (3, 0)), ((0, 2), (0, 3)), ((2, 2), (2, 3))])
    dp(d)
    dp(d, SP + "下記農地（採草放牧地）について□所有権□賃借権□使用貸借による権利□その他（" + SP * 4 +
       "）を□設定□移転したいので、農地法第3条第1項の規定により許可を申請します。")
    dp(d, SP + "なお、記載事項は農地法施行規則第10条に定めるところによります。")
    dp(d, "記", align="center")
    dtable(d, [
        ["所在・地番", "地目（登記簿）", "地目（現況）", "面積（㎡）"],
        ["", "", "", ""],
        ["", "", "", ""],
    ], [55, 33, 33, 34], center_cols=(0, 1, 2, 3))
    dp(d)
    dp(d, "権利を設定し、又は移転しようとする契約の内容")
    dtable(d, [["", ""]], [40, 115])
    docx_save(d, out / rel)
    expect(rel, "docx", True, "mitome", False, "abolish", "kimei",
           "国の法令（農地法第3条・農地法施行規則第10条）→カタログ law.nochi：2022-04-01以降は押印廃止"
           "（監査日が2020-12-20以前ならkeep_law、2020-12-21〜2022-03-31は要確認）")


# 19 (extra) ---------------------------------------------------------------
def f19_mitsumori(out: Path):
    rel = "総務企画局/契約課/見積書.xlsx"
    s = Sheet("見積書", {"A": 3, "B": 18, "C": 20, "D": 10, "E": 12, "F": 14, "G": 3})
    s.put("B2", "見" + SP + "積" + SP + "書", merge="B2:F2", bold=True, size=18, align="center")
    s.height(2, 34)
    s.put("D4", DATE, merge="D4:F4", align="right")
    s.put("B5", "（宛先）川崎市長" + SP + "様", merge="B5:C5")
    s.put("C7", "見積者", align="right")
    for label, r in [("住所", 7), ("商号又は名称", 8), ("代表者職氏名", 9)]:
        s.put(f"D{r}", label, merge=f"D{r}:E{r}", border=True, align="center", size=9)
        s.put(f"F{r}", "", border=True)
        s.height(r, 24)
    s.put("F9", "印", border=True, align="right")
    s.put("B11", SP + "川崎市契約規則を承諾の上、下記のとおり見積もります。", merge="B11:F11")
    s.put("B13", "件名", border=True, align="center")
    s.put("C13", "", merge="C13:F13", border=True)
    s.put("B14", "見積金額（税抜）", border=True, align="center")
    s.put("C14", "￥", merge="C14:F14", border=True)
    for i, h in enumerate(["品名・規格", "", "数量", "単価", "金額"]):
        s.put(f"{'BCDEF'[i]}16", h, border=True, align="center", bold=True)
    s.ws.merge_cells("B16:C16")
    for r in range(17, 21):
        s.put(f"B{r}", "", merge=f"B{r}:C{r}", border=True)
        for col in "DEF":
            s.put(f"{col}{r}", "", border=True)
    s.save(out / rel)
    expect(rel, "xlsx", True, "mitome", False, "keep_contract", "",
           "「代表者職氏名」の欄に「印」；見積書は契約関係書類（存続は既定ポリシー、自治体により廃止例あり）")


# 20 (extra) ---------------------------------------------------------------
def f20_inconsistent(out: Path):
    rel = "まちづくり局/住宅整備推進課/市営住宅駐車場使用申込書.pdf"
    p = Pdf(out / rel, "市営住宅駐車場使用申込書")
    p.text(20, 20, "第1号様式（第3条関係）", size=10)
    p.text(105, 36, "市営住宅駐車場使用申込書", size=16, align="center", font="IPAexGothic")
    p.text(190, 50, DATE, align="right")
    p.text(20, 58, "（宛先）川崎市長" + SP + "様")
    y = p.grid(80, 64, [28, 72], [9, 9, 9],
               {(0, 0): "住所", (1, 0): "氏名", (1, 1): SP * 12 + "印", (2, 0): "電話番号"})
    p.text(76, 68.5, "申込者", align="right")
    p.text(20, y + 10, SP + "川崎市営住宅駐車場管理要綱第3条の規定により、次のとおり申し込みます。")
    y = p.grid(20, y + 16, [45, 125], [10, 10, 10, 10],
               {(0, 0): "団地名・号棟", (1, 0): "自動車登録番号", (2, 0): "車名・色", (3, 0): "使用開始希望日",
                (3, 1): DATE})
    p.lines(20, y + 10, ["※申込者の押印は不要です（令和3年4月1日から押印を廃止しました。）。",
                         "※自動車検査証の写しを添付してください。"], size=10)
    p.save()
    expect(rel, "pdf", True, "mitome", False, "needs_review", "",
           "矛盾：氏名欄に「印」が残存しているが注記は「押印は不要です」→様式の不整合として要確認")


# bad files ----------------------------------------------------------------
def bad_files(out: Path, sample_pdf: Path):
    rel1 = "その他/破損ファイル.pdf"
    (out / rel1).parent.mkdir(parents=True, exist_ok=True)
    (out / rel1).write_bytes(sample_pdf.read_bytes()[:200])
    expect(rel1, "pdf", None, "", None, "error", "", "破損PDF（実在PDFの先頭200バイトのみ）")
    rel2 = "その他/空のファイル.docx"
    (out / rel2).write_bytes(b"")
    expect(rel2, "docx", None, "", None, "error", "", "0バイトのファイル")


FORMS = [f01_hojokin, f02_jusho_henko, f03_seiyaku_pdf, f04_todokede_kimei, f05_oin_fuyo, f06_confusers,
         f07_jitsuin, f08_contract, f09_nyusatsu, f10_seiyaku_xlsx, f11_jisho_only, f12_plain, f13_konin,
         f14_koza, f15_seikyu, f16_eq_field, f17_koyo_hoken, f18_nochi, f19_mitsumori, f20_inconsistent]

HEADER = ["path", "format", "seal_requested", "seal_kinds", "signature_required", "decision", "replacement",
          "notes"]


def main(argv=None) -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=here / "forms", help="output folder (default: examples/forms)")
    ap.add_argument("--expected", type=Path, default=None,
                    help="where to write EXPECTED.tsv (default: <out>/../EXPECTED.tsv)")
    ap.add_argument("--clean", action="store_true", help="delete the output folder first")
    a = ap.parse_args(argv)
    out: Path = a.out
    if a.clean and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    EXPECTED.clear()
    for f in FORMS:
        f(out)
    bad_files(out, out / "市民文化局/戸籍住民サービス部/婚姻届.pdf")
    exp = a.expected or (out.parent / "EXPECTED.tsv")
    lines = ["\t".join(HEADER)] + ["\t".join(r) for r in sorted(EXPECTED)]
    exp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(EXPECTED)} files under {out} and {exp}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
