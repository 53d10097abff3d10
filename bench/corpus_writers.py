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


def write_lines_pdf(path: Path, lines: list[str], *, left: float = 57, top: float = 60, step: float = 24) -> Path:
    """A one-page A4 PDF of `lines` in IPAex Mincho 10.5 pt, `top` pt from the top edge and `step` pt apart: the page
    the OCR measurements (bench/measure_ocr_confusions.py) and the scan tests print."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexMincho", FONT))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("IPAexMincho", 10.5)
    y = A4[1] - top
    for text in lines:
        c.drawString(left, y, text)
        y -= step
    c.save()
    return path


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
        if kind == "drawnseal":
            y = _drawn_seal(c, value, y, height, mm)
            continue
        if kind == "stampgrid":  # empty squares under the staff headings of the previous row
            for x in xs[: len(value)]:
                c.rect((x - 1) * mm, height - (y + 12) * mm, 16 * mm, 16 * mm)
            y += 20
            continue
        if kind == "radio":  # small option circles: not seal-sized
            c.drawString(20 * mm, height - y * mm, value + "\u3000有\u3000\u3000無")
            c.circle(44 * mm, height - y * mm + 3, 2 * mm)
            c.circle(56 * mm, height - y * mm + 3, 2 * mm)
            y += 8
            continue
        if kind == "row":
            end = 0.0  # a long label pushes the next cells (and their rules) right instead of running over them
            placed = []
            for x, text in zip(xs, value, strict=False):
                x = max(x, end + 3)
                placed.append(x)
                if text:
                    c.drawString(x * mm, height - y * mm, text)
                    end = x + c.stringWidth(text, "IPAexMincho", 10.5) / mm
            if grid:
                top, bottom = height - (y - 5) * mm, height - (y + 3) * mm
                c.line(18 * mm, top, 192 * mm, top)
                c.line(18 * mm, bottom, 192 * mm, bottom)
                for x in [*placed, 192]:
                    if x < 192:
                        c.line((x - 2) * mm, top, (x - 2) * mm, bottom)
                c.line(192 * mm, top, 192 * mm, bottom)
            y += 8
        else:
            text = value + ("\u3000" * 6 + "㊞" if kind == "eqseal" else "")
            c.drawString(20 * mm, height - y * mm, text[:60])
            y += 8
    c.save()


def _drawn_seal(c, value: tuple[str, str], y: float, height: float, mm: float) -> float:
    """A name line ending in a seal box drawn as a graphic (circle, dotted circle, ellipse, square), empty
    or holding 印 / 実印; style "cell" puts the circle in the last cell of a ruled row."""
    label, style = value
    y += 5  # clear of the ruled line of the row above
    base = height - y * mm
    c.drawString(20 * mm, base, label + "\u3000" * 2 + "山田\u3000太郎")
    cx, cy, r = 170 * mm, base + 3, 7.5 * mm
    if style == "cell":
        top, bottom = base + 12 * mm, base - 10 * mm
        for yy in (top, bottom):
            c.line(18 * mm, yy, 192 * mm, yy)
        for x in (18, 150, 192):
            c.line(x * mm, top, x * mm, bottom)
        c.circle(cx, base + 1 * mm, r)
        return y + 24
    if style == "dotted":
        c.setDash(1, 2)
    if style == "square":
        c.rect(cx - r, cy - r, 2 * r, 2 * r)
    elif style == "ellipse":
        c.ellipse(cx - r * 1.2, cy - r, cx + r * 1.2, cy + r)
    else:
        c.circle(cx, cy, r)
    c.setDash()
    if style in ("in", "jitsuin"):
        text = "印" if style == "in" else "実印"
        c.drawCentredString(cx, cy - 4, text)
    return y + 14
