"""Write one generated form spec as .docx, .xlsx or .pdf (used by bench/gen_corpus.py).

A spec is a list of items: ("para", text), ("row", [cells]), ("header", text), ("eqseal", label)
(a Word EQ field ○印 after the label), plus optional extra sheets for .xlsx
(記入例 sheets and hidden sheets).
"""

from __future__ import annotations

from pathlib import Path

FONT = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
_font_done = False


def _eq_seal(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(child):
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    for kind, text in (("begin", None), (None, " eq \\o\\ac(○,印) "), ("separate", None), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run(el)


def write_docx(items: list, path: Path) -> None:
    from docx import Document

    d = Document()
    table = None
    for kind, value in items:
        if kind == "row":
            if table is None:
                table = d.add_table(rows=0, cols=len(value))
                table.style = "Table Grid"
            cells = table.add_row().cells
            for i, text in enumerate(value[: len(cells)]):
                cells[i].text = text
            continue
        table = None
        if kind == "header":
            d.sections[0].header.paragraphs[0].text = value
        elif kind == "eqseal":
            p = d.add_paragraph(value + "\u3000" * 8)
            _eq_seal(p)
        else:
            d.add_paragraph(value)
    d.save(str(path))


def _fill_sheet(ws, items: list) -> None:
    r = 1
    for kind, value in items:
        if kind == "row":
            cols = [1, 3, 6, 8, 10][: len(value)]
            for col, text in zip(cols, value, strict=False):
                if text:
                    ws.cell(row=r, column=col, value=text)
        elif kind == "eqseal":
            ws.cell(row=r, column=1, value=value)
            ws.cell(row=r, column=8, value="㊞")
        elif kind == "header":
            ws.oddHeader.center.text = value
            continue
        else:
            ws.cell(row=r, column=1, value=value)
        r += 1


def write_xlsx(items: list, path: Path, extra_sheets: list) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "様式"
    _fill_sheet(ws, items)
    for name, sheet_items, hidden in extra_sheets:
        extra = wb.create_sheet(name)
        _fill_sheet(extra, sheet_items)
        if hidden:
            extra.sheet_state = "hidden"
    wb.save(str(path))


def write_pdf(items: list, path: Path, grid: bool) -> None:
    global _font_done
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if not _font_done:
        pdfmetrics.registerFont(TTFont("IPAexMincho", FONT))
        _font_done = True
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    width, height = A4
    mm = 72.0 / 25.4
    y = 20.0
    c.setFont("IPAexMincho", 10.5)
    xs = [20, 55, 120, 160, 180]
    for kind, value in items:
        if y > 280:
            c.showPage()
            c.setFont("IPAexMincho", 10.5)
            y = 20.0
        if kind == "row":
            for x, text in zip(xs, value, strict=False):
                if text:
                    c.drawString(x * mm, height - y * mm, text)
            if grid:
                top, bottom = height - (y - 5) * mm, height - (y + 3) * mm
                c.line(18 * mm, top, 192 * mm, top)
                c.line(18 * mm, bottom, 192 * mm, bottom)
                for x in [*xs[: len(value)], 192]:
                    c.line((x - 2) * mm, top, (x - 2) * mm, bottom)
            y += 8
        else:
            text = value + ("\u3000" * 6 + "㊞" if kind == "eqseal" else "")
            c.drawString(20 * mm, height - y * mm, text[:60])
            y += 8
    c.save()
